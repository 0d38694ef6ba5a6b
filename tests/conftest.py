"""Shared fixtures: a temporary data folder for every test, one real index per session,
and no network beyond 127.0.0.1."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

from assistant.offline import enforce_offline

enforce_offline()

ROOT = Path(__file__).resolve().parent.parent


def mirror_dir() -> Path | None:
    configured = os.environ.get("SRO_CORPUS_MIRROR")
    for candidate in ([Path(configured)] if configured else []) + [ROOT.parent / "shared" / "corpus" / "raw"]:
        if candidate.is_dir():
            return candidate
    return None


MIRROR = mirror_dir()
requires_mirror = pytest.mark.skipif(MIRROR is None, reason="offline mirror ../shared/corpus/raw not present")


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any connection to an address other than 127.0.0.0/8 or ::1 fails the test."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise ConnectionRefusedError(f"test tried to reach {address!r}: only 127.0.0.1 is allowed")
        return real_connect(self, address)

    def guarded_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise ConnectionRefusedError(f"test tried to reach {address!r}: only 127.0.0.1 is allowed")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    """Every test gets its own data folder; nothing touches the project's data/."""
    folder = tmp_path / "data"
    monkeypatch.setenv("SRO_DATA_DIR", str(folder))
    monkeypatch.delenv("SRO_CHROMA_URL", raising=False)
    monkeypatch.delenv("SRO_LLM", raising=False)
    return folder


@pytest.fixture(scope="session")
def embedder():
    from assistant.embeddings import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def shared_settings(tmp_path_factory, embedder):
    """One real index (mirror when present, plus the guide) built once for the session."""
    from assistant.settings import Settings
    from ingest.indexer import build_index

    settings = Settings(data_dir=tmp_path_factory.mktemp("shared-index"), corpus_mirror=MIRROR)
    report = build_index(settings, embedder=embedder, progress=False)
    assert report.total > 0, report.errors
    return settings


@pytest.fixture(scope="session")
def assistant(shared_settings):
    from assistant.engine import Assistant

    return Assistant.load(shared_settings)
