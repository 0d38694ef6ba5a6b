"""Sentence boundaries that survive legal citations (U.S.C., c.71, §99.31, e.g.)."""

from __future__ import annotations

import re

# Tokens that end in a period without ending a sentence.
ABBREVIATIONS = {
    "u.s.c", "u.s", "c.f.r", "cfr", "st", "c", "g.l", "e.g", "i.e", "etc", "no", "nos", "v", "vs",
    "mr", "mrs", "ms", "dr", "inc", "sec", "secs", "q", "p", "pp", "al", "art", "ch", "para",
    "dept", "gen", "mass", "stat", "pub", "l", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
    "sept", "sep", "oct", "nov", "dec", "approx", "fig", "ed", "govt",
}
_BOUNDARY = re.compile(r"[.?!][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9§])")
_WORD_BEFORE = re.compile(r"(\S+)$")
WORD_WINDOW = 64  # longer "words" are no abbreviation anyway


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, whitespace trimmed."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(text):
        end = match.start() + 1
        # Only the last word before the boundary matters: look at a bounded window, not the whole
        # sentence so far, so text with no accepted boundary ("a. B a. B …") stays linear.
        before = _WORD_BEFORE.search(text, max(start, end - 1 - WORD_WINDOW), end - 1)
        token = before.group(1).lower().lstrip("(\"'“‘[").strip(".") if before else ""
        if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            continue
        # A boundary inside brackets ("(see §2. Also…)") is rare in law; accept it.
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return [_trim(text, s, e) for s, e in spans if text[s:e].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def collapse_whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


LABEL_PREFIX = re.compile(r"^(\([A-Za-z0-9]{1,6}\)\s*)+")
MIN_QUOTABLE_CHARS = 25


def quotable_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of a chunk the composer may quote: without a leading "(ii)" label."""
    out = []
    for start, end in sentence_spans(text):
        label = LABEL_PREFIX.match(text[start:end])
        if label:
            start += label.end()
        sentence = text[start:end]
        # A sentence that restates a question ("Parents often ask whether…?") answers nothing.
        lowered = sentence.lower()
        restates = sentence.rstrip().endswith("?") or "often ask" in lowered
        if len(sentence) >= MIN_QUOTABLE_CHARS and not sentence.startswith("#") and not restates:
            out.append((start, end))
    return out


def quotable_sentences(text: str) -> list[str]:
    """The sentences of a chunk the composer may quote, verbatim."""
    return [text[start:end] for start, end in quotable_spans(text)]
