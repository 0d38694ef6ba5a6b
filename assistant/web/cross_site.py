"""Refuses cross-site requests that a hostile page could make a visitor's browser send (red team S3).

A page on another site may POST to this server with a "simple" request (no CORS preflight): a
`text/plain` body, a form, or a multipart upload. The browser then sends the visitor's request
with an `Origin` header naming that other site. So:

- any request that changes something (POST, PUT, PATCH, DELETE), on any route, the Gradio ones
  included, is refused with 403 when its Origin is not this server's own (scheme and host as the
  request's Host header names them; behind a proxy, X-Forwarded-Host). A request with no Origin is
  not from a browser page on another site (curl, scripts, the eval runner) and goes through;
- POST /api/ask takes JSON only: any other content type gets 415, so a cross-site form or
  `text/plain` request cannot reach it even from an old browser that sends no Origin.

Nothing is read from the body: the answer comes from the request head alone.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from assistant.web.limits import refuse

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
JSON_ONLY = {"/api/ask"}


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


def _default_port(scheme: str) -> int:
    return 443 if scheme in ("https", "wss") else 80


def _host_port(netloc: str, scheme: str) -> tuple[str, int] | None:
    """("127.0.0.1", 7860) from "127.0.0.1:7860"; the scheme's port when none is given."""
    try:
        parts = urlsplit(f"//{netloc}")
        return (parts.hostname or "").lower(), parts.port or _default_port(scheme)
    except ValueError:
        return None


def same_origin(scope, origin: str) -> bool:
    """Whether `origin` ("http://host:port") names the host this request was sent to."""
    try:
        told = urlsplit(origin)
        told_port = told.port
    except ValueError:
        return False
    if told.scheme not in ("http", "https") or not told.hostname:
        return False  # "null" (sandboxed frames, file: pages) and anything odd
    claimed = (told.hostname.lower(), told_port or _default_port(told.scheme))
    hosts = [h for h in (_header(scope, b"x-forwarded-host"), _header(scope, b"host")) if h]
    # Behind a TLS proxy the request to us is http while the page is https: compare host and port
    # as the browser saw them, with the port the page's own scheme implies.
    return any(_host_port(h.split(",")[0].strip(), told.scheme) == claimed for h in hosts)


def _is_json(content_type: str | None) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


class CrossSiteGuard:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method", "GET").upper() not in UNSAFE_METHODS:
            return await self.app(scope, receive, send)
        path = scope["path"].rstrip("/") or "/"
        origin = _header(scope, b"origin")
        if origin is not None and not same_origin(scope, origin):
            return await refuse(send, path, 403, "requests from another site are not accepted")
        if path in JSON_ONLY and not _is_json(_header(scope, b"content-type")):
            return await refuse(send, path, 415, "send the question as JSON (content-type: application/json)")
        return await self.app(scope, receive, send)
