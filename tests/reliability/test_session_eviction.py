"""Red team U17: after 64 uploading sessions the oldest sessions' documents disappeared silently, and
the engine kept their search index in memory. Now the evicted session is told, once, on its next
question, and its search index is dropped with its documents."""

from __future__ import annotations

import uuid

from assistant import templates
from assistant.engine import Assistant
from ingest.indexer import build_index
from tests.reliability.conftest import QUESTION, small_settings

SESSIONS = 70  # the store keeps 64


def test_the_evicted_session_is_told_once_and_its_index_is_freed(data_dir, tmp_path):
    settings = small_settings(data_dir, tmp_path)
    build_index(settings, progress=False)
    engine = Assistant.load(settings)
    prefix = uuid.uuid4().hex[:8]  # sessions live in one in-memory Chroma per process
    sessions = [f"{prefix}sess{i:03d}" for i in range(SESSIONS)]
    for i, session in enumerate(sessions):
        doc = tmp_path / f"policy-{i}.txt"
        doc.write_text(f"District policy {i}. Our school resource officer wears a badge numbered {i} "
                       f"and reports to principal number {i} every school day.", encoding="utf-8")
        assert engine.add_upload(session, doc) == 1

    evicted = sessions[:SESSIONS - engine.sessions.max_sessions]
    assert len(engine._session_sources) <= engine.sessions.max_sessions  # memory goes with the documents
    first = engine.ask(QUESTION, audience="teacher", session_id=evicted[0])
    assert first.markdown.startswith(templates.UPLOADS_EVICTED)
    again = engine.ask(QUESTION, audience="teacher", session_id=evicted[0])
    assert templates.UPLOADS_EVICTED not in again.markdown  # told once, not on every answer
    streamed = [e for e in engine.ask_stream(QUESTION, audience="teacher", session_id=evicted[1])
                if e["type"] == "answer"]
    assert streamed[0]["answer"].markdown.startswith(templates.UPLOADS_EVICTED)  # the chat's path too
    kept = engine.ask(QUESTION, audience="teacher", session_id=sessions[-1])
    assert templates.UPLOADS_EVICTED not in kept.markdown
    # A session that removes its documents itself is not told they were taken.
    engine.clear_session(evicted[2])
    assert templates.UPLOADS_EVICTED not in engine.ask(QUESTION, session_id=evicted[2]).markdown
