"""The Assistant: the one entry point every interface calls (`Assistant.ask`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from assistant import sentence_cache, templates
from assistant.answer import Answer, Sentence
from assistant.compose import SentenceVectors, compose, render
from assistant.embeddings import embedder_for
from assistant.query import prepare
from assistant.registry import load_registry
from assistant.retrieval import BM25Index, Filters, HybridRetriever, Retrieved
from assistant.settings import Settings
from assistant.store import SessionStore, VectorStore
from ingest.chunker import chunk_document
from ingest.documents import LoadError
from ingest.indexer import embed_chunks
from ingest.loaders import load_file

PREMISE_CUES = ("since ", "because ", "isn't it", "isnt it", "i heard", "i was told", "right?",
                "doesn't ", "don't they", "aren't they", "everyone knows", "obviously")


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


class Assistant:
    def __init__(self, settings: Settings, store: VectorStore, embedder, collection: str | None):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.collection = collection
        self.registry = load_registry(settings.registry_path)
        self.manifest = store.read_manifest() or {}
        chunks = store.all_chunks(collection)[1] if collection else []
        vectors = store.all_embeddings(collection) if collection else {}
        self.shared = IndexSource(lambda v, k: store.query(collection, v, k), chunks, vectors)
        self.sessions = SessionStore()
        self._session_sources: dict[str, IndexSource] = {}
        self.vectors = SentenceVectors(embedder)
        if collection:
            texts, vectors = sentence_cache.load(sentence_cache.path_for(settings, collection))
            self.vectors.preload(texts, vectors)
        self._lock = threading.Lock()

    @classmethod
    def load(cls, settings: Settings | None = None, *, build_if_missing: bool = False,
             progress: bool = False) -> "Assistant":
        settings = settings or Settings()
        embedder = embedder_for(settings)
        store = VectorStore(settings)
        collection = store.active_name()
        if (collection is None or collection not in store.collection_names()) and build_if_missing:
            from ingest.indexer import build_index

            build_index(settings, embedder=embedder, progress=progress, store=store)
            collection = store.active_name()
        if collection is not None and collection not in store.collection_names():
            collection = None
        return cls(settings, store, embedder, collection)

    # --- uploads for one browser session ---------------------------------------------
    def add_upload(self, session_id: str, path: Path, title: str | None = None) -> int:
        """Index a user's file for this session only; raises LoadError with a one-line reason."""
        path = Path(path)
        limit = self.settings.upload_max_mb
        doc = load_file(path, source_id=f"user:{path.stem}", title=title or path.stem, max_mb=limit)
        chunks = list(chunk_document(doc, source=None, max_chars=self.settings.chunk_max_chars,
                                     min_chars=self.settings.chunk_min_chars))
        if not chunks:
            raise LoadError(f"{path.name}: no text found")
        vectors, sentence_vectors = embed_chunks(chunks, self.embedder)
        # Its sentences are read in their passage, like those of the shared index.
        self.vectors.preload(list(sentence_vectors), list(sentence_vectors.values()))
        self.sessions.add(session_id, chunks, vectors)
        all_chunks, vectors = self.sessions.chunks(session_id)
        with self._lock:
            self._session_sources[session_id] = IndexSource(
                lambda v, k, s=session_id: self.sessions.query(s, v, k), all_chunks, vectors)
        return len(chunks)

    def clear_session(self, session_id: str) -> None:
        self.sessions.clear(session_id)
        with self._lock:
            self._session_sources.pop(session_id, None)

    # --- what is indexed ----------------------------------------------------------------
    def indexed_sources(self) -> list[dict]:
        return [{"source_id": sid, **info} for sid, info in (self.manifest.get("sources") or {}).items()]

    def searched_summary(self) -> str:
        names, guide = [], 0
        for info in (self.manifest.get("sources") or {}).values():
            if info.get("origin") == "guide":
                guide += 1
            elif info.get("title") not in names:
                names.append(info.get("title"))
        parts = ([f"the plain-language guide ({guide} sections)"] if guide else []) + names
        return "; ".join(parts) or "nothing (the index is empty)"

    # --- the one entry point ---------------------------------------------------------
    def ask(self, question: str, audience: str | None = None, history: list[dict] | None = None,
            filters: Filters | None = None, session_id: str | None = None) -> Answer:
        began = time.perf_counter()
        answer, query, retrieved = self._extractive(question, audience, history, filters, session_id, began)
        if self.settings.llm and not answer.abstained:
            # Optional: a language model rewrites the answer; every sentence it writes is
            # checked against the passages it cites, and the extractive answer is the fallback.
            from assistant.llm.synthesis import synthesize

            answer = synthesize(self, query, retrieved, answer)
            answer.latency_ms = (time.perf_counter() - began) * 1000
        return answer

    def ask_stream(self, question: str, audience: str | None = None, history: list[dict] | None = None,
                   filters: Filters | None = None, session_id: str | None = None) -> Iterator[dict]:
        """For the chat app: {"type": "sentence", "markdown"} events as a language model writes
        (verified sentences only), then {"type": "answer", "answer"}; without a model, the answer alone."""
        began = time.perf_counter()
        answer, query, retrieved = self._extractive(question, audience, history, filters, session_id, began)
        if not self.settings.llm or answer.abstained:
            yield {"type": "answer", "answer": answer}
            return
        from assistant.llm.synthesis import stream_synthesis

        for event in stream_synthesis(self, query, retrieved, answer):
            if event["type"] == "answer":
                event["answer"].latency_ms = (time.perf_counter() - began) * 1000
            yield event

    def _extractive(self, question, audience, history, filters, session_id, began):
        """The extractive answer (or an abstention), with the query and passages behind it."""
        audience = audience if audience in templates.HEADING_ACTIONS and audience else None
        query = prepare(question, history, self.settings.max_question_chars)
        if self.settings.llm and query.is_follow_up and not query.problem:
            # With a model on, a follow-up is rewritten as a standalone question for search.
            from assistant.llm.synthesis import condense
            from assistant.query import expand

            query.search_text = expand(condense(self.settings, query.text, history))
        shown = question if isinstance(question, str) else ""
        if query.problem:
            what = {"length": len(shown), "limit": self.settings.max_question_chars}
            return self._abstain(shown[:self.settings.max_question_chars], audience, query.problem,
                                 templates.ABSTAIN[query.problem].format(**what), began), query, []
        if query.out_of_scope:
            text = templates.ABSTAIN["out_of_scope"].format(what=query.out_of_scope)
            return self._abstain(shown, audience, "out_of_scope", text, began, searched=True), query, []
        session_source = self._session_sources.get(session_id) if session_id else None  # read once: no race
        if not self.shared.size and session_source is None:
            return self._abstain(shown, audience, "no_index", templates.ABSTAIN["no_index"], began), query, []

        sources = [self.shared] + ([session_source] if session_source is not None else [])
        retriever = HybridRetriever(sources, self.embedder, candidate_k=self.settings.candidate_k,
                                    rrf_k=self.settings.rrf_k, hybrid=self.settings.hybrid,
                                    per_source=self.settings.per_source)
        # Dense search reads the question as asked; BM25 also gets the everyday-word expansions.
        dense_text = query.search_text if self.settings.expand_dense else query.context_text
        query_vec = self.embedder.embed([dense_text])[0]
        retrieved = retriever.retrieve(query.search_text, self.settings.retrieval_k, filters, query_vec)
        support = max((r.dense for r in retrieved[:3]), default=0.0)
        ranked = [_ranked(r) for r in retrieved]
        if support < self.settings.abstain_threshold:
            answer = self._abstain(shown, audience, "unsupported", templates.ABSTAIN["unsupported"], began,
                                   searched=True)
            answer.retrieved = ranked
            return answer, query, retrieved
        premise = any(cue in query.text.lower() for cue in PREMISE_CUES)
        # Sentences are scored against the question as asked (with the turn it follows),
        # without the search expansions, which help recall but blur precision.
        asked = query.context_text
        asked_vec = query_vec if dense_text == asked else self.embedder.embed([asked])[0]
        sentences, book = compose(
            retrieved, query_text=asked, query_vec=asked_vec, audience=audience,
            vectors=self.vectors, direct_k=self.settings.answer_sentences,
            sources_k=self.settings.source_sentences, lam=self.settings.mmr_lambda,
            floor=0.2, premise=premise)
        if not book.citations:
            answer = self._abstain(shown, audience, "unsupported", templates.ABSTAIN["unsupported"], began,
                                   searched=True)
            answer.retrieved = ranked
            return answer, query, retrieved
        as_of = max((c.as_of for c in book.citations if c.as_of), default=None)
        markdown = render(sentences, book, audience, as_of or "unknown")
        answer = Answer(question=shown, audience=audience, markdown=markdown, abstained=False,
                        citations=book.citations, sentences=sentences, as_of=as_of,
                        latency_ms=(time.perf_counter() - began) * 1000, retrieved=ranked)
        return answer, query, retrieved

    def _abstain(self, question: str, audience: str | None, reason: str, text: str, began: float,
                 searched: bool = False) -> Answer:
        parts = [text]
        if searched:
            parts.append(templates.SEARCHED.format(sources=self.searched_summary()))
            parts.append(templates.WHO_CAN_ANSWER.get(audience, templates.WHO_CAN_ANSWER[None]))
        as_of = self.index_as_of()
        parts.append(templates.ABSTAIN_DISCLAIMER.format(as_of=as_of or "unknown"))
        markdown = "\n\n".join(parts)
        return Answer(question=question, audience=audience, markdown=markdown, abstained=True,
                      sentences=[Sentence(p, None, "template") for p in parts], reason=reason,
                      as_of=as_of, latency_ms=(time.perf_counter() - began) * 1000)

    def index_as_of(self) -> str | None:
        """The newest as-of date among the indexed sources."""
        dates = [info.get("as_of") for info in (self.manifest.get("sources") or {}).values() if info.get("as_of")]
        return max(dates, default=None)


def _ranked(item: Retrieved) -> dict:
    c = item.chunk
    return {"chunk_id": c.id, "source_id": c.source_id, "pinpoint": c.pinpoint, "cites": c.cites,
            "origin": c.origin, "score": round(item.score, 5), "dense": round(item.dense, 4)}
