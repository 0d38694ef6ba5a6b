"""The CLI is a thin layer over Assistant.ask: JSON, batch and exit codes."""

import json

import jsonschema

from assistant.answer import ANSWER_SCHEMA
from assistant.cli import main

SWEARING = "A student swore at me in class. Should I call the SRO?"


def test_ask_json(shared_settings, monkeypatch, capsys):
    monkeypatch.setenv("SRO_DATA_DIR", str(shared_settings.data_dir))
    assert main(["ask", "--json", SWEARING, "--audience", "teacher"]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, ANSWER_SCHEMA)
    assert not data["abstained"] and data["citations"][0]["kind"] == "guide"
    cited = [p for c in data["citations"] for p in [c["pinpoint"], *c["cites"]]]
    assert any("555 CMR 10.05" in p or "§37P" in p for p in cited), cited
    assert data["related"] and data["cards"]


def test_ask_full_adds_the_detail(shared_settings, monkeypatch, capsys):
    monkeypatch.setenv("SRO_DATA_DIR", str(shared_settings.data_dir))
    assert main(["ask", SWEARING, "--audience", "teacher"]) == 0
    short = capsys.readouterr().out
    assert main(["ask", SWEARING, "--audience", "teacher", "--full"]) == 0
    full = capsys.readouterr().out
    assert full.startswith(short.rstrip()) and "**Why**" in full and "**Why**" not in short


def test_ask_batch_jsonl(shared_settings, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("SRO_DATA_DIR", str(shared_settings.data_dir))
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join([json.dumps({"id": "a", "question": SWEARING, "audience": "teacher"}),
                                "not json",
                                json.dumps({"id": "b", "question": "What is the lunch menu today?"})]))
    assert main(["ask", "--jsonl", str(batch)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line.get("id") for line in lines] == ["a", None, "b"]
    assert lines[1]["error"] and lines[2]["abstained"] is True
    jsonschema.validate(lines[0], ANSWER_SCHEMA)


def test_ingest_of_an_unreadable_named_file_exits_non_zero(tmp_path, data_dir, capsys):
    bad = tmp_path / "empty.pdf"
    bad.write_bytes(b"")
    assert main(["ingest", "--quiet", str(bad)]) == 1
    assert str(bad) in capsys.readouterr().err


def test_ask_without_a_question_is_a_usage_error(capsys):
    assert main(["ask"]) == 2
