"""Review a district's SRO agreement against the checklist: addressed, not found, or check.

Each element is searched in the uploaded document only. A classifier trained on the checklist's
cues says which element each clause is about; an element with a clause above the floor is
addressed, and so is one with a clause that names it in the element's own words (its
`topic_patterns`) at a lower floor. Two readings ask for a check: a clause that matches one of the
element's conflict patterns (wording that cuts the other way, read with its negations:
assistant/agreement_wording.py), or a clause about the element that sits nearer one of its
conflict phrasings than any expected one and is negated the same way, or a clause about the element
that the learned stance model reads as cutting against it (assistant/agreement_stance.py). Old
text that an amendment in the same document replaced is not read (assistant/agreement_amendments.py). The
review never says a district violates anything: it reports what it found and not."""

from __future__ import annotations

import time
from pathlib import Path
from dataclasses import dataclass, field

import numpy as np

from assistant.agreement_amendments import amendment_start, replaced
from assistant.agreement_readings import LearnedConflicts, NearConflicts, eligible
from assistant.agreement_stance import StanceModel, StanceModelError
from assistant.agreement_text import Clause, clauses, is_heading, page_texts
from assistant.agreement_wording import conflict_in, negations, normalise, speaks_of
from assistant.checklist import Checklist, Element, load_checklist
from ingest.loaders import load_file

ADDRESSED, NOT_FOUND, CHECK = "addressed", "not_found", "check"
OTHER = "(no element)"
# Inverse regularisation of the topic classifier, chosen on the four labelled dev agreements
# (never on the holdout): C = 1 / 10 / 100 gave 0.62 / 0.83 / 0.65 verdict accuracy.
TOPIC_C = 10.0
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
        self._stance: StanceModel | None = None

    def embed(self, texts: list[str]) -> np.ndarray:
        return self.embedder.embed(texts, batch_size=32)

    def _prepare(self, settings, stance: bool = True) -> Checklist:
        checklist = load_checklist(settings.checklist_path)
        if self._statements is None:
            self._statements = StatementVectors(checklist, self.embed)
        if stance and self._stance is None:
            model = StanceModel.load(settings.review_stance_path, tuple(e.id for e in checklist.elements))
            if model.shared.shape[0] != self.embedder.dimension:  # another embedding model (SRO_EMBEDDING_MODEL)
                raise StanceModelError(f"{settings.review_stance_path}: trained on {model.shared.shape[0]}-number "
                                       f"sentence vectors, the embedding model gives {self.embedder.dimension}; "
                                       "retrain with `python -m evals.train_stance`")
            self._stance = model
        return checklist

    def read_clauses(self, clauses: list[tuple[str, str]], settings) -> list[tuple[bool, bool, bool]]:
        """Each (element id, clause) judged alone: does a conflict pattern match, does the similarity
        reading call it a conflict, and does the stance model? For clause banks, where a clause has
        no document."""
        s = settings
        checklist = self._prepare(s)
        ids = [e.id for e in checklist.elements]
        vectors = self.embed([normalise(text) for _, text in clauses])
        topics = self._statements.topics(vectors)
        out = []
        for (element_id, text), vector, topic in zip(clauses, vectors, topics):
            k = ids.index(element_id)
            element = checklist.elements[k]
            near = NearConflicts([Clause(text, 1)], vector[None, :] @ self._statements.matrix.T, self._statements,
                                  s.review_conflict, s.review_conflict_topic)
            learned = LearnedConflicts([Clause(text, 1)], vector[None, :], self._stance, s.review_stance,
                                        s.review_conflict_topic)
            out.append((conflict_in(text, element.conflict_patterns) is not None,
                        near.best(element, topic[k][None]) is not None,
                        learned.best(k, topic[k][None]) is not None))
        return out

    def read_document(self, path: Path, settings) -> tuple[list[Clause], np.ndarray, np.ndarray, np.ndarray]:
        """A document's clauses, their vectors, the probability each is about each element, and
        whether each is long enough and no question (what the stance model is trained on)."""
        self._prepare(settings, stance=False)
        found = clauses(page_texts(load_file(path, source_id=f"user:{path.stem}", title=path.name,
                                             max_mb=settings.upload_max_mb)))
        vectors = _embed_clauses(found, self.embed)
        return found, vectors, self._statements.topics(vectors), eligible(found)

    def review_file(self, path: Path, settings, title: str | None = None) -> Review:
        s = settings
        doc = load_file(path, source_id=f"user:{path.stem}", title=title or path.name, max_mb=s.upload_max_mb)
        checklist = self._prepare(s)
        return review(title or path.name, page_texts(doc), checklist, self._statements, self._stance, self.embed,
                      addressed=s.review_addressed, named=s.review_topic_floor, conflict=s.review_conflict,
                      conflict_topic=s.review_conflict_topic, stance=s.review_stance,
                      min_found=s.review_min_elements)


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


def review(name: str, pages: list[str], checklist: Checklist, statements: StatementVectors, stance_model: StanceModel,
           embed, *, addressed: float, named: float, conflict: float, conflict_topic: float, stance: float,
           min_found: int) -> Review:
    began = time.perf_counter()
    found = clauses(pages)
    if not found:
        raise NotAnAgreement(f"{name}: no sentences found in the document's body")
    vectors = _embed_clauses(found, embed)
    topics = statements.topics(vectors)
    near = NearConflicts(found, vectors @ statements.matrix.T, statements, conflict, conflict_topic)
    learned = LearnedConflicts(found, vectors, stance_model, stance, conflict_topic)
    start = amendment_start(found)
    findings = [_judge(e, k, found, topics[:, k], replaced(topics[:, k], start, addressed), near, learned,
                       addressed, named) for k, e in enumerate(checklist.elements)]
    result = Review(name, pages, findings, seconds=time.perf_counter() - began)
    if result.found < min_found:
        raise NotAnAgreement(f"{name}: this does not look like an SRO agreement: {result.found} of "
                             f"{len(checklist.elements)} elements found")
    return result


def _embed_clauses(found: list[Clause], embed) -> np.ndarray:
    return np.vstack([embed([normalise(c.text) for c in found[i:i + EMBED_BATCH]])
                      for i in range(0, len(found), EMBED_BATCH)])


def _judge(element: Element, k: int, found: list[Clause], topic: np.ndarray, gone: np.ndarray, near: NearConflicts,
           learned: LearnedConflicts, addressed: float, named: float) -> Finding:
    # Clauses an amendment replaced (`gone`, assistant/agreement_amendments.py) are read for nothing:
    # below every floor, even a floor set to 0.
    topic = np.where(gone, -1.0, topic)
    cutting = {i: cue for i, c in enumerate(found)
               if not gone[i] and (cue := conflict_in(c.text, element.conflict_patterns))}
    if cutting:
        i = max(cutting, key=lambda i: topic[i])  # of several, the one most about the element
        # Shown only as the passage's own words: matching reads a normalised copy ("Supt." spelled out).
        cue = cutting[i] if cutting[i] in found[i].text and len(cutting[i]) <= CUE_CHARS else ""
        return _check(element, found, topic, i, float(topic[i]), addressed, cue)
    close = near.best(element, topic) or learned.best(k, topic)
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
    """A heading, or a FAQ's question, is shown with the clause after it, so the reader sees what it
    says, not only its title ("What happens when bullying may be a crime?" and its answer)."""
    titled = is_heading(found[i]) or found[i].text.rstrip().endswith("?")
    if titled and i + 1 < len(found) and found[i + 1].page == found[i].page:
        return f"{found[i].text} {found[i + 1].text}"
    return found[i].text
