"""Red-team U7, Q25 (and Q20, Q21, Q26): one bad item never ends a batch.

`sro-assistant ingest a b c d` with a decompression bomb among the files used to stop with a
traceback and index none of them; one bad `ask --jsonl` line (a list as the audience, a lone
surrogate) stopped the batch and lost every later line.
"""

from __future__ import annotations

import json
import os

from assistant.cli import main
from assistant.engine import Assistant
from tests.pdfs import make_flate_bomb_pdf, make_pdf
from tests.reliability.conftest import QUESTION

SURROGATE_QUESTION = "Can the SRO \ud800 search a backpack?"


def test_bad_files_are_named_and_the_rest_is_indexed(cli_env, tmp_path, capsys):
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n" + os.urandom(5000))
    bomb = make_flate_bomb_pdf(tmp_path / "flate-bomb.pdf")
    good_pdf = make_pdf(tmp_path / "normal1.pdf",
                        ["Section 2. Our district officer wears a green vest at school events."])
    good_txt = tmp_path / "normal2.txt"
    good_txt.write_text("Section 3. Our district officer signs in at the main office before entering any classroom.")
    # Exit 1 because a named file failed; the good ones are indexed all the same.
    assert main(["ingest", "--quiet", str(corrupt), str(good_pdf), str(bomb), str(good_txt)]) == 1
    out = capsys.readouterr()
    errors = [line for line in out.err.splitlines() if line.startswith("error:")]
    assert len(errors) == 2, out.err
    assert str(corrupt) in errors[0] and str(bomb) in errors[1] and "LimitReachedError" in errors[1]
    assert "Traceback" not in out.err and out.out.startswith("index updated")
    sources = json.loads(cli_env.manifest_path.read_text())["sources"]
    assert {"user:normal1", "user:normal2"} <= set(sources)
    assert "user:corrupt" not in sources and "user:flate-bomb" not in sources


def test_one_bad_jsonl_line_gives_an_error_object_and_the_batch_goes_on(built, cli_env, tmp_path, capsys):
    lines = [
        json.dumps({"id": 1, "question": QUESTION, "audience": "teacher"}),
        json.dumps({"id": 5, "question": QUESTION, "audience": ["t"]}),
        json.dumps({"id": 6, "question": SURROGATE_QUESTION}),  # the escape \ud800: a lone surrogate
        json.dumps({"id": "\ud800", "question": QUESTION}),
        json.dumps({"id": 7, "question": 5}),
        json.dumps({"id": 8, "question": QUESTION, "history": "not a list"}),
        '{"id": 9, "question": ' + "[" * 5000,
        json.dumps({"id": 10, "question": QUESTION}),
    ]
    batch = tmp_path / "questions.jsonl"
    batch.write_text("\n".join(lines), encoding="utf-8")
    assert main(["ask", "--jsonl", str(batch)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == len(lines)  # one object per line, the last ones too
    out = [json.loads(line) for line in printed]
    assert not out[0]["abstained"] and out[-1]["id"] == 10 and "answer" in out[-1]
    assert out[1] == {"id": 5, "line": 2, "error": "audience must be one of teacher, parent, administrator"}
    assert "answer" in out[2] and "\ud800" not in out[2]["question"] and "\ufffd" in out[2]["question"]
    assert out[3]["id"] == "\ufffd" and "answer" in out[3]
    assert [o.get("error", "")[:8] for o in out[4:7]] == ["question", "history ", "not a JS"]


def test_a_missing_batch_file_is_one_line(cli_env, tmp_path, capsys):
    assert main(["ask", "--jsonl", str(tmp_path / "nope.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "nope.jsonl" in err and len(err.strip().splitlines()) == 1


def test_python_ask_with_bad_input_returns_a_printable_answer(built):
    engine = Assistant.load(built)
    answer = engine.ask(SURROGATE_QUESTION)
    json.dumps(answer.to_json(), ensure_ascii=False).encode("utf-8")  # Q20: used to raise UnicodeEncodeError
    for odd in (dict(audience=["teacher"]), dict(audience={"a": 1}), dict(session_id=["x"])):  # Q21
        assert not engine.ask(QUESTION, **odd).abstained
