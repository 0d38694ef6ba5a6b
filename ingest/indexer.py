"""Indexer: chunks into the vector store, skipping what is stored, switching atomically."""

from __future__ import annotations

import hashlib
import secrets
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from assistant import cards, sentence_cache
from assistant.registry import Registry, load_registry
from assistant.sentences import quotable_sentences, quotable_spans
from assistant.settings import Settings
from ingest.chunker import chunk_document
from ingest.documents import ORIGIN_USER, Chunk, Document, LoadError
from ingest.fetched import load_fetched
from ingest.guide import load_guide
from ingest.index_lock import index_lock
from ingest.index_repair import prepare_data_dir, repair_index
from ingest.loaders import load_file
from ingest.mirror import load_mirror

EMBED_BATCH = 64  # chunks written to the store per step (the model batches by 16 inside)


@dataclass
class UserFile:
    path: Path
    source_id: str | None = None
    title: str | None = None


@dataclass
class IngestReport:
    collection: str = ""
    total: int = 0
    added: int = 0  # chunks embedded by this run
    kept: int = 0  # chunks carried over from the previous index
    removed: int = 0
    documents: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    changed: bool = False


def official_id(settings: Settings, source_id: str) -> bool:
    """Whether `source_id` names a source of the registry (an official text or the guide's)."""
    return load_registry(settings.registry_path).get(source_id) is not None


def collect_documents(settings: Settings, registry: Registry, user_files: Iterable[UserFile],
                      errors: list[str]) -> list[Document]:
    docs: list[Document] = []
    if settings.corpus_mirror and Path(settings.corpus_mirror).is_dir():
        docs.extend(load_mirror(Path(settings.corpus_mirror), registry, max_mb=settings.max_file_mb, errors=errors))
    docs.extend(load_fetched(settings, registry, errors))
    if Path(settings.guide_dir).is_dir():
        docs.extend(load_guide(Path(settings.guide_dir), registry, errors))
    for user in user_files:
        path = Path(user.path)
        if user.source_id and registry.get(user.source_id) is not None:
            # A user's file must never be cited as the official text (red team S10).
            errors.append(f"{path}: {user.source_id} is the id of an official source; choose another id")
            continue
        try:
            docs.append(load_file(path, source_id=user.source_id or f"user:{path.stem}",
                                  title=user.title or path.stem.replace("-", " ").replace("_", " "),
                                  max_mb=settings.max_file_mb, origin=ORIGIN_USER))
        except LoadError as exc:
            errors.append(str(exc))
        except Exception as exc:  # noqa: BLE001 - a bad file never aborts the batch (red-team U7)
            errors.append(f"{path}: could not be read ({type(exc).__name__})")
    return docs


def chunk_all(docs: list[Document], registry: Registry, settings: Settings,
              errors: list[str] | None = None) -> dict[str, Chunk]:
    chunks: dict[str, Chunk] = {}
    for doc in docs:
        source = registry.get(doc.source_id)
        try:
            found = list(chunk_document(doc, source=source, max_chars=settings.chunk_max_chars,
                                        min_chars=settings.chunk_min_chars))
        except Exception as exc:  # noqa: BLE001 - one document's failure is its own line, not the batch's
            if errors is None:
                raise
            errors.append(f"{doc.path or doc.source_id}: could not be split into passages ({type(exc).__name__})")
            continue
        for chunk in found:
            chunks.setdefault(chunk.id, chunk)
    return chunks


def build_index(settings: Settings, user_files: Iterable[UserFile] = (), *, embedder=None,
                progress: bool = True, store=None, rebuild: bool = False,
                on_wait: Callable[[str], None] | None = None) -> IngestReport:
    """Build or update the index, one writer at a time; a damaged index is moved aside first.
    `rebuild` embeds everything again into a new collection (the stored vectors and caches are
    not reused); user documents of the old index are kept, read from their stored text."""
    prepare_data_dir(settings)
    with index_lock(settings.data_dir, on_wait):
        repair = repair_index(settings)
        try:
            return _build(settings, list(user_files), embedder, progress,
                          repair.store if repair.moved or store is None else store, rebuild)
        finally:
            repair.store.close()  # whoever reads the index next opens it afresh


def ensure_index(settings: Settings, *, embedder=None, progress: bool = False,
                 on_wait: Callable[[str], None] | None = None) -> IngestReport | None:
    """At start: heal a damaged index and build one when none can serve; None when all was well."""
    prepare_data_dir(settings)
    with index_lock(settings.data_dir, on_wait):
        repair = repair_index(settings)
        try:
            return _build(settings, [], embedder, progress, repair.store, False) if repair.needs_build else None
        finally:
            repair.store.close()


def _build(settings: Settings, user_files: list[UserFile], embedder, progress: bool, store,
           rebuild: bool) -> IngestReport:
    from assistant.embeddings import embedder_for

    began = time.perf_counter()
    registry = load_registry(settings.registry_path)
    report = IngestReport()
    docs = collect_documents(settings, registry, user_files, report.errors)
    report.documents = len(docs)
    wanted = chunk_all(docs, registry, settings, report.errors)
    if user_files and not any(d.origin == ORIGIN_USER for d in docs):
        # Every named file failed: leave the index exactly as it was.
        report.seconds = time.perf_counter() - began
        return report

    active = store.active_name()
    if active not in store.collection_names():
        active = None  # named by the manifest but gone: build as if there were none
    active_ids: set[str] = set()
    if active:
        ids, stored = store.all_chunks(active)
        active_ids = set(ids)
        reloaded = {d.source_id for d in docs}
        for chunk_id, chunk in zip(ids, stored):
            # A user's document stays indexed until it is re-ingested or removed.
            if chunk.origin == ORIGIN_USER and chunk.source_id not in reloaded:
                wanted.setdefault(chunk_id, chunk)
    report.total = len(wanted)
    if rebuild:
        active, active_ids = None, set()  # nothing stored is reused
    if active and set(wanted) == active_ids:
        report.collection, report.kept = active, len(active_ids)
        _refresh_sentence_cache(settings, active, wanted, embedder)
        if any(c.is_card for c in wanted.values()):
            cards.build_keys(settings, active, wanted.values(), embedder)
        report.seconds = time.perf_counter() - began
        return report

    target = f"{settings.collection_prefix}-{_fingerprint(wanted)}"
    if rebuild:  # a name of its own: the old index answers until the new one is complete
        target = f"{target}-{secrets.token_hex(4)}"
    already = store.ids(target)  # a run that died half-way left these: resume
    to_copy = [i for i in wanted if i in active_ids and i not in already]
    to_embed = [wanted[i] for i in wanted if i not in active_ids and i not in already]
    if to_copy:
        store.copy(active, target, to_copy)
    embedder = embedder or embedder_for(settings)
    in_context = _embed_into(store, target, to_embed, embedder, progress)
    if store.ids(target) != set(wanted):
        raise RuntimeError(f"index {target} is incomplete; the previous index still answers")
    # A card is shown by paragraph, never picked sentence by sentence: its sentences need no vectors.
    sentences = [s for chunk in wanted.values() if not chunk.is_card for s in quotable_sentences(chunk.text)]
    sentence_cache.build(settings, target, sentences, embedder, active, in_context)
    cards.build_keys(settings, target, wanted.values(), embedder, active)

    store.write_manifest(_manifest(target, wanted, docs, embedder))
    for name in store.collection_names():
        if name.startswith(f"{settings.collection_prefix}-") and name != target:
            store.drop(name)
            sentence_cache.path_for(settings, name).unlink(missing_ok=True)
            cards.path_for(settings, name).unlink(missing_ok=True)
            cards.classifier_path(settings, name).unlink(missing_ok=True)
    report.collection, report.added = target, len(to_embed)
    report.kept = len(wanted) - len(to_embed)
    report.removed = len(active_ids - set(wanted))
    report.changed = True
    report.seconds = time.perf_counter() - began
    return report


def _refresh_sentence_cache(settings: Settings, collection: str, chunks: dict[str, Chunk], embedder) -> None:
    """Same chunks, but the cache lacks some quotable sentences (a code change, or a cache from an
    older version): read the chunks that hold them through the model again."""
    sentences = {s for chunk in chunks.values() if not chunk.is_card for s in quotable_sentences(chunk.text)}
    path = sentence_cache.path_for(settings, collection)
    cached, _ = sentence_cache.load(path)
    missing = sentences - set(cached)
    if missing or not path.is_file():  # an absent file, even of no sentences, makes each start check again
        from assistant.embeddings import embedder_for

        embedder = embedder or embedder_for(settings)
        holders = [c for c in chunks.values() if missing.intersection(quotable_sentences(c.text))]
        fresh: dict = {}
        for i in range(0, len(holders), EMBED_BATCH):
            fresh.update(embed_chunks(holders[i:i + EMBED_BATCH], embedder)[1])
        sentence_cache.build(settings, collection, sorted(sentences), embedder, collection, fresh)


def embed_chunks(chunks: list[Chunk], embedder):
    """One pass through the model: each chunk's vector, and a vector for each of its quotable
    sentences read in its passage ({sentence: vector}; a sentence past the token limit is left out)."""
    spans = [quotable_spans(c.text) for c in chunks]
    # The chunk text ends its search text (after the heading context), so offsets shift by the rest.
    shifted = [[(lo + len(c.search_text) - len(c.text), hi + len(c.search_text) - len(c.text))
                for lo, hi in sp] for c, sp in zip(chunks, spans)]
    vectors, in_context = embedder.embed_passages([c.search_text for c in chunks], shifted)
    sentence_vectors: dict = {}
    for chunk, sp, found in zip(chunks, spans, in_context):
        for (lo, hi), vector in zip(sp, found):
            if vector is not None:
                sentence_vectors.setdefault(chunk.text[lo:hi], vector)
    return vectors, sentence_vectors


def _embed_into(store, target: str, chunks: list[Chunk], embedder, progress: bool) -> dict:
    """Store each chunk's vector; return the vectors of its quotable sentences, read in context."""
    sentence_vectors: dict = {}
    if not chunks:
        store.collection(target, create=True)
        return sentence_vectors
    # Batches of similar length waste less time on padding.
    chunks = sorted(chunks, key=lambda c: (len(c.search_text), c.id))
    from tqdm import tqdm

    bar = tqdm(total=len(chunks), desc="Embedding chunks", unit="chunk", file=sys.stderr,
               disable=not progress)
    for i in range(0, len(chunks), EMBED_BATCH):
        part = chunks[i:i + EMBED_BATCH]
        vectors, found = embed_chunks(part, embedder)
        store.add(target, part, vectors)
        for text, vector in found.items():
            sentence_vectors.setdefault(text, vector)
        bar.update(len(part))
    bar.close()
    return sentence_vectors


def _fingerprint(chunks: dict[str, Chunk]) -> str:
    digest = hashlib.sha256("\n".join(sorted(chunks)).encode()).hexdigest()
    return digest[:16]


def _manifest(collection: str, chunks: dict[str, Chunk], docs: list[Document], embedder) -> dict:
    sources: dict[str, dict] = {}
    for chunk in chunks.values():
        entry = sources.setdefault(chunk.source_id, {
            "title": chunk.title, "origin": chunk.origin, "kind": chunk.doc_kind,
            "as_of": chunk.as_of, "url": chunk.url, "chunks": 0})
        entry["chunks"] += 1
    for doc in docs:
        if doc.source_id in sources:
            sources[doc.source_id]["sha256"] = doc.sha256
    return {
        "collection": collection,
        "built": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "embedding_model": embedder.name,
        "chunks": len(chunks),
        "sources": dict(sorted(sources.items())),
    }
