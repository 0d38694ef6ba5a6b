"""The extractive composer: picks source sentences that answer the question, lays them out.

Nothing here writes prose. Each sentence it shows is a verbatim substring of a retrieved
chunk, with a citation marker; the rest is fixed text from templates.py.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from assistant import templates
from assistant.answer import Citation, Sentence
from assistant.retrieval import Retrieved, tokenize
from assistant.sentences import quotable_sentences
from ingest.documents import ORIGIN_GUIDE, ORIGIN_OFFICIAL, ORIGIN_USER

# Sentences that tell the reader what to do, not only what the law is.
ACTION_CUE = re.compile(r"\b(ask|asking|request|tell|report|write|contact|file|talk|check|keep|look|"
                        r"right to|has the right|(parents?|teachers?|students?|you|family) (can|may|should|must))\b",
                        re.I)
# A guide sentence that says what we could not check is about the guide, not the law: the
# answer shows it as the citation's mark and a fixed note instead of spending a sentence on it.
VERIFICATION_NOTE = re.compile(r"\bwe could not (check|read|confirm)\b", re.I)
CANDIDATE_CHUNKS = 12
RELATIVE_FLOOR = 0.6
# How a sentence's relevance is weighed: meaning, shared words, and its passage's rank.
W_COSINE, W_OVERLAP, W_RANK = 0.6, 0.25, 0.15
OFFICIAL_FLOOR = 0.7
# One sentence per passage, two from the best-ranked one: the answer then spans more of the
# provisions retrieval found (on the golden set this covered more key facts than two per passage
# or a lead paragraph quoted whole). Sentence vectors are read in their passage, so sentences of
# one passage sit close together: "near duplicate" starts high, and the best passage gets a
# second sentence in case the vectors picked the wrong one of its sentences first.
PER_CHUNK = 1
TOP_CHUNK_SENTENCES = 2
NEAR_DUPLICATE = 0.9
SAME_WORDS = 0.5  # share of content words above which a sentence only repeats another


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


def candidates(retrieved: list[Retrieved]) -> list[Candidate]:
    out = []
    seen: dict[str, int] = {}
    for rank, item in enumerate(retrieved):
        # The best few chunks of each origin, so official text is not crowded out by the guide.
        origin = item.chunk.origin
        if seen.get(origin, 0) >= CANDIDATE_CHUNKS:
            continue
        seen[origin] = seen.get(origin, 0) + 1
        guide = origin == ORIGIN_GUIDE
        out.extend(Candidate(sentence, item, rank) for sentence in quotable_sentences(item.chunk.text)
                   if not (guide and VERIFICATION_NOTE.search(sentence)))
    return out


def score(cands: list[Candidate], query_text: str, query_vec: np.ndarray, vectors: SentenceVectors) -> None:
    if not cands:
        return
    mat = vectors.get([c.text for c in cands])
    q_tokens = set(tokenize(query_text))
    for cand, vec in zip(cands, mat):
        cand.vector = vec
        s_tokens = set(tokenize(cand.text))
        overlap = len(q_tokens & s_tokens) / (len(q_tokens) ** 0.5 * max(len(s_tokens), 1) ** 0.5 or 1)
        cand.relevance = W_COSINE * float(np.dot(vec, query_vec)) + W_OVERLAP * overlap + W_RANK / (1 + cand.rank)


def mmr(cands: list[Candidate], k: int, lam: float, floor: float, taken: list[Candidate]) -> list[Candidate]:
    """Maximal marginal relevance: relevant sentences that do not repeat each other."""
    chosen: list[Candidate] = []
    pool = [c for c in cands if c.relevance >= floor and c not in taken]
    while pool and len(chosen) < k:
        def gain(c: Candidate) -> float:
            others = chosen + taken
            overlap = max((float(np.dot(c.vector, o.vector)) for o in others), default=0.0)
            return lam * c.relevance - (1 - lam) * overlap
        best = max(pool, key=gain)
        pool.remove(best)
        limit = TOP_CHUNK_SENTENCES if best.rank == 0 else PER_CHUNK
        if sum(o.retrieved.chunk.id == best.retrieved.chunk.id for o in chosen) >= limit:
            continue  # spread the answer over more than one passage

        if any(float(np.dot(best.vector, o.vector)) > NEAR_DUPLICATE for o in chosen + taken):
            continue  # a near-duplicate of a sentence already shown
        if any(_same_words(best.text, o.text) > SAME_WORDS for o in chosen + taken):
            continue  # says it again in nearly the same words
        chosen.append(best)
    return chosen


def _same_words(a: str, b: str) -> float:
    """Share of content words two sentences have in common (Jaccard)."""
    x, y = set(tokenize(a)), set(tokenize(b))
    return len(x & y) / len(x | y) if x and y else 0.0


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


def compose(retrieved: list[Retrieved], *, query_text: str, query_vec: np.ndarray, audience: str | None,
            vectors: SentenceVectors, direct_k: int, sources_k: int, lam: float,
            floor: float, premise: bool) -> tuple[list[Sentence], CitationBook]:
    cands = candidates(retrieved)
    score(cands, query_text, query_vec, vectors)
    book = CitationBook()
    sentences: list[Sentence] = []

    best = max((c.relevance for c in cands), default=0.0)
    # Below the best sentence by more than this share, a sentence is off the point.
    near = max(floor, RELATIVE_FLOOR * best)
    guide = [c for c in cands if c.retrieved.chunk.origin == ORIGIN_GUIDE]
    # The short answer quotes the plain-language guide; official text follows under its own heading.
    direct = mmr(guide, direct_k, lam, near, [])
    if not direct:
        direct = mmr(cands, direct_k, lam, near, [])
    taken = list(direct)
    official = [c for c in cands if c.retrieved.chunk.origin in (ORIGIN_OFFICIAL, ORIGIN_USER)]
    # Statute text scores lower than plain language on the same point: a looser floor.
    quoted = mmr(official, sources_k, lam, max(floor, OFFICIAL_FLOOR * best), taken)
    taken += quoted
    fits = [c for c in guide if ACTION_CUE.search(c.text)
            and (audience is None or audience in c.retrieved.chunk.audience)]
    actions = mmr(fits, 2, lam, near, taken)

    for part, chosen in (("direct", direct), ("sources", quoted), ("actions", actions)):
        for cand in chosen:
            sentences.append(Sentence(cand.text, book.cite(cand).n, part))
    if premise and sentences:
        sentences.append(Sentence(templates.PREMISE_NOTE, None, "template"))
    return sentences, book


_MARKDOWN = re.compile(r"([\\`*_\[\]<>!])")
_MARKDOWN_BUT_EMPHASIS = re.compile(r"([\\`\[\]<>!])")


def escape_markdown(text: str, emphasis: bool = False) -> str:
    """Text shown as itself in Markdown: an uploaded file's "![x](url)" or "*" must not become an
    image, a link or emphasis. The characters stay; only their Markdown meaning goes. Our own
    guide may italicise a case name (`emphasis=True`); links and images stay escaped even there."""
    return (_MARKDOWN_BUT_EMPHASIS if emphasis else _MARKDOWN).sub(r"\\\1", text)


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
