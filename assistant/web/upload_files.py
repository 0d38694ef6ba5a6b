"""Files uploaded through Gradio are never served back, and those left behind are deleted (red team U22).

Gradio writes every upload to its temp folder before any event runs, and serves anything in that
folder at /gradio_api/file=PATH to whoever knows the path (its name is the content's hash). An
upload whose event never runs (a closed tab, a type Gradio refuses, a script calling the upload
route alone) used to stay there for 1-2 hours, downloadable. Now:
- a request for a file a client uploaded gets 404: the page never needs one back, it only sends
  the path to its own event, which reads the file on the server. Files the app makes (the review's
  download) are still served;
- a sweep every minute deletes uploads older than `upload_orphan_s`, and the partial files a cut-off
  upload leaves, so a crash or a flood does not fill the disk for an hour.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from urllib.parse import unquote

log = logging.getLogger("sro.web")

FILE_ROUTE = "/gradio_api/file="
SWEEP_EVERY_S = 60.0


def _real(path: str) -> str:
    return os.path.realpath(os.path.normpath(path))


class UploadedFiles:
    """Guards Gradio's file route and sweeps its upload folder. `blocks` is the Gradio Blocks."""

    def __init__(self, app, blocks, upload_dir: str, max_age_s: float):
        self.app, self.blocks, self.upload_dir, self.max_age_s = app, blocks, Path(upload_dir), max_age_s
        self._sweeper: asyncio.Task | None = None

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            if self._sweeper is None:
                self._sweeper = asyncio.get_running_loop().create_task(self._sweep_forever())
            path = scope.get("path", "")
            if path.startswith(FILE_ROUTE) and self._was_uploaded(unquote(path[len(FILE_ROUTE):])):
                return await _not_found(send)
        return await self.app(scope, receive, send)

    def _was_uploaded(self, requested: str) -> bool:
        wanted = _real(requested)
        return any(_real(str(p)) == wanted for p in list(self.blocks.upload_file_set))

    async def _sweep_forever(self) -> None:
        pause = max(0.2, min(SWEEP_EVERY_S, self.max_age_s / 2))
        while True:
            await asyncio.sleep(pause)
            try:
                await asyncio.to_thread(self.sweep)
            except Exception:  # noqa: BLE001 - a failed sweep is retried at the next one
                log.exception("upload sweep failed")

    def sweep(self, now: float | None = None) -> int:
        """Delete uploads older than max_age_s (and stray partial files); returns how many went."""
        cutoff = (now or time.time()) - self.max_age_s
        removed = 0
        for entry in list(self.blocks.upload_file_set):
            path = Path(entry)
            try:
                if path.stat().st_mtime > cutoff:
                    continue
                path.unlink()
                removed += 1
            except FileNotFoundError:
                pass  # the page's event used it and deleted it already
            self.blocks.upload_file_set.discard(entry)
            _remove_if_empty(path.parent)
        # Gradio streams an upload into a temp file in the folder itself, then renames it into a
        # folder named by its hash; an upload cut off on the way leaves the temp file.
        for stray in self.upload_dir.glob("tmp*"):
            try:
                if stray.is_file() and stray.stat().st_mtime <= cutoff:
                    stray.unlink()
                    removed += 1
            except OSError:
                pass
        return removed


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass  # not empty (another upload of the same content) or already gone


async def _not_found(send) -> None:
    body = b"Not found"
    await send({"type": "http.response.start", "status": 404, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
