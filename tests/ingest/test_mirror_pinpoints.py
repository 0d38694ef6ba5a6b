"""The offline mirror of the US Code must come out with correct pinpoints."""

from pathlib import Path

from assistant.registry import load_registry
from assistant.settings import Settings
from ingest.chunker import chunk_document
from ingest.mirror import load_mirror
from tests.conftest import MIRROR, requires_mirror

pytestmark = requires_mirror


def mirror_chunks():
    settings = Settings()
    registry = load_registry(settings.registry_path)
    errors: list[str] = []
    chunks = []
    for doc in load_mirror(Path(MIRROR), registry, max_mb=25, errors=errors):
        chunks += list(chunk_document(doc, source=registry.get(doc.source_id), max_chars=1200, min_chars=100))
    assert errors == []
    return chunks


def chunk_with(chunks, phrase):
    found = [c for c in chunks if phrase in c.text]
    assert found, phrase
    return found[0]


def test_law_enforcement_unit_records_pinpoint():
    chunk = chunk_with(mirror_chunks(), "records maintained by a law enforcement unit")
    assert chunk.pinpoint == "20 U.S.C. §1232g(a)(4)(B)(ii)"
    assert chunk.origin == "official" and chunk.url.startswith("https://uscode.house.gov/")


def test_forty_five_day_rule_pinpoint():
    chunk = chunk_with(mirror_chunks(), "forty-five days after the request")
    assert chunk.pinpoint == "20 U.S.C. §1232g(a)(1)(A)"


def test_pinpoints_across_mirror_files_and_deep_headings():
    chunks = mirror_chunks()
    # (a)(4)(B) begins a new mirror file with a deep heading holding its first sentence.
    assert chunk_with(chunks, "The term “education records” does not include").pinpoint.startswith(
        "20 U.S.C. §1232g(a)(4)(B)")
    assert chunk_with(chunks, "necessary to protect the health or safety of the student or other persons").pinpoint.startswith(
        "20 U.S.C. §1232g(b)(1)(I)")
    assert chunk_with(chunks, "“school resource officer” means").pinpoint == "34 U.S.C. §10389(4)"
    assert chunk_with(chunks, "Gun-Free Schools Act").pinpoint == "20 U.S.C. §7961(a)"


def test_every_mirror_pinpoint_is_well_formed_and_no_heading_leaks():
    registry = load_registry(Settings().registry_path)
    for chunk in mirror_chunks():
        assert registry.source_for_pinpoint(chunk.pinpoint) is not None, chunk.pinpoint
        assert "# Title" not in chunk.text and "SUBCHAPTER" not in chunk.text
        assert chunk.text.strip()
