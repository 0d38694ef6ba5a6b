"""Red-team D11: two ingests at once. The second one says another is running, waits for it,
then does its own work on top of the first one's index (its file is not lost)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time

from assistant.cli import main
from tests.conftest import ROOT

# Another process holding the data folder's ingest lock until it reads a line: a stand-in for a
# long first ingest, so the test controls when it ends.
HOLDER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from ingest.index_lock import index_lock
    with index_lock({data!r}):
        print("locked", flush=True)
        sys.stdin.readline()
""")


def test_a_second_ingest_waits_for_the_first(built, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SRO_DATA_DIR", str(built.data_dir))
    monkeypatch.setenv("SRO_GUIDE_DIR", str(built.guide_dir))
    monkeypatch.delenv("SRO_CORPUS_MIRROR", raising=False)
    district = tmp_path / "district-policy.md"
    district.write_text("Our district officer wears a green vest at every school event and signs in at the office.")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER.format(root=str(ROOT), data=str(built.data_dir))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        codes: list[int] = []
        second = threading.Thread(target=lambda: codes.append(main(["ingest", "--quiet", str(district)])))
        second.start()
        err, deadline = "", time.monotonic() + 300  # only so that a broken lock cannot hang the run
        while second.is_alive() and "another ingest is running" not in err and time.monotonic() < deadline:
            err += capsys.readouterr().err
            time.sleep(0.05)
        assert "another ingest is running" in err and f"process {holder.pid}" in err, err
        assert second.is_alive()  # waiting, not failing
        assert "user:district-policy" not in json.loads(built.manifest_path.read_text())["sources"]
        holder.stdin.write("done\n")
        holder.stdin.flush()
        second.join(300)
    finally:
        holder.kill()
        holder.wait()
    assert codes == [0]
    assert "user:district-policy" in json.loads(built.manifest_path.read_text())["sources"]
