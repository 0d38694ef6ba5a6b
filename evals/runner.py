"""`sro-assistant eval`: run the golden set through the assistant, score, report, gate."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from evals import export as exporter
from evals import gate, report
from evals.metrics import aggregate, score_case

EVALS_DIR = Path(__file__).resolve().parent
DEFAULT_SET = EVALS_DIR / "golden.jsonl"
DEFAULT_OUT = EVALS_DIR / "reports" / "latest"
DEFAULT_BASELINE = EVALS_DIR / "baseline.json"
CONTEXTS_K = 5  # retrieved passages exported per answer


def load_set(path: Path) -> list[dict]:
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from None
        if not isinstance(case, dict) or not case.get("question") or "id" not in case:
            raise ValueError(f"{path}:{number}: a case needs an id and a question")
        cases.append(case)
    return cases


def answer_result(answer, chunk_texts: dict[str, str]) -> dict:
    """An Answer in the shape the metrics score, plus the contexts the exports need."""
    citations = [{"n": c.n, "chunk_id": c.chunk_id, "pinpoint": c.pinpoint, "cites": list(c.cites),
                  "source_id": c.source_id, "quote": c.quote, "quotes": list(c.quotes)}
                 for c in answer.citations]
    contexts = [chunk_texts[r["chunk_id"]] for r in answer.retrieved[:CONTEXTS_K] if r["chunk_id"] in chunk_texts]
    sentences = [{"text": x.text, "n": x.n, "verified": x.verified} for x in answer.sentences]
    return {"abstained": answer.abstained, "reason": answer.reason, "text": answer.markdown,
            "more": answer.more, "cards": list(answer.cards),
            "mode": answer.mode, "sentences": sentences,
            "citations": citations, "retrieved": answer.retrieved, "latency_ms": answer.latency_ms,
            "contexts": contexts}


def case_record(score: dict, result: dict) -> dict:
    """What the report keeps of one case: the scores plus enough of the answer to diff."""
    return {**score, "reason": result.get("reason"), "answer": result["text"],
            "citations": [f"[{c['n']}] {c['pinpoint']}" for c in result["citations"]],
            "retrieved": [r.get("pinpoint") for r in result["retrieved"][:CONTEXTS_K]]}


def run_assistant(assistant, cases: list[dict], index_ids: set[str], chunk_texts: dict[str, str]):
    results, records = [], []
    for case in cases:
        answer = assistant.ask(case["question"], audience=case.get("audience"), history=case.get("history"))
        result = answer_result(answer, chunk_texts)
        results.append(result)
        records.append(case_record(score_case(case, result, index_ids, chunk_texts), result))
    return results, records


def run_vanilla(settings, cases: list[dict], embedder) -> dict:
    from evals.vanilla import VanillaRAG

    began = time.perf_counter()
    pipeline = VanillaRAG(settings, embedder)
    build = time.perf_counter() - began
    records = []
    for case in cases:
        result = pipeline.ask(case["question"])
        records.append(case_record(score_case(case, result), result))
    return {"metrics": aggregate(records), "cases": records, "build_seconds": round(build, 2)}


def evaluate(settings, set_path: Path, *, vanilla: bool = False) -> tuple[dict, list[dict], list[dict]]:
    """Run the set; returns (report without the gate, cases, results)."""
    from assistant.engine import Assistant

    began = time.perf_counter()
    started = datetime.now(timezone.utc).isoformat(timespec="seconds")
    cases = load_set(set_path)
    assistant = Assistant.load(settings, build_if_missing=True)
    index_ids, chunk_texts = set(), {}
    if assistant.collection:
        ids, chunks = assistant.store.all_chunks(assistant.collection)
        index_ids, chunk_texts = set(ids), {i: c.text for i, c in zip(ids, chunks)}
    results, records = run_assistant(assistant, cases, index_ids, chunk_texts)
    data = {"run": {"set": str(set_path), "collection": assistant.collection, "started": started,
                    "chunks": len(index_ids)},
            "metrics": aggregate(records), "cases": records}
    if vanilla:
        data["vanilla"] = run_vanilla(settings, cases, assistant.embedder)
    data["run"]["seconds"] = round(time.perf_counter() - began, 2)
    return data, cases, results


def read_baseline(path: Path) -> dict | None:
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: baseline is not readable JSON ({exc})") from None


def summary(data: dict) -> str:
    m = data["metrics"]
    lines = [f"{m['cases']} cases in {data['run']['seconds']:.1f} s; pass rate {report.fmt(m['pass_rate'])}"]
    lines += [f"  {label:24} {report.fmt(m.get(name), name)}" for name, label in report.HEADLINE]
    if data.get("vanilla"):
        lines += ["", report.comparison_table(m, data["vanilla"]["metrics"])]
    return "\n".join(lines)


def run_cli(args, settings) -> int:
    set_path = Path(getattr(args, "golden", None) or DEFAULT_SET)
    out = Path(getattr(args, "out", None) or DEFAULT_OUT)
    baseline_path = Path(getattr(args, "baseline", None) or DEFAULT_BASELINE)
    try:
        baseline = read_baseline(baseline_path)
        data, cases, results = evaluate(settings, set_path, vanilla=bool(getattr(args, "compare_vanilla", False)))
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "report_only", False):
        # A holdout is reported, never gated or tuned on: its targets are printed for the reader.
        data["gate"] = {"baseline": False, "report_only": True, "targets": gate.target_misses(data["metrics"])}
        for path in report.write_all(data, out):
            print(f"wrote {path}")
        print(summary(data))
        return 0
    verdict = gate.compare(baseline, data, targets=not getattr(args, "no_targets", False))
    data["gate"] = {**verdict, "baseline_path": str(baseline_path),
                    "baseline_metrics": (baseline or {}).get("metrics")}
    for path in report.write_all(data, out):
        print(f"wrote {path}")
    if getattr(args, "export", None):
        for path in exporter.export(cases, results, Path(args.export)):
            print(f"wrote {path}")
    print(summary(data))
    if getattr(args, "write_baseline", False):
        if verdict["failed"] and verdict["baseline"]:
            print("note: this run regressed against the old baseline, which it now replaces:", file=sys.stderr)
            _print_failures(verdict)
        keep = {k: v for k, v in data.items() if k not in ("gate", "vanilla")}
        baseline_path.parent.mkdir(parents=True, exist_ok=True)
        baseline_path.write_text(json.dumps(keep, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"baseline saved to {baseline_path}")
        return 0
    if not verdict["baseline"]:
        print(f"GATE: no baseline at {baseline_path}; create one with --write-baseline", file=sys.stderr)
        return 1
    if verdict["failed"]:
        _print_failures(verdict)
        return 1
    for miss in verdict.get("open_targets") or []:
        print(f"open target, not met yet: {miss}", file=sys.stderr)
    diff = verdict["diff"]
    print(f"gate passed against {baseline_path} ({len(diff['answer_changed'])} answers and "
          f"{len(diff['citations_changed'])} citation lists changed)")
    return 0


def _print_failures(verdict: dict) -> None:
    for drop in verdict["drops"]:
        print(f"GATE: metric dropped: {drop}", file=sys.stderr)
    for miss in verdict.get("targets") or []:
        print(f"GATE: target missed: {miss}", file=sys.stderr)
    for case in (verdict["diff"] or {}).get("regressed", []):
        print(f"GATE: {case['id']} passed before and fails now: {'; '.join(case['failures'])}", file=sys.stderr)
    for cid in (verdict["diff"] or {}).get("removed", []):
        print(f"GATE: {cid} is in the baseline but not in the set", file=sys.stderr)
