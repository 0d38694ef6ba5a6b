"""What every composer shares: sentence vectors, numbered citations, Markdown escaping, and the
classic layout the language-model mode still uses (the card layout is in layout.py).

Nothing here writes prose. Each sentence shown is a verbatim substring of a retrieved chunk, with
a citation marker; the rest is fixed text from templates.py.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from assistant import templates
from assistant.answer import Citation, Sentence
from assistant.retrieval import Retrieved

@dataclass
class Candidate:
    text: str
    retrieved: Retrieved
    rank: int
    relevance: float = 0.0
    vector: np.ndarray | None = None


class SentenceVectors:
    """A bounded cache of sentence embeddings, so repeated passages are embedded once."""

    def __init__(self, embedder, size: int = 20000):
        self.embedder, self.size = embedder, size
        self.cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = threading.Lock()

    def preload(self, texts: list[str], vectors) -> None:
        with self.lock:  # an upload preloads while other requests read
            for text, vec in zip(texts, vectors):
                self.cache[text] = vec
            while len(self.cache) > self.size:
                self.cache.popitem(last=False)

    def get(self, texts: list[str]) -> np.ndarray:
        with self.lock:  # requests run in threads; eviction must not race a lookup
            found = {t: self.cache[t] for t in dict.fromkeys(texts) if t in self.cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            vectors = self.embedder.embed(missing)
            with self.lock:
                for text, vec in zip(missing, vectors):
                    self.cache[text] = vec
                    found[text] = vec
                while len(self.cache) > self.size:
                    self.cache.popitem(last=False)
        return np.stack([found[t] for t in texts]) if texts else np.zeros((0, 1))


class CitationBook:
    """Numbers citations in order of first use: one number per cited chunk."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []
        self._by_chunk: dict[str, Citation] = {}

    def cite(self, cand: Candidate) -> Citation:
        return self.quote(cand.retrieved.chunk, cand.text)

    def quote(self, chunk, text: str) -> Citation:
        """The citation of `chunk` (numbered on first use), with `text` added to its quotes."""
        citation = self._by_chunk.get(chunk.id)
        if citation is None:
            citation = Citation(
                n=len(self.citations) + 1, source_id=chunk.source_id, title=chunk.title, kind=chunk.origin,
                pinpoint=chunk.pinpoint, section=chunk.section, page=chunk.page, url=chunk.url,
                quote="", chunk_id=chunk.id, chunk_text=chunk.text, cites=list(chunk.cites),
                as_of=chunk.as_of, status=chunk.status)
            self.citations.append(citation)
            self._by_chunk[chunk.id] = citation
        if text not in citation.quotes:
            citation.quotes.append(text)
            # `quote` is the one stretch of the chunk that holds every quoted sentence.
            starts = [chunk.text.find(q) for q in citation.quotes]
            ends = [st + len(q) for st, q in zip(starts, citation.quotes)]
            citation.quote = chunk.text[min(starts):max(ends)]
        return citation


# The longest stretch one quote may show. The composers bound a quote by words, which a "sentence"
# without spaces ("locker,locker,…" for 40 KB) escapes (red team U24). Ordinary quotes (at most
# ~120 words) stay under this, so only such runs are cut; the layout then ends them with its "…".
MAX_QUOTE_CHARS = 1000
_WORD_END = re.compile(r"\s|(?<=[,;:/)\]-])")


def bounded_quote(text: str, limit: int = MAX_QUOTE_CHARS) -> str:
    """`text`, or its longest opening stretch of at most `limit` characters that ends between two
    words (at a space or after ",;:/)]-"): still a verbatim substring of the passage."""
    if len(text) <= limit:
        return text
    ends = [m.start() for m in _WORD_END.finditer(text, 0, limit + 1)]
    cut = max((e for e in ends if e > 0), default=limit)
    return text[:cut].rstrip()


def bound_quotes(sentences: list[Sentence], book: CitationBook) -> None:
    """Cuts every over-long quoted sentence with `bounded_quote`, and its citation's quotes with it."""
    for sentence in sentences:
        if sentence.n is None or len(sentence.text) <= MAX_QUOTE_CHARS:
            continue
        long_text, sentence.text = sentence.text, bounded_quote(sentence.text)
        citation = book.citations[sentence.n - 1]
        citation.quotes = [sentence.text if q == long_text else q for q in citation.quotes]
        starts = [citation.chunk_text.find(q) for q in citation.quotes]
        if citation.quotes and min(starts) >= 0:
            ends = [st + len(q) for st, q in zip(starts, citation.quotes)]
            citation.quote = citation.chunk_text[min(starts):max(ends)]


_MARKDOWN = re.compile(r"([\\`*_\[\]<>!])")
_MARKDOWN_BUT_EMPHASIS = re.compile(r"([\\`\[\]<>!])")


# GFM "extended autolinks" need no brackets: "http://…", "www.…" and "a@b.org" become links by
# themselves (red team U13, Q28). A backslash before the ":" of "scheme://", the "." of "www."
# and an address's "@" is a CommonMark escape: the character still shows, the link is gone.
_SCHEME_COLON = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]{0,31}):(?=/)")
_WWW_DOT = re.compile(r"\b(www)\.", re.I)
_EMAIL_AT = re.compile(r"(?<=[\w.+-])@(?=[\w-])")


def escape_markdown(text: str, emphasis: bool = False) -> str:
    """Text shown as itself in Markdown: an uploaded file's "![x](url)", "<http://…>", a bare URL
    or "*" must not become an image, a link or emphasis. The characters stay; only their Markdown
    meaning goes. Our own guide may italicise a case name (`emphasis=True`); links and images stay
    escaped even there."""
    text = (_MARKDOWN_BUT_EMPHASIS if emphasis else _MARKDOWN).sub(r"\\\1", text)
    text = _SCHEME_COLON.sub(r"\1\\:", text)
    text = _WWW_DOT.sub(r"\1\\.", text)
    return _EMAIL_AT.sub(r"\\@", text)


def render(sentences: list[Sentence], book: CitationBook, audience: str | None, as_of: str) -> str:
    lines: list[str] = []
    direct = [s for s in sentences if s.part == "direct"]
    quoted = [s for s in sentences if s.part == "sources"]
    actions = [s for s in sentences if s.part == "actions"]
    notes = [s for s in sentences if s.part == "template"]
    lines += [templates.HEADING_DIRECT, " ".join(f"{escape_markdown(s.text)} [{s.n}]" for s in direct), ""]
    if quoted:
        lines.append(templates.HEADING_SOURCES)
        lines += [f"> {escape_markdown(s.text)} [{s.n}]\n" for s in quoted]
    lines.append(templates.HEADING_ACTIONS.get(audience, templates.HEADING_ACTIONS[None]))
    lines += [f"- {escape_markdown(s.text)} [{s.n}]" for s in actions]
    lines += [f"- {templates.REFERRAL.get(audience, templates.REFERRAL[None])}", ""]
    lines += [f"_{s.text}_" for s in notes]
    if any(c.status == "unverified" for c in book.citations):
        lines += [f"_{templates.UNVERIFIED_NOTE}_", ""]
    lines.append(templates.HEADING_CITATIONS)
    for c in book.citations:
        where = f", p. {c.page}" if c.page else ""
        mark = templates.UNVERIFIED_MARK if c.status == "unverified" else ""
        name = f"{escape_markdown(c.title)}, {escape_markdown(c.pinpoint)}"
        lines.append(f"{c.n}. {name}{where}{mark}. <{c.url}>" if c.url else f"{c.n}. {name}{where}{mark}.")
    lines += ["", f"_{templates.DISCLAIMER.format(as_of=as_of)}_"]
    return "\n".join(lines)
