"""Offline by default; the Chroma server path works against `chroma run` on 127.0.0.1."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from ingest.indexer import build_index
from tests.ingest.test_indexer import small_settings


def test_ingest_and_query_with_every_outbound_socket_blocked(data_dir, tmp_path, monkeypatch):
    """No connection at all, not even to 127.0.0.1, during model load, ingest and a query."""
    attempts = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError(f"network blocked in this test: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    code = (
        "import socket\n"
        "def refuse(self, a): raise OSError('blocked')\n"
        "socket.socket.connect = refuse\nsocket.socket.connect_ex = refuse\n"
        "from assistant.engine import Assistant\n"
        f"from tests.ingest.test_indexer import small_settings\nfrom pathlib import Path\n"
        f"s = small_settings(Path({str(data_dir)!r}), Path({str(tmp_path)!r}))\n"
        "a = Assistant.load(s, build_if_missing=True)\n"
        "ans = a.ask('Who handles swearing in class?')\n"
        "assert not ans.abstained, ans.markdown\nprint('ANSWERED')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "TRANSFORMERS_"))}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[2], env=env)
    assert "ANSWERED" in proc.stdout, proc.stderr[-3000:]
    assert attempts == []


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    chroma = Path(sys.executable).with_name("chroma")
    if not chroma.exists():
        pytest.skip("the chroma command is not installed in this environment")
    port = free_port()
    proc = subprocess.Popen([str(chroma), "run", "--host", "127.0.0.1", "--port", str(port),
                             "--path", str(tmp_path / "server-data")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not start within 60 s")
    yield url
    proc.terminate()
    proc.wait(timeout=20)


def test_chroma_server_path(chroma_server, data_dir, tmp_path, embedder):
    from assistant.engine import Assistant

    settings = small_settings(data_dir, tmp_path)
    settings.chroma_url = chroma_server
    report = build_index(settings, embedder=embedder, progress=False)
    assert report.added > 0
    assert not (settings.chroma_dir).exists()  # nothing stored locally but the manifest
    answer = Assistant.load(settings).ask("Who handles swearing in class?")
    assert not answer.abstained and answer.citations[0].pinpoint == "G.L. c.71 §37P"
