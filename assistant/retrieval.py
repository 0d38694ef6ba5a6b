"""Hybrid retrieval: dense (Chroma + MiniLM) and BM25 (bm25s), fused by reciprocal rank."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ingest.documents import Chunk

_TOKEN = re.compile(r"[a-z0-9§½¾]+")
STOPWORDS = {"the", "a", "an", "of", "to", "in", "and", "or", "is", "are", "be", "for", "on", "at",
             "by", "with", "as", "that", "this", "it", "its", "from", "may", "can", "do", "does",
             "i", "my", "me", "we", "you", "your", "what", "if", "should", "would", "could", "about",
             "any", "such", "shall", "which", "who", "when", "how", "there", "their", "they", "he",
             "she", "his", "her", "them", "not", "but", "so", "will", "has", "have", "was", "were"}


def tokenize(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


@dataclass
class Filters:
    """Narrow retrieval by where a text comes from or how old it is."""
    kinds: list[str] | None = None  # registry kinds, "guide", "user"
    origins: list[str] | None = None  # official | guide | user
    jurisdiction: str | None = None  # MA | US
    as_of_before: str | None = None  # keep texts dated on or before this (ISO prefix)

    def allows(self, chunk: Chunk) -> bool:
        if self.kinds and chunk.doc_kind not in self.kinds:
            return False
        if self.origins and chunk.origin not in self.origins:
            return False
        if self.jurisdiction and chunk.jurisdiction != self.jurisdiction:
            return False
        if self.as_of_before and chunk.as_of and chunk.as_of[:len(self.as_of_before)] > self.as_of_before:
            return False
        return True


@dataclass
class Retrieved:
    chunk: Chunk
    score: float  # fused RRF score
    dense: float = 0.0  # cosine similarity with the question (0 when only BM25 found it)
    bm25: float = 0.0
    ranks: dict = field(default_factory=dict)


class BM25Index:
    """BM25 over the chunks' search text (context + body)."""

    def __init__(self, chunks: list[Chunk]):
        import bm25s

        self.chunks = chunks
        self.retriever = None
        corpus = [tokenize(c.search_text) or ["_"] for c in chunks]
        if chunks:
            self.retriever = bm25s.BM25()
            self.retriever.index(corpus, show_progress=False)

    def search(self, text: str, k: int) -> list[tuple[Chunk, float]]:
        if self.retriever is None:
            return []
        tokens = [t for t in tokenize(text) if t in self.retriever.vocab_dict]
        if not tokens:
            return []
        scores = self.retriever.get_scores(tokens)
        order = np.argsort(-scores)[:k]
        return [(self.chunks[i], float(scores[i])) for i in order if scores[i] > 0]


def reciprocal_rank_fusion(rankings: list[list[str]], k: int) -> dict[str, float]:
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank + 1)
    return fused


class HybridRetriever:
    """Dense + BM25 over one or more stores (the shared index and a session's uploads)."""

    def __init__(self, sources: list, embedder, *, candidate_k: int, rrf_k: int, hybrid: bool = True,
                 per_source: int = 0):
        self.sources = sources
        self.per_source = per_source  # objects with .dense(vec, k) -> [(Chunk, cos)] and .bm25
        self.embedder = embedder
        self.candidate_k = candidate_k
        self.rrf_k = rrf_k
        self.hybrid = hybrid

    def retrieve(self, text: str, k: int, filters: Filters | None = None,
                 query_vector: np.ndarray | None = None) -> list[Retrieved]:
        vector = query_vector if query_vector is not None else self.embedder.embed([text])[0]
        filters = filters or Filters()
        by_id: dict[str, Retrieved] = {}
        dense_rank, sparse_rank = [], []
        for source in self.sources:
            for chunk, cos in source.dense(vector, self.candidate_k):
                if filters.allows(chunk):
                    item = by_id.setdefault(chunk.id, Retrieved(chunk, 0.0))
                    item.dense = max(item.dense, cos)
                    dense_rank.append((cos, chunk.id))
            if self.hybrid:
                for chunk, score in source.bm25.search(text, self.candidate_k):
                    if filters.allows(chunk):
                        item = by_id.setdefault(chunk.id, Retrieved(chunk, 0.0))
                        item.bm25 = max(item.bm25, score)
                        sparse_rank.append((score, chunk.id))
        rankings = [[cid for _, cid in sorted(dense_rank, key=lambda x: -x[0])]]
        if self.hybrid:
            rankings.append([cid for _, cid in sorted(sparse_rank, key=lambda x: -x[0])])
        fused = reciprocal_rank_fusion(rankings, self.rrf_k)
        for cid, item in by_id.items():
            item.score = fused.get(cid, 0.0)
        # BM25-only hits still need a cosine for the support check: use the stored vector.
        missing = [item for item in by_id.values() if item.dense == 0.0]
        for item in missing:
            for source in self.sources:
                cos = source.cosine(item.chunk.id, vector)
                if cos is not None:
                    item.dense = cos
                    break
        ranked = sorted(by_id.values(), key=lambda r: -r.score)
        return diversify(ranked, self.per_source)[:k]


def diversify(ranked: list[Retrieved], per_source: int) -> list[Retrieved]:
    """Keep the order, but move a source's chunks past its first `per_source` to the back,
    so the top results cover several provisions instead of one section's paragraphs."""
    if per_source <= 0:
        return ranked
    seen: dict[str, int] = {}
    head, tail = [], []
    for item in ranked:
        sid = item.chunk.source_id
        seen[sid] = seen.get(sid, 0) + 1
        (head if seen[sid] <= per_source else tail).append(item)
    return head + tail


class IndexSource:
    """One searchable body of chunks: dense search in a store plus BM25 over the same chunks."""

    def __init__(self, query_fn, chunks, vectors: dict):
        self.query_fn = query_fn
        self.bm25 = BM25Index(chunks)
        self.size = len(chunks)
        # Kept in memory so a chunk only BM25 found still gets its cosine without re-embedding.
        self.vectors = {cid: np.asarray(vec, dtype=np.float32) for cid, vec in vectors.items()}

    def dense(self, vector, k):
        return [(hit.chunk, hit.score) for hit in self.query_fn(vector, k)]

    def cosine(self, chunk_id: str, vector) -> float | None:
        stored = self.vectors.get(chunk_id)
        return None if stored is None else float(np.dot(stored, vector))
