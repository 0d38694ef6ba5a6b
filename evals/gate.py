"""The regression gate: compare a run with the baseline, case by case and metric by metric."""

from __future__ import annotations

# A quality metric may move this much the wrong way before the gate fails (absolute, 0..1).
TOLERANCE = 0.02
# Per-metric overrides: the rates that must stay perfect get no slack at all; answer length is in
# words and may grow this much before the gate fails.
TOLERANCES = {"citation_validity": 0.0, "quote_fidelity": 0.0, "quote_or_support": 0.0,
              "length_p50_words": 10.0, "length_p95_words": 15.0}
HIGHER_IS_BETTER = ("pass_rate", "recall_at_5", "mrr", "gold_cited", "citation_validity",
                    "quote_fidelity", "quote_or_support", "key_fact_coverage", "lead_coverage", "card_at_1",
                    "abstention_precision", "abstention_recall")
LOWER_IS_BETTER = ("forbidden_rate", "false_refusal_rate", "length_p50_words", "length_p95_words")
# The targets of issue 11: what the reader sees first must be right, and short.
FLOORS = {"card_at_1": 0.90, "lead_coverage": 0.90, "citation_validity": 1.0, "quote_fidelity": 1.0,
          "abstention_recall": 0.90}
CEILINGS = {"false_refusal_rate": 0.05, "length_p50_words": 150, "length_p95_words": 220}
# Targets not yet reached are reported as open, not gated (the baseline still gates them against
# any drop); a name leaves this set once main meets its target, so it can never slip back.
# card@1 and lead coverage left it on 2026-11-29 (0.926 and 0.944 on the golden set).
OPEN_TARGETS: set[str] = set()
# Latency depends on the machine, so it is reported but never gates.


def tolerance(metric: str) -> float:
    return TOLERANCES.get(metric, TOLERANCE)


def metric_drops(baseline: dict, current: dict) -> list[str]:
    """Metrics that moved the wrong way by more than their tolerance."""
    drops = []
    for name in HIGHER_IS_BETTER + LOWER_IS_BETTER:
        old, new = baseline.get(name), current.get(name)
        if old is None:
            continue
        if new is None:  # e.g. no answer had citations any more: nothing left to measure is a drop
            drops.append(f"{name} {old:.3f} -> not measured")
            continue
        worse = old - new if name in HIGHER_IS_BETTER else new - old
        if worse > tolerance(name) + 1e-9:
            drops.append(f"{name} {old:.3f} -> {new:.3f} (tolerance {tolerance(name):.2f})")
    return drops


def target_misses(current: dict) -> list[str]:
    """Headline metrics outside their targets (a metric with nothing to measure is not judged)."""
    misses = []
    for name, floor in FLOORS.items():
        value = current.get(name)
        if value is not None and value < floor - 1e-9:
            misses.append(f"{name} {value:.3f} is below its target {floor}")
    for name, ceiling in CEILINGS.items():
        value = current.get(name)
        if value is not None and value > ceiling + 1e-9:
            misses.append(f"{name} {value:.3f} is above its target {ceiling}")
    return misses


def case_diff(baseline_cases: list[dict], current_cases: list[dict]) -> dict:
    """Which answers and citations changed, and which cases went from pass to fail."""
    old = {c["id"]: c for c in baseline_cases}
    new = {c["id"]: c for c in current_cases}
    diff = {"answer_changed": [], "citations_changed": [], "regressed": [], "fixed": [],
            "added": sorted(set(new) - set(old), key=str), "removed": sorted(set(old) - set(new), key=str)}
    for cid, case in new.items():
        before = old.get(cid)
        if before is None:
            continue
        if before.get("answer") != case.get("answer"):
            diff["answer_changed"].append(cid)
        if before.get("citations") != case.get("citations"):
            diff["citations_changed"].append({"id": cid, "before": before.get("citations"),
                                              "after": case.get("citations")})
        if before.get("passed") and not case.get("passed"):
            diff["regressed"].append({"id": cid, "failures": case.get("failures", [])})
        elif not before.get("passed") and case.get("passed"):
            diff["fixed"].append(cid)
    return diff


def compare(baseline: dict | None, report: dict, targets: bool = True) -> dict:
    """The gate's verdict: {"baseline": bool, "drops": [...], "diff": {...}, "targets": [...], "failed": bool}."""
    all_misses = target_misses(report.get("metrics") or {}) if targets else []
    open_misses = [m for m in all_misses if m.split(" ", 1)[0] in OPEN_TARGETS]
    misses = [m for m in all_misses if m not in open_misses]
    if not baseline:
        # A missing baseline must not switch the gate off silently.
        return {"baseline": False, "drops": [], "diff": None, "failed": True, "targets": misses,
                "open_targets": open_misses}
    drops = metric_drops(baseline.get("metrics") or {}, report.get("metrics") or {})
    diff = case_diff(baseline.get("cases") or [], report.get("cases") or [])
    # Dropping a case from the set would hide its regression; removing one needs a new baseline.
    failed = bool(drops or misses or diff["regressed"] or diff["removed"])
    return {"baseline": True, "drops": drops, "diff": diff, "failed": failed, "targets": misses,
            "open_targets": open_misses}
