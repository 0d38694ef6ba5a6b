"""Red team S3: cross-site "simple" requests (no CORS preflight) that a hostile page can make a
visitor's browser send. Both were processed (200; the upload stored). Live app on 127.0.0.1."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.reliability.conftest import QUESTION
from tests.reliability.live_server import live_server

pytestmark = pytest.mark.server

EVIL = "http://evil.example"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cross-site")
    with live_server(tmp) as (base, _engine, _settings):
        yield base, tmp / "gradio-uploads"


def _stored(upload_dir) -> list[str]:
    return sorted(p.name for p in upload_dir.rglob("*") if p.is_file() and p.stat().st_size)


def _ask(base: str, content_type: str, origin: str | None = None) -> httpx.Response:
    headers = {"content-type": content_type, **({"origin": origin} if origin else {})}
    return httpx.post(f"{base}/api/ask", content=json.dumps({"question": QUESTION}), headers=headers, timeout=60)


@pytest.mark.parametrize("content_type", ["text/plain", "application/json"])
@pytest.mark.parametrize("origin", [EVIL, "null", "http://127.0.0.1.evil.example", "http://127.0.0.1:1"])
def test_a_question_from_another_sites_page_is_refused(app_server, origin, content_type):
    got = _ask(app_server[0], content_type, origin)
    assert got.status_code == 403, got.text[:200]
    assert "another site" in got.json()["error"]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", ""])
def test_a_question_that_is_not_json_is_refused(app_server, content_type):
    got = _ask(app_server[0], content_type)
    assert got.status_code == 415, got.text[:200]
    assert "JSON" in got.json()["error"]


def test_the_pages_own_origin_and_plain_clients_still_get_answers(app_server):
    base = app_server[0]
    for origin in (base, None):
        got = _ask(base, "application/json; charset=utf-8", origin)
        assert got.status_code == 200 and got.json()["citations"], got.text[:200]


def test_an_upload_from_another_sites_page_is_refused_and_not_stored(app_server):
    base, upload_dir = app_server
    before = _stored(upload_dir)
    files = {"files": ("csrf-upload.txt", b"REDTEAM-CSRF-UPLOAD marker text for S3.", "text/plain")}
    got = httpx.post(f"{base}/gradio_api/upload", files=files, headers={"origin": EVIL}, timeout=30)
    assert got.status_code == 403, got.text[:200]
    assert _stored(upload_dir) == before
    # The page's own upload (same Origin) still works.
    mine = httpx.post(f"{base}/gradio_api/upload", files=files, headers={"origin": base}, timeout=30)
    assert mine.status_code == 200, mine.text[:200]


def test_gradios_event_routes_from_another_site_are_refused(app_server):
    got = httpx.post(f"{app_server[0]}/gradio_api/queue/join", json={"data": [], "fn_index": 0},
                     headers={"origin": EVIL}, timeout=30)
    assert got.status_code == 403
