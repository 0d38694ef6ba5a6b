"""`sro-assistant eval --agreements`: the agreement review against hand-labelled agreements.

Each `evals/agreements/<name>.pdf` has `<name>.labels.toml` (element -> addressed / not_found /
check, with pages). Every agreement was written by a helper who had not seen the checklist, its
patterns or the review code. `holdout/` is reported apart and never used to pick anything or to
train on; until pair 13 a measured holdout joined dev, and since pair 14 measured pairs stay there.

The issue's targets (recall of truly missing elements >= 0.9, precision >= 0.85, every planted
conflict caught) are reported for dev and holdout alike, and open until met; the gate fails when the
dev figures fall below what the review reaches today, so a worse review never ships.

`clauses/dev.jsonl` and `clauses/holdout.jsonl` are banks of single clauses, 6 cutting against each
element and 4 compliant twins, each bank written blind by a helper: how often "check" fires on wording
it has not seen, with a hundred conflicts rather than the handful a pair of agreements holds.

The dev figures are not a measure of generalisation: the patterns were fitted to dev, and the stance
model is trained on it. `python -m evals.train_stance --cv` gives cross-validated figures; the holdout
gives the honest one."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

from assistant.agreement_review import ADDRESSED, CHECK, NOT_FOUND

FOLDER = Path(__file__).resolve().parent / "agreements"
TARGETS = {"missing_recall": 0.9, "missing_precision": 0.85, "check_recall": 1.0}
# What the review reaches on the 31 dev agreements (2026-11-30, sixth session: accuracy 0.934, missing
# precision 0.897 and recall 0.96, 102 of 102 planted conflicts caught), less a little for floating-point
# drift between machines. The regression floor, not the target.
FLOORS = {"accuracy": 0.92, "missing_recall": 0.94, "missing_precision": 0.885, "check_recall": 0.98}
# The dev clause banks (clauses/dev.jsonl): regression floors too; the holdout banks are reported only.
# Each group its own floor, so a gain on the banks added later cannot hide a loss on the first five
# (banks 1-5 read 428 of 570 conflicts before banks 9 and 10 joined; the figures are in the README).
BANK_RECALL_FLOORS = {(1, 2, 3, 4, 5): 0.73, (9, 10): 0.48}  # 2026-11-30: 439 of 570, 115 of 228
BANK_COMPLIANT_CEILING = 0.02  # of the dev banks' compliant twins flagged


def labelled(folder: Path) -> list[tuple[Path, dict]]:
    out = []
    for labels in sorted(folder.glob("*.labels.toml")):
        pdf = labels.with_name(labels.name.replace(".labels.toml", ".pdf"))
        with open(labels, "rb") as fh:
            out.append((pdf, tomllib.load(fh)))
    return out


def _ratio(hit: int, total: int) -> float | None:
    return round(hit / total, 3) if total else None


def score(rows: list[dict]) -> dict:
    """rows: one per (agreement, element) with `label` and `verdict`."""
    def pr(verdict: str) -> tuple[float | None, float | None]:
        said = [r for r in rows if r["verdict"] == verdict]
        truly = [r for r in rows if r["label"] == verdict]
        both = [r for r in said if r["label"] == verdict]
        return _ratio(len(both), len(said)), _ratio(len(both), len(truly))

    missing_p, missing_r = pr(NOT_FOUND)
    check_p, check_r = pr(CHECK)
    addressed = [r for r in rows if r["verdict"] == ADDRESSED and r["label"] == ADDRESSED]
    return {
        "elements": len(rows),
        "accuracy": _ratio(sum(r["verdict"] == r["label"] for r in rows), len(rows)),
        "missing_precision": missing_p, "missing_recall": missing_r,
        "check_precision": check_p, "check_recall": check_r,
        # The shown passage sits on a page the labeller named: a mechanical stand-in for "a reader
        # agrees it addresses the element", which the closing note spot-checks by hand.
        "addressed_on_labelled_page": _ratio(sum(r["page_ok"] for r in addressed), len(addressed)),
    }


def review_all(assistant, folder: Path) -> tuple[list[dict], list[dict]]:
    rows, documents = [], []
    for pdf, labels in labelled(folder):
        review = assistant.review_agreement(pdf)
        documents.append({"document": pdf.name, "pages": len(review.pages), "seconds": round(review.seconds, 2)})
        for f in review.findings:
            label = labels["labels"][f.element.id]
            pages = set(label.get("pages") or [])
            rows.append({"document": pdf.name, "element": f.element.id, "label": label["status"],
                         "verdict": f.verdict, "page": f.passages[0].page if f.passages else None,
                         "page_ok": bool(f.passages) and f.passages[0].page in pages,
                         "passage": f.passages[0].text if f.passages else ""})
    return rows, documents


def per_element(rows: list[dict]) -> dict:
    out = {}
    for element in dict.fromkeys(r["element"] for r in rows):
        mine = [r for r in rows if r["element"] == element]
        out[element] = {"right": sum(r["verdict"] == r["label"] for r in mine), "of": len(mine),
                        "wrong": [f"{r['document']}: said {r['verdict']}, labelled {r['label']}"
                                  for r in mine if r["verdict"] != r["label"]]}
    return out


def markdown(report: dict) -> str:
    lines = ["# Agreement review: labelled agreements", ""]
    for name in ("dev", "holdout"):
        part = report.get(name)
        if not part:
            continue
        m = part["metrics"]
        lines += [f"## {name} ({len(part['documents'])} agreements, {m['elements']} element verdicts)", "",
                  "| metric | value | floor (gate) | target |", "|---|---:|---:|---:|"]
        lines += [f"| {k} | {v} | {FLOORS.get(k, '') if name == 'dev' else ''} | {TARGETS.get(k, '')} |"
                  for k, v in m.items()]
        lines += ["", "| agreement | pages | seconds |", "|---|---:|---:|"]
        lines += [f"| {d['document']} | {d['pages']} | {d['seconds']} |" for d in part["documents"]]
        lines += ["", "| element | right | wrong |", "|---|---:|---|"]
        lines += [f"| {e} | {v['right']}/{v['of']} | {'; '.join(v['wrong'])} |" for e, v in part["elements"].items()]
        lines.append("")
    if report.get("clause_banks"):
        lines += ["## Clause banks (each clause judged alone)", "",
                  "| bank | conflicts read as check: patterns / similarity / stance model / any | compliant twins flagged |",
                  "|---|---:|---:|"]
        for name, b in report["clause_banks"].items():
            c, ok = b["conflict"], b["compliant"]
            lines.append(f"| {name} | {c['patterns']} / {c['similarity']} / {c['stance_model']} / {c['any']} of "
                         f"{c['clauses']} ({b['check_recall']}) | {ok['any']} of {ok['clauses']} |")
            lines += [f"| {name}, bank {n} | {v['read_as_check']} of {v['conflicts']} | {v['compliant_flagged']} |"
                      for n, v in b.get("by_bank", {}).items()]
        lines.append("")
    if report.get("open_targets"):
        lines += ["## Open targets (reported, not gated until met)", ""] + [f"- {t}" for t in report["open_targets"]]
    if report.get("failed"):
        lines += ["", "## Gate failures", ""] + [f"- {f}" for f in report["failed"]]
    return "\n".join(lines) + "\n"


def clause_bank(assistant, path: Path) -> dict:
    """Recall of "check" on a bank of single clauses (each written to cut against one element, or a
    compliant twin), by reading: many more blind conflicts than a pair of agreements holds."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    readings = assistant.read_clauses([(r["element"], r["text"]) for r in rows])
    out = {}
    for stance in ("conflict", "compliant"):
        mine = [reading for r, reading in zip(rows, readings) if r["stance"] == stance]
        out[stance] = {"clauses": len(mine), "patterns": sum(p for p, _, _ in mine),
                       "similarity": sum(n for _, n, _ in mine), "stance_model": sum(m for _, _, m in mine),
                       "any": sum(any(reading) for reading in mine)}
    out["by_bank"] = {str(b): {"conflicts": sum(r["stance"] == "conflict" for r in rows if r.get("bank") == b),
                               "read_as_check": sum(r["stance"] == "conflict" and any(x)
                                                    for r, x in zip(rows, readings) if r.get("bank") == b),
                               "compliant_flagged": sum(r["stance"] != "conflict" and any(x)
                                                        for r, x in zip(rows, readings) if r.get("bank") == b)}
                      for b in sorted({r.get("bank") for r in rows if r.get("bank") is not None})}
    out["check_recall"] = round(out["conflict"]["any"] / (out["conflict"]["clauses"] or 1), 3)
    out["compliant_flagged"] = round(out["compliant"]["any"] / (out["compliant"]["clauses"] or 1), 3)
    return out


def bank_floor_failures(dev: dict) -> list[str]:
    """The dev banks' regression floors: each group's recall of "check", and the twins flagged."""
    if not dev:  # no dev bank in this folder (a test's copy of the agreements)
        return []
    failed = []
    for group, floor in BANK_RECALL_FLOORS.items():
        parts = [dev.get("by_bank", {}).get(str(b)) for b in group]
        if not all(parts):
            failed.append(f"clause bank (dev) banks {group[0]}-{group[-1]}: not all in clauses/dev.jsonl")
            continue
        recall = round(sum(x["read_as_check"] for x in parts) / sum(x["conflicts"] for x in parts), 3)
        if recall < floor:
            failed.append(f"clause bank (dev) banks {group[0]}-{group[-1]} check_recall {recall} below {floor}")
    flagged = dev.get("compliant_flagged")
    if flagged is not None and flagged > BANK_COMPLIANT_CEILING:
        failed.append(f"clause bank (dev) compliant_flagged {flagged} above {BANK_COMPLIANT_CEILING}")
    return failed


def stale_stance_model(settings, folder: Path) -> str | None:
    """The stance model is trained on the dev material; after that material (or the checklist)
    changes, the model must be trained again, or the figures describe a model nobody would rebuild."""
    from assistant.agreement_stance import StanceModel
    from assistant.checklist import load_checklist
    from evals.train_stance import fingerprint

    ids = tuple(e.id for e in load_checklist(settings.checklist_path).elements)
    model = StanceModel.load(settings.review_stance_path, ids)
    now = fingerprint(folder, settings)
    if model.fingerprint != now:
        return (f"the stance model was trained on other material (fingerprint {model.fingerprint}, now {now}); "
                "run `python -m evals.train_stance`")
    return None


def run(assistant, out: Path, folder: Path = FOLDER) -> int:
    report, failed = {}, []
    for name, where in (("dev", folder), ("holdout", folder / "holdout")):
        if not where.is_dir():
            continue
        rows, documents = review_all(assistant, where)
        report[name] = {"metrics": score(rows), "documents": documents, "elements": per_element(rows), "rows": rows}
    banks = {name: clause_bank(assistant, folder / "clauses" / f"{name}.jsonl")
             for name in ("dev", "holdout") if (folder / "clauses" / f"{name}.jsonl").is_file()}
    if banks:
        report["clause_banks"] = banks
    for metric, floor in FLOORS.items():
        value = (report.get("dev") or {}).get("metrics", {}).get(metric)
        if value is not None and value < floor:
            failed.append(f"{metric} {value} below {floor}")
    failed += bank_floor_failures(banks.get("dev", {}))
    stale = stale_stance_model(assistant.settings, folder)
    if stale:
        failed.append(stale)
    report["failed"] = failed
    report["open_targets"] = [f"{name}: {k} {report[name]['metrics'].get(k)} (target {v})"
                              for name in ("dev", "holdout") if name in report
                              for k, v in TARGETS.items() if (report[name]["metrics"].get(k) or 0) < v]
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out / "report.md").write_text(markdown(report), encoding="utf-8")
    for name in ("dev", "holdout"):
        if name in report:
            print(f"agreements ({name}): " + ", ".join(f"{k} {v}" for k, v in report[name]["metrics"].items()))
    for name, b in report.get("clause_banks", {}).items():
        print(f"clause bank ({name}): conflicts read as check {b['conflict']['any']} of {b['conflict']['clauses']}"
              f" ({b['check_recall']}), compliant flagged {b['compliant']['any']} of {b['compliant']['clauses']}")
    print(f"wrote {out / 'report.md'}")
    for target in report["open_targets"]:
        print(f"open target (not gated yet): {target}")
    for f in failed:
        print(f"GATE: {f}", file=sys.stderr)
    return 1 if failed else 0
