"""Train the agreement review's stance model (its third reading of "check") on the dev material.

    .venv/bin/python -m evals.train_stance          # fit on all dev material, write corpus/mou-stance.npz
    .venv/bin/python -m evals.train_stance --cv     # cross-validated figures only; writes nothing

It learns from the dev clause banks (`evals/agreements/clauses/dev.jsonl`), the checklist's phrasings
and the dev agreements' clauses (assistant/stance_training.py says which), never from `holdout/` or
`clauses/holdout.jsonl`. Training first holds out a ninth of the dev agreements at a time and scores
what a model trained on the rest says about them; the elements where that caught more planted
conflicts than it raised false checks are the ones the review reads this way. `--cv` prints those
figures and the same for each dev bank held out in turn, and writes nothing: how the settings were
chosen. The model records a fingerprint of everything that shapes it, and `eval --agreements` fails
when that has changed since (a stale model)."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from pathlib import Path

from assistant import stance_training as training
from assistant.settings import PROJECT_ROOT, Settings

FOLDER = Path(__file__).resolve().parent / "agreements"
THRESHOLDS = (0.8, 0.85, 0.9, 0.95)
# The code that turns the material into training rows: an edit to any of it calls for a retrain.
CODE = ["assistant/agreement_text.py", "assistant/agreement_amendments.py", "assistant/agreement_wording.py", "assistant/agreement_readings.py",
        "assistant/agreement_review.py", "assistant/agreement_stance.py", "assistant/stance_training.py",
        "assistant/sentences.py", "assistant/checklist.py", "assistant/embeddings.py", "ingest/loaders.py",
        "ingest/documents.py", "evals/train_stance.py"]


def material(folder: Path, settings: Settings) -> list[Path]:
    """Every data file the model is trained from, in a fixed order."""
    labels = sorted(folder.glob("*.labels.toml"))
    return ([folder / "clauses" / "dev.jsonl", Path(settings.checklist_path)] + labels
            + [p.with_name(p.name.replace(".labels.toml", ".pdf")) for p in labels])


def fingerprint(folder: Path, settings: Settings) -> str:
    import pypdf
    import scipy
    import sklearn

    digest = hashlib.sha256(
        f"topic={settings.review_conflict_topic} threshold={settings.review_stance} "
        f"addressed={settings.review_addressed} "
        f"model={settings.embedding_model or 'bundled'} tokens={settings.embed_max_tokens} "
        f"sklearn={sklearn.__version__} scipy={scipy.__version__} pypdf={pypdf.__version__}".encode())
    for path in material(folder, settings) + [PROJECT_ROOT / p for p in CODE]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_material(settings: Settings, folder: Path = FOLDER) -> training.Material:
    from assistant.agreement_review import AgreementReviewer
    from assistant.agreement_wording import normalise
    from assistant.checklist import load_checklist
    from assistant.embeddings import embedder_for

    checklist = load_checklist(settings.checklist_path)
    ids = [e.id for e in checklist.elements]
    reviewer = AgreementReviewer(embedder_for(settings))  # the model the review itself will read with
    bank = [json.loads(line) for line in (folder / "clauses" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    agreements = []
    for label_file in sorted(folder.glob("*.labels.toml")):
        labels = tomllib.loads(label_file.read_text(encoding="utf-8"))["labels"]
        pdf = label_file.with_name(label_file.name.replace(".labels.toml", ".pdf"))
        agreements.append(training.labelled_agreement(reviewer, pdf, labels, settings, ids))
    return training.Material(
        ids, bank, reviewer.embed([normalise(r["text"]) for r in bank]),
        [(k, stance, text) for k, e in enumerate(checklist.elements)
         for stance, texts in ((False, e.cues), (True, e.conflicts)) for text in texts],
        reviewer.embed([normalise(t) for e in checklist.elements for t in (*e.cues, *e.conflicts)]),
        agreements)


def agreement_lines(verdicts, ids: list[str], reads: list[bool]) -> list[str]:
    lines = []
    conflicts = sum(s == "check" for _, s, _ in verdicts)
    for t in THRESHOLDS:
        for label, keep in (("all elements", lambda k: True), ("trusted elements", lambda k: reads[k])):
            hit = sum(s == "check" and p >= t and keep(k) for k, s, p in verdicts)
            false = sum(s != "check" and p >= t and keep(k) for k, s, p in verdicts)
            lines.append(f"agreements, {training.FOLDS} folds, probability {t}, {label}: {hit} of {conflicts} "
                         f"conflicts, {false} false checks in {len(verdicts) - conflicts} other verdicts")
    lines.append("trusted at the review's threshold: " + ", ".join(i for i, r in zip(ids, reads) if r))
    return lines


def bank_lines(scored: list[tuple[str, float]]) -> list[str]:
    n_conflict = sum(s == "conflict" for s, _ in scored)
    return [f"clause banks, one held out at a time, probability {t}: "
            f"{sum(s == 'conflict' and p >= t for s, p in scored)} of {n_conflict} conflicts, "
            f"{sum(s != 'conflict' and p >= t for s, p in scored)} of {len(scored) - n_conflict} compliant twins flagged"
            for t in THRESHOLDS]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.train_stance", description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="print cross-validated figures; write nothing")
    args = parser.parse_args(argv)
    settings = Settings()
    m = load_material(settings)
    verdicts = training.agreement_cv(m)
    reads = training.trusted(verdicts, len(m.ids), settings.review_stance)
    print("\n".join(agreement_lines(verdicts, m.ids, reads)))
    if args.cv:
        print("\n".join(bank_lines(training.bank_cv(m))))
        return 0
    print_ = fingerprint(FOLDER, settings)
    model = training.fit(m, reads=reads, fingerprint=print_,
                         note=f"{len(m.bank)} bank clauses, {len(m.phrasings)} checklist phrasings, "
                              f"{len(m.agreements)} dev agreements; read for {sum(reads)} elements")
    model.save(settings.review_stance_path)
    print(f"wrote {settings.review_stance_path} ({model.note}; fingerprint {print_})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
