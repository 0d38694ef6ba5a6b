"""The chat app and its HTTP API on one server: `python app.py` or `sro-assistant serve`.

Thin on purpose: the page lives in assistant/web/ui.py, the API in assistant/web/api.py,
and every answer comes from `Assistant.ask`.
"""

from __future__ import annotations

import argparse
import logging
import sys

import assistant  # noqa: F401 - sets the offline switches (no analytics) before gradio is imported
from assistant.settings import Settings

API_CONCURRENCY = 4
REVIEW_CONCURRENCY = 1  # a review takes seconds, not milliseconds: one at a time


def build_app(engine) -> "FastAPI":  # noqa: F821 - imported lazily
    """A FastAPI app with the API under /api and the Gradio page at /."""
    import anyio
    import gradio as gr
    from fastapi import FastAPI

    from assistant.web import guards
    from assistant.web.api import make_router
    from assistant.web.limits import upload_file_limit
    from assistant.web.review_api import make_review_router
    from assistant.web.ui import CSS, HEAD, build_ui, theme

    app = FastAPI(title="SRO Policy Assistant", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.include_router(make_router(engine, anyio.CapacityLimiter(API_CONCURRENCY)))
    # Reviews one at a time, so questions keep their threads.
    app.include_router(make_review_router(engine, anyio.CapacityLimiter(REVIEW_CONCURRENCY)))
    blocks = build_ui(engine)
    # One upload limit: the page states it, the browser checks it, and Gradio stops writing at it (U8).
    app = gr.mount_gradio_app(
        app, blocks, path="/", theme=theme(), css=CSS, head=HEAD, ssr_mode=False, run_history=False,
        footer_links=["api", "settings"], mcp_server=False, pwa=False,
        max_file_size=upload_file_limit(engine.settings), show_error=False, enable_monitoring=False)
    # Size limits, back-pressure, security headers and upload hygiene on every route (issue 14).
    guards.install(app, blocks, engine.settings, ask_workers=API_CONCURRENCY, review_workers=REVIEW_CONCURRENCY)
    return app


def serve(settings: Settings | None = None) -> None:
    """Load (building the index first if there is none, with progress shown), then serve."""
    import uvicorn

    from assistant.engine import Assistant
    from assistant.web.server import server_config

    settings = settings or Settings()
    logging.basicConfig(level=logging.INFO if settings.log_requests else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print("Loading the index (it is built first if there is none yet)...", file=sys.stderr, flush=True)
    engine = Assistant.load(settings, build_if_missing=True, progress=True)
    if not engine.shared.size:
        print("warning: the index is empty; answers will say so. Run `sro-assistant ingest`.", file=sys.stderr)
    app = build_app(engine)
    print(f"SRO Policy Assistant: open http://{settings.host}:{settings.port}/ "
          f"(API at /api/ask, /api/review, /api/health, /api/sources)", file=sys.stderr, flush=True)
    # Header and keep-alive timeouts, a header size cap, no access log: see assistant/web/server.py.
    uvicorn.Server(server_config(app, settings)).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start the SRO Policy Assistant chat app and API.")
    parser.add_argument("--host", help="listen address (default 127.0.0.1; env SRO_HOST)")
    parser.add_argument("--port", type=int, help="port (default 7860; env SRO_PORT)")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    try:
        serve(Settings(**overrides))
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
