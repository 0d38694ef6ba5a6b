"""Puts the request guards in front of the whole app (page, Gradio routes and API), in this order:

1. SecurityHeaders: outermost, so every answer carries them, refusals included;
2. BodyLimits: oversize bodies and over-budget uploads are refused before anything reads them;
3. CrossSiteGuard: a POST from another site's page gets 403, and /api/ask anything but JSON 415
   (after the size limits, so a 1 GB body is a 413 whatever its type);
4. BackPressure: /api/ask and /api/review past their queue limit get 503 with Retry-After;
5. UploadedFiles: Gradio never serves an upload back, and orphaned uploads are swept away.
"""

from __future__ import annotations

from assistant.web.backpressure import Admission, BackPressure
from assistant.web.cross_site import CrossSiteGuard
from assistant.web.headers import SecurityHeaders
from assistant.web.limits import MB, BodyLimits, ClientBudget, route_limits
from assistant.web.upload_files import UploadedFiles

ASK_SECONDS = 0.4  # a question's service time on one worker, roughly: only for Retry-After
REVIEW_SECONDS = 10.0


def install(app, blocks, settings, ask_workers: int, review_workers: int) -> None:
    """Wraps `app` (the FastAPI app with the Gradio page mounted) in the guards above."""
    from gradio.utils import get_upload_folder

    app.add_middleware(UploadedFiles, blocks=blocks, upload_dir=get_upload_folder(),
                       max_age_s=settings.upload_orphan_s)
    app.add_middleware(BackPressure, routes={
        "/api/ask": Admission(ask_workers, settings.api_queue_limit, ASK_SECONDS),
        "/api/review": Admission(review_workers, settings.review_queue_limit, REVIEW_SECONDS),
    })
    app.add_middleware(CrossSiteGuard)
    app.add_middleware(BodyLimits, limits=route_limits(settings), default=settings.request_max_kb * 1024,
                       budget=ClientBudget(int(settings.upload_client_mb * MB)))
    app.add_middleware(SecurityHeaders)  # last added runs first
