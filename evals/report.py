"""The three reports of a run: JSON (machines), Markdown (people), JUnit XML (CI)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from evals.gate import tolerance

# Targets from the issue; shown next to each headline number.
TARGETS = {"quote_fidelity": ">= 1.0", "citation_validity": ">= 1.0", "quote_or_support": ">= 1.0",
           "card_at_1": ">= 0.9", "lead_coverage": ">= 0.9", "length_p50_words": "<= 150",
           "length_p95_words": "<= 220", "abstention_recall": ">= 0.9", "false_refusal_rate": "<= 0.05"}
HEADLINE = [("card_at_1", "Card@1 (top card answers it)"), ("lead_coverage", "Lead coverage (first 120 words)"),
            ("length_p50_words", "Answer length p50 (words)"), ("length_p95_words", "Answer length p95 (words)"),
            ("pass_rate", "Cases passing"), ("recall_at_5", "Retrieval recall@5"), ("mrr", "MRR"),
            ("gold_cited", "Gold provision cited"), ("citation_validity", "Citation validity"),
            ("quote_fidelity", "Quote fidelity"), ("quote_or_support", "Quote-or-support rate"),
            ("key_fact_coverage", "Key-fact coverage (whole answer)"),
            ("forbidden_rate", "Forbidden-claim rate"), ("abstention_precision", "Abstention precision"),
            ("abstention_recall", "Abstention recall"), ("false_refusal_rate", "False-refusal rate"),
            ("latency_p50_ms", "Latency p50 (ms)"), ("latency_p95_ms", "Latency p95 (ms)")]
COMPARE_ROWS = ["card_at_1", "lead_coverage", "length_p50_words", "length_p95_words", "recall_at_5", "mrr",
                "key_fact_coverage", "forbidden_rate", "abstention_recall", "false_refusal_rate",
                "latency_p50_ms", "latency_p95_ms"]


def fmt(value, name: str = "") -> str:
    if value is None:
        return "n/a"
    if name.endswith("_ms") or name.endswith("_words"):
        return f"{value:.0f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def write_all(report: dict, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / "junit.xml"]
    paths[0].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(report), encoding="utf-8")
    paths[2].write_bytes(junit(report))
    return paths


def comparison_table(mine: dict, vanilla: dict) -> str:
    rows = ["| Metric | SRO assistant | Vanilla LangChain RAG |", "|---|---:|---:|"]
    for name in COMPARE_ROWS:
        rows.append(f"| {name} | {fmt(mine.get(name), name)} | {fmt(vanilla.get(name), name)} |")
    return "\n".join(rows)


def markdown(report: dict) -> str:
    metrics, run = report["metrics"], report.get("run", {})
    baseline = (report.get("gate") or {}).get("baseline_metrics") or {}
    lines = ["# SRO Policy Assistant: evaluation report", "",
             f"Set `{run.get('set')}`, {metrics['cases']} cases, index `{run.get('collection')}`, "
             f"run {run.get('started')} in {run.get('seconds', 0):.1f} s.", "",
             "| Metric | Value | Target | Baseline |", "|---|---:|---|---:|"]
    for name, label in HEADLINE:
        lines.append(f"| {label} | {fmt(metrics.get(name), name)} | {TARGETS.get(name, '')} | "
                     f"{fmt(baseline.get(name), name) if baseline else ''} |")
    if report.get("vanilla"):
        lines += ["", "## Against a plain LangChain RAG pipeline", "",
                  comparison_table(metrics, report["vanilla"]["metrics"])]
    gate = report.get("gate") or {}
    lines += ["", "## Regression gate", ""]
    if gate.get("report_only"):
        lines.append("Not gated: this set is reported only (a holdout is never used to pick settings).")
        lines += [f"- outside the golden set's targets: {t}" for t in gate.get("targets", [])]
    elif not gate.get("baseline"):
        lines.append("**FAILED**: no baseline to compare with (create one with `--write-baseline`).")
    else:
        lines.append("**FAILED**" if gate["failed"] else "Passed.")
        lines += [f"- metric drop: {d}" for d in gate["drops"]]
        lines += [f"- target missed: {t}" for t in gate.get("targets", [])]
        lines += [f"- open target, not met yet (gated only against the baseline): {t}"
                  for t in gate.get("open_targets", [])]
        diff = gate["diff"]
        lines += [f"- now failing: `{r['id']}` ({'; '.join(r['failures'])})" for r in diff["regressed"]]
        lines += [f"- now passing: `{cid}`" for cid in diff["fixed"]]
        lines += [f"- removed from the set: `{cid}`" for cid in diff["removed"]]
        lines.append(f"- answers changed: {len(diff['answer_changed'])}; citations changed: "
                     f"{len(diff['citations_changed'])}; cases added: {len(diff['added'])}; "
                     f"removed: {len(diff['removed'])}")
        lines.append(f"- tolerance: {tolerance('pass_rate'):.2f} on quality metrics, "
                     f"{tolerance('quote_fidelity'):.2f} on citation validity, quote fidelity and "
                     "quote-or-support")
    lines += ["", "## Cases", "", "| Case | Category | Result | Abstained | Top card | Words | Key facts in lead "
              "| Why it failed |", "|---|---|---|---|---|---:|---:|---|"]
    for case in report["cases"]:
        why = "; ".join(case["failures"]).replace("|", "\\|")
        facts = f"{case.get('lead_groups_covered', 0)}/{case['groups']}" if case["groups"] else ""
        lines.append(f"| `{case['id']}` | {case['category']} | {'pass' if case['passed'] else '**FAIL**'} | "
                     f"{'yes' if case['abstained'] else 'no'} | {case.get('top_card') or ''} | "
                     f"{case.get('words') if case.get('words') is not None else ''} | {facts} | {why} |")
    return "\n".join(lines) + "\n"


def junit(report: dict) -> bytes:
    cases = report["cases"]
    failed = sum(1 for c in cases if not c["passed"])
    suite = ET.Element("testsuite", name="sro-golden-set", tests=str(len(cases)), failures=str(failed),
                       errors="0", time=f"{report.get('run', {}).get('seconds', 0):.3f}")
    for case in cases:
        tc = ET.SubElement(suite, "testcase", classname=f"golden.{case['category'] or 'case'}",
                           name=str(case["id"]), time=f"{case['latency_ms'] / 1000:.3f}")
        if not case["passed"]:
            failure = ET.SubElement(tc, "failure", message="; ".join(case["failures"])[:500])
            failure.text = "\n".join(case["failures"]) + "\n\n" + (case.get("answer") or "")
    suites = ET.Element("testsuites")
    suites.append(suite)
    return ET.tostring(suites, encoding="utf-8", xml_declaration=True)
