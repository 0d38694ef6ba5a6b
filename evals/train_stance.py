"""Train the agreement review's stance model (its third reading of "check") on the dev material.

    .venv/bin/python -m evals.train_stance          # fit on all dev material, write corpus/mou-stance.npz
    .venv/bin/python -m evals.train_stance --cv     # cross-validated figures only; writes nothing

What it learns from (never the holdout agreements or the holdout clause bank):
- the dev clause banks (`evals/agreements/clauses/dev.jsonl`): clauses written to cut against an
  element, and compliant twins that share their words;
- the checklist's own expected and conflict phrasings;
- every clause of each dev agreement that is about an element (topic probability at least
  `review_conflict_topic`, the floor the review reads at): a conflict when the element is labelled
  check and the clause holds the label's evidence, otherwise ordinary wording. Without these the
  model raised a false check on 99 of 428 element verdicts of the dev agreements: the banks' twins
  look nothing like a clause on bus duty or badge colour.

Training first holds out a ninth of the dev agreements at a time and scores what a model trained on
the rest says about them; the elements where that caught more planted conflicts than it raised false
checks are the ones the review reads this way (`trusted`). `--cv` prints those figures and the same
for each dev bank held out in turn, and writes nothing: how the settings were chosen."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

import numpy as np

from assistant.agreement_review import AgreementReviewer
from assistant.agreement_stance import StanceModel
from assistant.agreement_wording import normalise
from assistant.checklist import load_checklist
from assistant.embeddings import Embedder
from assistant.settings import Settings

FOLDER = Path(__file__).resolve().parent / "agreements"
# Chosen by --cv on the 27 dev agreements of 2026-11-30 (9 folds), before pair 13 was measured.
# C 10 / 30 / 100 / 300 at probability 0.9: 24 / 31 / 39 / 41 of 85 conflicts for 12 / 18 / 23 / 31
# false checks in 428 other verdicts; element weight 1 / 2 / 3 at C 100: 34 / 39 / 40 for 21 / 23 / 26.
C = 100.0
ELEMENT_WEIGHT = 2.0
FOLDS = 9
THRESHOLDS = (0.8, 0.85, 0.9, 0.95)


def material(folder: Path, settings: Settings) -> list[Path]:
    """Every file the model is trained from, in a fixed order."""
    labels = sorted(folder.glob("*.labels.toml"))
    return ([folder / "clauses" / "dev.jsonl", Path(settings.checklist_path)] + labels
            + [p.with_name(p.name.replace(".labels.toml", ".pdf")) for p in labels])


def fingerprint(folder: Path, settings: Settings) -> str:
    digest = hashlib.sha256(f"C={C} w={ELEMENT_WEIGHT} topic={settings.review_conflict_topic} "
                            f"threshold={settings.review_stance}".encode())
    for path in material(folder, settings):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def holds_evidence(clause: str, evidence: str) -> bool:
    """A clause holds a label's evidence when one contains the other, or the clause holds the
    evidence's first or last 40 letters (evidence may run over two clauses)."""
    a, b = _squash(clause), _squash(evidence)
    if not a or not b:
        return False
    return a in b or b in a or (len(b) > 40 and (b[:40] in a or b[-40:] in a))


def agreement_rows(reviewer: AgreementReviewer, folder: Path, settings: Settings, ids: list[str]) -> list[dict]:
    """One entry per dev agreement: its clause vectors and, per element, which rows it reads and which are conflicts."""
    out = []
    for label_file in sorted(folder.glob("*.labels.toml")):
        labels = tomllib.loads(label_file.read_text(encoding="utf-8"))["labels"]
        found, vectors, topics, eligible = reviewer.read_document(
            label_file.with_name(label_file.name.replace(".labels.toml", ".pdf")), settings)
        per_element = []
        for k, element_id in enumerate(ids):
            label = labels[element_id]
            rows = np.flatnonzero((topics[:, k] >= settings.review_conflict_topic) & eligible)
            conflict = [label["status"] == "check" and holds_evidence(found[r].text, label["evidence"]) for r in rows]
            per_element.append((rows, conflict, label["status"]))
        out.append({"name": label_file.name.removesuffix(".labels.toml"), "vectors": vectors, "elements": per_element})
    return out


def training_set(bank: list[dict], bank_vectors, phrasings, phrasing_vectors, documents: list[dict], ids: list[str]):
    vectors = [bank_vectors, phrasing_vectors]
    elements = [ids.index(r["element"]) for r in bank] + [k for k, _ in phrasings]
    conflict = [r["stance"] == "conflict" for r in bank] + [c for _, c in phrasings]
    for doc in documents:
        for k, (rows, flags, _) in enumerate(doc["elements"]):
            vectors.append(doc["vectors"][rows])
            elements += [k] * len(rows)
            conflict += flags
    return np.vstack(vectors), elements, conflict


def agreement_cv(bank, bank_vectors, phrasings, phrasing_vectors, documents, ids) -> list[tuple[int, str, float]]:
    """(element, label status, best probability) for each agreement and element, each agreement read
    by a model trained without the ninth of the dev agreements it belongs to."""
    verdicts = []
    for fold in range(FOLDS):
        held = documents[fold::FOLDS]
        rest = [d for d in documents if d not in held]
        model = StanceModel.fit(*training_set(bank, bank_vectors, phrasings, phrasing_vectors, rest, ids), tuple(ids),
                                c=C, element_weight=ELEMENT_WEIGHT)
        for doc in held:
            for k, (rows, _, status) in enumerate(doc["elements"]):
                best = float(model.probability(doc["vectors"][rows], k).max()) if len(rows) else 0.0
                verdicts.append((k, status, best))
    return verdicts


def trusted(verdicts: list[tuple[int, str, float]], ids: list[str], threshold: float) -> list[bool]:
    """The elements whose stance reading, cross-validated, caught more planted conflicts than it raised
    false checks. On the others (no conflict labelled, or more false than right) it would only add noise:
    on 2026-11-30 it raised 26 of its 35 false checks there and caught 3 of its 47 conflicts."""
    return [sum(k == j and s == "check" and p >= threshold for j, s, p in verdicts)
            > sum(k == j and s != "check" and p >= threshold for j, s, p in verdicts) for k in range(len(ids))]


def agreement_lines(verdicts, ids: list[str], reads: list[bool]) -> list[str]:
    lines = []
    conflicts = sum(s == "check" for _, s, _ in verdicts)
    for t in THRESHOLDS:
        for label, keep in (("all elements", lambda k: True), ("trusted elements", lambda k: reads[k])):
            hit = sum(s == "check" and p >= t and keep(k) for k, s, p in verdicts)
            false = sum(s != "check" and p >= t and keep(k) for k, s, p in verdicts)
            lines.append(f"agreements, {FOLDS} folds, probability {t}, {label}: {hit} of {conflicts} conflicts, "
                         f"{false} false checks in {len(verdicts) - conflicts} other verdicts")
    lines.append("trusted at the review's threshold: " + ", ".join(i for i, r in zip(ids, reads) if r))
    return lines


def bank_cv(bank, bank_vectors, phrasings, phrasing_vectors, documents, ids) -> list[str]:
    """Each dev bank read by a model trained without it (the agreements all in)."""
    scored = []  # (stance, probability) per bank clause, from a model that never saw its bank
    for held in sorted({r["bank"] for r in bank}):
        keep = [i for i, r in enumerate(bank) if r["bank"] != held]
        model = StanceModel.fit(*training_set([bank[i] for i in keep], bank_vectors[keep], phrasings,
                                              phrasing_vectors, documents, ids), tuple(ids),
                                c=C, element_weight=ELEMENT_WEIGHT)
        scored += [(r["stance"], float(model.probability(bank_vectors[i][None], ids.index(r["element"]))[0]))
                   for i, r in enumerate(bank) if r["bank"] == held]
    n_conflict = sum(s == "conflict" for s, _ in scored)
    lines = []
    for t in THRESHOLDS:
        hit = sum(s == "conflict" and p >= t for s, p in scored)
        flagged = sum(s != "conflict" and p >= t for s, p in scored)
        lines.append(f"clause banks, one held out at a time, probability {t}: {hit} of {n_conflict} conflicts, "
                     f"{flagged} of {len(scored) - n_conflict} compliant twins flagged")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.train_stance", description=__doc__.splitlines()[0])
    parser.add_argument("--cv", action="store_true", help="print cross-validated figures; write nothing")
    args = parser.parse_args(argv)
    settings = Settings()
    checklist = load_checklist(settings.checklist_path)
    ids = [e.id for e in checklist.elements]
    reviewer = AgreementReviewer(Embedder())
    bank = [json.loads(line) for line in (FOLDER / "clauses" / "dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    bank_vectors = reviewer.embed([normalise(r["text"]) for r in bank])
    phrasings = [(k, stance) for k, e in enumerate(checklist.elements)
                 for stance, texts in ((False, e.cues), (True, e.conflicts)) for _ in texts]
    phrasing_vectors = reviewer.embed([normalise(t) for e in checklist.elements for t in (*e.cues, *e.conflicts)])
    documents = agreement_rows(reviewer, FOLDER, settings, ids)
    material_ = (bank, bank_vectors, phrasings, phrasing_vectors, documents, ids)
    verdicts = agreement_cv(*material_)
    reads = trusted(verdicts, ids, settings.review_stance)
    print("\n".join(agreement_lines(verdicts, ids, reads)))
    if args.cv:
        print("\n".join(bank_cv(*material_)))
        return 0
    print_ = fingerprint(FOLDER, settings)
    model = StanceModel.fit(*training_set(bank, bank_vectors, phrasings, phrasing_vectors, documents, ids), tuple(ids),
                            c=C, element_weight=ELEMENT_WEIGHT, reads=reads, fingerprint=print_,
                            note=f"{len(bank)} bank clauses, {len(phrasings)} checklist phrasings, "
                                 f"{len(documents)} dev agreements; read for {sum(reads)} elements")
    model.save(settings.review_stance_path)
    print(f"wrote {settings.review_stance_path} ({model.note}; fingerprint {print_})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
