"""The real app on 127.0.0.1, started the way `app.serve` starts it, for the HTTP reliability tests.

The small one-card index of conftest.py keeps start-up to seconds; limits are made small through
Settings so the heavy red-team payloads (1 GB bodies, slow clients) shrink to a few MB and seconds.
Raw sockets are used where an HTTP client would hide what is tested (an unsent body, a slow header).
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from tests.reliability.conftest import small_settings


@contextmanager
def live_server(tmp: Path, **limits):
    """Yields (base_url, engine, settings). Gradio's upload folder is a folder of this server's own."""
    import uvicorn

    from assistant.engine import Assistant
    from assistant.web.server import server_config
    from ingest.indexer import build_index
    from tests.web.conftest import free_port

    upload_dir = tmp / "gradio-uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    saved = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = str(upload_dir)  # read when the page is built
    try:
        from app import build_app

        settings = small_settings(tmp / "data", tmp, port=free_port(), **limits)
        build_index(settings, progress=False)
        engine = Assistant.load(settings)
        server = uvicorn.Server(server_config(build_app(engine), settings))
        thread = threading.Thread(target=server.run, name="sro-reliability-server", daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{settings.port}", engine, settings
        server.should_exit = True
        thread.join(timeout=15)
    finally:
        if saved is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = saved


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def read_reply(sock: socket.socket, timeout: float = 10.0) -> bytes:
    """What the server sent until it closed, or until `timeout` passed with nothing more."""
    sock.settimeout(timeout)
    got = b""
    try:
        while True:
            part = sock.recv(65536)
            if not part:
                break
            got += part
            if b"\r\n\r\n" in got and _complete(got):
                break
    except (TimeoutError, ConnectionResetError):
        pass
    return got


def _complete(reply: bytes) -> bool:
    head, _, body = reply.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def headers_only(base: str, method: str, path: str, headers: dict[str, str]) -> bytes:
    """Sends a request head (never its body) and returns the reply; the server must answer unread."""
    with socket.create_connection(("127.0.0.1", port_of(base)), timeout=10) as sock:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", *(f"{k}: {v}" for k, v in headers.items())]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        return read_reply(sock, timeout=5)


def send_chunked(base: str, path: str, total: int, content_type: str, chunk: int = 64 * 1024,
                 prefix: bytes = b"") -> tuple[bytes, int]:
    """Streams `total` bytes (chunked, no Content-Length), watching for an early reply.
    Returns (reply, bytes sent before the server answered or closed)."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port_of(base)), timeout=10) as sock:
        sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n").encode())
        payload = prefix
        try:
            while sent < total:
                if select.select([sock], [], [], 0)[0]:
                    break  # the server answered (or closed) mid-body
                part = payload[:chunk] if payload else b"x" * min(chunk, total - sent)
                payload = payload[len(part):]
                sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                sent += len(part)
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_reply(sock, timeout=30), sent


def status_of(reply: bytes) -> int:
    parts = reply.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def header_of(reply: bytes, name: str) -> str | None:
    head = reply.partition(b"\r\n\r\n")[0].decode("latin-1")
    for line in head.split("\r\n")[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == name.lower():
            return value.strip()
    return None
