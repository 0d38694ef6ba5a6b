"""The vector store: the only module that imports chromadb.

An index is a Chroma collection plus a manifest (data_dir/manifest.json) naming the
collection that answers. Rebuilds write a new collection and switch the manifest only
once it is complete, so a crash mid-ingest leaves the previous index answering.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import chromadb
from chromadb.api.types import EmbeddingFunction
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaError

from assistant.settings import Settings
from ingest.documents import Chunk

ADD_BATCH = 256


class _RefuseToEmbed(EmbeddingFunction):
    """Chroma must never embed on its own: its default function downloads a model."""

    def __init__(self) -> None:
        pass

    def __call__(self, input):  # noqa: A002 - chromadb's signature
        raise RuntimeError("embeddings are computed by the assistant, not by Chroma")

    @staticmethod
    def name() -> str:
        return "sro-assistant-precomputed"

    def get_config(self) -> dict:
        return {}

    @staticmethod
    def build_from_config(config: dict) -> "_RefuseToEmbed":
        return _RefuseToEmbed()


class StoreUnreadable(RuntimeError):
    """The Chroma database cannot be opened or read: damaged, or not a database at all."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason  # Chroma's own words, for a repair's log line


def parse_manifest(raw: bytes) -> dict | None:
    """The manifest's content, or None when the bytes are not a manifest: not UTF-8, not JSON, or
    JSON of another shape (`[1]`, a number for the collection). Red-team D5 crashed on each."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("collection"), str) or not data["collection"]:
        return None
    sources = data.get("sources", {})
    if not isinstance(sources, dict) or not all(isinstance(info, dict) for info in sources.values()):
        return None
    return data


@dataclass
class Hit:
    chunk: Chunk
    score: float  # cosine similarity, -1..1


def make_client(settings: Settings):
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(host=url.hostname or "127.0.0.1", port=url.port or 8000,
                                   ssl=url.scheme == "https", settings=chroma_settings)
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)
    except ChromaError as exc:
        raise StoreUnreadable(f"{settings.chroma_dir}: the index database cannot be opened ({exc}); "
                              "run `sro-assistant ingest` to rebuild it", str(exc)) from None


class VectorStore:
    def __init__(self, settings: Settings, client=None):
        self.settings = settings
        self.client = client or make_client(settings)

    # --- the manifest: which collection answers --------------------------------------
    def read_manifest(self) -> dict | None:
        """None when there is no usable manifest (missing, a folder, damaged): the index is then
        rebuilt by whoever may write (see ingest/index_repair.py), never read half-way."""
        try:
            raw = self.settings.manifest_path.read_bytes()
        except OSError:
            return None
        return parse_manifest(raw)

    def write_manifest(self, manifest: dict) -> None:
        path = self.settings.manifest_path
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".manifest-", suffix=".json")
        with os.fdopen(fd, "w") as fh:
            json.dump(manifest, fh, indent=2, sort_keys=True)
        os.replace(tmp, path)  # atomic: readers see the old or the new manifest, never half

    def active_name(self) -> str | None:
        manifest = self.read_manifest()
        return manifest.get("collection") if manifest else None

    # --- collections ------------------------------------------------------------------
    def collection(self, name: str, create: bool = False):
        if create:
            return self.client.get_or_create_collection(
                name, embedding_function=_RefuseToEmbed(), metadata={"hnsw:space": "cosine"})
        return self.client.get_collection(name, embedding_function=_RefuseToEmbed())

    def collection_names(self) -> list[str]:
        return [c if isinstance(c, str) else c.name for c in self.client.list_collections()]

    def check(self, name: str | None) -> None:
        """Raise StoreUnreadable unless the database lists its collections and `name`, when it is
        one of them, can be read. A database cut in half still opens, and fails only here."""
        try:
            names = self.collection_names()
            if name and name in names:
                col = self.collection(name)
                col.count()
                col.get(limit=1, include=["documents", "metadatas", "embeddings"])
        except ChromaError as exc:
            raise StoreUnreadable(f"{self.settings.chroma_dir}: the index cannot be read ({exc}); "
                                  "run `sro-assistant ingest` to rebuild it", str(exc)) from None

    def close(self) -> None:
        """Let go of the database files, so a damaged store can be moved aside and opened anew."""
        close = getattr(self.client, "close", None)
        if close is not None:
            close()

    def drop(self, name: str) -> None:
        if name in self.collection_names():
            self.client.delete_collection(name)

    def ids(self, name: str) -> set[str]:
        if name not in self.collection_names():
            return set()
        got = self.collection(name).get(include=[])
        return set(got["ids"])

    def add(self, name: str, chunks: list[Chunk], embeddings) -> None:
        col = self.collection(name, create=True)
        for i in range(0, len(chunks), ADD_BATCH):
            part = chunks[i:i + ADD_BATCH]
            col.upsert(ids=[c.id for c in part], documents=[c.text for c in part],
                       metadatas=[c.to_metadata() for c in part],
                       embeddings=[list(map(float, e)) for e in embeddings[i:i + ADD_BATCH]])

    def copy(self, source: str, target: str, ids: Iterable[str]) -> int:
        """Copy stored chunks with their embeddings, so unchanged text is not embedded again."""
        ids = list(ids)
        src, dst = self.collection(source), self.collection(target, create=True)
        for i in range(0, len(ids), ADD_BATCH):
            got = src.get(ids=ids[i:i + ADD_BATCH], include=["documents", "metadatas", "embeddings"])
            if got["ids"]:
                dst.upsert(ids=got["ids"], documents=got["documents"], metadatas=got["metadatas"],
                           embeddings=[list(map(float, e)) for e in got["embeddings"]])
        return len(ids)

    def all_chunks(self, name: str) -> tuple[list[str], list[Chunk]]:
        got = self.collection(name).get(include=["documents", "metadatas"])
        chunks = [Chunk.from_metadata(doc, meta) for doc, meta in zip(got["documents"], got["metadatas"])]
        return got["ids"], chunks

    def all_embeddings(self, name: str) -> dict[str, list[float]]:
        got = self.collection(name).get(include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"]))

    def query(self, name: str, embedding, k: int, where: dict | None = None) -> list[Hit]:
        col = self.collection(name)
        count = col.count()
        if count == 0:
            return []
        res = col.query(query_embeddings=[list(map(float, embedding))], n_results=min(k, count),
                        where=where or None, include=["documents", "metadatas", "distances"])
        return [Hit(Chunk.from_metadata(doc, meta), 1.0 - float(dist))
                for doc, meta, dist in zip(res["documents"][0], res["metadatas"][0], res["distances"][0])]


EVICTED_KEPT = 10_000  # sessions remembered as evicted until they come back (a few hundred KB)


class SessionStore:
    """Per-browser-session collections for uploaded documents, in memory only.

    They live in their own ephemeral Chroma client, so an upload can never reach the
    shared index on disk; the oldest sessions are dropped past `max_sessions`.
    """

    def __init__(self, max_sessions: int = 64):
        self.client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.max_sessions = max_sessions
        self.order: list[str] = []
        self.owners: dict[str, str] = {}  # collection name -> the session id it belongs to
        # Sessions whose documents were dropped to make room, oldest first: each is told once (U17).
        self.evicted: dict[str, None] = {}

    @staticmethod
    def _name(session_id: str) -> str:
        safe = "".join(ch for ch in session_id if ch.isalnum())[:40] or "anon"
        return f"session-{safe}"

    def add(self, session_id: str, chunks: list[Chunk], embeddings) -> None:
        name = self._name(session_id)
        col = self.client.get_or_create_collection(name, embedding_function=_RefuseToEmbed(),
                                                   metadata={"hnsw:space": "cosine"})
        col.upsert(ids=[c.id for c in chunks], documents=[c.text for c in chunks],
                   metadatas=[c.to_metadata() for c in chunks],
                   embeddings=[list(map(float, e)) for e in embeddings])
        if name in self.order:
            self.order.remove(name)
        self.order.append(name)
        self.owners[name] = session_id
        while len(self.order) > self.max_sessions:
            gone = self.order.pop(0)
            self.client.delete_collection(gone)
            owner = self.owners.pop(gone, None)
            if owner is not None:
                self.evicted[owner] = None
        while len(self.evicted) > EVICTED_KEPT:
            self.evicted.pop(next(iter(self.evicted)))

    def take_eviction(self, session_id: str) -> bool:
        """True once if this session's documents were dropped to make room for newer sessions."""
        return self.evicted.pop(session_id, False) is None

    def chunks(self, session_id: str) -> tuple[list[Chunk], dict[str, list[float]]]:
        name = self._name(session_id)
        if name not in self.order:
            return [], {}
        got = self.client.get_collection(name, embedding_function=_RefuseToEmbed()).get(
            include=["documents", "metadatas", "embeddings"])
        chunks = [Chunk.from_metadata(d, m) for d, m in zip(got["documents"], got["metadatas"])]
        return chunks, dict(zip(got["ids"], got["embeddings"]))

    def query(self, session_id: str, embedding, k: int) -> list[Hit]:
        name = self._name(session_id)
        if name not in self.order:
            return []
        col = self.client.get_collection(name, embedding_function=_RefuseToEmbed())
        res = col.query(query_embeddings=[list(map(float, embedding))], n_results=min(k, col.count()),
                        include=["documents", "metadatas", "distances"])
        return [Hit(Chunk.from_metadata(d, m), 1.0 - float(dist))
                for d, m, dist in zip(res["documents"][0], res["metadatas"][0], res["distances"][0])]

    def clear(self, session_id: str) -> None:
        name = self._name(session_id)
        self.evicted.pop(session_id, None)
        self.owners.pop(name, None)
        if name in self.order:
            self.order.remove(name)
            self.client.delete_collection(name)
