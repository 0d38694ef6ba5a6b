"""Benchmark on the golden questions: our assistant, the vanilla LangChain RAG, BM25 alone.

    python evals/bench.py [--set evals/golden.jsonl]

Prints a Markdown table: recall@5 and MRR against the gold pinpoints, warm latency p50/p95,
and the start-up cost (cold start to first answer for the assistant, index build otherwise).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.metrics import percentile, retrieval_scores  # noqa: E402
from evals.runner import DEFAULT_SET, load_set  # noqa: E402

COLD_START = """
import time
began = time.perf_counter()
from assistant.engine import Assistant
from assistant.settings import Settings
Assistant.load(Settings(), build_if_missing=True).ask({question!r})
print(time.perf_counter() - began)
"""


def cold_start(question: str) -> float:
    """Seconds from launching a fresh Python process to its first answer."""
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", COLD_START.format(question=question)], cwd=ROOT, check=True,
                   capture_output=True)
    return time.perf_counter() - began


def measure(cases: list[dict], ask) -> dict:
    """Run `ask(case) -> ranked list of {pinpoint, cites}` over the set; recall, MRR, latency."""
    ask(cases[0])  # warm-up
    recalls, rrs, latencies = [], [], []
    for case in cases:
        began = time.perf_counter()
        ranked = ask(case)
        latencies.append((time.perf_counter() - began) * 1000)
        recall, rr = retrieval_scores(case.get("gold_pinpoints") or [], ranked)
        if recall is not None and case.get("answerable", True):
            recalls.append(recall)
            rrs.append(rr)
    return {"recall_at_5": sum(recalls) / len(recalls) if recalls else None,
            "mrr": sum(rrs) / len(rrs) if rrs else None,
            "p50": percentile(latencies, 50), "p95": percentile(latencies, 95)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="golden", type=Path, default=DEFAULT_SET)
    opts = parser.parse_args(argv)

    from assistant.engine import Assistant
    from assistant.retrieval import BM25Index
    from assistant.settings import Settings
    from evals.vanilla import VanillaRAG

    settings = Settings()
    cases = load_set(opts.golden)
    rows = []

    began = time.perf_counter()
    assistant = Assistant.load(settings, build_if_missing=True)
    load_s = time.perf_counter() - began
    mine = measure(cases, lambda c: assistant.ask(c["question"], audience=c.get("audience"),
                                                  history=c.get("history")).retrieved)
    cold = cold_start(cases[0]["question"])
    rows.append(("SRO assistant (hybrid, full answer)", mine,
                 f"cold start {cold:.1f} s (load in-process {load_s:.1f} s)"))

    began = time.perf_counter()
    vanilla = VanillaRAG(settings, assistant.embedder)
    build = time.perf_counter() - began
    rows.append(("Vanilla LangChain RAG (top-4)", measure(cases, lambda c: vanilla.ask(c["question"])["retrieved"]),
                 f"index build {build:.1f} s ({vanilla.size} chunks)"))

    chunks = assistant.store.all_chunks(assistant.collection)[1] if assistant.collection else []
    began = time.perf_counter()
    bm25 = BM25Index(chunks)
    build = time.perf_counter() - began
    rows.append(("BM25 alone (our chunks)",
                 measure(cases, lambda c: [{"pinpoint": ch.pinpoint, "cites": ch.cites}
                                           for ch, _ in bm25.search(c["question"], 5)]),
                 f"index build {build:.2f} s ({len(chunks)} chunks)"))

    def fmt(value, spec):
        return "n/a" if value is None else format(value, spec)

    print(f"Golden set: {len(cases)} questions ({opts.golden})\n")
    print("| Pipeline | Recall@5 | MRR | Warm p50 (ms) | Warm p95 (ms) | Start-up |")
    print("|---|---:|---:|---:|---:|---|")
    for name, m, startup in rows:
        print(f"| {name} | {fmt(m['recall_at_5'], '.3f')} | {fmt(m['mrr'], '.3f')} | {fmt(m['p50'], '.1f')} | "
              f"{fmt(m['p95'], '.1f')} | {startup} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
