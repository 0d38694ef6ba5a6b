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


def build_app(engine) -> "FastAPI":  # noqa: F821 - imported lazily
    """A FastAPI app with the API under /api and the Gradio page at /."""
    import anyio
    import gradio as gr
    from fastapi import FastAPI

    from assistant.web.api import make_router
    from assistant.web.ui import CSS, HEAD, build_ui, theme

    app = FastAPI(title="SRO Policy Assistant", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.include_router(make_router(engine, anyio.CapacityLimiter(API_CONCURRENCY)))
    # Gradio's own hard cap; files between upload_max_mb and this get the assistant's clear message.
    cap_mb = int(engine.settings.upload_max_mb * 2) + 1
    return gr.mount_gradio_app(
        app, build_ui(engine), path="/", theme=theme(), css=CSS, head=HEAD, ssr_mode=False, run_history=False,
        footer_links=["api", "settings"], mcp_server=False, pwa=False, max_file_size=f"{cap_mb}mb",
        show_error=False, enable_monitoring=False)


def serve(settings: Settings | None = None) -> None:
    """Load (building the index first if there is none, with progress shown), then serve."""
    import uvicorn

    from assistant.engine import Assistant

    settings = settings or Settings()
    logging.basicConfig(level=logging.INFO if settings.log_requests else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    print("Loading the index (it is built first if there is none yet)...", file=sys.stderr, flush=True)
    engine = Assistant.load(settings, build_if_missing=True, progress=True)
    if not engine.shared.size:
        print("warning: the index is empty; answers will say so. Run `sro-assistant ingest`.", file=sys.stderr)
    app = build_app(engine)
    print(f"SRO Policy Assistant: open http://{settings.host}:{settings.port}/ "
          f"(API at /api/ask, /api/health, /api/sources)", file=sys.stderr, flush=True)
    # No access log: request paths can hold uploaded file names, and those can hold students' names.
    uvicorn.run(app, host=settings.host, port=settings.port, access_log=False, log_level="warning")


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
