"""Each metric on small hand-made results: every one can pass and can fail."""

from __future__ import annotations

import pytest

from evals import gate
from evals.metrics import (aggregate, citation_problems, covered_groups, forbidden_found, percentile,
                           quote_problems, retrieval_scores, score_case, sentence_supported)

GOLD = ["G.L. c.71 §37P"]
CHUNK = "The officer shall not serve as a school disciplinarian. Another sentence follows here."


def retrieved(*pinpoints, cites=()):
    return [{"chunk_id": f"c{i}", "pinpoint": p, "cites": list(cites)} for i, p in enumerate(pinpoints)]


def citation(n=1, chunk_id="c1", pinpoint="G.L. c.71 §37P(c)", quote="shall not serve as a school disciplinarian"):
    return {"n": n, "chunk_id": chunk_id, "pinpoint": pinpoint, "cites": [], "quote": quote, "quotes": [quote]}


def test_recall_and_mrr_hit_sub_provisions_and_guide_cites():
    assert retrieval_scores(GOLD, retrieved("20 U.S.C. §1232g", "G.L. c.71 §37P(c)")) == (1.0, 0.5)
    # A guide section counts through the provisions it explains.
    assert retrieval_scores(GOLD, retrieved("2018 Model SRO MOU", cites=["G.L. c.71 §37P"]))[1] == 1.0
    assert retrieval_scores(GOLD, retrieved("2018 Model SRO MOU"))[1] == 0.0
    # The gold is a sub-provision of what was retrieved: still a hit.
    assert retrieval_scores(["G.L. c.71 §37P(d)"], retrieved("G.L. c.71 §37P")) == (1.0, 1.0)


def test_recall_fails_outside_top_five_and_on_other_sections():
    far = retrieved(*["20 U.S.C. §1232g"] * 5, "G.L. c.71 §37P")
    recall, rr = retrieval_scores(GOLD, far)
    assert recall == 0.0 and rr == pytest.approx(1 / 6)
    assert retrieval_scores(GOLD, retrieved("G.L. c.71 §37H")) == (0.0, 0.0)
    assert retrieval_scores([], retrieved("G.L. c.71 §37P")) == (None, None)
    assert retrieval_scores(["G.L. c.71 §37P", "G.L. c.71 §37H"], retrieved("G.L. c.71 §37P"))[0] == 0.5


def test_citation_validity():
    assert citation_problems("Answer [1].", [citation()], {"c1"}) == []
    assert citation_problems("Answer [1] and [2].", [citation()], {"c1"}) == ["[2] has no citation"]
    assert citation_problems("Answer [1].", [citation(chunk_id="gone")], {"c1"})


def test_quote_fidelity():
    assert quote_problems([citation()], {"c1": CHUNK}) == []
    assert quote_problems([citation(quote="shall never serve as a disciplinarian")], {"c1": CHUNK})
    assert quote_problems([citation()], {})  # its chunk is not stored
    assert quote_problems([citation(quote="")], {"c1": CHUNK}) == ["[1] has no quote"]


def test_key_facts_and_forbidden_claims_are_case_insensitive():
    text = "It is a **School Discipline** matter; the school\u2019s own process applies."
    assert covered_groups(text, [["school discipline matter"], ["school's own process", "x"], ["arrest"]]) == \
        [True, True, False]
    assert forbidden_found(text, ["THE SRO SHOULD ARREST", "school discipline"]) == ["school discipline"]


def test_percentile():
    assert percentile([], 50) is None
    assert percentile([3, 1, 2, 4], 50) == 2
    assert percentile(list(range(1, 101)), 95) == 95


CASE = {"id": "a", "answerable": True, "gold_pinpoints": GOLD, "must_include": [["disciplinarian"]],
        "must_not_include": ["may arrest"], "category": "teacher-scenario"}
SENTENCE = "The officer shall not serve as a school disciplinarian."
GOOD = {"abstained": False, "text": f"{SENTENCE} [1]", "citations": [citation()],
        "sentences": [{"text": SENTENCE, "n": 1, "part": "direct"}],
        "retrieved": retrieved("G.L. c.71 §37P"), "latency_ms": 10.0}


def test_case_passes_and_fails_for_each_reason():
    ids, texts = {"c1"}, {"c1": CHUNK}
    assert score_case(CASE, GOOD, ids, texts)["passed"]
    failing = [
        {**GOOD, "abstained": True},
        {**GOOD, "text": "Nothing relevant [1]."},
        {**GOOD, "text": GOOD["text"] + " The SRO may arrest him."},
        {**GOOD, "citations": [citation(pinpoint="20 U.S.C. §1232g")]},
        {**GOOD, "text": GOOD["text"] + " [3]"},
        {**GOOD, "citations": [citation(quote="invented words")]},
        {**GOOD, "citations": [], "text": SENTENCE},  # an answer with no citations
        {**GOOD, "sentences": [{"text": "The officer may discipline students.", "n": 1, "part": "direct"}]},
        {**GOOD, "sentences": []},  # nothing shown is tied to a source
    ]
    for result in failing:
        score = score_case(CASE, result, ids, texts)
        assert not score["passed"] and score["failures"], result
    unanswerable = {"id": "b", "answerable": False, "gold_pinpoints": [], "must_include": [], "must_not_include": []}
    assert score_case(unanswerable, {**GOOD, "abstained": True, "text": "I won't guess.", "citations": [],
                                                "sentences": []}, ids,
                      texts)["passed"]
    assert not score_case(unanswerable, GOOD, ids, texts)["passed"]


def test_aggregate_abstention_and_refusals():
    unanswerable = {"id": "b", "answerable": False, "gold_pinpoints": [], "must_include": [], "must_not_include": []}
    refused = {"abstained": True, "text": "I won't guess.", "citations": [], "retrieved": [], "latency_ms": 30.0}
    uncited = {**GOOD, "citations": [], "text": SENTENCE, "sentences": []}
    ids, texts = {"c1"}, {"c1": CHUNK}
    scores = [score_case(CASE, GOOD, ids, texts), score_case(CASE, refused, ids, texts),
              score_case(CASE, refused, ids, texts), score_case(unanswerable, refused, ids, texts),
              score_case(unanswerable, GOOD, ids, texts), score_case(CASE, uncited, ids, texts)]
    m = aggregate(scores)
    # 3 abstentions, 1 of them right; 2 unanswerable cases, 1 refused; 4 answerable, 2 refused.
    assert m["abstention_precision"] == pytest.approx(1 / 3) and m["abstention_recall"] == 0.5
    assert m["false_refusal_rate"] == 0.5 and m["key_fact_coverage"] == 0.5
    # Every answer counts: the one without citations lowers validity and support.
    assert m["citation_validity"] == pytest.approx(2 / 3) and m["quote_fidelity"] == 1.0
    assert m["quote_or_support"] == pytest.approx(2 / 3)
    assert m["forbidden_rate"] == 0.0 and m["pass_rate"] == pytest.approx(2 / 6)
    assert m["latency_p50_ms"] == 10.0 and m["latency_p95_ms"] == 30.0


def test_generated_sentence_support_checks_whole_numbers():
    source = {1: {"n": 1, "chunk_id": "c1"}}
    texts = {"c1": "A parent may inspect the records within 45 days of asking."}
    ok = {"text": "Parents may see the records within 45 days of asking [1].", "n": 1, "verified": True}
    assert sentence_supported(ok, "llm", source, texts)
    assert not sentence_supported({**ok, "text": "Parents may see the records within 5 days of asking [1]."},
                                  "llm", source, texts)
    assert not sentence_supported({**ok, "verified": False}, "llm", source, texts)


def test_gate_tolerance_and_regressions():
    base = {"metrics": {"recall_at_5": 0.9, "forbidden_rate": 0.0, "quote_fidelity": 1.0},
            "cases": [{"id": "a", "passed": True, "answer": "x", "citations": ["[1] A"]}]}
    same = {"metrics": {"recall_at_5": 0.89, "forbidden_rate": 0.01, "quote_fidelity": 1.0},
            "cases": [{"id": "a", "passed": True, "answer": "y", "citations": ["[1] A"]}]}
    verdict = gate.compare(base, same)
    assert not verdict["failed"] and verdict["diff"]["answer_changed"] == ["a"]
    worse = {"metrics": {"recall_at_5": 0.85, "forbidden_rate": 0.05, "quote_fidelity": 0.99},
             "cases": [{"id": "a", "passed": False, "failures": ["f"], "answer": "x", "citations": []}]}
    verdict = gate.compare(base, worse)
    assert verdict["failed"] and len(verdict["drops"]) == 3
    assert [r["id"] for r in verdict["diff"]["regressed"]] == ["a"]
    assert gate.compare(None, worse)["failed"]  # no baseline: the gate cannot pass
    unmeasured = {**same, "metrics": {**same["metrics"], "quote_fidelity": None}}
    assert gate.compare(base, unmeasured)["drops"] == ["quote_fidelity 1.000 -> not measured"]
    removed = {**same, "cases": []}
    verdict = gate.compare(base, removed)
    assert verdict["failed"] and verdict["diff"]["removed"] == ["a"] and not verdict["drops"]


def test_hyphenated_words_match_their_spaced_form():
    from evals.metrics import covered_groups

    assert covered_groups("a reasonable-grounds test for 17-year-olds", [["reasonable grounds"], ["17 year olds"]]) \
        == [True, True]
    assert covered_groups("a reasonable ground", [["reasonable grounds"]]) == [False]


def test_related_questions_count_toward_length_but_not_toward_key_facts():
    from evals.metrics import lead_text, visible_words

    answer = ("**Short answer: Can I report it?**\nAsk the principal. [1]\n\n**Related questions**\n"
              "- Can I file a police report myself?\n- Who reviews the SRO?\n\n**Sources**\n1. A guide.")
    assert "police report" not in lead_text(answer) and "principal" in lead_text(answer)
    assert "police" in visible_words(answer) and "guide." not in visible_words(answer)
