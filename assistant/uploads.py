"""A chat user's upload made ready for that session's search: read, capped, chunked, embedded.

The embedding goes one small batch at a time (settings.upload_batch passages). Each batch is one
turn at the shared model, so other users' questions go in between (see model_gate.py) and the
token matrices of only one batch are in memory at once. The caps refuse, with a message that
names the limit, a document that would hold the model for minutes (red-team U19).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.settings import Settings
from ingest.chunker import chunk_document
from ingest.documents import Chunk, LoadError
from ingest.indexer import embed_chunks
from ingest.loaders import load_file

Progress = Callable[[int, int], None]  # (passages embedded so far, passages in all)


def upload_chunks(path: Path, title: str | None, settings: Settings) -> list[Chunk]:
    """The passages of one uploaded file, each once; raises LoadError with a one-line reason."""
    path = Path(path)
    doc = load_file(path, source_id=f"user:{path.stem}", title=title or path.stem, max_mb=settings.upload_max_mb)
    if len(doc.text) > settings.upload_max_chars:
        raise LoadError(f"{path.name}: too much text ({len(doc.text):,} characters; the limit is "
                        f"{settings.upload_max_chars:,}); upload only the part you need")
    chunks: dict[str, Chunk] = {}
    for chunk in chunk_document(doc, source=None, max_chars=settings.chunk_max_chars,
                                min_chars=settings.chunk_min_chars):
        # A repeated page gives passages with the same content id; the store takes each id once.
        chunks.setdefault(chunk.id, chunk)
        if len(chunks) > settings.upload_max_chunks:
            raise LoadError(f"{path.name}: too long (more than {settings.upload_max_chunks:,} passages); "
                            "upload only the part you need")
    if not chunks:
        raise LoadError(f"{path.name}: no text found")
    return list(chunks.values())


def embed_in_batches(chunks: list[Chunk], embedder, batch: int,
                     progress: Progress | None = None) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Each chunk's vector and its sentences' vectors, `batch` chunks per model turn."""
    batch = max(1, batch)
    vectors: list[np.ndarray] = []
    sentence_vectors: dict[str, np.ndarray] = {}
    for start in range(0, len(chunks), batch):
        part_vectors, found = embed_chunks(chunks[start:start + batch], embedder)
        vectors.append(part_vectors)
        for text, vector in found.items():
            sentence_vectors.setdefault(text, vector)
        if progress is not None:
            progress(min(start + batch, len(chunks)), len(chunks))
    return np.concatenate(vectors), sentence_vectors
