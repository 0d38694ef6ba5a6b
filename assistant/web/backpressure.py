"""Back-pressure for the work routes: past a queue limit, 503 with Retry-After (issue 14, item 6).

/api/ask runs on a few worker threads; before this, every further request waited for one, without
bound, so a burst of 200 made everyone wait 20 s. Now each route admits its workers plus
`queue_limit` waiting requests, and answers the rest at once with 503 and a Retry-After of about
the time the queue ahead of it takes to drain. A client that retries then gets a fast answer
instead of a slow one, and the server's latency stays bounded under any burst.

The count is kept here, in front of the route, so it covers every way the route can answer
(its own polite 413/422 refusals also take a worker).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass


@dataclass
class Admission:
    """One route's admission: `workers` run at once, `queue_limit` more may wait."""

    workers: int
    queue_limit: int
    seconds_per_request: float  # a rough service time, only to suggest when to come back
    inside: int = 0

    @property
    def capacity(self) -> int:
        return self.workers + max(0, self.queue_limit)

    def retry_after(self) -> int:
        return max(1, math.ceil(self.capacity * self.seconds_per_request / max(1, self.workers)))


class BackPressure:
    def __init__(self, app, routes: dict[str, Admission]):
        self.app = app
        self.routes = routes

    async def __call__(self, scope, receive, send):
        route = self.routes.get(scope.get("path", "").rstrip("/")) if scope["type"] == "http" else None
        if route is None or scope.get("method") != "POST":
            return await self.app(scope, receive, send)
        # The body is in hand before a place is taken, so a client that sends it slowly holds a
        # connection, not a worker. Its size is capped by BodyLimits, which runs before this.
        received = []
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        if received[-1]["type"] == "http.disconnect":
            return  # gone, or cut off at the size limit (BodyLimits answers that)
        if route.inside >= route.capacity:
            return await _busy(send, route.retry_after())

        async def replay():
            return received.pop(0) if received else await receive()

        # One event loop runs every request, so this count needs no lock.
        route.inside += 1
        try:
            await self.app(scope, replay, send)
        finally:
            route.inside -= 1


async def _busy(send, retry_after: int) -> None:
    body = json.dumps({"error": "the assistant is busy; please try again shortly",
                       "retry_after": retry_after}).encode()
    await send({"type": "http.response.start", "status": 503, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode())]})
    await send({"type": "http.response.body", "body": body})
