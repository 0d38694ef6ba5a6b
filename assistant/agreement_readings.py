"""The second and third readings of "check" in the agreement review, beside the wording patterns:
similarity to the checklist's conflict phrasings, and the learned stance model. Both look only at
clauses about the element and long enough to say something (`eligible`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from assistant.agreement_stance import StanceModel, lexical_features
from assistant.agreement_text import Clause
from assistant.agreement_wording import negations
from assistant.checklist import Element

if TYPE_CHECKING:
    from assistant.agreement_review import StatementVectors

CONFLICT_LEAD = 0.01  # how much nearer to a conflict than to any expected wording a clause must be
NEAR_MIN_WORDS = 8  # the similarity and stance readings skip shorter clauses


def eligible(found: list[Clause]) -> np.ndarray:
    """Clauses the similarity and stance readings look at. Headings, labels and a FAQ's questions are
    not: short or asking, they sit near a conflict phrasing by topic alone (dev: "How is an SRO's
    performance reviewed?")."""
    return np.array([len(c.text.split()) >= NEAR_MIN_WORDS and not c.text.rstrip().endswith("?")
                     for c in found], bool)


class NearConflicts:
    """The second reading of "check": a clause about the element (probability >= conflict_topic) that
    sits nearer one of its conflict phrasings than any expected one (cosine >= conflict) and says it
    the same way round (both negated, or neither: "doesn't ..., doesn't ..." is still a negation).
    Blind agreements showed it catches conflicts no pattern describes yet, at the price of more
    false checks (README, "Review an agreement")."""

    def __init__(self, found, similarity, statements: StatementVectors, conflict: float, conflict_topic: float):
        self.similarity, self.statements = similarity, statements
        self.conflict, self.conflict_topic = conflict, conflict_topic
        self.negs = np.array([negations(c.text) for c in found])
        self.eligible = eligible(found)

    def best(self, element: Element, topic: np.ndarray) -> tuple[int, float] | None:
        conflicts = self.statements.columns.get((element.id, "conflict"))
        expected = self.statements.columns[(element.id, "expected")]
        rows = np.flatnonzero((topic >= self.conflict_topic) & self.eligible)
        if conflicts is None or not len(rows):
            return None
        sims = self.similarity[np.ix_(rows, conflicts)]
        nearest, against = conflicts[sims.argmax(axis=1)], sims.max(axis=1)
        closest_expected = self.similarity[np.ix_(rows, expected)].max(axis=1)
        same_way = np.array([(self.negs[r] > 0) == (self.statements.rows[c][2] > 0) for r, c in zip(rows, nearest)])
        cuts = same_way & (against >= self.conflict) & (against > closest_expected + CONFLICT_LEAD)
        if not cuts.any():
            return None
        i = int(np.argmax(np.where(cuts, against, -1.0)))
        return int(rows[i]), float(against[i])


class LearnedConflicts:
    """The third reading of "check": a clause about the element (probability >= conflict_topic) that
    the stance model reads as cutting against it with probability >= threshold, for the elements
    where the model is trusted."""

    def __init__(self, found, vectors: np.ndarray, model: StanceModel, threshold: float, conflict_topic: float):
        self.vectors, self.model, self.threshold, self.conflict_topic = vectors, model, threshold, conflict_topic
        self.eligible = eligible(found)
        self.words = lexical_features([c.text for c in found])  # once: the same clause is read for several elements

    def best(self, k: int, topic: np.ndarray) -> tuple[int, float] | None:
        rows = np.flatnonzero((topic >= self.conflict_topic) & self.eligible)
        if not self.model.reads[k] or not len(rows):
            return None
        p = self.model.probability_of(self.vectors[rows], self.words[rows], k)
        i = int(np.argmax(p))
        return (int(rows[i]), float(p[i])) if p[i] >= self.threshold else None
