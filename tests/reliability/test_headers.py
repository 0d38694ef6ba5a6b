"""Red team S7 (security headers on every response) and S8 (slow or idle clients are disconnected)."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from tests.reliability.live_server import headers_only, live_server, port_of, read_reply, status_of

pytestmark = pytest.mark.server

HEADER_TIMEOUT_S = 1.0
KEEP_ALIVE_S = 1.0


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("headers"), header_timeout_s=HEADER_TIMEOUT_S,
                     keep_alive_s=KEEP_ALIVE_S, request_max_kb=64) as running:
        yield running


def _assert_hardened(headers) -> None:
    csp = headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, csp
    assert "img-src 'self' data: blob:" in csp  # no image from another host, whatever the Markdown says
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy") == "no-referrer"
    assert headers.get("x-frame-options") == "DENY"


@pytest.mark.parametrize("method, path, body", [
    ("GET", "/", None), ("GET", "/config", None), ("GET", "/api/health", None), ("GET", "/api/sources", None),
    ("POST", "/api/ask", {"question": "A student swore at me in class. Who deals with swearing?"}),
    ("POST", "/api/ask", {"question": 5}), ("GET", "/no-such-page", None),
    ("GET", "/gradio_api/file=/etc/passwd", None), ("POST", "/gradio_api/queue/join", {"x": "y" * 70_000}),
])
def test_every_response_carries_the_security_headers(app_server, method, path, body):
    got = httpx.request(method, f"{app_server[0]}{path}", json=body, timeout=60)
    _assert_hardened(got.headers)


def test_refusals_made_before_the_app_carry_them_too(app_server):
    reply = headers_only(app_server[0], "POST", "/api/ask", {"Content-Length": str(10 ** 9)})
    assert status_of(reply) == 413
    head = reply.partition(b"\r\n\r\n")[0].decode().lower()
    assert "frame-ancestors 'none'" in head and "x-content-type-options: nosniff" in head


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_slowloris_client_is_disconnected(app_server):
    """S8: 1,100 sockets sending one header line every 10 s all stayed open; headers now have a deadline."""
    with socket.create_connection(("127.0.0.1", port_of(app_server[0])), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        began = time.monotonic()
        closed = False
        while time.monotonic() - began < HEADER_TIMEOUT_S * 4:
            try:
                sock.sendall(b"X-Slow: 1\r\n")  # a line at a time, never the blank line
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            if _closed_within(sock, 0.25):
                closed = True
                break
        assert closed, "the server kept a connection whose headers never finished"
        assert time.monotonic() - began < HEADER_TIMEOUT_S * 3


def test_a_silent_connection_is_closed(app_server):
    with socket.create_connection(("127.0.0.1", port_of(app_server[0])), timeout=5) as sock:
        assert _closed_within(sock, HEADER_TIMEOUT_S * 3)


def test_keep_alive_still_works_and_then_times_out(app_server):
    with socket.create_connection(("127.0.0.1", port_of(app_server[0])), timeout=5) as sock:
        for _ in range(2):  # two requests on one connection, each well inside the deadlines
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert status_of(read_reply(sock, timeout=10)) == 200
        assert _closed_within(sock, KEEP_ALIVE_S * 3)


def test_a_huge_request_head_is_refused(app_server):
    reply = headers_only(app_server[0], "GET", "/api/health", {"X-Padding": "p" * 64_000})
    assert status_of(reply) in (400, 431), reply[:200]
