"""The plain-language guide: every section well formed, pinned, short, and listed in the README."""

import re
from collections import Counter

from assistant.registry import load_registry
from assistant.settings import Settings
from ingest.guide import guide_files, load_guide, load_guide_file

UNVERIFIED_NOTE = re.compile(r"\b(could not|couldn't|cannot|were not able to|not been able to)\b.{0,80}"
                             r"\b(check|confirm|verify|read|compare)", re.I | re.S)


def sections():
    settings = Settings()
    registry = load_registry(settings.registry_path)
    errors: list[str] = []
    docs = list(load_guide(settings.guide_dir, registry, errors))
    assert errors == [], errors
    return docs, registry


def test_every_section_loads_with_valid_pinpoints_and_url():
    docs, registry = sections()
    assert len(docs) >= 60
    for doc in docs:
        assert doc.cites, doc.section
        for cite in doc.cites:
            assert registry.source_for_pinpoint(cite), f"{doc.path}: {doc.section}: {cite!r}"
        assert doc.url.startswith("https://"), doc.section
        assert doc.status in ("verified", "unverified")
        assert re.fullmatch(r"\d{4}(-\d{2}){0,2}", doc.as_of), (doc.section, doc.as_of)


def test_sections_are_short_and_ids_unique():
    docs, _ = sections()
    for doc in docs:
        assert len(doc.text.split()) <= 250, f"{doc.path}: {doc.section}: {len(doc.text.split())} words"
    counts = Counter(doc.source_id for doc in docs)
    assert [sid for sid, n in counts.items() if n > 1] == []


def test_unverified_sections_say_so():
    docs, _ = sections()
    for doc in docs:
        if doc.status == "unverified":
            assert UNVERIFIED_NOTE.search(doc.text), f"{doc.path}: {doc.section}"


def test_every_file_names_a_registry_source_or_is_practical():
    registry = load_registry(Settings().registry_path)
    for path in guide_files(Settings().guide_dir):
        assert path.stem.startswith("practical-") or registry.get(path.stem), path.name


def test_readme_lists_every_section_with_its_status():
    from ingest.guide_table import guide_table

    readme = (Settings().guide_dir.parent.parent / "README.md").read_text(encoding="utf-8")
    assert guide_table() in readme, "README guide table is stale: run `python -m ingest.guide_table`"
