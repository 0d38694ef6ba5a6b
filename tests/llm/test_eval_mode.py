"""The evaluation harness in language-model mode, against the scripted server: nothing
unsupported reaches an answer (quote-or-support rate 1.0)."""

from __future__ import annotations

import json

from assistant.sentences import split_sentences
from evals.runner import DEFAULT_SET, evaluate
from tests.llm import fake_server

INVENTED = "Schools must also notify the governor within 3 days"


def echo_two_passages_and_invent_one(body: dict):
    """Two sentences copied from the first two passages, each cited, plus one invented claim."""
    passages = fake_server.passages_of(body)
    lines = []
    for n in sorted(passages)[:2]:
        sentences = [s for s in split_sentences(passages[n]) if len(s) > 40]
        if sentences:
            lines.append(f"{sentences[0].rstrip('.')} [{n}].")
    lines.append(f"{INVENTED} [1].")
    return ("text", " ".join(lines))


def test_eval_in_llm_mode_keeps_quote_or_support_at_one(tmp_path, shared_settings, model_server):
    cases = [json.loads(line) for line in DEFAULT_SET.read_text().splitlines() if line.strip()]
    subset = [c for c in cases if c["answerable"] and not c.get("history")][:12]
    subset += [c for c in cases if not c["answerable"]][:3]
    golden = tmp_path / "subset.jsonl"
    golden.write_text("\n".join(json.dumps(c) for c in subset))
    model_server.script = echo_two_passages_and_invent_one
    settings = shared_settings.model_copy(update={"llm": "openai:test-model", "llm_base_url": model_server.base_url,
                                                  "llm_timeout_s": 5, "llm_retries": 0})
    data, _, results = evaluate(settings, golden)
    metrics = data["metrics"]
    assert metrics["quote_or_support"] == 1.0
    assert metrics["citation_validity"] == 1.0 and metrics["quote_fidelity"] == 1.0
    modes = [r["mode"] for r in results if not r["abstained"]]
    assert modes.count("llm") >= len(modes) // 2, modes  # the model's answers were used, not only fallbacks
    assert all(INVENTED not in r["text"] for r in results)
    assert all(r["abstained"] for r, c in zip(results, subset) if not c["answerable"])
