"""Compose an answer from the best answer card, or quote the best passage when no card answers.

Nothing here writes prose. Every sentence shown is a verbatim stretch of an indexed chunk (a
card's lead, a paragraph of the same card, one of its steps, a sentence of the official text
it cites) or fixed text from templates.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from assistant import templates
from assistant.answer import Sentence
from assistant.cards import CardHit
from assistant.compose import CitationBook, SentenceVectors
from assistant.registry import pinpoint_covers
from assistant.retrieval import Retrieved, tokenize
from assistant.sentences import quotable_sentences, quotable_spans, sentence_spans
from ingest.documents import Chunk
from ingest.guide import STEP_LABELS

WHY_SENTENCES = 3
STEPS_SHOWN = 2
STEPS_MAX_WORDS = 35  # a second step only when both fit: the reader acts on the first
LAW_MAX_WORDS = 30
LAW_MIN_COSINE = 0.25  # an official passage less like the question than this is not quoted
PASSAGE_SENTENCES = 3
PASSAGE_MAX_WORDS = 90
# Sentences that lean on one left out: never the first sentence shown from a passage.
LEANS_BACK = re.compile(r"^(this|these|that|those|it|they|such|the same|however|also|but)\b", re.I)


@dataclass
class Composed:
    sentences: list[Sentence]
    book: CitationBook
    more: list[Sentence] = field(default_factory=list)  # shown behind "More"
    cards: list[CardHit] = field(default_factory=list)  # cards whose leads are shown
    related: list[CardHit] = field(default_factory=list)
    laws: list[str] = field(default_factory=list)  # pinpoint of each quoted official sentence


# --- from a card ---------------------------------------------------------------------------
def compose_card(hits: list[CardHit], *, shown: int, audience: str | None, question_vec: np.ndarray,
                 question: str, official: list[Chunk], official_vectors, vectors: SentenceVectors,
                 related_k: int, related_floor: float, same_question=None) -> Composed:
    book = CitationBook()
    out = Composed([], book, cards=hits[:shown])
    for hit in out.cards:
        out.sentences.append(Sentence(hit.chunk.lead, book.quote(hit.chunk, hit.chunk.lead).n, "direct"))
    top = hits[0].chunk
    why = _why(top)
    if why:
        out.more.append(Sentence(why, book.quote(top, why).n, "why"))
    # Two leads already fill the reader's first screen: no law quote, one step, fewer related then.
    law = law_quote(top, question, question_vec, official, official_vectors, vectors) if shown == 1 else None
    if law is not None:
        chunk, text = law
        out.sentences.append(Sentence(text, book.quote(chunk, text).n, "sources"))
        out.laws.append(chunk.pinpoint)
    for step in steps_for(top, audience)[:STEPS_SHOWN]:
        out.sentences.append(Sentence(step, book.quote(top, step).n, "actions"))
    out.related = [h for h in hits[shown:] if h.dense >= related_floor][:related_k]
    return out


def _why(card: Chunk) -> str | None:
    """The first explanation paragraph, its first few sentences, as one contiguous stretch."""
    paragraphs = card.text.split("\n\n")[1:]
    labels = tuple(STEP_LABELS.values())
    for para in paragraphs:
        if para.startswith(labels):
            return None
        spans = sentence_spans(para)
        if spans:
            return para[spans[0][0]:spans[min(WHY_SENTENCES, len(spans)) - 1][1]]
    return None


def steps_for(card: Chunk, audience: str | None) -> list[str]:
    """The card's steps for this reader (for no chosen audience: the card's first audience's)."""
    order = [audience] if audience else [a for a in ("teacher", "parent", "administrator") if a in card.audience]
    for who in order:
        if card.steps.get(who):
            return list(card.steps[who])
    return []


def law_quote(card: Chunk, question: str, question_vec: np.ndarray, official: list[Chunk],
              official_vectors: dict, vectors: SentenceVectors) -> tuple[Chunk, str] | None:
    """A short verbatim sentence of the official provision the card cites, when it is indexed."""
    for cite in card.cites:
        matches = [c for c in official if pinpoint_covers(cite, c.pinpoint) or pinpoint_covers(c.pinpoint, cite)]
        scored = []
        for chunk in matches:
            stored = official_vectors.get(chunk.id)
            if stored is not None:
                scored.append((float(np.dot(stored, question_vec)), chunk))
        scored = [s for s in scored if s[0] >= LAW_MIN_COSINE]
        if not scored:
            continue
        _, chunk = max(scored, key=lambda s: s[0])
        sentence = best_sentence(chunk, question, question_vec, vectors)
        if sentence:
            return chunk, shorten(sentence, LAW_MAX_WORDS)
    return None


def sentence_scores(texts: list[str], question: str, question_vec: np.ndarray, vectors: SentenceVectors) -> list[float]:
    """How well each sentence answers: its cosine with the question plus a share of the question's words."""
    words = set(tokenize(question))
    return [float(np.dot(v, question_vec)) + 0.3 * len(words & set(tokenize(t))) / (len(words) or 1)
            for v, t in zip(vectors.get(texts), texts)]


def best_sentence(chunk: Chunk, question: str, question_vec: np.ndarray, vectors: SentenceVectors) -> str | None:
    texts = quotable_sentences(chunk.text)
    if not texts:
        return None
    return texts[int(np.argmax(sentence_scores(texts, question, question_vec, vectors)))]


def shorten(sentence: str, max_words: int) -> str:
    """The sentence, or its opening words up to a clause break: still a verbatim stretch."""
    words = sentence.split(" ")
    if len(words) <= max_words:
        return sentence
    head = " ".join(words[:max_words])
    cut = max(head.rfind(";"), head.rfind(","), head.rfind(":"))
    return head[:cut] if cut > len(head) // 2 else head


# --- from a passage (no card answers: official text or a user's upload) --------------------------
def compose_passage(item: Retrieved, *, question: str, question_vec: np.ndarray,
                    vectors: SentenceVectors) -> Composed:
    """Contiguous sentences of the best passage, starting at the one that answers best."""
    book = CitationBook()
    chunk = item.chunk
    spans = quotable_spans(chunk.text)
    out = Composed([], book)
    if not spans:
        return out
    texts = [chunk.text[a:b] for a, b in spans]
    start = int(np.argmax(sentence_scores(texts, question, question_vec, vectors)))
    while start > 0 and LEANS_BACK.match(texts[start]):
        start -= 1  # begin where the thought begins
    end, used = start, 0
    while end < len(spans) and end - start < PASSAGE_SENTENCES:
        n = len(texts[end].split())
        if end > start and used + n > PASSAGE_MAX_WORDS:
            break
        used += n
        end += 1
    stretch = shorten(chunk.text[spans[start][0]:spans[end - 1][1]], PASSAGE_MAX_WORDS + 30)
    out.sentences.append(Sentence(stretch, book.quote(chunk, stretch).n, "direct"))
    out.laws.append(chunk.pinpoint)
    return out
