"""The runner end to end on a five-case set: three reports, JUnit that parses, the gate."""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET

import pytest
import yaml

from evals.runner import run_cli

CASES = [
    {"id": "teacher-swearing-1", "audience": "teacher", "answerable": True, "category": "teacher-scenario",
     "question": "A kid in my 8th period just told me to f*** off in front of the whole class. Do I call the SRO on him?",
     "gold_pinpoints": ["G.L. c.71 §37P"],
     "must_include": [["school discipline matter", "not a reason to call the sro"]],
     "must_not_include": ["the sro should arrest"]},
    {"id": "parent-notify-1", "audience": "parent", "answerable": True, "category": "parent-rights",
     "question": "will the school call me if the SRO deals with my kid at school?",
     "gold_pinpoints": ["2022 Model SRO MOU"], "must_include": [["could not confirm", "local sro agreement"]],
     "must_not_include": ["the school must always call you"]},
    {"id": "oos-connecticut-1", "audience": "parent", "answerable": False, "category": "out-of-scope",
     "question": "What are the rules for SROs in Connecticut schools? we're moving to Hartford this summer",
     "gold_pinpoints": [], "must_include": [], "must_not_include": ["connecticut law requires"]},
    {"id": "followup-18-dependent-1", "audience": "parent", "answerable": True, "category": "follow-up",
     "question": "even if she's still on my taxes as a dependent?",
     "history": [{"role": "user", "content": "my daughter turned 18, can I still see her school records?"},
                 {"role": "assistant", "content": "Under FERPA, once a student turns 18 the rights belong to the student."}],
     "gold_pinpoints": ["34 CFR §99.31(a)(8)"], "must_include": [["dependent"]], "must_not_include": []},
    # Made to fail: no source says this, so the gate has a failing case to catch.
    {"id": "made-to-fail-1", "audience": "teacher", "answerable": True, "category": "teacher-scenario",
     "question": "Can the SRO search a student's locker?", "gold_pinpoints": ["G.L. c.71 §37P"],
     "must_include": [["purple elephant clause"]], "must_not_include": []},
]


@pytest.fixture(scope="module")
def golden(tmp_path_factory):
    path = tmp_path_factory.mktemp("golden") / "mini.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in CASES), encoding="utf-8")
    return path


def args(golden, out, baseline, **extra):
    # A five-case set cannot meet the golden set's absolute targets; the gate's comparison is tested here.
    values = {"golden": golden, "out": out, "baseline": baseline, "compare_vanilla": False,
              "write_baseline": False, "export": None, "no_targets": True}
    return argparse.Namespace(**{**values, **extra})


@pytest.fixture(scope="module")
def first_run(golden, shared_settings, tmp_path_factory):
    """One run that writes the reports, the exports and a baseline."""
    folder = tmp_path_factory.mktemp("run")
    code = run_cli(args(golden, folder / "out", folder / "baseline.json", write_baseline=True,
                        export=folder / "export"), shared_settings)
    return folder, code


def test_reports_are_written_and_junit_parses(first_run):
    folder, code = first_run
    assert code == 0
    out = folder / "out"
    report = json.loads((out / "report.json").read_text())
    assert report["metrics"]["cases"] == 5 and len(report["cases"]) == 5
    assert report["metrics"]["citation_validity"] == 1.0 and report["metrics"]["quote_fidelity"] == 1.0
    markdown = (out / "report.md").read_text()
    assert "| Retrieval recall@5 |" in markdown and "`made-to-fail-1`" in markdown
    suite = ET.parse(out / "junit.xml").getroot().find("testsuite")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [c["id"] for c in CASES]
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert "made-to-fail-1" in failed and suite.get("failures") == str(len(failed))


def test_exports_for_ragas_and_promptfoo(first_run):
    folder, _ = first_run
    rows = [json.loads(line) for line in (folder / "export" / "ragas.jsonl").read_text().splitlines()]
    assert len(rows) == 5
    assert {"user_input", "response", "retrieved_contexts", "reference"} <= set(rows[0])
    assert rows[0]["retrieved_contexts"] and rows[0]["response"]
    config = yaml.safe_load((folder / "export" / "promptfoo.yaml").read_text())
    assert config["providers"][0]["config"]["url"] == "http://127.0.0.1:7860/api/ask"
    assert len(config["tests"]) == 5 and config["tests"][0]["vars"]["question"] == CASES[0]["question"]
    assert {"type": "not-icontains", "value": "the sro should arrest"} in config["tests"][0]["assert"]


def test_gate_passes_against_its_own_baseline(first_run, golden, shared_settings):
    folder, _ = first_run
    assert run_cli(args(golden, folder / "again", folder / "baseline.json"), shared_settings) == 0


def test_gate_fails_when_the_baseline_had_a_better_metric(first_run, golden, shared_settings, tmp_path):
    folder, _ = first_run
    baseline = json.loads((folder / "baseline.json").read_text())
    baseline["metrics"]["key_fact_coverage"] = baseline["metrics"]["key_fact_coverage"] + 0.1
    (tmp_path / "better.json").write_text(json.dumps(baseline))
    assert run_cli(args(golden, tmp_path / "out", tmp_path / "better.json"), shared_settings) != 0


def test_gate_fails_when_a_passing_case_now_fails(first_run, golden, shared_settings, tmp_path):
    folder, _ = first_run
    baseline = json.loads((folder / "baseline.json").read_text())
    for case in baseline["cases"]:
        if case["id"] == "made-to-fail-1":
            assert not case["passed"]
            case["passed"] = True
    (tmp_path / "passing.json").write_text(json.dumps(baseline))
    assert run_cli(args(golden, tmp_path / "out", tmp_path / "passing.json"), shared_settings) != 0
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert [r["id"] for r in report["gate"]["diff"]["regressed"]] == ["made-to-fail-1"]


def test_gate_fails_when_a_target_is_missed(first_run, golden, shared_settings):
    folder, _ = first_run
    from evals import gate

    # The made-to-fail case keeps lead coverage under its 0.9 target, and a met target is gated.
    code = run_cli(args(golden, folder / "targets", folder / "baseline.json", no_targets=False), shared_settings)
    report = json.loads((folder / "targets" / "report.json").read_text())
    assert any(t.startswith("lead_coverage") for t in report["gate"]["targets"])
    assert code != 0
    # A target still open is reported but does not fail the run on its own.
    old, gate.OPEN_TARGETS = gate.OPEN_TARGETS, {"lead_coverage", "card_at_1"}
    try:
        run_cli(args(golden, folder / "targets2", folder / "baseline.json", no_targets=False), shared_settings)
        open_report = json.loads((folder / "targets2" / "report.json").read_text())
        assert any(t.startswith("lead_coverage") for t in open_report["gate"]["open_targets"])
        assert not any(t.startswith("lead_coverage") for t in open_report["gate"]["targets"])
    finally:
        gate.OPEN_TARGETS = old
    strict = {**gate.CEILINGS, "length_p50_words": 1}
    old_ceilings, gate.CEILINGS = gate.CEILINGS, strict
    try:
        assert run_cli(args(golden, folder / "targets3", folder / "baseline.json", no_targets=False),
                       shared_settings) != 0
        strict_report = json.loads((folder / "targets3" / "report.json").read_text())
        assert any(t.startswith("length_p50_words") for t in strict_report["gate"]["targets"])
    finally:
        gate.CEILINGS = old_ceilings
