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
the holdout (assistant/stance_training.py). Beside the vector it reads the clause's words and word
pairs, hashed into a fixed number of slots and shared by all elements: sentence vectors carry what a
clause is about better than what it allows, and words such as "discretion", "afterward" or "may"
carry the second. Cross-validated on dev, the words caught as many conflicts and cut the false checks
by about a third (stance_training.py). It is read only for the elements where, cross-validated on
the dev agreements, it caught more planted conflicts than it raised false checks (`reads`). The file
records a fingerprint of its material, and the agreement eval fails when the material has changed
since (a stale model)."""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from assistant.agreement_wording import normalise

# Hashed word and word-pair slots. The dev material holds about 55,000 distinct terms; at 2**18 slots
# about one in five shares its slot with another (at 2**14 nearly all did, so a word's weight was mostly others').
LEXICAL_SLOTS = 1 << 18
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


class StanceModelError(ValueError):
    """The stance model file is missing, unreadable or made for another checklist."""


@dataclass(frozen=True)
class StanceModel:
    ids: tuple[str, ...]  # element ids, in checklist order
    shared: np.ndarray  # (dim,)
    per_element: np.ndarray  # (elements, dim), already scaled by the element weight
    lexical: np.ndarray  # (LEXICAL_SLOTS,) weights of the hashed words, already scaled by the lexical weight
    intercept: float
    reads: np.ndarray  # (elements,) bool: where cross-validation trusted it (evals/train_stance.py)
    fingerprint: str = ""  # of the training material (evals/train_stance.py)
    note: str = ""  # what it was trained on, for the eval report

    @classmethod
    def fit(cls, vectors: np.ndarray, texts: list[str], elements: list[int], conflict: list[bool],
            ids: tuple[str, ...], *, c: float, element_weight: float, lexical_weight: float,
            reads: list[bool] | None = None, fingerprint: str = "", note: str = "") -> "StanceModel":
        from sklearn.linear_model import LogisticRegression

        vectors = np.asarray(vectors, np.float32)
        features = sparse.hstack([_vector_features(vectors, np.asarray(elements), len(ids), element_weight),
                                  lexical_weight * lexical_features(texts)]).tocsr()
        # Balanced: conflicts are a few in a hundred agreement clauses, and a miss costs more than a look.
        model = LogisticRegression(C=c, max_iter=5000, class_weight="balanced").fit(features, np.asarray(conflict))
        dim, n = vectors.shape[1], len(ids)
        coef = model.coef_[0]
        return cls(tuple(ids), coef[:dim].astype(np.float32),
                   (element_weight * coef[dim:dim * (n + 1)].reshape(n, dim)).astype(np.float32),
                   (lexical_weight * coef[dim * (n + 1):]).astype(np.float32), float(model.intercept_[0]),
                   np.array(reads if reads is not None else [True] * n, bool), fingerprint, note)

    def probability(self, vectors: np.ndarray, texts: list[str], element: int) -> np.ndarray:
        """Probability that each clause (rows of unit sentence vectors, and the clauses' texts) cuts
        against element `element`."""
        return self.probability_of(vectors, lexical_features(texts), element)

    def probability_of(self, vectors: np.ndarray, words: sparse.csr_matrix, element: int) -> np.ndarray:
        """The same, from word features already computed (a review reads one clause for several elements)."""
        if words.shape[0] != len(vectors):
            raise ValueError(f"{len(vectors)} sentence vectors but {words.shape[0]} texts")
        z = vectors @ (self.shared + self.per_element[element]) + words @ self.lexical + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:  # np.savez adds ".npz" to a bare name; a file object keeps the name given
            # Compressed: most of the word slots are zero.
            np.savez_compressed(f, ids=np.array(self.ids), shared=self.shared, per_element=self.per_element,
                                lexical=self.lexical, intercept=np.array(self.intercept), reads=self.reads,
                                fingerprint=np.array(self.fingerprint), note=np.array(self.note))

    @classmethod
    def load(cls, path: Path, ids: tuple[str, ...]) -> "StanceModel":
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                if "lexical" not in data:
                    raise StanceModelError(f"{path}: made by an older version without word features; retrain "
                                           "with `python -m evals.train_stance`")
                model = cls(tuple(str(i) for i in data["ids"]), data["shared"], data["per_element"],
                            data["lexical"], float(data["intercept"]), data["reads"].astype(bool),
                            str(data["fingerprint"]), str(data["note"]))
        except StanceModelError:
            raise
        except FileNotFoundError:
            raise StanceModelError(f"{path}: no stance model; train one with `python -m evals.train_stance`") from None
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile, zlib.error) as e:
            raise StanceModelError(f"{path}: not a stance model ({e})") from None
        dim = model.shared.shape[0]
        if model.lexical.shape != (LEXICAL_SLOTS,):
            raise StanceModelError(f"{path}: made by another version (word slots {model.lexical.shape[0]}, now "
                                   f"{LEXICAL_SLOTS}); retrain with `python -m evals.train_stance`")
        if model.per_element.shape[1:] != (dim,):
            raise StanceModelError(f"{path}: made by another version (element parts of {model.per_element.shape[1]} "
                                   f"numbers, the shared part {dim}); retrain with `python -m evals.train_stance`")
        if model.ids != tuple(ids):
            raise StanceModelError(f"{path}: trained for other checklist elements; retrain with "
                                   "`python -m evals.train_stance`")
        return model


def lexical_features(texts: list[str]) -> sparse.csr_matrix:
    """Each text's words and word pairs (lower case, after the same normalising as the sentence vector:
    curly apostrophes straightened, "Supt." spelled out), hashed into LEXICAL_SLOTS, as a unit-length
    row. crc32, not hash(): the slots must be the same in every process that reads the saved model."""
    rows, cols = [], []
    for i, text in enumerate(texts):
        words = _WORD.findall(normalise(text).lower())
        terms = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:])}
        slots = {zlib.crc32(t.encode()) % LEXICAL_SLOTS for t in terms}
        rows += [i] * len(slots)
        cols += sorted(slots)
    counts = np.bincount(np.asarray(rows, int), minlength=len(texts)).astype(np.float32)
    values = 1.0 / np.sqrt(np.maximum(counts, 1.0))[np.asarray(rows, int)]
    return sparse.csr_matrix((values.astype(np.float32), (rows, cols)), shape=(len(texts), LEXICAL_SLOTS))


def _vector_features(vectors: np.ndarray, elements: np.ndarray, n: int, element_weight: float) -> sparse.csr_matrix:
    """The vector once in the shared slot and once, scaled, in its element's slot."""
    rows, dim = len(vectors), vectors.shape[1]
    own = np.arange(dim)[None, :] + dim * (elements[:, None] + 1)
    cols = np.hstack([np.tile(np.arange(dim), (rows, 1)), own]).ravel()
    values = np.hstack([vectors, element_weight * vectors]).ravel()
    return sparse.csr_matrix((values, (np.repeat(np.arange(rows), 2 * dim), cols)), shape=(rows, dim * (n + 1)))
