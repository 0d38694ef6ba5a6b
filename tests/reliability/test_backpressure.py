"""Issue 14 item 6 (red team load observation): past a queue limit, 503 with Retry-After, not an unbounded wait.

With no queue allowed (limit 0) only the workers' requests are inside at once, so a burst of 40
questions, or 4 reviews, must see some refused at once; every other request is answered normally.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tests.reliability.conftest import QUESTION
from tests.reliability.live_server import live_server

pytestmark = pytest.mark.server

AGREEMENT = Path(__file__).resolve().parents[2] / "evals" / "agreements" / "older-2018.pdf"


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("backpressure"), api_queue_limit=0, review_queue_limit=0) as running:
        yield running


async def _burst(count: int, send) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        return await asyncio.gather(*(send(client) for _ in range(count)))


def _check_refusals(replies: list[httpx.Response]) -> tuple[int, int]:
    statuses = [r.status_code for r in replies]
    assert set(statuses) <= {200, 503}, statuses
    for refused in (r for r in replies if r.status_code == 503):
        assert int(refused.headers["retry-after"]) >= 1
        assert "busy" in refused.json()["error"]
    return statuses.count(200), statuses.count(503)


def test_a_burst_of_questions_past_the_queue_gets_503_with_retry_after(app_server):
    base = app_server[0]
    replies = asyncio.run(_burst(40, lambda c: c.post(f"{base}/api/ask", json={"question": QUESTION})))
    answered, refused = _check_refusals(replies)
    assert answered >= 4 and refused >= 1, (answered, refused)
    for reply in replies:
        if reply.status_code == 200:
            assert reply.json()["citations"]
    # Nothing is left stuck: the next question is answered at once.
    after = httpx.post(f"{base}/api/ask", json={"question": QUESTION}, timeout=60)
    assert after.status_code == 200 and after.json()["citations"]


def test_reviews_past_their_queue_get_503(app_server):
    base, data = app_server[0], AGREEMENT.read_bytes()

    def review(client):
        return client.post(f"{base}/api/review", files={"file": ("older-2018.pdf", data, "application/pdf")})

    replies = asyncio.run(_burst(4, review))
    answered, refused = _check_refusals(replies)
    assert answered >= 1 and refused >= 2, (answered, refused)
