"""Red-team D5, D6, D7, D10 (and damaged caches): a damaged index heals itself at start.

Each case damages a real index the way the review did. Then `Assistant.load(build_if_missing=True)`
(what `python app.py` and `make run` call) and `sro-assistant ingest` must each serve again with
no manual step: the damaged thing moved aside with one log line, the index rebuilt.
"""

from __future__ import annotations

import json
import logging
import os
import shutil

import pytest

from assistant.cli import main
from assistant.engine import Assistant
from assistant.store import VectorStore
from tests.reliability.conftest import QUESTION


def _manifest(settings) -> dict:
    return json.loads(settings.manifest_path.read_text())


def _set_manifest(text):
    def damage(settings):
        settings.manifest_path.write_text(text(settings) if callable(text) else text)
    return damage


def _random_manifest(settings):
    settings.manifest_path.write_bytes(os.urandom(4096))


def _manifest_is_a_folder(settings):
    settings.manifest_path.unlink()
    (settings.manifest_path / "inner").mkdir(parents=True)


def _database(settings):
    return settings.chroma_dir / "chroma.sqlite3"


def _delete_database(settings):
    _database(settings).unlink()


def _random_database(settings):
    _database(settings).write_bytes(os.urandom(200_000))


def _half_database(settings):
    data = _database(settings).read_bytes()
    _database(settings).write_bytes(data[:len(data) // 2])


def _chroma_is_a_file(settings):
    shutil.rmtree(settings.chroma_dir)
    settings.chroma_dir.write_text("not a folder")


def _cache(kind):
    def path(settings):
        return settings.data_dir / f"{kind}-{_manifest(settings)['collection']}.npz"
    return path


def _random_cache(kind):
    def damage(settings):
        _cache(kind)(settings).write_bytes(os.urandom(5000))
    return damage


def _cut_cache(kind):
    def damage(settings):
        path = _cache(kind)(settings)
        path.write_bytes(path.read_bytes()[:300])  # a cut-off zip: BadZipFile
    return damage


DAMAGE = {
    # D5: JSON of another shape, and random bytes
    "manifest-list": _set_manifest("[1]"),
    "manifest-string": _set_manifest('"hello"'),
    "manifest-int-collection": _set_manifest(lambda s: json.dumps({**_manifest(s), "collection": 5})),
    "manifest-list-sources": _set_manifest(lambda s: json.dumps({**_manifest(s), "sources": [1, 2]})),
    "manifest-random-bytes": _random_manifest,
    # D6: the manifest names a collection the database lacks
    "manifest-names-missing-collection":
        _set_manifest(lambda s: json.dumps({**_manifest(s), "collection": "sro-doesnotexist"})),
    "database-deleted": _delete_database,
    # D7: the database is random bytes, or cut in half
    "database-random-bytes": _random_database,
    "database-cut-in-half": _half_database,
    # D10: a folder where a file belongs, and the reverse
    "manifest-is-a-folder": _manifest_is_a_folder,
    "chroma-is-a-file": _chroma_is_a_file,
    # the vectors saved beside the index
    "sentence-cache-random-bytes": _random_cache("sentences"),
    "sentence-cache-cut-off": _cut_cache("sentences"),
    "card-keys-cut-off": _cut_cache("card-keys"),
}


def _moved_aside(settings) -> list[str]:
    return sorted(p.name for p in settings.data_dir.iterdir() if ".damaged-" in p.name)


def _serves(settings) -> None:
    """The index is whole again: a valid manifest naming a readable collection, and answers."""
    manifest = _manifest(settings)
    store = VectorStore(settings)
    assert manifest["collection"] in store.collection_names()
    store.close()
    assert _cache("sentences")(settings).is_file() and _cache("card-keys")(settings).is_file()
    answer = Assistant.load(settings).ask(QUESTION, audience="teacher")
    assert not answer.abstained and answer.citations, answer.markdown


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_start_heals_a_damaged_index(built, case, caplog):
    DAMAGE[case](built)
    with caplog.at_level(logging.WARNING, logger="sro.index"):
        engine = Assistant.load(built, build_if_missing=True)
    assert engine.shared.size > 0
    moved = [r.getMessage() for r in caplog.records if "moved aside" in r.getMessage()]
    assert len(moved) == 1 and "\n" not in moved[0], moved
    assert len(_moved_aside(built)) == 1
    _serves(built)


@pytest.mark.parametrize("case", ["manifest-list", "manifest-names-missing-collection", "database-random-bytes",
                                  "chroma-is-a-file", "sentence-cache-cut-off"])
def test_ingest_heals_a_damaged_index(built, case, monkeypatch):
    monkeypatch.setenv("SRO_DATA_DIR", str(built.data_dir))
    monkeypatch.setenv("SRO_GUIDE_DIR", str(built.guide_dir))
    monkeypatch.delenv("SRO_CORPUS_MIRROR", raising=False)
    DAMAGE[case](built)
    assert main(["ingest", "--quiet"]) == 0
    _serves(built)


def test_a_data_folder_that_is_a_file_is_moved_aside(settings, caplog):
    settings.data_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.data_dir.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="sro.index"):
        engine = Assistant.load(settings, build_if_missing=True)
    assert engine.shared.size > 0
    assert any("is not a folder" in r.getMessage() for r in caplog.records)


def test_rebuild_embeds_everything_again_and_keeps_added_documents(built, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SRO_DATA_DIR", str(built.data_dir))
    monkeypatch.setenv("SRO_GUIDE_DIR", str(built.guide_dir))
    monkeypatch.delenv("SRO_CORPUS_MIRROR", raising=False)
    district = tmp_path / "district-policy.md"
    district.write_text("Our district officer wears a green vest at every school event and signs in at the office.")
    assert main(["ingest", "--quiet", str(district)]) == 0
    before = _manifest(built)
    capsys.readouterr()
    assert main(["ingest", "--quiet", "--rebuild"]) == 0
    assert "0 kept" in capsys.readouterr().out  # every chunk embedded again, none copied
    after = _manifest(built)
    assert after["collection"] != before["collection"]
    assert after["chunks"] == before["chunks"] and "user:district-policy" in after["sources"]
    store = VectorStore(built)
    assert before["collection"] not in store.collection_names()  # the old one is dropped once the new one serves
    store.close()
    _serves(built)
