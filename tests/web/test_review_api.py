"""POST /api/review: a real agreement PDF through multipart upload, and bad input as one clear line."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.server

AGREEMENTS = Path(__file__).resolve().parents[2] / "evals" / "agreements"


def review(server: str, name: str, data: bytes, **kw) -> httpx.Response:
    return httpx.post(f"{server}/api/review", files={"file": (name, data, "application/pdf")}, timeout=120, **kw)


def test_an_agreement_is_reviewed_element_by_element(server):
    got = review(server, "older-2018.pdf", (AGREEMENTS / "older-2018.pdf").read_bytes())
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["document"] == "older-2018.pdf" and body["pages"] >= 8
    assert len(body["elements"]) >= 19
    for element in body["elements"]:
        assert element["verdict"] in ("addressed", "not_found", "check") and element["cites"]
        assert bool(element["passages"]) == (element["verdict"] != "not_found")


def test_not_an_agreement_and_bad_files_get_a_422_with_one_line(server):
    got = review(server, "menu.pdf", (AGREEMENTS / "not-an-agreement.pdf").read_bytes())
    assert got.status_code == 422 and "does not look like an SRO agreement" in got.json()["error"]
    got = review(server, "broken.pdf", b"%PDF-1.4 not really a pdf")
    assert got.status_code == 422 and "broken.pdf" in got.json()["error"] and "/tmp" not in got.json()["error"]
    got = review(server, "notes.docx", b"PK\x03\x04")
    assert got.status_code == 422
    got = httpx.post(f"{server}/api/review", content=b"{}", headers={"content-type": "application/json"}, timeout=30)
    assert got.status_code == 422


def test_an_oversize_upload_is_refused_before_it_is_read(server, assistant):
    limit = int(assistant.settings.upload_max_mb * 1024 * 1024)
    host, port = server.removeprefix("http://").split(":")
    # Declares twice the limit and sends 16 bytes: the answer comes without waiting for the rest.
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(f"POST /api/review HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; "
                     f"boundary=x\r\nContent-Length: {limit * 2}\r\n\r\n".encode() + b"x" * 16)
        reply = sock.recv(4096).decode("latin-1")
    assert reply.startswith("HTTP/1.1 413")
    # The API still answers.
    assert httpx.get(f"{server}/api/health", timeout=30).status_code == 200


def test_old_review_reports_are_deleted_when_a_new_one_is_written(tmp_path):
    import os
    import time

    from assistant.web.review_tab import report_path

    old = report_path("old agreement.pdf", folder=tmp_path)
    old.write_text("quotes from an old upload", encoding="utf-8")
    hours_ago = time.time() - 2 * 3600
    os.utime(old.parent, (hours_ago, hours_ago))
    recent = report_path("recent.pdf", folder=tmp_path)
    recent.write_text("quotes", encoding="utf-8")
    new = report_path("new.pdf", folder=tmp_path)
    assert new.name == "new-review.md"
    assert not old.parent.exists()
    assert recent.exists()


def test_a_missing_stance_model_is_a_503_that_names_no_server_path(server, assistant, tmp_path):
    """The server's install, not the file: one line for the user, the path and the fix for the operator's log."""
    reviewer, original = assistant._reviewer, assistant.settings
    loaded = reviewer._stance
    try:
        reviewer._stance = None
        assistant.settings = original.model_copy(update={"review_stance_path": tmp_path / "absent.npz"})
        got = review(server, "older-2018.pdf", (AGREEMENTS / "older-2018.pdf").read_bytes())
    finally:
        assistant.settings, reviewer._stance = original, loaded
    assert got.status_code == 503
    error = got.json()["error"]
    assert "unavailable on this server" in error and "absent.npz" not in error and str(tmp_path) not in error
    assert review(server, "older-2018.pdf", (AGREEMENTS / "older-2018.pdf").read_bytes()).status_code == 200
