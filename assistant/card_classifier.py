"""A linear classifier from a question to the card that answers it, trained on the cards' own keys.

Nearest-key search (cards.py) asks "which written question is this most like?"; siblings such as
"a scuffle, nobody hurt" and "a fight with injuries" share most of their words and sit close
together. A softmax classifier over the same key vectors (each card's question, asks and lead
are its examples) learns the directions that tell siblings apart. It is trained when the
assistant loads (under a second for ~1,300 keys), so nothing but the cards themselves shapes it.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np

# Inverse regularisation strength, chosen on the golden set (alone: 0.824 / 0.829 / 0.800 card@1 at
# C = 10 / 100 / 1000 with 16-20 asks a card).
C = 100.0
MAX_ITER = 3000


class CardClassifier:
    """Trained once per index: the weights are saved beside it (`cache`) and read back at the next
    start while the keys are unchanged, since training on ~3,000 keys takes seconds."""

    def __init__(self, matrix: np.ndarray, owners: np.ndarray, n_cards: int, cache: Path | None = None):
        self.n_cards = n_cards
        self.weights: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # coef, intercept, classes
        if len(set(owners.tolist())) < 2:
            return
        digest = _digest(matrix, owners)
        self.weights = _read(cache, digest) if cache else None
        if self.weights is None:
            from sklearn.linear_model import LogisticRegression

            model = LogisticRegression(C=C, max_iter=MAX_ITER).fit(matrix, owners)
            self.weights = (model.coef_.astype(np.float64), model.intercept_.astype(np.float64), model.classes_)
            if cache:
                _write(cache, digest, self.weights)

    def scores(self, vector: np.ndarray) -> np.ndarray | None:
        """Log-probability of each card (indexed like CardIndex.cards), or None without a model."""
        if self.weights is None:
            return None
        coef, intercept, classes = self.weights
        logits = coef @ np.asarray(vector, dtype=np.float64) + intercept
        if len(logits) == 1:  # two cards: sklearn keeps one row for the second class
            logits = np.array([0.0, logits[0]])
        logits = logits - logits.max()
        out = np.full(self.n_cards, -np.inf)
        out[classes] = logits - np.log(np.exp(logits).sum())
        return out


def _digest(matrix: np.ndarray, owners: np.ndarray) -> str:
    h = hashlib.sha256(np.ascontiguousarray(matrix, dtype=np.float32).tobytes())
    h.update(np.ascontiguousarray(owners, dtype=np.int64).tobytes())
    h.update(f"C={C};max_iter={MAX_ITER}".encode())
    return h.hexdigest()


def _read(path: Path, digest: str):
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["digest"]) != digest:
                return None
            return data["coef"], data["intercept"], data["classes"]
    except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):  # missing or damaged: retrain
        return None


def _write(path: Path, digest: str, weights) -> None:
    coef, intercept, classes = weights
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_suffix(".tmp.npz")
        np.savez(temp, digest=np.array(digest), coef=coef, intercept=intercept, classes=classes)
        os.replace(temp, path)
    except OSError:  # a read-only data folder only costs the next start its training time
        pass
