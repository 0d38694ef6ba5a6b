"""`corpus fetch` against a local HTTP server on 127.0.0.1 serving fixture files."""

import http.server
import json
import threading
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.registry import load_registry
from assistant.settings import Settings
from ingest.fetch import fetch_all, import_mirror
from tests.conftest import MIRROR, requires_mirror
from tests.pdfs import make_pdf

ENTRY = """
[[source]]
id = "{id}"
title = "Fixture {id}"
issuer = "Test"
jurisdiction = "MA"
kind = "statute"
url = "{url}"
as_of = "2020-12-31"
citation = "G.L. c.71 §37P"
pinpoint = '^G\\.L\\. c\\.71 §37P(\\([a-z0-9]+\\))*$'
"""


class Server:
    def __init__(self, routes):
        self.routes, self.hits = routes, {}
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                server.hits[self.path] = server.hits.get(self.path, 0) + 1
                status, ctype, body = server.routes[self.path](server.hits[self.path])
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()


@pytest.fixture
def server(tmp_path):
    pdf = make_pdf(tmp_path / "fixture.pdf", ["Section 1. Purpose\nThe fixture MOU text."]).read_bytes()
    html = b"<html><body><nav>menu</nav><main><p>(a) Fixture statute text.</p></main></body></html>"
    routes = {
        "/mou.pdf": lambda n: (200, "application/pdf", pdf),
        "/law.html": lambda n: (200, "text/html; charset=utf-8", html),
        "/flaky.html": lambda n: (500, "text/html", b"busy") if n == 1 else (200, "text/html", html),
        "/blob": lambda n: (200, "application/octet-stream", b"\x00\x01"),
        "/liar.pdf": lambda n: (200, "application/pdf", b"<html>not a pdf</html>"),
        "/missing": lambda n: (404, "text/html", b"no"),
    }
    srv = Server(routes)
    yield srv
    srv.close()


def settings_for(tmp_path, data_dir, urls: dict) -> Settings:
    registry = tmp_path / "sources.toml"
    registry.write_text("".join(ENTRY.format(id=i, url=u) for i, u in urls.items()))
    return Settings(data_dir=data_dir, registry_path=registry, fetch_retries=1, fetch_timeout_s=5)


def test_fetch_stores_files_with_sha256_and_date(server, tmp_path, data_dir):
    settings = settings_for(tmp_path, data_dir, {"doc-pdf": f"{server.url}/mou.pdf",
                                                 "doc-html": f"{server.url}/law.html",
                                                 "doc-flaky": f"{server.url}/flaky.html"})
    report = fetch_all(settings, load_registry(settings.registry_path))
    assert sorted(report.stored) == ["doc-flaky", "doc-html", "doc-pdf"] and not report.failed
    index = json.loads((settings.fetched_dir / "fetched.json").read_text())
    assert len(index["doc-pdf"]["sha256"]) == 64 and index["doc-pdf"]["retrieved"].startswith("20")
    assert server.hits["/flaky.html"] == 2  # retried after the 500


def test_fetch_refuses_wrong_types(server, tmp_path, data_dir):
    settings = settings_for(tmp_path, data_dir, {"blob": f"{server.url}/blob", "liar": f"{server.url}/liar.pdf",
                                                 "gone": f"{server.url}/missing"})
    report = fetch_all(settings, load_registry(settings.registry_path))
    assert "content type" in report.failed["blob"]
    assert "does not match" in report.failed["liar"]
    assert "404" in report.failed["gone"]
    assert report.stored == []


def test_fetch_size_cap(server, tmp_path, data_dir):
    settings = settings_for(tmp_path, data_dir, {"big": f"{server.url}/mou.pdf"})
    settings.max_file_mb = 0.0001
    report = fetch_all(settings, load_registry(settings.registry_path))
    assert "too large" in report.failed["big"]


def test_no_network_fails_fast_and_changes_nothing(tmp_path, data_dir, capsys, monkeypatch):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = settings_for(tmp_path, data_dir, {"a": f"http://127.0.0.1:{port}/x.html",
                                                 "b": f"http://127.0.0.1:{port}/y.html"})
    monkeypatch.setenv("SRO_REGISTRY_PATH", str(settings.registry_path))
    code = main(["corpus", "fetch"])
    err = capsys.readouterr().err
    assert code == 2 and "no network" in err and "nothing was changed" in err
    assert not data_dir.exists() or not any(data_dir.rglob("*.json"))


def test_fetched_documents_are_ingested_as_official(server, tmp_path, data_dir, embedder):
    from ingest.indexer import build_index
    from assistant.store import VectorStore

    settings = settings_for(tmp_path, data_dir, {"doc-html": f"{server.url}/law.html"})
    settings.guide_dir = tmp_path / "no-guide"
    fetch_all(settings, load_registry(settings.registry_path))
    report = build_index(settings, embedder=embedder, progress=False)
    store = VectorStore(settings)
    chunks = store.all_chunks(report.collection)[1]
    assert [(c.origin, c.pinpoint) for c in chunks] == [("official", "G.L. c.71 §37P(a)")]


@requires_mirror
def test_import_mirror(tmp_path, data_dir):
    settings = Settings(data_dir=data_dir)
    report = import_mirror(settings, load_registry(settings.registry_path), Path(MIRROR))
    assert set(report.stored) == {"usc-20-1232g", "usc-20-7961", "usc-34-10389"}
    assert (settings.fetched_dir / "mirror" / "ferpa-statute").is_dir()
