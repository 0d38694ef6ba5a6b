"""Red-team U19: one user's upload must not stall everyone else's questions.

The upload used to hold the process-wide model lock for its whole document, so a question asked
meanwhile waited for all of it. Now the upload is embedded one small batch per turn and a
question goes ahead of the next batch. The test records the order of events (batches done,
question answered) rather than timing anything.
"""

from __future__ import annotations

import threading
import uuid

from assistant.engine import Assistant
from ingest.indexer import build_index
from tests.reliability.conftest import QUESTION, small_settings

PASSAGES = 300
BATCH = 6


def _long_upload(path):
    path.write_text("\n\n".join(
        f"Rule {i}. Our district officer {i} must file report number {i * 7} with the principal before the "
        f"end of day {i % 30}, and tell the family in writing." for i in range(PASSAGES)), encoding="utf-8")
    return path


def test_a_question_is_answered_while_a_long_upload_is_still_embedding(data_dir, tmp_path):
    settings = small_settings(data_dir, tmp_path, upload_batch=BATCH)
    build_index(settings, progress=False)
    engine = Assistant.load(settings)
    uploader = uuid.uuid4().hex  # sessions live in one in-memory Chroma per process
    events: list[tuple[str, int]] = []
    started = threading.Event()
    failed: list[BaseException] = []

    def progress(done: int, total: int) -> None:
        events.append(("batch", done))
        started.set()

    def upload() -> None:
        try:
            engine.add_upload(uploader, _long_upload(tmp_path / "district-rules.txt"), progress=progress)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failed.append(exc)
            started.set()

    worker = threading.Thread(target=upload)
    worker.start()
    assert started.wait(300) and not failed, failed
    events.append(("asked", len(events)))
    answer = engine.ask(QUESTION, audience="teacher", session_id="someone-else")
    events.append(("answered", len(events)))
    upload_still_running = worker.is_alive()
    worker.join(600)
    assert not failed, failed
    assert not answer.abstained and answer.citations

    order = [kind for kind, _ in events]
    batches = [done for kind, done in events if kind == "batch"]
    assert batches[-1] == PASSAGES and len(batches) == -(-PASSAGES // BATCH)
    asked, answered = order.index("asked"), order.index("answered")
    # The question waited for a few batches at most (one per model call it makes), not the upload.
    assert order[asked:answered].count("batch") <= 3, order[asked:answered]
    assert upload_still_running and order[answered + 1:].count("batch") >= 10, order
    # The upload itself is whole: its passages answer in the uploader's session.
    assert len(engine.sessions.chunks(uploader)[0]) == PASSAGES
