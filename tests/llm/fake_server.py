"""A scripted OpenAI-compatible server on 127.0.0.1: POST /v1/chat/completions.

Each test sets `server.script`, a function of the request body returning one of
  ("text", content)        a normal completion (streamed as SSE when the request asks to stream)
  ("sleep", seconds)       wait, then reply (longer than the client's timeout: a timeout)
  ("raw", bytes)           a 200 reply whose body is this (malformed JSON)
  ("status", code, body)   an error reply
Every request body (and its Authorization header) is kept in `server.requests`.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PASSAGE = re.compile(r'<passage n="(\d+)"[^>]*>\n\[\d+\] (.*?)\n</passage>', re.S)


def passages_of(body: dict) -> dict[int, str]:
    """The numbered passages the assistant sent, from the user message."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return {int(n): text for n, text in PASSAGE.findall(user)}


def completion(content: str, model: str = "test-model") -> dict:
    return {"id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}


def chunk(delta: dict, finish: str | None = None) -> bytes:
    data = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": "test-model", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {json.dumps(data)}\n\n".encode()


class Handler(BaseHTTPRequestHandler):
    server: "FakeServer"

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        self.server.requests.append({"body": body, "authorization": self.headers.get("authorization")})
        if self.path.rstrip("/") != "/v1/chat/completions":
            return self._send(404, b'{"error": "not found"}')
        action = self.server.script(body)
        kind = action[0]
        if kind == "sleep":
            time.sleep(action[1])
            return self._send(200, json.dumps(completion("Too late [1].")).encode())
        if kind == "raw":
            return self._send(200, action[1])
        if kind == "status":
            return self._send(action[1], action[2] if len(action) > 2 else b'{"error": {"message": "boom"}}')
        content = action[1]
        if body.get("stream"):
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            self.wfile.write(chunk({"role": "assistant", "content": ""}))
            for piece in re.findall(r"\S+\s*", content):  # word by word
                self.wfile.write(chunk({"content": piece}))
            self.wfile.write(chunk({}, "stop"))
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            return None
        return self._send(200, json.dumps(completion(content)).encode())

    def _send(self, status: int, payload: bytes):
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict] = []
        self.script = lambda body: ("text", "")

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"


def start() -> tuple[FakeServer, threading.Thread]:
    server = FakeServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
