"""POST /api/review: a district's SRO agreement (multipart upload, field `file`) reviewed against the
checklist. The file is read for the review, then deleted; it is never added to any index."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from assistant.agreement_review import NotAnAgreement
from assistant.agreement_stance import StanceModelError
from assistant.review_report import to_json
from assistant.web.api import read_capped
from ingest.documents import LoadError

log = logging.getLogger("sro.web")

REVIEW_TYPES = (".pdf", ".txt", ".md")
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and headers around the file


def make_review_router(assistant, limiter: anyio.CapacityLimiter) -> APIRouter:
    router = APIRouter(prefix="/api")
    limit_mb = assistant.settings.upload_max_mb

    def problem(status: int, error: str) -> JSONResponse:
        return JSONResponse({"error": error}, status_code=status)

    @router.post("/review")
    async def review(request: Request):
        raw = await read_capped(request, int(limit_mb * 1024 * 1024) + FORM_OVERHEAD)
        if raw is None:
            return problem(413, f"file over the {limit_mb:g} MB limit")

        async def replay():  # the form parser reads the body we already hold, never the socket again
            return {"type": "http.request", "body": raw, "more_body": False}

        try:
            form = await Request(request.scope, receive=replay).form(max_files=1, max_fields=4)
        except Exception:  # noqa: BLE001 - any malformed multipart body is the same answer
            return problem(422, "send the agreement as multipart/form-data in a field named \"file\"")
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            return problem(422, "send the agreement as multipart/form-data in a field named \"file\"")
        name = Path(upload.filename or "agreement.pdf").name[:200]
        suffix = Path(name).suffix.lower()
        if suffix not in REVIEW_TYPES:
            return problem(422, f"{name}: use a PDF, Markdown (.md) or text (.txt) file")
        handle, temp = tempfile.mkstemp(suffix=suffix, prefix="sro-review-")
        try:
            with os.fdopen(handle, "wb") as fh:
                fh.write(await upload.read())
            result = await anyio.to_thread.run_sync(
                lambda: assistant.review_agreement(Path(temp), title=name), limiter=limiter)
        except (LoadError, NotAnAgreement) as exc:
            return problem(422, str(exc).replace(temp, name).splitlines()[0])
        except StanceModelError as exc:  # the server's install, not the file: say so, and how to fix it
            log.error("agreement review unavailable: %s", exc)  # the path and the fix, for the operator only
            return problem(503, "the agreement review is unavailable on this server (its stance model is missing "
                                "or out of date); please tell the site's operator")
        except Exception:  # noqa: BLE001 - a broken file must not take the API down
            log.exception("review failed")
            return problem(500, f"{name}: could not be reviewed; please try again")
        finally:
            Path(temp).unlink(missing_ok=True)
        return to_json(result)

    return router
