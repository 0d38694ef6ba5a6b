"""The Assistant: the one entry point every interface calls (`Assistant.ask`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

from assistant import cards, sentence_cache, templates
from assistant.agreement_review import AgreementReviewer, Review
from assistant.answer import Answer, Sentence
from assistant.card_answer import compose_card, compose_passage
from assistant.cards import CardHit, CardIndex
from assistant.compose import SentenceVectors, bound_quotes
from assistant.embeddings import embedder_for
from assistant.layout import render_card, render_passage, render_suggestions
from assistant.query import prepare
from assistant.registry import load_registry
from assistant.retrieval import Filters, HybridRetriever, IndexSource, Retrieved
from assistant.settings import Settings
from assistant.store import SessionStore, VectorStore
from assistant.uploads import Progress, embed_in_batches, upload_chunks
from ingest.documents import ORIGIN_OFFICIAL, ORIGIN_USER

SUGGESTIONS = 3  # nearest answerable questions offered when the assistant abstains
USER_MARGIN = 0.05  # a session's upload answers when its passage is about as close as the best card
PREMISE_CUES = ("since ", "because ", "isn't it", "isnt it", "i heard", "i was told", "right?",
                "doesn't ", "don't they", "aren't they", "everyone knows", "obviously")


class Assistant:
    def __init__(self, settings: Settings, store: VectorStore, embedder, collection: str | None):
        self.settings, self.store, self.embedder, self.collection = settings, store, embedder, collection
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
        self.official = [c for c in chunks if c.origin == ORIGIN_OFFICIAL]
        keys = cards.build_keys(settings, collection, chunks, embedder) if collection else {}
        self.cards = CardIndex(chunks, keys, bm25_weight=settings.card_bm25_weight,
                               classifier_weight=settings.card_classifier_weight,
                               key_weight=settings.card_key_weight, body_weight=settings.card_body_weight,
                               classifier_cache=cards.classifier_path(settings, collection) if collection else None)
        self._lock = threading.Lock()
        self._reviewer = AgreementReviewer(embedder)

    @classmethod
    def load(cls, settings: Settings | None = None, *, build_if_missing: bool = False,
             progress: bool = False) -> "Assistant":
        settings = settings or Settings()
        embedder = embedder_for(settings)
        if build_if_missing:
            from ingest.indexer import ensure_index

            # Moves a damaged manifest, database or cache aside first, then builds what is missing.
            ensure_index(settings, embedder=embedder, progress=progress)
        store = VectorStore(settings)
        collection = store.active_name()
        if collection is not None and collection not in store.collection_names():
            collection = None
        store.check(collection)  # StoreUnreadable, one line, rather than Chroma's error mid-load
        return cls(settings, store, embedder, collection)

    # --- uploads for one browser session ---------------------------------------------
    def add_upload(self, session_id: str, path: Path, title: str | None = None,
                   progress: Progress | None = None) -> int:
        """Index a user's file for this session only; raises LoadError with a one-line reason.
        `progress(done, total)` is called after each batch of passages is embedded."""
        chunks = upload_chunks(Path(path), title, self.settings)
        vectors, sentence_vectors = embed_in_batches(chunks, self.embedder, self.settings.upload_batch, progress)
        # Its sentences are read in their passage, like those of the shared index.
        self.vectors.preload(list(sentence_vectors), list(sentence_vectors.values()))
        self.sessions.add(session_id, chunks, vectors)
        all_chunks, vectors = self.sessions.chunks(session_id)
        with self._lock:
            self._session_sources[session_id] = IndexSource(
                lambda v, k, s=session_id: self.sessions.query(s, v, k), all_chunks, vectors)
            for gone in list(self.sessions.evicted):  # dropped to make room: their search index goes too
                self._session_sources.pop(gone, None)
        return len(chunks)

    def _note_eviction(self, answer: Answer, session_id) -> Answer:
        """A session whose documents were dropped for newer sessions is told so, once (red team U17)."""
        if isinstance(session_id, str) and self.sessions.take_eviction(session_id):
            answer.markdown = f"{templates.UPLOADS_EVICTED}\n\n{answer.markdown}"
        return answer

    # --- reviewing a district's SRO agreement ----------------------------------------
    def review_agreement(self, path: Path, title: str | None = None) -> Review:
        """Check an agreement against the checklist; read for this review only, never indexed."""
        return self._reviewer.review_file(Path(path), self.settings, title)

    def read_clauses(self, clauses: list[tuple[str, str]]) -> list[tuple[bool, bool, bool]]:
        """(element id, clause) pairs, each read alone as the review would: (pattern, similarity, stance model)."""
        return self._reviewer.read_clauses(clauses, self.settings)

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

            answer = synthesize(self, query, retrieved, answer, settings=self._llm_budget(began))
            answer.latency_ms = (time.perf_counter() - began) * 1000
        return self._note_eviction(answer, session_id)

    def ask_stream(self, question: str, audience: str | None = None, history: list[dict] | None = None,
                   filters: Filters | None = None, session_id: str | None = None) -> Iterator[dict]:
        """For the chat app: {"type": "sentence", "markdown"} events as a language model writes
        (verified sentences only), then {"type": "answer", "answer"}; without a model, the answer alone."""
        began = time.perf_counter()
        answer, query, retrieved = self._extractive(question, audience, history, filters, session_id, began)
        if not self.settings.llm or answer.abstained:
            yield {"type": "answer", "answer": self._note_eviction(answer, session_id)}
            return
        from assistant.llm.synthesis import stream_synthesis

        for event in stream_synthesis(self, query, retrieved, answer, settings=self._llm_budget(began)):
            if event["type"] == "answer":
                event["answer"].latency_ms = (time.perf_counter() - began) * 1000
                self._note_eviction(event["answer"], session_id)
            yield event

    def _llm_budget(self, began: float) -> Settings:
        """What is left of the answer's one model deadline after a follow-up's rewrite used its share
        (red team LLM8: a total deadline per answer, not one per call)."""
        left = self.settings.llm_timeout_s - (time.perf_counter() - began)
        return self.settings.model_copy(update={"llm_timeout_s": max(left, 0.0)})

    def _extractive(self, question, audience, history, filters, session_id, began):
        """The extractive answer (or an abstention), with the query and passages behind it."""
        # Anything but a known audience is no audience; a list here used to raise TypeError (Q21, Q25).
        audience = audience if isinstance(audience, str) and audience in templates.HEADING_ACTIONS else None
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
        known = isinstance(session_id, str) and session_id
        session_source = self._session_sources.get(session_id) if known else None  # read once: no race
        if not self.shared.size and session_source is None:
            return self._abstain(shown, audience, "no_index", templates.ABSTAIN["no_index"], began), query, []

        # Cards are matched on the question as asked (with the turn it follows): their `asks` already
        # hold the everyday wordings. BM25 also gets the search expansions.
        asked = query.context_text
        alone = query.is_follow_up and query.text != asked
        texts = [asked, query.search_text] + ([query.text] if alone else [])
        embedded = list(self.embedder.embed(texts))
        asked_vec, expanded_vec, question_vecs = embedded[0], embedded[1], [embedded[0]] + embedded[2:]
        hits = self.cards.search(query.search_text, question_vecs, k=self.settings.related_questions + 6,
                                 expanded=expanded_vec, body_vectors=self.shared.vectors)
        if filters is not None:  # e.g. official text only: no card then
            hits = [h for h in hits if filters.allows(h.chunk)]
        # How close the guide comes to the question at all: the best key cosine among the cards found,
        # whatever order the fused score put them in.
        card_support = max((h.dense for h in hits), default=0.0)
        passages: list[Retrieved] = []
        if card_support < self.settings.card_threshold or session_source is not None:
            passages = self._passages(query, asked_vec, expanded_vec, filters, session_source)
        # A reader who uploaded their district's document is most likely asking about it: its best
        # passage answers when it is about as close as the best official one and the best card.
        own = sorted((r for r in passages if r.chunk.origin == ORIGIN_USER), key=lambda r: -r.dense)[:1]
        passage_support = max([r.dense for r in passages[:3]] + [r.dense for r in own], default=0.0)
        own = [r for r in own if r.dense >= passage_support - USER_MARGIN]
        best_passage = own[0] if own else (passages[0] if passages else None)
        user_first = bool(own) and own[0].dense >= card_support - USER_MARGIN
        retrieved = [_as_retrieved(h) for h in hits] + passages
        ranked = [_ranked(r) for r in retrieved]

        if hits and card_support >= self.settings.card_threshold and not user_first:
            composed = compose_card(
                hits, shown=self._shown_cards(hits), audience=audience, question_vec=asked_vec, question=asked,
                official=self.official, official_vectors=self.shared.vectors, vectors=self.vectors,
                related_k=self.settings.related_questions, related_floor=self.settings.related_floor,
                same_question=self.cards.same_question)
            render = render_card
        elif best_passage is not None and passage_support >= self.settings.abstain_threshold:
            composed = compose_passage(best_passage, question=asked, question_vec=asked_vec, vectors=self.vectors)
            render = render_passage
        else:
            composed = None
        if composed is None or not composed.book.citations:
            answer = self._abstain(shown, audience, "unsupported", templates.ABSTAIN["unsupported"], began,
                                   searched=True, suggestions=hits)
            answer.retrieved, answer.cards = ranked, [h.card_id for h in hits]
            return answer, query, retrieved
        if any(cue in query.text.lower() for cue in PREMISE_CUES):
            composed.sentences.append(Sentence(templates.PREMISE_NOTE, None, "template"))
        bound_quotes(composed.sentences + composed.more, composed.book)
        as_of = max((c.as_of for c in composed.book.citations if c.as_of), default=None)
        markdown, more = render(composed, audience, as_of or self.index_as_of() or "unknown")
        answer = Answer(question=shown, audience=audience, markdown=markdown, abstained=False,
                        citations=composed.book.citations, sentences=composed.sentences + composed.more,
                        as_of=as_of, latency_ms=(time.perf_counter() - began) * 1000, retrieved=ranked,
                        more=more, cards=[h.card_id for h in hits],
                        related=[_offer(h) for h in composed.related])
        return answer, query, retrieved

    def _shown_cards(self, hits: list[CardHit]) -> int:
        """Two leads when the second card is as close as the first (a scuffle vs a fight with
        injuries): each is shown under its own question rather than blended."""
        if len(hits) < 2 or hits[1].dense < self.settings.card_threshold \
                or self.cards.same_question(hits[0].chunk, hits[1].chunk):
            return 1
        close_keys = abs(hits[0].dense - hits[1].dense) < self.settings.second_card_margin
        # The classifier hesitating between the two says the same from the other side.
        close_learned = hits[0].learned > 0 and hits[1].learned >= self.settings.second_card_ratio * hits[0].learned
        return 2 if close_keys or close_learned else 1

    def _passages(self, query, asked_vec, expanded_vec, filters, session_source) -> list[Retrieved]:
        """Official text and the session's uploads (not the guide: cards answer for it)."""
        sources = [self.shared] + ([session_source] if session_source is not None else [])
        retriever = HybridRetriever(sources, self.embedder, candidate_k=self.settings.candidate_k,
                                    rrf_k=self.settings.rrf_k, hybrid=self.settings.hybrid,
                                    per_source=self.settings.per_source)
        filters = filters or Filters()
        wanted = Filters(kinds=filters.kinds, origins=filters.origins or [ORIGIN_OFFICIAL, ORIGIN_USER],
                         jurisdiction=filters.jurisdiction, as_of_before=filters.as_of_before)
        vec = expanded_vec if self.settings.expand_dense else asked_vec
        return retriever.retrieve(query.search_text, self.settings.retrieval_k, wanted, vec)

    def _abstain(self, question: str, audience: str | None, reason: str, text: str, began: float,
                 searched: bool = False, suggestions: list[CardHit] = ()) -> Answer:
        parts = [text]
        # The nearest questions the guide does answer, offered as clickable suggestions.
        offers = [h for h in suggestions if h.dense >= self.settings.related_floor][:SUGGESTIONS]
        if offers:
            parts.append(render_suggestions([h.chunk.section for h in offers]))
        if searched:
            parts.append(templates.SEARCHED.format(sources=self.searched_summary()))
            parts.append(templates.WHO_CAN_ANSWER.get(audience, templates.WHO_CAN_ANSWER[None]))
        as_of = self.index_as_of()
        parts.append(templates.ABSTAIN_DISCLAIMER.format(as_of=as_of or "unknown"))
        markdown = "\n\n".join(parts)
        return Answer(question=question, audience=audience, markdown=markdown, abstained=True,
                      sentences=[Sentence(p, None, "template") for p in parts], reason=reason,
                      as_of=as_of, latency_ms=(time.perf_counter() - began) * 1000,
                      suggestions=[_offer(h) for h in offers])

    def index_as_of(self) -> str | None:
        """The newest as-of date among the indexed sources."""
        dates = [info.get("as_of") for info in (self.manifest.get("sources") or {}).values() if info.get("as_of")]
        return max(dates, default=None)


def _as_retrieved(hit: CardHit) -> Retrieved:
    return Retrieved(hit.chunk, hit.score, dense=hit.dense)


def _offer(hit: CardHit) -> dict:
    return {"question": hit.chunk.section, "card": hit.card_id}


def _ranked(item: Retrieved) -> dict:
    c = item.chunk
    return {"chunk_id": c.id, "source_id": c.source_id, "pinpoint": c.pinpoint, "cites": c.cites,
            "origin": c.origin, "score": round(item.score, 5), "dense": round(item.dense, 4)}
