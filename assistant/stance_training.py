"""How the agreement review's stance model is trained and cross-validated (run by `python -m
evals.train_stance`, which reads the labelled material and prints the figures).

What it learns from, for each element:
- clause-bank clauses: written to cut against the element, or compliant twins that share their words;
- the checklist's own expected and conflict phrasings;
- each labelled agreement's clauses that the review would read for the element (about it with
  probability >= `review_conflict_topic`, long enough, no question): a conflict when the element is
  labelled check and the clause holds the label's evidence, otherwise ordinary wording. Without
  these the model raised a false check on 99 of 428 element verdicts of the dev agreements: the
  banks' twins look nothing like a clause on bus duty or badge colour."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.agreement_amendments import amendment_start, replaced
from assistant.agreement_stance import StanceModel

# Chosen by cross-validation on the 27 dev agreements of 2026-11-30 (9 folds), before pair 13 was
# measured. C 10 / 30 / 100 / 300 at probability 0.9: 24 / 31 / 39 / 41 of 85 conflicts for 12 / 18 / 23 /
# 31 false checks in 428 other verdicts; element weight 1 / 2 / 3 at C 100: 34 / 39 / 40 for 21 / 23 / 26.
# The word features' weight, chosen the same way on the 31 dev agreements and banks 1-5 (2026-11-30,
# session 7, before banks 9 and 10 joined): weight 0 / 1 / 2 / 3 caught 47 / 48 / 48 / 49 of 102
# conflicts for 35 / 24 / 16 / 21 false checks in 487 other verdicts, and 354 / 375 / 375 / 371 of 570
# bank conflicts for 14 / 12 / 15 / 16 of 380 twins flagged, each bank held out in turn.
C = 100.0
ELEMENT_WEIGHT = 2.0
LEXICAL_WEIGHT = 2.0
FOLDS = 9


@dataclass
class LabelledAgreement:
    name: str
    vectors: np.ndarray  # one per clause
    texts: list[str]  # the clauses' words
    elements: list[tuple[np.ndarray, list[bool], str]]  # per element: rows read, which are conflicts, label status


@dataclass
class Material:
    ids: list[str]
    bank: list[dict]  # {"bank", "element", "stance", "text"}
    bank_vectors: np.ndarray
    phrasings: list[tuple[int, bool, str]]  # (element, is a conflict phrasing, text)
    phrasing_vectors: np.ndarray
    agreements: list[LabelledAgreement]


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def holds_evidence(clause: str, evidence: str) -> bool:
    """A clause holds a label's evidence when one contains the other, or the clause holds the
    evidence's first or last 40 letters (evidence may run over two clauses)."""
    a, b = _squash(clause), _squash(evidence)
    if not a or not b:
        return False
    return a in b or b in a or (len(b) > 40 and (b[:40] in a or b[-40:] in a))


def labelled_agreement(reviewer, pdf: Path, labels: dict, settings, ids: list[str]) -> LabelledAgreement:
    found, vectors, topics, eligible = reviewer.read_document(pdf, settings)
    start = amendment_start(found)
    per_element = []
    for k, element_id in enumerate(ids):
        label = labels[element_id]
        # As the review reads it: old text an amendment replaced is no clause about the element.
        live = ~replaced(topics[:, k], start, settings.review_addressed)
        rows = np.flatnonzero((topics[:, k] >= settings.review_conflict_topic) & eligible & live)
        conflict = [label["status"] == "check" and holds_evidence(found[r].text, label["evidence"]) for r in rows]
        per_element.append((rows, conflict, label["status"]))
    return LabelledAgreement(pdf.stem, vectors, [c.text for c in found], per_element)


def fit(m: Material, bank_rows: list[int] | None = None, agreements: list[int] | None = None,
        **extra) -> StanceModel:
    """A model trained on the given bank rows and agreements (all when None)."""
    bank_rows = range(len(m.bank)) if bank_rows is None else bank_rows
    chosen = m.agreements if agreements is None else [m.agreements[i] for i in agreements]
    vectors = [m.bank_vectors[list(bank_rows)], m.phrasing_vectors]
    texts = [m.bank[i]["text"] for i in bank_rows] + [t for _, _, t in m.phrasings]
    elements = [m.ids.index(m.bank[i]["element"]) for i in bank_rows] + [k for k, _, _ in m.phrasings]
    conflict = [m.bank[i]["stance"] == "conflict" for i in bank_rows] + [c for _, c, _ in m.phrasings]
    for doc in chosen:
        for k, (rows, flags, _) in enumerate(doc.elements):
            vectors.append(doc.vectors[rows])
            texts += [doc.texts[r] for r in rows]
            elements += [k] * len(rows)
            conflict += flags
    return StanceModel.fit(np.vstack(vectors), texts, elements, conflict, tuple(m.ids), c=C,
                           element_weight=ELEMENT_WEIGHT, lexical_weight=LEXICAL_WEIGHT, **extra)


def agreement_cv(m: Material) -> list[tuple[int, str, float]]:
    """(element, label status, best probability) for each agreement and element, each agreement read
    by a model trained without the ninth of the agreements it belongs to."""
    verdicts = []
    for fold in range(FOLDS):
        held = list(range(fold, len(m.agreements), FOLDS))
        model = fit(m, agreements=[i for i in range(len(m.agreements)) if i not in held])
        for doc in (m.agreements[i] for i in held):
            for k, (rows, _, status) in enumerate(doc.elements):
                best = (float(model.probability(doc.vectors[rows], [doc.texts[r] for r in rows], k).max())
                        if len(rows) else 0.0)
                verdicts.append((k, status, best))
    return verdicts


def trusted(verdicts: list[tuple[int, str, float]], n: int, threshold: float) -> list[bool]:
    """The elements whose stance reading, cross-validated, caught more planted conflicts than it raised
    false checks. On the others (no conflict labelled, or more false than right) it would only add noise:
    on 2026-11-30 it raised 26 of its 35 false checks there and caught 3 of its 47 conflicts; with the
    word features and the amendment rule, 15 of 25 and none of 51."""
    return [sum(k == j and s == "check" and p >= threshold for j, s, p in verdicts)
            > sum(k == j and s != "check" and p >= threshold for j, s, p in verdicts) for k in range(n)]


def bank_cv(m: Material) -> list[tuple[str, float]]:
    """(stance, probability) for each bank clause, read by a model trained without its bank."""
    scored = []
    for held in sorted({r["bank"] for r in m.bank}):
        model = fit(m, bank_rows=[i for i, r in enumerate(m.bank) if r["bank"] != held])
        scored += [(r["stance"],
                    float(model.probability(m.bank_vectors[i][None], [r["text"]], m.ids.index(r["element"]))[0]))
                   for i, r in enumerate(m.bank) if r["bank"] == held]
    return scored
