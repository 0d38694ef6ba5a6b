"""Red-team U19 (bounded work) and U21: an upload's size is capped with a clear message, and a
document that repeats a page is indexed once rather than refused."""

from __future__ import annotations

import uuid

import pytest

from assistant.engine import Assistant
from ingest.documents import LoadError
from ingest.indexer import build_index
from tests.pdfs import make_pdf
from tests.reliability.conftest import small_settings

PAGE = ("Section 4. Searches. Our district officer may search a locker only with the principal present, "
        "and the principal tells the family the same day in writing.")


def _session() -> str:
    # Sessions live in one in-memory Chroma per process: a name of its own for each test.
    return uuid.uuid4().hex


def _engine(data_dir, tmp_path, **limits) -> Assistant:
    settings = small_settings(data_dir, tmp_path, **limits)
    build_index(settings, progress=False)
    return Assistant.load(settings)


def _paragraphs(path, count: int):
    path.write_text("\n\n".join(f"Rule {i}. The district officer files report {i} with the principal on day {i}, "
                                f"and the family hears of it in writing within {i + 2} school days."
                                for i in range(count)), encoding="utf-8")
    return path


def test_too_many_passages_is_refused_with_the_limit(data_dir, tmp_path):
    engine = _engine(data_dir, tmp_path, upload_max_chunks=20)
    session = _session()
    with pytest.raises(LoadError) as refused:
        engine.add_upload(session, _paragraphs(tmp_path / "long-policy.txt", 40))
    message = str(refused.value)
    assert message.startswith("long-policy.txt:") and "20 passages" in message and "\n" not in message
    assert engine.sessions.chunks(session) == ([], {})  # nothing half-added
    assert engine.add_upload(session, _paragraphs(tmp_path / "short-policy.txt", 10)) == 10  # within the limit


def test_too_much_text_is_refused_before_any_work(data_dir, tmp_path):
    engine = _engine(data_dir, tmp_path, upload_max_chars=1000)
    with pytest.raises(LoadError) as refused:
        engine.add_upload(_session(), _paragraphs(tmp_path / "big-policy.txt", 40))
    assert "too much text" in str(refused.value) and "1,000" in str(refused.value)


def test_a_repeated_page_is_indexed_once(data_dir, tmp_path):
    engine = _engine(data_dir, tmp_path)
    pdf = make_pdf(tmp_path / "scanned-twice.pdf", [PAGE, PAGE, PAGE])
    session = _session()
    added = engine.add_upload(session, pdf)
    chunks, _ = engine.sessions.chunks(session)
    assert added == len(chunks) >= 1
    answer = engine.ask("Can the officer search a locker without the principal?", session_id=session)
    assert any(c.kind == "user" for c in answer.citations), answer.markdown
