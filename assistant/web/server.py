"""The uvicorn server as the app runs it: header and keep-alive timeouts, a header size cap (red team S8).

uvicorn closes an idle keep-alive connection (`timeout_keep_alive`) but has no deadline for a
request's headers: a client that sends one header line every few seconds holds its connection,
and a thousand such clients hold a thousand (slowloris). The protocol below gives every request
`header_timeout_s` to finish its headers, counted from its first byte (or from the connection's
opening), and closes the connection after that. h11 is used rather than httptools because h11
caps the size of an unfinished request head (HEADER_MAX_BYTES); httptools has no such cap.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_MAX_BYTES = 16 * 1024  # request line plus headers; a browser's are a few KB


class HeaderDeadlineH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers."""

    header_timeout_s = 10.0  # replaced per server by `protocol_with_header_timeout`
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE and self._header_timer is None:
            self._arm_header_timer()  # the next request on a kept-alive connection has begun
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel_header_timer()  # its headers are complete

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Idle now: the keep-alive timeout takes over until the next request's first byte.
        self._cancel_header_timer()

    def connection_lost(self, exc) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()


def protocol_with_header_timeout(seconds: float) -> type[HeaderDeadlineH11]:
    return type("HeaderDeadlineH11", (HeaderDeadlineH11,), {"header_timeout_s": float(seconds)})


def server_config(app, settings, **overrides):
    """The uvicorn.Config `serve` runs (tests and evals/load.py start the same one on a free port)."""
    import uvicorn

    options = dict(host=settings.host, port=settings.port, access_log=False, log_level="warning",
                   http=protocol_with_header_timeout(settings.header_timeout_s),
                   timeout_keep_alive=settings.keep_alive_s, h11_max_incomplete_event_size=HEADER_MAX_BYTES)
    # No access log: request paths can hold uploaded file names, and those can hold students' names.
    return uvicorn.Config(app, **{**options, **overrides})
