"""Request-size limits on every route, enforced before a body is read (red team S4, S5, S6, U8).

An ASGI middleware in front of the whole app, Gradio's routes included. A declared Content-Length
over the route's limit is answered 413 without reading a byte. A body without one (chunked) is
counted as it streams and cut off at the limit: the app is told the client went away (so it stops
reading and Gradio discards its partial file) and the client gets the 413. Nothing past the limit
is ever held in memory, whatever the client sends.

Upload routes also have a budget per client address (S6): bytes uploaded in the last 10 minutes.
Past it, 429 with Retry-After, also before the body is read. Behind a reverse proxy every client
shares the proxy's address, so the budget then acts as one total for all users.
"""

from __future__ import annotations

import json
import time
from collections import deque

from assistant.web.api import MAX_BODY_BYTES
from assistant.web.review_api import FORM_OVERHEAD

MB = 1024 * 1024
GRADIO_UPLOAD = "/gradio_api/upload"
UPLOAD_ROUTES = (GRADIO_UPLOAD, "/api/review")
BUDGET_WINDOW_S = 600
# /api/ask refuses politely at its own limit, unread (the JSON answer contract); the middleware's limit
# sits above it as the backstop for any route change that forgets to. /api/review's error contract is
# the middleware's own ({"error": ...}), so it is refused here at the upload limit, before back-pressure
# reads the body.
SELF_CAPPED_BACKSTOP = 2


def upload_file_limit(settings) -> int:
    """The one upload limit, in bytes: what the page states, Gradio's `max_file_size`, the loaders' cap."""
    return int(settings.upload_max_mb * MB)


def route_limits(settings) -> dict[str, int]:
    upload = upload_file_limit(settings) + FORM_OVERHEAD
    return {"/api/ask": MAX_BODY_BYTES * SELF_CAPPED_BACKSTOP, "/api/review": upload,
            GRADIO_UPLOAD: upload}


class ClientBudget:
    """Bytes each client address uploaded in a sliding window."""

    def __init__(self, limit_bytes: int, window_s: float = BUDGET_WINDOW_S, clock=time.monotonic):
        self.limit = limit_bytes
        self.window = window_s
        self.clock = clock
        self._spent: dict[str, deque[tuple[float, int]]] = {}

    def _recent(self, client: str) -> deque[tuple[float, int]]:
        now = self.clock()
        if len(self._spent) > 10_000:  # forget idle addresses so the table stays small
            for key in [k for k, q in self._spent.items() if not q or q[-1][0] < now - self.window]:
                del self._spent[key]
        spent = self._spent.setdefault(client, deque())
        while spent and spent[0][0] < now - self.window:
            spent.popleft()
        return spent

    def retry_after(self, client: str, wanted: int) -> int | None:
        """None when `wanted` more bytes fit in the budget, else seconds until enough of it frees up."""
        spent = self._recent(client)
        over = sum(n for _, n in spent) + wanted - self.limit
        if over <= 0:
            return None
        freed, now = 0, self.clock()
        for at, n in spent:
            freed += n
            if freed >= over:
                return max(1, int(at + self.window - now) + 1)
        return int(self.window)  # more than the whole budget in one request: it never fits

    def spend(self, client: str, size: int) -> None:
        if size:
            self._recent(client).append((self.clock(), size))


async def refuse(send, path: str, status: int, message: str, retry_after: int | None = None) -> None:
    """A short answer that also closes the connection, so an unread body is never read."""
    is_api = path.startswith("/api/")
    body = json.dumps({"error": message}).encode() if is_api else message.encode()
    headers = [(b"content-type", b"application/json" if is_api else b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _declared_length(scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length" and value.strip().isdigit():
            return int(value)
    return None


class BodyLimits:
    def __init__(self, app, limits: dict[str, int], default: int, budget: ClientBudget | None = None):
        self.app, self.limits, self.default, self.budget = app, limits, default, budget

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"].rstrip("/") or "/"
        limit = self.limits.get(path, self.default)
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            return await refuse(send, path, 413, f"request body over the {_size(limit)} limit")
        budget = self.budget if path in UPLOAD_ROUTES else None
        client = (scope.get("client") or ("unknown",))[0]
        if budget is not None:
            wait = budget.retry_after(client, declared or 1)
            if wait is not None:
                return await refuse(send, path, 429, "too many uploads from this address; try again later", wait)
            # Reserved up front, so many uploads at once from one address cannot all fit in the budget.
            budget.spend(client, declared or 0)

        size, cut, replied = 0, False, False

        async def counted_receive():
            nonlocal size, cut
            if cut:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                part = len(message.get("body", b""))
                size += part
                if budget is not None and declared is None:
                    budget.spend(client, part)
                if size > limit:
                    cut = True  # the app stops reading as if the client had gone
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal replied
            if cut and not replied:
                return  # the app's own answer to the "disconnect" is dropped; the 413 follows
            replied = replied or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not cut:
                raise
        if cut and not replied:
            await refuse(send, path, 413, f"request body over the {_size(limit)} limit")


def _size(limit: int) -> str:
    return f"{limit / MB:.1f} MB" if limit >= MB else f"{max(1, limit // 1024)} KB"
