"""The HTTP API: POST /api/ask, GET /api/health, GET /api/sources.

Input is validated with pydantic; input that does not validate gets the assistant's
polite abstention in the usual JSON contract (status 422), never a 500. The blocking
`Assistant.ask` runs in a bounded thread pool.
"""

from __future__ import annotations

import json
import logging
from typing import Literal

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.web.panel import latest_as_of
from assistant.web.redact import redact

log = logging.getLogger("sro.web")

MAX_BODY_BYTES = 512 * 1024
MAX_HISTORY_TURNS = 40
MAX_TURN_CHARS = 20_000
MAX_INT_DIGITS = 100  # an id is a number a client made up, not a 5,000-digit one


def _bounded_int(text: str) -> int:
    if len(text) > MAX_INT_DIGITS + 1:  # + 1 for a minus sign
        raise ValueError("number too long")
    return int(text)


class Turn(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: str = Field(max_length=MAX_TURN_CHARS)


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: str
    audience: Literal["teacher", "parent", "administrator"] | None = None
    history: list[Turn] | None = Field(None, max_length=MAX_HISTORY_TURNS)
    id: str | int | None = None


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "body"
    return f"{where}: {first.get('msg', 'invalid')}"


def log_question(settings, channel: str, question: str, answer) -> None:
    """One line per question, only when request logging is on, with personal details redacted."""
    if not settings.log_requests:
        return
    log.info("%s ask audience=%s abstained=%s citations=%d latency_ms=%.0f question=%r", channel,
             answer.audience, answer.abstained, len(answer.citations), answer.latency_ms,
             redact(question if isinstance(question, str) else ""))


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is known to be over `limit` bytes: a declared
    Content-Length is checked before reading, and a streamed body stops at the limit, so an
    oversize body never sits in memory (red team S4)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        return None
    parts, size = [], 0
    async for part in request.stream():
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
    return b"".join(parts)


def make_router(assistant, limiter: anyio.CapacityLimiter) -> APIRouter:
    router = APIRouter(prefix="/api")

    async def run(question, audience=None, history=None, session_id=None):
        return await anyio.to_thread.run_sync(
            lambda: assistant.ask(question, audience=audience, history=history, session_id=session_id),
            limiter=limiter)

    async def refuse(status: int, error: str, id=None, audience=None) -> JSONResponse:  # noqa: A002
        # The engine's own wording for a question it cannot take ("Please type a question ...").
        answer = await run("", audience=audience)
        body = answer.to_json(id=id)
        body["error"] = error
        return JSONResponse(body, status_code=status)

    @router.post("/ask")
    async def ask(request: Request):
        raw = await read_capped(request, MAX_BODY_BYTES)
        if raw is None:
            return await refuse(413, f"request body over {MAX_BODY_BYTES // 1024} KB")
        try:
            data = json.loads(raw or b"null", parse_int=_bounded_int)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return await refuse(422, "body is not JSON; send {\"question\": \"...\"}")
        except RecursionError:  # "[[[[...": the parser's own depth limit (red team Q8)
            return await refuse(422, "body is nested too deeply")
        except ValueError:  # a number with thousands of digits (red team Q9)
            return await refuse(422, f"a number in the body has more than {MAX_INT_DIGITS} digits")
        if not isinstance(data, dict):
            return await refuse(422, "body must be a JSON object with a \"question\"")
        try:
            req = AskRequest.model_validate(data)
        except ValidationError as exc:
            given = data.get("id")
            return await refuse(422, _problem(exc), id=given if isinstance(given, (str, int)) else None)
        history = [t.model_dump() for t in req.history or []]
        try:
            answer = await run(req.question, audience=req.audience, history=history)
        except Exception:  # noqa: BLE001 - never echo the question into a traceback in the log
            log.error("ask failed (%s)", "question withheld")
            return JSONResponse({"id": req.id, "error": "internal error; please try again"}, status_code=500)
        log_question(assistant.settings, "api", req.question, answer)
        return answer.to_json(id=req.id)

    @router.get("/health")
    async def health():
        chunks = assistant.shared.size
        return {
            "status": "ok" if chunks else "empty",
            "chunks": chunks,
            "collection": assistant.collection,
            "sources": len((assistant.manifest.get("sources") or {})),
            "as_of": latest_as_of(assistant.manifest),
            "embedding_model": assistant.manifest.get("embedding_model"),
        }

    @router.get("/sources")
    async def sources():
        items = []
        for info in assistant.indexed_sources():
            items.append({k: v for k, v in info.items() if not isinstance(v, (list, dict)) or k == "cites"})
        items.sort(key=lambda s: (s.get("origin") != "official", str(s.get("title")), s["source_id"]))
        return {"as_of": latest_as_of(assistant.manifest), "count": len(items), "sources": items}

    return router
