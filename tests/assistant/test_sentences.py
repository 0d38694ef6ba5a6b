"""Sentence boundaries: legal abbreviations kept, and linear work on adversarial text (red team U20)."""

from assistant import sentences
from assistant.sentences import sentence_spans, split_sentences


def test_citations_and_abbreviations_do_not_end_a_sentence():
    text = "See 20 U.S.C. §1232g. Then G.L. c.71 §37P applies. E.g. this one. Mr. Smith went home."
    assert split_sentences(text) == ["See 20 U.S.C. §1232g.", "Then G.L. c.71 §37P applies.", "E.g. this one.",
                                     "Mr. Smith went home."]


class CountingPattern:
    """The real pattern, counting the characters each search may look at."""

    def __init__(self, real):
        self.real, self.examined, self.calls = real, 0, 0

    def search(self, text, pos=0, endpos=None):
        endpos = len(text) if endpos is None else endpos
        self.examined += endpos - pos
        self.calls += 1
        return self.real.search(text, pos, endpos)


def test_text_with_no_accepted_boundary_costs_linear_work(monkeypatch):
    # "a. B " repeated: every boundary is rejected as an initial, so one sentence grows for 1 MB.
    text = "a. B " * 200_000
    counting = CountingPattern(sentences._WORD_BEFORE)
    monkeypatch.setattr(sentences, "_WORD_BEFORE", counting)
    spans = sentence_spans(text)
    assert spans == [(0, len(text.rstrip()))]
    # Each rejected boundary looks back a bounded window, never the whole sentence so far.
    assert counting.calls >= 199_999
    assert counting.examined <= counting.calls * (sentences.WORD_WINDOW + 1)
