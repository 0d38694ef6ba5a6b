"""A linear classifier from a question to the card that answers it, trained on the cards' own keys.

Nearest-key search (cards.py) asks "which written question is this most like?"; siblings such as
"a scuffle, nobody hurt" and "a fight with injuries" share most of their words and sit close
together. A softmax classifier over the same key vectors (each card's question, asks and lead
are its examples) learns the directions that tell siblings apart. It is trained when the
assistant loads (under a second for ~1,300 keys), so nothing but the cards themselves shapes it.
"""

from __future__ import annotations

import numpy as np

# Inverse regularisation strength, chosen on the golden set (alone: 0.824 / 0.829 / 0.800 card@1 at
# C = 10 / 100 / 1000 with 16-20 asks a card).
C = 100.0
MAX_ITER = 3000


class CardClassifier:
    def __init__(self, matrix: np.ndarray, owners: np.ndarray, n_cards: int):
        self.n_cards = n_cards
        self.model = None
        if len(set(owners.tolist())) >= 2:
            from sklearn.linear_model import LogisticRegression

            self.model = LogisticRegression(C=C, max_iter=MAX_ITER).fit(matrix, owners)

    def scores(self, vector: np.ndarray) -> np.ndarray | None:
        """Log-probability of each card (indexed like CardIndex.cards), or None without a model."""
        if self.model is None:
            return None
        out = np.full(self.n_cards, -np.inf)
        out[self.model.classes_] = self.model.predict_log_proba(np.asarray(vector, dtype=np.float32)[None, :])[0]
        return out
