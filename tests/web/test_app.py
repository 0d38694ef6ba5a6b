"""`python app.py` / `sro-assistant serve`: host and port from flags and env; upload messages."""

from __future__ import annotations

from pathlib import Path

import pytest

import app
from assistant import cli
from assistant.web.ui import AUDIENCES, EXAMPLES, UPLOAD_TYPES, _clean_error, _what_you_can_do
from ingest.documents import LoadError


@pytest.fixture()
def served(monkeypatch):
    seen = []
    monkeypatch.setattr(app, "serve", lambda settings: seen.append(settings))
    return seen


def test_defaults_to_loopback_7860(served, monkeypatch):
    monkeypatch.delenv("SRO_HOST", raising=False)
    monkeypatch.delenv("SRO_PORT", raising=False)
    assert app.main([]) == 0
    assert (served[0].host, served[0].port) == ("127.0.0.1", 7860)


def test_flags_and_env(served, monkeypatch):
    monkeypatch.setenv("SRO_PORT", "8124")
    app.main([])
    app.main(["--host", "0.0.0.0", "--port", "8123"])
    cli.main(["serve", "--port", "8125"])
    assert [(s.host, s.port) for s in served] == [("127.0.0.1", 8124), ("0.0.0.0", 8123), ("127.0.0.1", 8125)]


def test_every_audience_has_examples_and_actions():
    for _, audience in AUDIENCES:
        assert len(EXAMPLES[audience]) == 3
        assert f"What you can do ({dict((v, k) for k, v in AUDIENCES)[audience].lower()})" in _what_you_can_do(audience)


def test_upload_errors_name_the_file_not_the_server_path(tmp_path, assistant):
    path = tmp_path / "gradio" / "0123abcd" / "district-mou.docx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 not a document we read")
    with pytest.raises(LoadError) as err:
        assistant.add_upload("test-session", path)
    message = _clean_error(str(err.value), path, path.name)
    assert str(tmp_path) not in message and message.startswith("district-mou.docx")
    assert Path("x.docx").suffix not in UPLOAD_TYPES


def test_oversized_upload_is_refused_with_a_clear_message(tmp_path, assistant, monkeypatch):
    monkeypatch.setattr(assistant.settings, "upload_max_mb", 0.01)
    path = tmp_path / "big-policy.txt"
    path.write_text("The school resource officer policy. " * 2000)
    with pytest.raises(LoadError) as err:
        assistant.add_upload("test-session", path)
    message = _clean_error(str(err.value), path, path.name)
    assert "big-policy.txt" in message and str(tmp_path) not in message
