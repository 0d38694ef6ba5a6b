"""Red team LLM4-LLM9: language-model mode against a hostile OpenAI-compatible server on 127.0.0.1
(the model runs outside this machine, so a local fake stands in for it). The client, the verifier
and the draft are the real ones; only the server is scripted."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from assistant.compose import SentenceVectors
from assistant.llm import client
from assistant.llm.passages import Passage, support_units
from assistant.llm.synthesis import Draft, condense, line
from assistant.llm.verify import Verifier
from assistant.retrieval import Retrieved
from assistant.settings import Settings
from ingest.documents import Chunk
from tests.llm import fake_server

PASSAGE = ("The school resource officer may search a student's locker only with the principal's approval. "
           "The principal shall keep a written record of every locker search.")
VERBATIM = "The school resource officer may search a student's locker only with the principal's approval"


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


class DripHandler(BaseHTTPRequestHandler):
    """Headers at once, then one byte of a never-finished SSE event every 0.2 s (red team LLM8)."""

    def log_message(self, *args):
        pass

    def do_POST(self):  # noqa: N802 - http.server's name
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.end_headers()
        try:
            for byte in b'data: {"id": "x", "choices": [{"delta": {"content": "slow"}}]}' * 3:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def drip_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), DripHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def model_server():
    server, thread = fake_server.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def llm_settings(base_url: str, **overrides) -> Settings:
    values = {"llm": "openai:test-model", "llm_base_url": base_url, "llm_timeout_s": 1.0, "llm_retries": 0}
    return Settings(**{**values, **overrides})


MESSAGES = [("system", "answer"), ("user", "Can the SRO search a locker?")]


# LLM8: the timeout is a total deadline, streamed or not.
def test_invoke_against_a_drip_feeding_server_ends_at_the_deadline(drip_url):
    started = time.monotonic()
    with pytest.raises(client.DeadlineExceeded):
        client.invoke(llm_settings(drip_url), MESSAGES)
    assert time.monotonic() - started < 2.0


def test_stream_against_a_drip_feeding_server_ends_at_the_deadline(drip_url):
    started = time.monotonic()
    with pytest.raises(client.DeadlineExceeded):
        list(client.stream(llm_settings(drip_url), MESSAGES))
    assert time.monotonic() - started < 2.0


# LLM9: a follow-up's condense call is bounded by one timeout, retries included.
def test_condense_with_a_sleeping_server_returns_the_question_within_one_timeout(model_server):
    model_server.script = lambda body: ("sleep", 4)
    settings = llm_settings(model_server.base_url, llm_retries=2)
    history = [{"role": "user", "content": "Can the SRO search my son's backpack?"},
               {"role": "assistant", "content": "…"}]
    started = time.monotonic()
    assert condense(settings, "and what about his locker?", history) == "and what about his locker?"
    assert time.monotonic() - started < 2.0


# LLM6: output is capped even when the server ignores max_tokens.
@pytest.mark.parametrize("streaming", [False, True])
def test_output_is_capped(model_server, streaming):
    model_server.script = lambda body: ("text", "The SRO may search a locker with approval [1]. " * 3000)
    settings = llm_settings(model_server.base_url, llm_timeout_s=20)
    text = "".join(client.stream(settings, MESSAGES)) if streaming else client.invoke(settings, MESSAGES)
    assert 0 < len(text) <= client.MAX_OUTPUT_CHARS


# LLM5: bidirectional and invisible characters never reach verification or the user.
@pytest.mark.parametrize("streaming", [False, True])
def test_control_and_bidi_characters_are_stripped(model_server, streaming):
    model_server.script = lambda body: ("text", "The SRO may\u202e search a\u200b locker\u2066 with\x07 approval [1].")
    settings = llm_settings(model_server.base_url, llm_timeout_s=20)
    text = "".join(client.stream(settings, MESSAGES)) if streaming else client.invoke(settings, MESSAGES)
    assert text.strip() == "The SRO may search a locker with approval [1]."


@pytest.fixture(scope="module")
def verifier_parts(embedder):
    chunk = Chunk(source_id="test", title="Locker policy", origin="test", doc_kind="guide", pinpoint="",
                  section="", text=PASSAGE, context="", start=0, end=len(PASSAGE))
    passage = Passage(1, Retrieved(chunk, 1.0))
    passage.units, passage.singles = support_units(passage.text)
    return passage, SentenceVectors(embedder)


def check(verifier_parts, sentence: str, text: str = PASSAGE):
    passage, vectors = verifier_parts
    if text != PASSAGE:
        chunk = Chunk(source_id="test", title="Locker policy", origin="test", doc_kind="guide", pinpoint="",
                      section="", text=text, context="", start=0, end=len(text))
        passage = Passage(1, Retrieved(chunk, 1.0))
        passage.units, passage.singles = support_units(passage.text)
    return Verifier([passage], vectors, 0.7).check(sentence)


def test_the_verbatim_sentence_alone_is_verified(verifier_parts):
    assert check(verifier_parts, f"{VERBATIM} [1].").verified


# LLM4: the review's payloads, and more of the same kind.
@pytest.mark.parametrize("sentence", [
    f"{VERBATIM} (see evil-example.com/sro) [1].",
    f"{VERBATIM} mailto:x@evil.example [1].",
    f"{VERBATIM}, write to x@evil.example [1].",
    f"{VERBATIM} at studentprivacy.ed.gov [1].",
    f"{VERBATIM} javascript:alert(1) [1].",
])
def test_sentences_adding_an_address_are_rejected(verifier_parts, sentence):
    result = check(verifier_parts, sentence)
    assert not result.verified and "address" in result.reason, result.reason


def test_an_address_the_passage_gives_is_kept_but_shown_as_plain_text(verifier_parts):
    text = PASSAGE + " Questions go to records@district.example.org or district.example.org/records."
    result = check(verifier_parts, "Questions go to records@district.example.org [1].", text)
    assert result.verified, result.reason
    shown = line(result.text, [1])
    assert "records@district.example.org" not in shown and "district.example.org" not in shown
    assert shown.replace("\\", "") == "Questions go to records@district.example.org [1]."


def test_citations_are_not_taken_for_addresses():
    from assistant.llm.verify import addresses_in
    assert addresses_in("Under 20 U.S.C. §1232g, G.L. c.71 §37H, 603 CMR 23.07 and 34 CFR §99.31, e.g. this.") == set()


# LLM6: repeats are dropped and the number of kept sentences is capped.
def test_repeated_and_excess_sentences_are_not_kept(verifier_parts):
    passage, vectors = verifier_parts
    assistant = SimpleNamespace(vectors=vectors, settings=SimpleNamespace(llm_support_threshold=0.7,
                                                                          answer_sentences=1))
    draft = Draft(assistant, [passage], extractive=None)
    shown = [draft.add(f"{VERBATIM} [1].") for _ in range(50)]
    shown += [draft.add("The principal shall keep a written record of every locker search [1].")]
    shown += [draft.add(f"{sentence} [1].") for sentence in PASSAGE.split(". ") * 20]
    assert len([s for s in shown if s]) == 2, shown
    assert len(draft.kept) <= 1 + 2 and len(draft.checked) <= 9


# LLM8: one deadline for the whole answer, so a follow-up's rewrite and the answer share it.
def test_a_follow_up_against_a_drip_feeding_server_takes_one_deadline_not_two(assistant, drip_url):
    saved = assistant.settings
    assistant.settings = saved.model_copy(update={"llm": "openai:test-model", "llm_base_url": drip_url,
                                                   "llm_timeout_s": 1.0, "llm_retries": 0})
    history = [{"role": "user", "content": "Can the SRO search my son's locker?"},
               {"role": "assistant", "content": "Only in limited cases."}]
    try:
        started = time.monotonic()
        answer = assistant.ask("and what about his phone?", audience="parent", history=history)
        elapsed = time.monotonic() - started
    finally:
        assistant.settings = saved
    assert answer.mode == "extractive" and not answer.abstained  # the quoted answer, as the fallback
    assert elapsed < 1.8, elapsed  # two deadlines in a row took more than 2 s
