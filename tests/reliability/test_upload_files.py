"""Red team U22: an upload that never reaches the app's handler stayed on disk for 1-2 h and could be
downloaded by anyone at /gradio_api/file=PATH. Now it is never served, and it is deleted once it is
older than `upload_orphan_s` (1 s here)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from tests.reliability.live_server import live_server

pytestmark = pytest.mark.server

ORPHAN_S = 1


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("orphans"), upload_orphan_s=ORPHAN_S) as running:
        yield running


def _upload(base: str, name: str, data: bytes) -> str:
    got = httpx.post(f"{base}/gradio_api/upload", files={"files": (name, data)}, timeout=30)
    assert got.status_code == 200, got.text
    return got.json()[0]


@pytest.mark.parametrize("name", ["district-mou.txt", ".txt"])  # (b) upload route alone; (a) a name Gradio refuses
def test_an_uploaded_file_is_never_served_back(app_server, name):
    base = app_server[0]
    stored = _upload(base, name, b"Our district MOU: the SRO wears a yellow hat REDTEAM-TXT-MARKER-4410.")
    for spelling in (stored, stored.replace("/", "//"), stored.replace("/gradio-uploads/", "/gradio-uploads/./")):
        got = httpx.get(f"{base}/gradio_api/file={spelling}", timeout=30)
        assert got.status_code == 404 and b"REDTEAM" not in got.content, spelling


def test_orphaned_uploads_are_deleted_soon(app_server):
    base, _, settings = app_server
    stored = [_upload(base, f"orphan-{i}.txt", f"orphan document {i} {time.time()}".encode()) for i in range(3)]
    upload_dir = settings.data_dir.parent / "gradio-uploads"
    assert all(upload_dir in Path(p).parents for p in stored)
    deadline = time.monotonic() + ORPHAN_S + 10
    while time.monotonic() < deadline and any(os.path.exists(p) for p in stored):
        time.sleep(0.2)
    assert not any(os.path.exists(p) for p in stored), "orphaned uploads are still on disk"


def test_files_the_app_makes_are_still_served(app_server):
    """The review's Markdown download lives in the same Gradio folder; it must still download."""
    base, _, settings = app_server
    made = settings.data_dir.parent / "gradio-uploads" / ("f" * 64) / "agreement-review.md"
    made.parent.mkdir(parents=True, exist_ok=True)
    made.write_text("# Review\nmade by the app")
    got = httpx.get(f"{base}/gradio_api/file={made}", timeout=30)
    assert got.status_code == 200 and b"made by the app" in got.content
