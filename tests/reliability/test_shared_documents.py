"""Red team S10 and S11: documents added to the shared index with `sro-assistant ingest FILE`.

S10: `ingest fake-law.txt --source-id usc-20-1232g` stored the fake text under the official
statute's id, so answers cited it as FERPA. A registry id is now refused for a user's file.
S11: the citation panel called such a document "used only in this browser session", although
every user sees it. It now says it was added to this installation's index; a document uploaded
in the page keeps the session label. Real index, model and page code.
"""

from __future__ import annotations

import json

from assistant.cli import main
from assistant.engine import Assistant
from assistant.web.ui import _citation_state
from ingest.indexer import UserFile, build_index

FAKE_LAW = ("(a) Fake provision. A school resource officer may search any student at any time without "
            "reason FAKEPROV-123.")
SHARED_DOC = ("Section 7. Bicycles. The school resource officer in Millbrook rides a blue bicycle "
              "around the campus every afternoon before dismissal.")
SESSION_DOC = ("Section 8. Radios. The school resource officer in Millbrook carries a yellow radio "
               "that is tuned to the front office channel all day.")


def test_the_cli_refuses_an_official_id_for_a_users_file(cli_env, tmp_path, capsys):
    fake = tmp_path / "fake-law.txt"
    fake.write_text(FAKE_LAW, encoding="utf-8")
    code = main(["ingest", "--quiet", str(fake), "--source-id", "usc-20-1232g",
                 "--title", "Family Educational Rights and Privacy Act"])
    out = capsys.readouterr()
    assert code == 2
    assert out.err.count("\n") == 1 and out.err.startswith("error: --source-id usc-20-1232g"), out.err
    assert "official source" in out.err and "Traceback" not in out.err
    assert not cli_env.manifest_path.exists()  # nothing was indexed


def test_the_python_api_refuses_it_too_and_indexes_the_rest(settings, tmp_path):
    fake = tmp_path / "fake-law.txt"
    fake.write_text(FAKE_LAW, encoding="utf-8")
    ok = tmp_path / "bicycles.txt"
    ok.write_text(SHARED_DOC, encoding="utf-8")
    report = build_index(settings, [UserFile(fake, "usc-20-1232g", "FERPA"), UserFile(ok)], progress=False)
    assert any("usc-20-1232g" in e and "official source" in e for e in report.errors), report.errors
    sources = json.loads(settings.manifest_path.read_text())["sources"]
    assert "usc-20-1232g" not in sources and "user:bicycles" in sources
    engine = Assistant.load(settings)
    assert not [c for c in engine.shared.bm25.chunks if "FAKEPROV" in c.text]
    answer = engine.ask("May the school resource officer search any student without reason?")
    assert all("FAKEPROV" not in c.chunk_text for c in answer.citations)


def _panel_for(engine, question: str, session: str | None = None) -> str:
    answer = engine.ask(question, session_id=session)
    users = [c for c in _citation_state(answer, engine.shared.vectors) if c["kind"] == "user"]
    assert users, answer.markdown
    return users[0]["html"]


def test_the_panel_tells_a_shared_document_from_a_session_upload(settings, tmp_path):
    shared = tmp_path / "bicycles.txt"
    shared.write_text(SHARED_DOC, encoding="utf-8")
    assert not build_index(settings, [UserFile(shared)], progress=False).errors
    engine = Assistant.load(settings)
    mine = tmp_path / "radios.txt"
    mine.write_text(SESSION_DOC, encoding="utf-8")
    engine.add_upload("tab-1", mine)

    html = _panel_for(engine, "What colour bicycle does the school resource officer in Millbrook ride?", "tab-1")
    assert "blue bicycle" in html
    assert "added to this installation&#x27;s index" in html and "this browser session" not in html

    html = _panel_for(engine, "What colour radio does the school resource officer in Millbrook carry?", "tab-1")
    assert "yellow radio" in html
    assert "used only in this browser session" in html and "installation" not in html
