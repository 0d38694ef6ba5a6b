"""The agreement review on the labelled agreements (real PDFs through pypdf, the real model), its
bad-input messages, and the CLI. How well it scores is the eval's job (`eval --agreements`)."""

import json
import re
import tomllib
from pathlib import Path

import pytest

from assistant.agreement_review import ADDRESSED, CHECK, NOT_FOUND, NotAnAgreement
from assistant.checklist import load_checklist, problems
from assistant.cli import main
from assistant.registry import load_registry
from assistant.review_report import basis, to_json, to_markdown
from ingest.documents import LoadError
from tests.pdfs import make_encrypted_pdf, make_scanned_pdf

AGREEMENTS = Path(__file__).resolve().parents[2] / "evals" / "agreements"


def labels(name: str) -> dict:
    with open(AGREEMENTS / f"{name}.labels.toml", "rb") as fh:
        return tomllib.load(fh)["labels"]


def test_the_checklist_is_well_formed(assistant):
    checklist = load_checklist(assistant.settings.checklist_path)
    assert len(checklist.elements) >= 19 and checklist.other
    assert problems(checklist.elements, load_registry(assistant.settings.registry_path)) == []


def test_every_planted_conflict_is_a_check_that_shows_the_conflicting_passage(assistant):
    review = assistant.review_agreement(AGREEMENTS / "conflicting.pdf")
    planted = {k for k, v in labels("conflicting").items() if v["status"] == CHECK}
    checks = [f for f in review.findings if f.verdict == CHECK]
    caught = {f.element.id for f in checks} & planted
    assert len(planted) == 6 and caught == planted, planted - caught
    for finding in checks:
        first = finding.passages[0]
        assert first.stance == "conflict" and 1 <= first.page <= len(review.pages)
        if finding.element.id in planted:  # the planted wording itself, on the page the labeller named
            assert first.page in labels("conflicting")[finding.element.id]["pages"], finding.element.id


def test_verdicts_carry_passages_pages_and_the_legal_basis(assistant):
    review = assistant.review_agreement(AGREEMENTS / "older-2018.pdf")
    assert len(review.findings) == len(load_checklist(assistant.settings.checklist_path).elements)
    assert review.count(NOT_FOUND) >= 3  # an agreement from before the 2020 law misses its elements
    for f in review.findings:
        if f.verdict == NOT_FOUND:
            assert not f.passages and f.message.startswith("We did not find a passage on")
        else:
            assert f.passages and all(1 <= p.page <= len(review.pages) for p in f.passages)
            # Every passage is the agreement's own words, found on the page it names.
            page = " ".join(review.pages[f.passages[0].page - 1].split())
            assert f.passages[0].text.split()[-1] in page
    markdown = to_markdown(review)
    # Our own words never say a district violates anything (quoted passages are the agreement's).
    ours = " ".join(f.message + basis(f) for f in review.findings).lower()
    assert not re.search(r"\b(violates|in violation of|breaks the law|is unlawful|illegal)\b", ours)
    assert "G.L. c.71 §37P" in markdown
    assert json.loads(json.dumps(to_json(review)))["counts"][ADDRESSED] == review.count(ADDRESSED)


def test_the_review_never_touches_the_shared_index(assistant):
    before = assistant.shared.size
    assistant.review_agreement(AGREEMENTS / "model-close.pdf")
    assert assistant.shared.size == before and assistant.sessions.chunks("any")[0] == []


@pytest.mark.parametrize("make, expected", [
    (lambda p: make_scanned_pdf(p / "scan.pdf"), "no text layer"),
    (lambda p: make_encrypted_pdf(p / "locked.pdf"), "encrypted"),
    (lambda p: (p / "empty.pdf").write_bytes(b"") or p / "empty.pdf", "empty file"),
    (lambda p: AGREEMENTS / "not-an-agreement.pdf", "does not look like an SRO agreement"),
])
def test_bad_input_gets_one_clear_line(assistant, tmp_path, make, expected):
    with pytest.raises((LoadError, NotAnAgreement)) as caught:
        assistant.review_agreement(make(tmp_path))
    message = str(caught.value)
    assert expected in message and "\n" not in message
    # The assistant still answers afterwards.
    assert not assistant.ask("Can the SRO search my son's backpack?").abstained


def test_over_the_size_limit_is_refused_before_reading(assistant, tmp_path):
    big = tmp_path / "big.txt"
    big.write_bytes(b"The SRO shall not act as a school disciplinarian. " * 1000)
    small = assistant.settings.model_copy(update={"upload_max_mb": 0.01})
    original, assistant.settings = assistant.settings, small
    try:
        with pytest.raises(LoadError, match="too large"):
            assistant.review_agreement(big)
    finally:
        assistant.settings = original


def test_cli_prints_the_review_and_writes_markdown(shared_settings, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("SRO_DATA_DIR", str(shared_settings.data_dir))
    out = tmp_path / "review.md"
    assert main(["review-mou", str(AGREEMENTS / "older-2018.pdf"), "--json", "--md", str(out)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {e["verdict"] for e in data["elements"]} <= {ADDRESSED, CHECK, NOT_FOUND}
    assert out.read_text(encoding="utf-8").startswith("# SRO agreement review")
    assert main(["review-mou", str(AGREEMENTS / "not-an-agreement.pdf")]) == 2
    assert "does not look like an SRO agreement" in capsys.readouterr().err


def test_the_second_reading_catches_a_clause_near_a_conflict_phrasing_said_the_same_way_round(assistant):
    from assistant.agreement_readings import NearConflicts
    from assistant.agreement_review import StatementVectors
    from assistant.agreement_text import Clause
    from assistant.agreement_wording import conflict_in

    s = assistant.settings
    checklist = load_checklist(s.checklist_path)
    element = next(e for e in checklist.elements if e.id == "not-disciplinarian")
    embed = lambda texts: assistant.embedder.embed(texts, batch_size=32)
    statements = StatementVectors(checklist, embed)
    k = [e.id for e in checklist.elements].index(element.id)
    texts = ["Students removed from class may be sent to the SRO for the rest of the period.",
             "Students removed from class shall not be sent to the SRO for the rest of the period."]
    found = [Clause(t, 1) for t in texts]
    vectors = embed(texts)
    topic = statements.topics(vectors)[:, k]
    assert all(conflict_in(t, element.conflict_patterns) is None for t in texts)  # no pattern describes it
    one = NearConflicts(found[:1], vectors[:1] @ statements.matrix.T, statements, s.review_conflict, s.review_conflict_topic)
    other = NearConflicts(found[1:], vectors[1:] @ statements.matrix.T, statements, s.review_conflict, s.review_conflict_topic)
    assert one.best(element, topic[:1]) is not None
    assert other.best(element, topic[1:]) is None


def test_a_check_by_pattern_quotes_the_passages_own_words(assistant):
    review = assistant.review_agreement(AGREEMENTS / "conflicting.pdf")
    quoted = [f for f in review.findings if f.verdict == CHECK and f.passages[0].cue]
    assert quoted, "no check quoted its words"
    for finding in quoted:
        first = finding.passages[0]
        assert first.cue in first.text and len(first.cue) <= 120
        assert f"\u201c{first.cue}\u201d" in finding.message
    markdown = to_markdown(review)
    assert all(escape_md(f.message) in markdown for f in quoted)


def escape_md(text: str) -> str:
    from assistant.compose import escape_markdown
    return escape_markdown(text)


def test_the_second_reading_skips_headings_and_questions(assistant):
    """Short or asking, a clause sits near a conflict phrasing by topic alone. Each clause is read
    alone, as `eval --agreements` reads its clause banks: (pattern, similarity, stance model)."""
    from assistant.agreement_readings import NEAR_MIN_WORDS

    texts = ["Students removed from class may be sent to the SRO for the rest of the period.",
             "May students removed from class be sent to the SRO for the rest of the period?",
             "Students sent to the SRO."]
    assert len(texts[2].split()) < NEAR_MIN_WORDS
    readings = assistant.read_clauses([("not-disciplinarian", t) for t in texts])
    assert [r[:2] for r in readings] == [(False, True), (False, False), (False, False)]
    assert not readings[1][2] and not readings[2][2]  # the stance reading skips them too


def test_a_faq_question_is_shown_with_its_answer():
    """An addressed passage that is a FAQ's question reads as nothing without the answer after it."""
    from assistant.agreement_review import _shown
    from assistant.agreement_text import Clause

    found = [Clause("What happens when a fight may be a crime?", 3),
             Clause("The principal decides whether the police are told, after speaking with the families.", 3),
             Clause("Who keeps the records?", 3), Clause("The school does.", 4)]
    assert _shown(found, 0) == f"{found[0].text} {found[1].text}"
    assert _shown(found, 1) == found[1].text
    assert _shown(found, 2) == found[2].text  # the answer is on the next page: the question alone
