"""Checks shared by the language-model tests."""

from __future__ import annotations

import re

from assistant.answer import Answer
from assistant.compose import SentenceVectors
from assistant.llm import prompts
from assistant.llm.passages import Passage, support_units
from assistant.llm.verify import Verifier
from assistant.retrieval import Retrieved

RECORDS_Q = "Can the SRO see my child's school records?"
KEY_PHRASE = "legitimate educational interest"


def passage_with(passages: dict[int, str], phrase: str) -> int:
    return next(n for n, text in sorted(passages.items()) if phrase.lower() in text.lower())


def good_sentences(n: int) -> list[str]:
    """Plain-language rewrites of the FERPA passage (cited as [n])."""
    return [f"Even as a school official, the SRO may see only records in which the officer has a "
            f"legitimate educational interest [{n}].",
            f"Without school-official status, the school needs your written consent or another exception "
            f"before giving the SRO record information [{n}]."]


def assert_only_supported(answer: Answer, engine) -> None:
    """The quote-or-support rule: nothing unsupported reaches the user, whatever the mode."""
    data = answer.to_json()
    assert data["mode"] == answer.mode
    assert all(s["verified"] for s in data["sentences"])
    numbers = {c.n for c in answer.citations}
    assert numbers == set(range(1, len(answer.citations) + 1))
    for c in answer.citations:
        assert c.quote and c.quote in c.chunk_text, "a citation's quote must be verbatim passage text"
        assert all(q in c.chunk_text for q in c.quotes)
    body = answer.markdown.split("**Sources**")[0]
    assert {int(n) for n in re.findall(r"\[(\d+)\]", body)} <= numbers, "every [n] resolves to a citation"
    if answer.mode == "extractive":
        for s in answer.sentences:
            if s.n is not None:  # quoted verbatim from the cited chunk
                assert s.text in answer.citations[s.n - 1].chunk_text
        return
    # Language-model mode: re-check every sentence, independently, against the chunk it cites.
    by_id = {c.id: c for c in engine.shared.bm25.chunks}
    vectors = SentenceVectors(engine.embedder)
    for s in answer.sentences:
        assert s.part == "direct" and s.verified and s.n is not None
        chunk = by_id[answer.citations[s.n - 1].chunk_id]
        passage = Passage(1, Retrieved(chunk, 0.0))
        passage.units, passage.singles = support_units(passage.text)
        check = Verifier([passage], vectors, engine.settings.llm_support_threshold).check(f"{s.text} [1]")
        assert check.verified, (s.text, check.reason)
        assert f"{s.text[:-1]} [" in answer.markdown or f"{s.text} [" in answer.markdown
    assert prompts.NOTICE_UNAVAILABLE not in answer.markdown
    assert prompts.NOTICE_UNVERIFIED not in answer.markdown
