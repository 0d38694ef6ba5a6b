"""The uvicorn server as the app runs it: header and keep-alive timeouts, a header size cap (red team S8).

uvicorn closes an idle keep-alive connection (`timeout_keep_alive`) but has no deadline for a
request's headers: a client that sends one header line every few seconds holds its connection,
and a thousand such clients hold a thousand (slowloris). The protocol below gives every request
`header_timeout_s` to finish its headers, counted from its first byte (or from the connection's
opening), and closes the connection after that. It also refuses a request head over
HEADER_MAX_BYTES with 431. h11 is used rather than httptools because its state is simple to read.
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
    _head_bytes = 0  # bytes received of the current request's head
    _head_tail = b""  # its last 3 bytes, to find a blank line split across two reads

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:
            if self._header_timer is None:
                self._arm_header_timer()  # the next request on a kept-alive connection has begun
            # h11's own cap only counts a head that arrives in pieces; one big read slips past it.
            # Only the head counts, not a body that came in the same read.
            window = self._head_tail + data
            end = window.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else max(0, end + 4 - len(self._head_tail))
            self._head_tail = window[-3:]
            if self._head_bytes > HEADER_MAX_BYTES:
                self._refuse_head()
                return
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._cancel_header_timer()  # its headers are complete
            self._head_bytes, self._head_tail = 0, b""

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

    def _refuse_head(self) -> None:
        self._cancel_header_timer()
        if not self.transport.is_closing():
            self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n"
                                 b"connection: close\r\n\r\n")
            self.transport.close()

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
