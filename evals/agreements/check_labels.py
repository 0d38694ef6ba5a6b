#!/usr/bin/env python3
"""Check the agreement labels against the built PDFs.

    .venv/bin/python evals/agreements/check_labels.py          # verify (exit 1 on any problem)
    .venv/bin/python evals/agreements/check_labels.py --fill   # recompute pages, rewrite the label files

For every ``<name>.labels.toml`` (in this folder and in ``holdout/``) and its ``<name>.pdf``:

* all 19 element ids are labelled, with a valid status and a note;
* ``not_found`` labels have no pages and no evidence;
* every ``addressed`` / ``check`` label's evidence is found, after normalisation, on exactly the
  labelled pages (a passage running over a page break is labelled with both pages) (normalisation: lower case, keep only letters and digits, so line breaks,
  hyphenation at line ends and punctuation differences do not matter);
* top-level ``pages`` equals the PDF's page count.

Pages are read with pypdf's ``extract_text()``; nothing is guessed.  ``--fill`` sets each label's
``pages`` to the pages where its evidence is found and rewrites the file in canonical order.
It also checks ``not-an-agreement.pdf`` (3 pages, the word "police" exactly once).
"""
from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path

from pypdf import PdfReader

HERE = Path(__file__).resolve().parent

ELEMENTS = [
    "role-duties", "not-disciplinarian", "no-police-powers-nonviolent", "selection-superintendent",
    "preference-criteria", "annual-review", "certification-training", "information-sharing-ferpa",
    "immigration-status-ban", "questioning-parent-notice", "searches", "arrest-last-resort-diversion",
    "use-of-force-restraint", "students-with-disabilities", "threat-assessment-emergencies",
    "bullying-referrals", "complaint-process", "data-reporting", "review-and-publication",
]
STATUSES = ("addressed", "not_found", "check")


def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def page_texts(pdf: Path) -> list[str]:
    return [norm(p.extract_text() or "") for p in PdfReader(pdf).pages]


def label_files() -> list[Path]:
    return sorted(HERE.glob("*.labels.toml")) + sorted((HERE / "holdout").glob("*.labels.toml"))


def pdf_for(label_path: Path) -> Path:
    return label_path.with_name(label_path.name.replace(".labels.toml", ".pdf"))


def find_pages(evidence: str, texts: list[str]) -> list[int]:
    """Pages holding the evidence; a passage that runs over a page break counts for both pages
    (its two halves, each at least 6 characters after normalisation, on consecutive pages)."""
    key = norm(evidence)
    if not key:
        return []
    pages = [i + 1 for i, t in enumerate(texts) if key in t]
    if pages:
        return pages
    for i in range(len(texts) - 1):
        for k in range(6, len(key) - 5):
            if key[:k] in texts[i] and key[k:] in texts[i + 1]:
                return [i + 1, i + 2]
    return []


def dump(data: dict) -> str:
    s = json.dumps  # TOML basic strings accept JSON string escapes
    out = [f"description = {s(data['description'])}", f"pages = {data['pages']}", ""]
    for el in ELEMENTS:
        lab = data["labels"][el]
        out += [
            f"[labels.{el}]",
            f"status = {s(lab['status'])}",
            f"pages = {json.dumps(lab.get('pages', []))}",
            f"evidence = {s(lab.get('evidence', ''))}",
            f"note = {s(lab.get('note', ''))}",
            "",
        ]
    return "\n".join(out)


def check_file(path: Path, fill: bool) -> tuple[list[str], dict]:
    errors: list[str] = []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    pdf = pdf_for(path)
    if not pdf.exists():
        return [f"{path.name}: missing {pdf.name}"], {}
    texts = page_texts(pdf)
    if fill:
        data["pages"] = len(texts)
    if data.get("pages") != len(texts):
        errors.append(f"top-level pages = {data.get('pages')} but the PDF has {len(texts)}")
    if not str(data.get("description", "")).strip():
        errors.append("missing description")
    labels = data.get("labels", {})
    extra = set(labels) - set(ELEMENTS)
    if extra:
        errors.append(f"unknown element ids: {sorted(extra)}")
    counts = {s: 0 for s in STATUSES}
    for el in ELEMENTS:
        lab = labels.get(el)
        if lab is None:
            errors.append(f"{el}: not labelled")
            continue
        status = lab.get("status")
        if status not in STATUSES:
            errors.append(f"{el}: bad status {status!r}")
            continue
        counts[status] += 1
        if not str(lab.get("note", "")).strip():
            errors.append(f"{el}: missing note")
        evidence = lab.get("evidence", "")
        if status == "not_found":
            if lab.get("pages") or evidence:
                errors.append(f"{el}: not_found must have empty pages and evidence")
            continue
        if len(norm(evidence)) < 20:
            errors.append(f"{el}: evidence too short or missing")
            continue
        found = find_pages(evidence, texts)
        if fill:
            lab["pages"] = found
        if not found:
            errors.append(f"{el}: evidence not found in the PDF: {evidence!r}")
        elif sorted(lab.get("pages", [])) != found:
            errors.append(f"{el}: labelled pages {lab.get('pages')} but evidence is on {found}")
        elif len(found) > 1 and all(norm(evidence) in texts[p - 1] for p in found):
            errors.append(f"{el}: evidence occurs on several pages {found}; make it specific")
    if fill and not errors:
        path.write_text(dump(data), encoding="utf-8")
    return errors, counts


def check_not_an_agreement() -> list[str]:
    pdf = HERE / "not-an-agreement.pdf"
    if not pdf.exists():
        return ["not-an-agreement.pdf missing"]
    reader = PdfReader(pdf)
    text = " ".join((p.extract_text() or "") for p in reader.pages).lower()
    errors = []
    if len(reader.pages) != 3:
        errors.append(f"not-an-agreement.pdf has {len(reader.pages)} pages, expected 3")
    n = len(re.findall(r"police", text))
    if n != 1:
        errors.append(f"not-an-agreement.pdf mentions 'police' {n} times, expected 1")
    return errors


def main(argv: list[str]) -> int:
    fill = "--fill" in argv
    bad = 0
    for path in label_files():
        errors, counts = check_file(path, fill)
        rel = path.relative_to(HERE)
        if errors:
            bad += 1
            print(f"FAIL {rel}")
            for e in errors:
                print(f"   - {e}")
        else:
            summary = ", ".join(f"{k} {v}" for k, v in counts.items())
            print(f"ok   {rel} ({summary})")
    errors = check_not_an_agreement()
    for e in errors:
        print(f"FAIL {e}")
    bad += bool(errors)
    if not errors:
        print("ok   not-an-agreement.pdf (3 pages, 'police' once)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
