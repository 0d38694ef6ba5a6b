"""The HTTP API, served in-process by uvicorn on a free port on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time

import httpx
import jsonschema
import pytest

from assistant.answer import ANSWER_SCHEMA

pytestmark = pytest.mark.server

TEACHER_Q = "A student swore at me in class. Should I call the SRO?"


def post(server: str, body, **kw) -> httpx.Response:
    content = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return httpx.post(f"{server}/api/ask", content=content, headers={"content-type": "application/json"},
                      timeout=120, **kw)


def test_health_reports_the_index(server, assistant):
    got = httpx.get(f"{server}/api/health", timeout=30)
    assert got.status_code == 200
    body = got.json()
    assert body["status"] == "ok"
    assert body["chunks"] == assistant.shared.size > 0
    assert body["as_of"]


def test_sources_lists_what_is_indexed_with_dates(server, assistant):
    body = httpx.get(f"{server}/api/sources", timeout=30).json()
    assert body["count"] == len(body["sources"]) == len(assistant.indexed_sources()) > 0
    for source in body["sources"]:
        assert source["source_id"] and source["title"] and "as_of" in source
        assert source["origin"] in ("official", "guide")
    assert body["as_of"] == max(s["as_of"] for s in body["sources"] if s["as_of"])


def test_ask_returns_the_json_contract_with_citations(server):
    got = post(server, {"id": "t-1", "question": TEACHER_Q, "audience": "teacher"})
    assert got.status_code == 200
    body = got.json()
    jsonschema.validate(body, ANSWER_SCHEMA)
    assert body["id"] == "t-1"
    assert body["audience"] == "teacher"
    assert body["abstained"] is False
    assert body["citations"], body["answer"]
    assert "[1]" in body["answer"]
    assert "What you can do (teacher)" in body["answer"]
    assert "chunk_text" not in body["citations"][0]


def test_follow_up_uses_history(server):
    first = post(server, {"question": TEACHER_Q, "audience": "teacher"}).json()
    history = [{"role": "user", "content": TEACHER_Q}, {"role": "assistant", "content": first["answer"]}]
    got = post(server, {"question": "ok but what if he then picks up a chair and throws it at me?",
                        "audience": "teacher", "history": history})
    assert got.status_code == 200
    body = got.json()
    jsonschema.validate(body, ANSWER_SCHEMA)
    assert body["abstained"] is False and body["citations"]


@pytest.mark.parametrize("body, error", [
    (b"this is not json", "not JSON"),
    (b"", "JSON object"),
    ([1, 2, 3], "JSON object"),
    ({"audience": "parent"}, "question"),
    ({"question": 42}, "question"),
    ({"question": "Can the SRO see records?", "audience": "student"}, "audience"),
    ({"question": "Can the SRO see records?", "history": "earlier"}, "history"),
    ({"question": "Can the SRO see records?", "history": [{"role": "system", "content": "x"}]}, "history"),
    ({"question": "Can the SRO see records?", "history": [{"role": "user"}]}, "history"),
])
def test_bad_input_gets_a_polite_abstention_not_a_500(server, body, error):
    got = post(server, body)
    assert got.status_code == 422
    answer = got.json()
    jsonschema.validate({k: v for k, v in answer.items() if k != "error"}, ANSWER_SCHEMA)
    assert answer["abstained"] is True
    assert answer["answer"].startswith("Please type a question")
    assert error in answer["error"]


def test_empty_and_too_long_questions_abstain_politely(server, assistant):
    empty = post(server, {"question": "   "})
    assert empty.status_code == 200 and empty.json()["reason"] == "empty"
    long = post(server, {"question": "why " * (assistant.settings.max_question_chars // 4 + 10)})
    assert long.status_code == 200
    assert long.json()["abstained"] is True and long.json()["reason"] == "too_long"


def test_oversized_body_is_refused_politely(server):
    got = post(server, {"question": "x", "padding": "y" * 600_000})
    assert got.status_code == 413
    assert got.json()["abstained"] is True


def test_no_outside_docs_pages(server):
    # FastAPI's /docs pulls Swagger UI from a CDN; the app serves none of it.
    assert httpx.get(f"{server}/docs", timeout=30).status_code == 404
    assert httpx.get(f"{server}/api/openapi.json", timeout=30).status_code == 200


def test_questions_are_not_logged_by_default(server, assistant, caplog):
    assert assistant.settings.log_requests is False
    caplog.set_level(logging.DEBUG)
    question = "My son Jake Miller was questioned by the SRO without me. Is that allowed?"
    assert post(server, {"question": question, "audience": "parent"}).status_code == 200
    assert "Jake" not in caplog.text and "questioned by the SRO" not in caplog.text


def test_logged_questions_are_redacted(server, assistant, caplog, monkeypatch):
    monkeypatch.setattr(assistant.settings, "log_requests", True)
    caplog.set_level(logging.INFO, logger="sro.web")
    question = ("My son Jake Miller (student ID 1029384756) was questioned by Officer Brady. "
                "Email me at jane.miller@example.com or call 617-555-0123. Was that allowed?")
    assert post(server, {"question": question, "audience": "parent"}).status_code == 200
    lines = [r.getMessage() for r in caplog.records if r.name == "sro.web"]
    assert any("api ask" in line for line in lines), lines
    text = "\n".join(lines)
    for secret in ("Jake", "Miller", "1029384756", "Brady", "jane.miller", "617-555-0123"):
        assert secret not in text
    assert "[name]" in text and "[email]" in text and "[phone]" in text and "[id]" in text


CONCURRENT_QUESTIONS = [
    ("teacher", "A student swore at me in class. Should I call the SRO?"),
    ("teacher", "Can the SRO go through a kid's backpack if I tell him I think there's something in it?"),
    ("teacher", "Caught two kids vaping in the bathroom. Is that something I hand off to the SRO?"),
    ("teacher", "A student told me he's bringing a knife tomorrow. Am I allowed to tell the SRO?"),
    ("teacher", "who decides the consequence when a kid breaks a school rule: me, the principal, or the SRO?"),
    ("parent", "Can the SRO question my 14 year old without me being there?"),
    ("parent", "Can the school give my kid's discipline records to the police without asking me?"),
    ("parent", "My daughter turned 18. Do I still get to see her school records?"),
    ("parent", "Can I read the agreement between our school and the police about the SRO?"),
    ("parent", "where do i file a complaint if the school shared my kid's records with police"),
    ("administrator", "What does state law say has to go in our MOU with the police department about the SRO?"),
    ("administrator", "what training does state law require for SROs?"),
    ("administrator", "Can we designate our SRO as the school's law enforcement unit under FERPA?"),
    ("administrator", "what did the 2020 police reform law change about school resource officers?"),
    ("administrator", "Do we need a written policy for referring kids who bring weapons to the police?"),
    ("teacher", "A student bit a classmate. Should the SRO get involved?"),
    ("parent", "will the school call me if the SRO deals with my kid at school?"),
    ("administrator", "A student brought a gun to school. Under federal law how long does the expulsion have to be?"),
    ("parent", "Can the SRO look at my daughter's counseling file?"),
    ("teacher", "Two students are fighting in the hallway. Can I call the SRO?"),
]


def test_twenty_simultaneous_requests_are_all_answered(server, assistant, artifacts, capsys):
    """20 requests at once on loopback: every one answered, each with its own question; p95 reported."""
    # The same questions one at a time, for comparison with the concurrent answers.
    expected = {q: assistant.ask(q, audience=a) for a, q in CONCURRENT_QUESTIONS}

    async def one(client: httpx.AsyncClient, i: int, audience: str, question: str):
        began = time.perf_counter()
        got = await client.post(f"{server}/api/ask",
                                json={"id": i, "question": question, "audience": audience})
        return got, time.perf_counter() - began

    async def burst():
        limits = httpx.Limits(max_connections=len(CONCURRENT_QUESTIONS))
        async with httpx.AsyncClient(timeout=httpx.Timeout(120), limits=limits) as client:
            return await asyncio.wait_for(asyncio.gather(
                *(one(client, i, a, q) for i, (a, q) in enumerate(CONCURRENT_QUESTIONS))), timeout=300)

    began = time.perf_counter()
    results = asyncio.run(burst())
    wall = time.perf_counter() - began
    latencies = sorted(t for _, t in results)
    for i, (got, _) in enumerate(results):
        audience, question = CONCURRENT_QUESTIONS[i]
        assert got.status_code == 200, got.text
        body = got.json()
        jsonschema.validate(body, ANSWER_SCHEMA)
        assert body["id"] == i and body["question"] == question and body["audience"] == audience
        same = expected[question]
        assert body["abstained"] == same.abstained, question
        assert body["answer"] == same.markdown, question
        assert [c["source_id"] for c in body["citations"]] == [c.source_id for c in same.citations]
    answered = sum(not got.json()["abstained"] for got, _ in results)
    assert answered >= 18, f"only {answered} of 20 answered with citations"
    p50 = latencies[len(latencies) // 2]
    p95 = latencies[math.ceil(0.95 * len(latencies)) - 1]
    report = {"requests": len(results), "concurrency": len(results), "wall_s": round(wall, 2),
              "p50_s": round(p50, 3), "p95_s": round(p95, 3), "max_s": round(latencies[-1], 3)}
    (artifacts / "api-load.json").write_text(json.dumps(report, indent=2) + "\n")
    with capsys.disabled():
        print(f"\n20 simultaneous POST /api/ask on loopback: p50 {p50:.2f} s, p95 {p95:.2f} s, "
              f"max {latencies[-1]:.2f} s, wall {wall:.2f} s")


def test_an_oversized_body_is_never_read_whole():
    """Red team S4: a declared length over the cap is refused unread; a streamed one stops at the cap."""
    import asyncio

    from starlette.requests import Request

    from assistant.web.api import MAX_BODY_BYTES, read_capped

    def request(headers, chunks, sent):
        async def receive():
            if chunks:
                part = chunks.pop(0)
                sent.append(len(part))
                return {"type": "http.request", "body": part, "more_body": bool(chunks)}
            return {"type": "http.request", "body": b"", "more_body": False}
        scope = {"type": "http", "method": "POST", "path": "/api/ask",
                 "headers": [(k.encode(), v.encode()) for k, v in headers.items()]}
        return Request(scope, receive)

    chunk = b"x" * 65_536
    sent: list[int] = []
    declared = request({"content-length": str(10 ** 9)}, [chunk] * 20, sent)
    assert asyncio.run(read_capped(declared, MAX_BODY_BYTES)) is None and sent == []

    sent = []
    streamed = request({}, [chunk] * 1_000, sent)  # 64 MB offered, chunked
    assert asyncio.run(read_capped(streamed, MAX_BODY_BYTES)) is None
    assert sum(sent) <= MAX_BODY_BYTES + len(chunk)  # stopped one chunk past the cap

    sent = []
    small = request({}, [b'{"question": "hi"}'], sent)
    assert asyncio.run(read_capped(small, MAX_BODY_BYTES)) == b'{"question": "hi"}'


def test_lone_surrogates_never_answer_500(server):
    """Red team Q7: an escaped lone surrogate in the question, the id or the history used to crash the
    JSON rendering after the answer was built (500 and a traceback)."""
    bodies = [
        '{"question": "Can the SRO \\ud800 search a backpack?"}',
        '{"question": "Can the SRO search a backpack?", "id": "\\ud800"}',
        '{"question": "and his phone?", "history": [{"role": "user", "content": "locker \\udfff search"}]}',
    ]
    for body in bodies:
        got = post(server, body)
        assert got.status_code in (200, 422), (body, got.status_code)
        got.json()  # valid JSON, whatever the status
