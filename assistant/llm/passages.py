"""The passages the model may use: the extractive answer's cited chunks, then the top retrieved ones,
numbered [1]..[k]. Each keeps the verbatim units (sentences and adjacent pairs) support is checked on."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.answer import Answer
from assistant.retrieval import Retrieved
from assistant.sentences import sentence_spans

MAX_PASSAGES = 6
MAX_PASSAGE_CHARS = 1500


@dataclass
class Passage:
    n: int
    retrieved: Retrieved
    units: list[str] = field(default_factory=list)  # verbatim substrings of the chunk text
    singles: int = 0  # units[:singles] are single sentences, the rest adjacent pairs

    @property
    def chunk(self):
        return self.retrieved.chunk

    @property
    def text(self) -> str:
        return self.chunk.text[:MAX_PASSAGE_CHARS]

    @property
    def header(self) -> str:
        """Where the passage comes from, as shown to the model (numbers count only from title and pinpoint)."""
        chunk = self.chunk
        parts = [chunk.title, chunk.pinpoint] + [c for c in chunk.cites if c not in chunk.pinpoint]
        return ", ".join(p for p in parts if p)


def support_units(text: str) -> tuple[list[str], int]:
    """Each sentence, then each pair of adjacent sentences (a model often merges two): verbatim
    slices of the text, and how many of them are single sentences."""
    spans = sentence_spans(text) or [(0, len(text))]
    singles = list(dict.fromkeys(text[s:e] for s, e in spans))
    pairs = [text[spans[i][0]:spans[i + 1][1]] for i in range(len(spans) - 1)]
    return singles + [p for p in dict.fromkeys(pairs) if p not in singles], len(singles)


def select(retrieved: list[Retrieved], extractive: Answer, k: int = MAX_PASSAGES) -> list[Passage]:
    by_id = {r.chunk.id: r for r in retrieved}
    order = [c.chunk_id for c in extractive.citations if c.chunk_id in by_id]
    order += [r.chunk.id for r in retrieved]
    chosen = list(dict.fromkeys(order))[:k]
    passages = []
    for n, cid in enumerate(chosen, 1):
        passage = Passage(n, by_id[cid])
        passage.units, passage.singles = support_units(passage.text)
        passages.append(passage)
    return passages
