"""The third reading of "check": a stance model learned from labelled clauses.

Wording patterns catch the drafting habits someone thought to write down; on agreements they had
never seen they caught about a third of the planted conflicts (README, "Review an agreement"). This
model reads a clause's sentence vector and gives the probability that it cuts against a given
element. It is a logistic regression with a part shared by all elements and a part for each one
(the vector enters twice, once as itself and once in its element's slot), so what nineteen
elements have in common ("at the officer's discretion", "unless the principal asks") is learned
from all of them, and what is particular from each. It is trained by `python -m evals.train_stance`
on the dev clause banks, the checklist's own phrasings and the dev agreements' clauses about each
element (those not labelled check teach it what ordinary agreement wording looks like), never on
the holdout (assistant/stance_training.py). It is read only for the elements where, cross-validated on the dev agreements, it caught
more planted conflicts than it raised false checks (`reads`). The file records a fingerprint of its
material, and the agreement eval fails when the material has changed since (a stale model)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


class StanceModelError(ValueError):
    """The stance model file is missing, unreadable or made for another checklist."""


@dataclass(frozen=True)
class StanceModel:
    ids: tuple[str, ...]  # element ids, in checklist order
    shared: np.ndarray  # (dim,)
    per_element: np.ndarray  # (elements, dim), already scaled by the element weight
    intercept: float
    reads: np.ndarray  # (elements,) bool: where cross-validation trusted it (evals/train_stance.py)
    fingerprint: str = ""  # of the training material (evals/train_stance.py)
    note: str = ""  # what it was trained on, for the eval report

    @classmethod
    def fit(cls, vectors: np.ndarray, elements: list[int], conflict: list[bool], ids: tuple[str, ...], *,
            c: float, element_weight: float, reads: list[bool] | None = None, fingerprint: str = "",
            note: str = "") -> "StanceModel":
        from sklearn.linear_model import LogisticRegression

        features = _features(np.asarray(vectors, np.float32), np.asarray(elements), len(ids), element_weight)
        # Balanced: conflicts are a few in a hundred agreement clauses, and a miss costs more than a look.
        model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(features, np.asarray(conflict))
        dim = vectors.shape[1]
        coef = model.coef_[0]
        return cls(tuple(ids), coef[:dim].astype(np.float32),
                   (element_weight * coef[dim:].reshape(len(ids), dim)).astype(np.float32),
                   float(model.intercept_[0]), np.array(reads if reads is not None else [True] * len(ids), bool),
                   fingerprint, note)

    def probability(self, vectors: np.ndarray, element: int) -> np.ndarray:
        """Probability that each clause (rows of unit sentence vectors) cuts against element `element`."""
        z = vectors @ (self.shared + self.per_element[element]) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:  # np.savez adds ".npz" to a bare name; a file object keeps the name given
            np.savez(f, ids=np.array(self.ids), shared=self.shared, per_element=self.per_element,
                     intercept=np.array(self.intercept), reads=self.reads, fingerprint=np.array(self.fingerprint),
                     note=np.array(self.note))

    @classmethod
    def load(cls, path: Path, ids: tuple[str, ...]) -> "StanceModel":
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                model = cls(tuple(str(i) for i in data["ids"]), data["shared"], data["per_element"],
                            float(data["intercept"]), data["reads"].astype(bool), str(data["fingerprint"]),
                            str(data["note"]))
        except FileNotFoundError:
            raise StanceModelError(f"{path}: no stance model; train one with `python -m evals.train_stance`") from None
        except (OSError, KeyError, ValueError) as e:
            raise StanceModelError(f"{path}: not a stance model ({e})") from None
        if model.ids != tuple(ids):
            raise StanceModelError(f"{path}: trained for other checklist elements; retrain with "
                                   "`python -m evals.train_stance`")
        return model


def _features(vectors: np.ndarray, elements: np.ndarray, n: int, element_weight: float) -> np.ndarray:
    dim = vectors.shape[1]
    out = np.zeros((len(vectors), dim * (n + 1)), np.float32)
    out[:, :dim] = vectors
    for row, k in enumerate(elements):
        out[row, dim * (k + 1):dim * (k + 2)] = element_weight * vectors[row]
    return out
