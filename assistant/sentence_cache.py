"""Sentence vectors saved beside the index, so a cold start does not embed every sentence again."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from assistant.settings import Settings


# What the vectors are: read in their passage (this version) rather than embedded one by one
# (older caches, which are rebuilt rather than mixed in).
KIND = "in-passage-1"


def path_for(settings: Settings, collection: str) -> Path:
    return settings.data_dir / f"sentences-{collection}.npz"


def load(path: Path) -> tuple[list[str], np.ndarray]:
    if not path.exists():
        return [], np.zeros((0, 0), dtype=np.float32)
    try:
        with np.load(path, allow_pickle=False) as data:
            if "kind" not in data.files or str(data["kind"]) != KIND:
                return [], np.zeros((0, 0), dtype=np.float32)
            return [str(t) for t in data["texts"]], data["vectors"].astype(np.float32)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        # A damaged cache (a cut-off zip is BadZipFile) is rebuilt lazily; at start,
        # ingest/index_repair.py moves it aside and has it rebuilt at once.
        return [], np.zeros((0, 0), dtype=np.float32)


def save(path: Path, texts: list[str], vectors: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".sentences-", suffix=".npz")
    os.close(fd)
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, texts=np.array(texts, dtype=str), vectors=vectors.astype(np.float32), kind=np.array(KIND))
        os.replace(tmp, path)
    except BaseException:
        # A full disk (red team D12) or an interrupt: the half-written temp file must not stay behind.
        Path(tmp).unlink(missing_ok=True)
        raise


def build(settings: Settings, collection: str, texts: list[str], embedder, previous: str | None,
          fresh: dict[str, np.ndarray] | None = None) -> None:
    """Save this index's cache: `fresh` vectors (read in their passage during this ingest), then
    the previous index's cache, and only the sentences still missing (past the model's token
    limit) embedded on their own."""
    known: dict[str, np.ndarray] = {}
    if previous:
        old_texts, old_vectors = load(path_for(settings, previous))
        known = dict(zip(old_texts, old_vectors))
    known.update(fresh or {})
    texts = list(dict.fromkeys(texts))
    missing = [t for t in texts if t not in known]
    if missing:
        known.update(zip(missing, embedder.embed(missing)))
    vectors = np.stack([known[t] for t in texts]) if texts else np.zeros((0, embedder.dimension), np.float32)
    save(path_for(settings, collection), texts, vectors)
