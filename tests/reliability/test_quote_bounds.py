"""Red team U24: a quoted "sentence" is bounded, whatever the uploaded file's punctuation.

An upload of 43 KB with no sentence boundary the splitter accepts ("… e.g. A …") was quoted whole.
The composers bound quotes by words, so a run with no spaces ("locker,locker,…") still came out
as one 42,000-character quote. Now every quote is a verbatim stretch of at most MAX_QUOTE_CHARS,
ending between two words, and the layout marks the cut with its ellipsis. Real index and model.
"""

from __future__ import annotations

import pytest

from assistant import templates
from assistant.compose import MAX_QUOTE_CHARS

QUESTION = "May the school resource officer search a backpack or a locker?"
WITH_SPACES = "".join(f"The school resource officer may search a backpack e.g. A school resource officer may "
                      f"search a locker e.g. {chr(66 + i % 20)} " for i in range(400))
WITHOUT_SPACES = ("The school resource officer may search a backpack e.g. A school resource officer may search "
                  + ",".join(["locker"] * 6000) + " today.")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    from assistant.engine import Assistant
    from ingest.indexer import build_index
    from tests.reliability.conftest import small_settings

    tmp = tmp_path_factory.mktemp("quote-bounds")
    settings = small_settings(tmp / "data", tmp)
    build_index(settings, progress=False)
    return Assistant.load(settings), tmp


@pytest.mark.parametrize("name, text", [("spaces.txt", WITH_SPACES), ("no-spaces.txt", WITHOUT_SPACES)])
def test_a_quote_from_one_huge_sentence_is_bounded(engine, name, text):
    assistant, tmp = engine
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    session = name
    assert assistant.add_upload(session, path) >= 1
    answer = assistant.ask(QUESTION, session_id=session)
    assert not answer.abstained and answer.citations
    quoted = [s for s in answer.sentences if s.n is not None]
    assert quoted
    for sentence in quoted:
        assert len(sentence.text) <= MAX_QUOTE_CHARS
        citation = answer.citations[sentence.n - 1]
        assert sentence.text in citation.chunk_text  # still verbatim
        assert len(citation.quote) <= MAX_QUOTE_CHARS and citation.quote in citation.chunk_text
    assert max(len(line) for line in answer.markdown.splitlines()) < MAX_QUOTE_CHARS + 100
    if name == "no-spaces.txt":
        assert f"locker, {templates.ELLIPSIS}" in answer.markdown  # cut after a word, marked by the layout
