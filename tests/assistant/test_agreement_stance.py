"""The agreement review's third reading of "check": the learned stance model (real model file, real
embeddings). How well it generalises is measured by `python -m evals.train_stance --cv` and the holdout."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.agreement_review import CHECK
from assistant.agreement_stance import LEXICAL_SLOTS, StanceModel, StanceModelError
from assistant.checklist import load_checklist
from evals.agreement_eval import stale_stance_model
from assistant.stance_training import holds_evidence
from evals.train_stance import FOLDER, fingerprint, material

# Written for this test (no bank or agreement holds them): a clause that cuts against its element in a
# way no wording pattern describes, and a twin on the same topic that complies.
CUTTING_AND_COMPLIANT = [
    ("searches",
     "When a principal asks, the school resource officer will search the student's backpack using the school's "
     "reasonable-suspicion standard.",
     "The school resource officer searches a student only under the standards that bind police officers, never "
     "on behalf of the principal."),
    ("annual-review",
     "The officer's performance is reviewed each year by the police lieutenant, who may ask the principal for "
     "comments.",
     "The officer's performance is reviewed each year by the superintendent and the chief together."),
    ("bullying-referrals",
     "Reports of cyberbullying go straight to the resource officer, who interviews the students involved and "
     "gathers their messages.",
     "Reports of cyberbullying go to the principal, who investigates and decides whether the resource officer "
     "needs to be told."),
]


def ids(assistant) -> tuple[str, ...]:
    return tuple(e.id for e in load_checklist(assistant.settings.checklist_path).elements)


@pytest.mark.parametrize("element_id, cutting, compliant", CUTTING_AND_COMPLIANT)
def test_the_stance_model_reads_a_conflict_no_pattern_describes_and_passes_its_twin(assistant, element_id,
                                                                                     cutting, compliant):
    reading, twin = assistant.read_clauses([(element_id, cutting), (element_id, compliant)])
    assert reading == (False, False, True)  # (pattern, similarity, stance): only the learned reading sees it
    assert twin == (False, False, False)


def test_the_stance_reading_turns_an_otherwise_addressed_element_into_check(assistant, tmp_path):
    """In a whole agreement, the clause the model reads as cutting is shown first, as a conflict."""
    from tests.pdfs import make_pdf

    element_id, cutting, _ = CUTTING_AND_COMPLIANT[0]
    body = [
        "Memorandum of Understanding between the Superintendent of the Brookvale Public Schools and the Chief "
        "of the Brookvale Police Department on the School Resource Officer program.",
        "The school resource officer is a sworn officer assigned to the high school to keep students and staff "
        "safe and to build trust between young people and the police.",
        "The Chief will send the Superintendent at least two candidates, and no officer is assigned without the "
        "Superintendent's written agreement.",
        "The school resource officer holds current certification from the POST Commission and completes the "
        "training it requires each year.",
        "The school resource officer does not enforce the student code of conduct; discipline stays with the "
        "principal and the assistant principals.",
        cutting,
        "The superintendent and the chief review this agreement every year and post it on the district website.",
    ]
    pdf = tmp_path / "brookvale.pdf"
    make_pdf(pdf, ["\n\n".join(body)])
    finding = next(f for f in assistant.review_agreement(pdf).findings if f.element.id == element_id)
    assert finding.verdict == CHECK
    assert finding.passages[0].stance == "conflict" and "reasonable-suspicion" in finding.passages[0].text
    # With the stance reading off (a threshold no probability reaches), the same agreement is no check there.
    original = assistant.settings
    try:
        assistant.settings = original.model_copy(update={"review_stance": 1.01})
        without = next(f for f in assistant.review_agreement(pdf).findings if f.element.id == element_id)
    finally:
        assistant.settings = original
    assert without.verdict != CHECK


def test_the_shipped_model_is_trained_on_the_material_there_is_now(assistant):
    """Editing a label, a bank, an agreement or the checklist without retraining fails here (and the eval gate)."""
    assert stale_stance_model(assistant.settings, FOLDER) is None


def test_changed_material_is_reported_as_a_stale_model(assistant, tmp_path):
    copy = tmp_path / "agreements"
    (copy / "clauses").mkdir(parents=True)
    for path in material(FOLDER, assistant.settings):
        if path.parent == FOLDER / "clauses":
            shutil.copy(path, copy / "clauses" / path.name)
        elif path.parent == FOLDER:
            shutil.copy(path, copy / path.name)
    assert fingerprint(copy, assistant.settings) == fingerprint(FOLDER, assistant.settings)
    labels = next(copy.glob("*.labels.toml"))
    labels.write_text(labels.read_text(encoding="utf-8").replace('status = "addressed"', 'status = "check"', 1),
                      encoding="utf-8")
    message = stale_stance_model(assistant.settings, copy)
    assert message and "python -m evals.train_stance" in message


def test_a_missing_foreign_or_broken_model_file_gets_one_clear_line(assistant, tmp_path):
    with pytest.raises(StanceModelError, match="no stance model"):
        StanceModel.load(tmp_path / "absent.npz", ids(assistant))
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"not a numpy archive")
    with pytest.raises(StanceModelError, match="not a stance model"):
        StanceModel.load(broken, ids(assistant))
    with pytest.raises(StanceModelError, match="other checklist elements"):
        StanceModel.load(assistant.settings.review_stance_path, ids(assistant)[:-1])


def test_a_model_for_another_embedding_model_is_refused_before_reading(assistant, tmp_path):
    from assistant.agreement_review import AgreementReviewer

    names = ids(assistant)
    small = StanceModel(names, np.zeros(3, np.float32), np.zeros((len(names), 3), np.float32),
                        np.zeros(LEXICAL_SLOTS, np.float32), 0.0, np.ones(len(names), bool))
    small.save(tmp_path / "small.npz")
    settings = assistant.settings.model_copy(update={"review_stance_path": tmp_path / "small.npz"})
    with pytest.raises(StanceModelError, match="retrain"):
        AgreementReviewer(assistant.embedder).review_file(FOLDER / "older-2018.pdf", settings)


def test_a_fitted_model_saves_and_loads_to_the_same_probabilities(assistant, tmp_path):
    texts = [t for _, a, b in CUTTING_AND_COMPLIANT for t in (a, b)]
    vectors = assistant.embedder.embed(texts)
    elements = [k for k in range(len(CUTTING_AND_COMPLIANT)) for _ in (0, 1)]
    names = tuple(e for e, _, _ in CUTTING_AND_COMPLIANT)
    model = StanceModel.fit(vectors, texts, elements, [True, False] * len(CUTTING_AND_COMPLIANT), names, c=10.0,
                            element_weight=2.0, lexical_weight=2.0, reads=[True, False, True], fingerprint="abc",
                            note="test")
    model.save(tmp_path / "stance.npz")
    again = StanceModel.load(tmp_path / "stance.npz", names)
    assert again.fingerprint == "abc" and again.note == "test" and list(again.reads) == [True, False, True]
    for k in range(len(names)):
        assert np.allclose(model.probability(vectors, texts, k), again.probability(vectors, texts, k))
    # Trained on them, it tells each conflict from its twin.
    pairs = [model.probability(vectors[2 * k:2 * k + 2], texts[2 * k:2 * k + 2], k) for k in range(len(names))]
    assert all(p[0] > 0.5 > p[1] for p in pairs)


def test_an_older_model_file_without_word_features_is_refused_with_the_fix(assistant, tmp_path):
    with np.load(assistant.settings.review_stance_path, allow_pickle=False) as data:
        older = {key: data[key] for key in data.files if key != "lexical"}
    np.savez(tmp_path / "older.npz", **older)
    with pytest.raises(StanceModelError, match="older version.*python -m evals.train_stance"):
        StanceModel.load(tmp_path / "older.npz", ids(assistant))


def test_a_model_with_other_word_slots_or_a_truncated_file_gets_the_fix_not_a_500(assistant, tmp_path):
    with np.load(assistant.settings.review_stance_path, allow_pickle=False) as data:
        other = {key: data[key] for key in data.files}
    other["lexical"] = other["lexical"][:1024]
    np.savez(tmp_path / "other.npz", **other)
    with pytest.raises(StanceModelError, match="another version.*python -m evals.train_stance"):
        StanceModel.load(tmp_path / "other.npz", ids(assistant))
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(assistant.settings.review_stance_path.read_bytes()[:4000])
    with pytest.raises(StanceModelError, match="not a stance model"):
        StanceModel.load(truncated, ids(assistant))


def test_probabilities_are_sklearns_own_on_the_same_features(assistant):
    """fit() unpacks sklearn's coefficients into shared, per-element and word parts, each scaled by its
    weight; probability() must give back what sklearn itself says on the features fit() built."""
    from sklearn.linear_model import LogisticRegression
    from scipy import sparse

    from assistant.agreement_stance import _vector_features, lexical_features

    texts = [t for _, a, b in CUTTING_AND_COMPLIANT for t in (a, b)]
    vectors = assistant.embedder.embed(texts)
    elements = np.array([k for k in range(len(CUTTING_AND_COMPLIANT)) for _ in (0, 1)])
    names = tuple(e for e, _, _ in CUTTING_AND_COMPLIANT)
    labels = [True, False] * len(CUTTING_AND_COMPLIANT)
    model = StanceModel.fit(vectors, texts, elements.tolist(), labels, names, c=10.0, element_weight=2.0,
                            lexical_weight=3.0)
    features = sparse.hstack([_vector_features(vectors, elements, len(names), 2.0),
                              3.0 * lexical_features(texts)]).tocsr()
    reference = LogisticRegression(C=10.0, max_iter=5000, class_weight="balanced").fit(features, labels)
    expected = reference.predict_proba(features)[:, 1]
    mine = np.concatenate([model.probability(vectors[elements == k], [t for t, e in zip(texts, elements) if e == k], k)
                           for k in range(len(names))])
    assert np.allclose(mine, expected, atol=1e-5)
    with pytest.raises(ValueError, match="texts"):
        model.probability(vectors, texts[:1], 0)


def test_curly_and_straight_apostrophes_are_the_same_words():
    """Agreements exported from a word processor have curly apostrophes; the banks and the dev PDFs
    have straight ones. The words must not change with them."""
    from assistant.agreement_stance import lexical_features

    curly = lexical_features(["The officer\u2019s decision doesn\u2019t need the Supt.\u2019s approval"])
    straight = lexical_features(["The officer's decision doesn't need the Supt.'s approval"])
    assert (curly != straight).nnz == 0


def test_word_features_are_the_same_slots_in_every_process():
    """The slots are crc32 of the words, not Python's per-process hash(): a saved model must mean the
    same thing when another process loads it."""
    from assistant.agreement_stance import lexical_features

    row = lexical_features(["At the officer's discretion"])
    slots = sorted(row.indices.tolist())
    import zlib
    terms = ["at", "the", "officer's", "discretion", "at the", "the officer's", "officer's discretion"]
    assert slots == sorted(zlib.crc32(t.encode()) % LEXICAL_SLOTS for t in terms)
    assert np.isclose(float(row.multiply(row).sum()), 1.0)


@pytest.mark.parametrize("clause, evidence, held", [
    ("The SRO may search at the principal's request.", "the SRO may search at the principal's request", True),
    ("Where an administrator asks, the SRO may search at the principal's request and report back.",
     "the SRO may search at the principal's request", True),
    ("The agreement is reviewed every year.", "the SRO may search at the principal's request", False),
    ("", "anything", False),
])
def test_a_clause_holds_a_labels_evidence_by_its_letters(clause, evidence, held):
    assert holds_evidence(clause, evidence) is held


def test_a_missing_model_file_is_one_line_from_the_cli_not_a_traceback(shared_settings, monkeypatch, capsys, tmp_path):
    from assistant.cli import main

    monkeypatch.setenv("SRO_DATA_DIR", str(shared_settings.data_dir))
    monkeypatch.setenv("SRO_REVIEW_STANCE_PATH", str(tmp_path / "absent.npz"))
    assert main(["review-mou", str(FOLDER / "older-2018.pdf")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no stance model" in err[0] and "python -m evals.train_stance" in err[0]


def test_a_loss_on_the_first_banks_fails_the_gate_even_when_the_later_banks_make_up_for_it():
    """Each group of dev banks has its own floor, so an in-sample gain on banks 9 and 10 cannot hide a
    loss on banks 1-5."""
    from evals.agreement_eval import bank_floor_failures

    def dev(first: int, later: int, flagged: float = 0.0) -> dict:
        by_bank = {str(b): {"conflicts": 114, "read_as_check": first, "compliant_flagged": 0} for b in (1, 2, 3, 4, 5)}
        by_bank |= {str(b): {"conflicts": 114, "read_as_check": later, "compliant_flagged": 0} for b in (9, 10)}
        return {"by_bank": by_bank, "compliant_flagged": flagged}

    assert bank_floor_failures(dev(first=95, later=60)) == []
    failed = bank_floor_failures(dev(first=80, later=114))  # 70% of banks 1-5, though 78% of all seven
    assert len(failed) == 1 and "banks 1-5" in failed[0]
    assert "banks 9-10" in bank_floor_failures(dev(first=95, later=40))[0]
    assert "compliant_flagged" in bank_floor_failures(dev(first=95, later=60, flagged=0.05))[0]
    missing = dev(first=95, later=60)
    del missing["by_bank"]["9"]
    assert "not all in clauses/dev.jsonl" in bank_floor_failures(missing)[0]
    assert bank_floor_failures({}) == []  # a folder without a dev bank
