"""Red team S5, S6, U8, Q8, Q9 (and S4 for every route): bodies are bounded before they are read.

Limits are small here (64 KB for Gradio's JSON routes, 256 KB uploads, 1 MB per client) so the
red-team payloads of 500 MB and 1 GB become a few MB; the mechanism is the same at any size.
"""

from __future__ import annotations

import json
import resource

import httpx
import pytest

from assistant.web.limits import MB, upload_file_limit
from tests.reliability.live_server import headers_only, live_server, send_chunked, status_of

pytestmark = pytest.mark.server

REQUEST_MAX_KB = 64
UPLOAD_MB = 0.25
CLIENT_MB = 1.5


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("limits"), request_max_kb=REQUEST_MAX_KB,
                     upload_max_mb=UPLOAD_MB) as running:
        yield running


def _stored_files(settings_dir) -> list:
    return [p for p in settings_dir.rglob("*") if p.is_file()]


@pytest.mark.parametrize("method, path", [
    ("POST", "/gradio_api/queue/join"), ("POST", "/gradio_api/run/predict"), ("POST", "/gradio_api/upload"),
    ("POST", "/api/review"), ("POST", "/api/ask"), ("GET", "/"), ("POST", "/no-such-route"),
])
def test_a_declared_gigabyte_is_refused_before_a_byte_is_read(app_server, method, path):
    # Only the head is sent: a server that waited for the body would never answer.
    reply = headers_only(app_server[0], method, path, {"Content-Length": str(10 ** 9),
                                                       "Content-Type": "application/json"})
    assert status_of(reply) == 413, reply[:300]


@pytest.mark.parametrize("path", ["/gradio_api/queue/join", "/gradio_api/run/predict", "/gradio_api/upload"])
def test_a_streamed_body_is_cut_off_at_the_limit(app_server, path):
    """S5: 500 MB of chunked JSON used to be read whole (RSS +2-3 GB). Now the server answers 413
    once the limit is passed and reads no further: memory does not grow with what is sent."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    content_type = "multipart/form-data; boundary=xyz" if path.endswith("upload") else "application/json"
    prefix = b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n\r\n' \
        if path.endswith("upload") else b'{"data": ["'
    reply, sent = send_chunked(app_server[0], path, 64 * MB, content_type, prefix=prefix)
    assert status_of(reply) == 413, reply[:300]
    assert sent < 8 * MB  # it stopped listening long before the 64 MB were sent
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 50, grown_mb


def test_one_upload_limit_stated_checked_and_enforced(app_server):
    """U8: the page said 20 MB, Gradio allowed 41 MB and wrote files of 20-41 MB to disk."""
    base, engine, settings = app_server
    limit = upload_file_limit(settings)
    assert limit == int(UPLOAD_MB * MB)
    config = httpx.get(f"{base}/config", timeout=30).json()
    assert config["max_file_size"] == limit  # what the browser checks before it uploads
    assert f"up to {UPLOAD_MB:g} MB" in json.dumps(config)  # what the page says
    upload_dir = settings.data_dir.parent / "gradio-uploads"
    before = set(_stored_files(upload_dir))
    just_over = b"x" * (limit + 1024)  # within the route's envelope, so Gradio itself has to stop it
    got = httpx.post(f"{base}/gradio_api/upload", files={"files": ("policy.txt", just_over)}, timeout=30)
    assert got.status_code == 413, got.text
    assert set(_stored_files(upload_dir)) == before  # nothing left on disk
    fits = httpx.post(f"{base}/gradio_api/upload", files={"files": ("policy.txt", b"y" * (limit - 1024))},
                      timeout=30)
    assert fits.status_code == 200, fits.text


def test_one_request_cannot_carry_many_files(app_server):
    """S6: three files under the per-file limit in one request used to be stored (91 MB at once)."""
    base, _, settings = app_server
    each = int(UPLOAD_MB * MB * 0.8)
    files = [("files", (f"{name}.txt", bytes([ord(name)]) * each)) for name in "abc"]
    got = httpx.post(f"{base}/gradio_api/upload", files=files, timeout=30)
    assert got.status_code == 413, got.text


def test_one_client_has_an_upload_budget(tmp_path):
    """S6: one address could store 1,000 files x 41 MB per request, request after request."""
    with live_server(tmp_path, upload_max_mb=UPLOAD_MB, upload_client_mb=CLIENT_MB) as (base, _, _settings):
        each = int(UPLOAD_MB * MB * 0.9)
        answers = []
        for i in range(10):
            got = httpx.post(f"{base}/gradio_api/upload", files={"files": (f"p{i}.txt", bytes([65 + i]) * each)},
                             timeout=30)
            answers.append(got.status_code)
            if got.status_code == 429:
                assert int(got.headers["retry-after"]) > 0
                break
        assert answers[:5] == [200] * 5 and answers[-1] == 429, answers  # 1.5 MB: six 0.225 MB files
        # Another route's uploads share the budget: the review API refuses unread too.
        review = httpx.post(f"{base}/api/review", files={"file": ("mou.txt", b"z" * int(0.2 * MB))}, timeout=30)
        assert review.status_code == 429


@pytest.mark.parametrize("body, error", [
    ("[" * 5000 + "]" * 5000, "nested"),
    ('{"question": "Can the SRO search a backpack?", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested"),
    ('{"question": "Can the SRO search a backpack?", "id": ' + "9" * 5000 + "}", "digits"),
])
def test_deep_json_and_huge_numbers_get_422_not_500(app_server, body, error):
    """Q8, Q9: RecursionError and the int-digits ValueError used to escape as 500s."""
    got = httpx.post(f"{app_server[0]}/api/ask", content=body, headers={"content-type": "application/json"},
                     timeout=60)
    assert got.status_code == 422, got.text[:200]
    assert got.json()["abstained"] is True and error in got.json()["error"]
