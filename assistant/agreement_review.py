"""Review a district's SRO agreement against the checklist: addressed, not found, or check.

Each element is searched in the uploaded document only. A classifier trained on the checklist's
cues says which element each clause is about; an element with a clause above the floor is
addressed, and so is one with a clause that names it in the element's own words (its
`topic_patterns`) at a lower floor. Two readings ask for a check: a clause that matches one of the
element's conflict patterns (wording that cuts the other way, read with its negations:
assistant/agreement_wording.py), or a clause about the element that sits nearer one of its
conflict phrasings than any expected one and is negated the same way. The review never says a
district violates anything: it reports what it found and not."""

from __future__ import annotations

import time
from pathlib import Path
from dataclasses import dataclass, field

import numpy as np

from assistant.agreement_text import Clause, clauses, is_heading, page_texts
from assistant.agreement_wording import conflict_in, negations, normalise, speaks_of
from assistant.checklist import Checklist, Element, load_checklist
from ingest.loaders import load_file

ADDRESSED, NOT_FOUND, CHECK = "addressed", "not_found", "check"
OTHER = "(no element)"
# Inverse regularisation of the topic classifier, chosen on the four labelled dev agreements
# (never on the holdout): C = 1 / 10 / 100 gave 0.62 / 0.83 / 0.65 verdict accuracy.
TOPIC_C = 10.0
CONFLICT_LEAD = 0.01  # how much nearer to a conflict than to any expected wording a clause must be
NEAR_MIN_WORDS = 8  # the similarity reading skips shorter clauses
PASSAGES = 2  # verbatim passages shown per element
CUE_CHARS = 120  # a longer match is not quoted as "its words" (the passage itself is shown anyway)
EMBED_BATCH = 64  # clauses per model call; the model lock is released between calls


class NotAnAgreement(ValueError):
    """The document answers too few checklist elements to be an SRO agreement."""


@dataclass(frozen=True)
class Passage:
    text: str
    page: int
    score: float
    stance: str  # "expected" or "conflict"
    cue: str = ""  # for a check by pattern: the passage's own words that may cut the other way


@dataclass
class Finding:
    element: Element
    verdict: str
    passages: list[Passage] = field(default_factory=list)

    @property
    def message(self) -> str:
        name = self.element.name[0].lower() + self.element.name[1:]
        if self.verdict == ADDRESSED:
            return f"Addressed: the passage below covers {name}."
        if self.verdict == CHECK:
            cue = self.passages[0].cue if self.passages else ""
            words = f"its words \u201c{cue}\u201d" if cue else "its wording"
            return (f"Check: this passage touches {name}, but {words} may cut the other way; "
                    "read it against the reason below.")
        return (f"We did not find a passage on {name}; ask the district whether it is covered "
                "elsewhere (a policy, a handbook or an appendix).")


@dataclass
class Review:
    document: str
    pages: list[str]  # the page texts, for showing a passage in its page
    findings: list[Finding]
    seconds: float = 0.0

    def count(self, verdict: str) -> int:
        return sum(f.verdict == verdict for f in self.findings)

    @property
    def found(self) -> int:
        return len(self.findings) - self.count(NOT_FOUND)


class AgreementReviewer:
    """Reviews files against the checklist; the checklist is embedded on the first review."""

    def __init__(self, embedder):
        self.embedder = embedder
        self._statements: StatementVectors | None = None

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts, batch_size=32)

    def read_clauses(self, clauses: list[tuple[str, str]], settings) -> list[tuple[bool, bool]]:
        """Each (element id, clause) judged alone: does a conflict pattern match, and does the
        similarity reading call it a conflict? For clause banks, where a clause has no document."""
        s = settings
        checklist = load_checklist(s.checklist_path)
        if self._statements is None:
            self._statements = StatementVectors(checklist, self.embed)
        ids = [e.id for e in checklist.elements]
        vectors = self.embed([normalise(text) for _, text in clauses])
        topics = self._statements.topics(vectors)
        out = []
        for (element_id, text), vector, topic in zip(clauses, vectors, topics):
            element = checklist.elements[ids.index(element_id)]
            near = _NearConflicts([Clause(text, 1)], vector[None, :] @ self._statements.matrix.T, self._statements,
                                  s.review_conflict, s.review_conflict_topic)
            out.append((conflict_in(text, element.conflict_patterns) is not None,
                        near.best(element, topic[ids.index(element_id)][None]) is not None))
        return out

    def review_file(self, path: Path, settings, title: str | None = None) -> Review:
        s = settings
        doc = load_file(path, source_id=f"user:{path.stem}", title=title or path.name, max_mb=s.upload_max_mb)
        checklist = load_checklist(s.checklist_path)
        if self._statements is None:
            self._statements = StatementVectors(checklist, self.embed)
        return review(title or path.name, page_texts(doc), checklist, self._statements, self.embed,
                      addressed=s.review_addressed, named=s.review_topic_floor, conflict=s.review_conflict,
                      conflict_topic=s.review_conflict_topic, min_found=s.review_min_elements)


class StatementVectors:
    """The checklist's cues and conflicts (and the wording that addresses no element), embedded
    once per process, and a classifier trained on them that tells which element a clause is about.
    Raw cosines cannot: every clause of an agreement sits close to every cue (all of them speak of
    the officer, the school and students). A softmax over the same vectors learns the directions
    that tell the elements apart, as the card classifier does for questions."""

    def __init__(self, checklist: Checklist, embed):
        from sklearn.linear_model import LogisticRegression

        self.rows: list[tuple[str, str, int]] = []  # (element id, stance, negations)
        texts = []
        groups = [(e.id, (("expected", e.cues), ("conflict", e.conflicts))) for e in checklist.elements]
        groups.append((OTHER, (("expected", checklist.other),)))
        for element_id, parts in groups:
            for stance, statements in parts:
                self.rows += [(element_id, stance, negations(s)) for s in statements]
                texts += statements
        self.matrix = embed(texts)
        self.ids = [element_id for element_id, _ in groups]
        labels = np.array([self.ids.index(element_id) for element_id, _, _ in self.rows])
        self.topic = LogisticRegression(C=TOPIC_C, max_iter=3000).fit(self.matrix, labels)
        by_stance: dict[tuple[str, str], list[int]] = {}
        for i, (element_id, stance, _) in enumerate(self.rows):
            by_stance.setdefault((element_id, stance), []).append(i)
        self.columns = {k: np.asarray(v) for k, v in by_stance.items()}

    def topics(self, vectors: np.ndarray) -> np.ndarray:
        """Probability of each element (columns in checklist order, then "no element") per clause."""
        out = np.zeros((len(vectors), len(self.ids)))
        out[:, self.topic.classes_] = self.topic.predict_proba(vectors)
        return out


def review(name: str, pages: list[str], checklist: Checklist, statements: StatementVectors, embed, *,
           addressed: float, named: float, conflict: float, conflict_topic: float, min_found: int) -> Review:
    began = time.perf_counter()
    found = clauses(pages)
    if not found:
        raise NotAnAgreement(f"{name}: no sentences found in the document's body")
    vectors = np.vstack([embed([normalise(c.text) for c in found[i:i + EMBED_BATCH]])
                         for i in range(0, len(found), EMBED_BATCH)])
    topics = statements.topics(vectors)
    near = _NearConflicts(found, vectors @ statements.matrix.T, statements, conflict, conflict_topic)
    findings = [_judge(e, found, topics[:, k], near, addressed, named) for k, e in enumerate(checklist.elements)]
    result = Review(name, pages, findings, seconds=time.perf_counter() - began)
    if result.found < min_found:
        raise NotAnAgreement(f"{name}: this does not look like an SRO agreement: {result.found} of "
                             f"{len(checklist.elements)} elements found")
    return result


class _NearConflicts:
    """The second reading of "check": a clause about the element (probability >= conflict_topic) that
    sits nearer one of its conflict phrasings than any expected one (cosine >= conflict) and says it
    the same way round (both negated, or neither: "doesn't ..., doesn't ..." is still a negation).
    Blind agreements showed it catches conflicts no pattern describes yet, at the price of more
    false checks (README, "Review an agreement")."""

    def __init__(self, found, similarity, statements: StatementVectors, conflict: float, conflict_topic: float):
        self.similarity, self.statements = similarity, statements
        self.conflict, self.conflict_topic = conflict, conflict_topic
        self.negs = np.array([negations(c.text) for c in found])
        # Headings, labels and a FAQ's questions are not read this way: short or asking, they sit near
        # a conflict phrasing by topic alone (dev: "How is an SRO's performance reviewed?").
        self.eligible = np.array([len(c.text.split()) >= NEAR_MIN_WORDS and not c.text.rstrip().endswith("?")
                                  for c in found], bool)

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


def _judge(element: Element, found: list[Clause], topic: np.ndarray, near: _NearConflicts,
           addressed: float, named: float) -> Finding:
    cutting = {i: cue for i, c in enumerate(found) if (cue := conflict_in(c.text, element.conflict_patterns))}
    if cutting:
        i = max(cutting, key=lambda i: topic[i])  # of several, the one most about the element
        # Shown only as the passage's own words: matching reads a normalised copy ("Supt." spelled out).
        cue = cutting[i] if cutting[i] in found[i].text and len(cutting[i]) <= CUE_CHARS else ""
        return _check(element, found, topic, i, float(topic[i]), addressed, cue)
    close = near.best(element, topic)
    if close is not None:
        return _check(element, found, topic, close[0], close[1], addressed)
    shown = _best(found, topic, addressed, PASSAGES)
    if not shown:
        # No clause is clearly about the element by its meaning; one that names it in the
        # element's own words is enough at a lower probability.
        naming = [i for i, c in enumerate(found) if topic[i] >= named and speaks_of(c.text, element.topic_patterns)]
        if naming:
            i = max(naming, key=lambda i: topic[i])
            shown = [Passage(_shown(found, i), found[i].page, round(float(topic[i]), 3), "expected")]
    return Finding(element, ADDRESSED, shown) if shown else Finding(element, NOT_FOUND)


def _check(element: Element, found: list[Clause], topic: np.ndarray, i: int, score: float, addressed: float,
           cue: str = "") -> Finding:
    shown = [Passage(found[i].text, found[i].page, round(score, 3), "conflict", cue)]
    return Finding(element, CHECK, shown + [p for p in _best(found, topic, addressed, 1) if p.text != shown[0].text])


def _best(found: list[Clause], topic: np.ndarray, floor: float, limit: int) -> list[Passage]:
    order = [i for i in np.argsort(-topic) if topic[i] >= floor][:limit]
    return [Passage(_shown(found, i), found[i].page, round(float(topic[i]), 3), "expected") for i in order]


def _shown(found: list[Clause], i: int) -> str:
    """A heading is shown with the clause after it, so the reader sees what it says, not only its title."""
    if is_heading(found[i]) and i + 1 < len(found) and found[i + 1].page == found[i].page:
        return f"{found[i].text} {found[i + 1].text}"
    return found[i].text
