"""The guide check CI runs: every card follows corpus/guide/FORMAT.md (ingest/guide_check.py)."""

import re
from pathlib import Path

import pytest

from assistant.registry import load_registry
from assistant.settings import Settings
from ingest.guide import guide_files, load_guide
from ingest.guide_check import LEAD_MAX_WORDS, check_guide

SETTINGS = Settings()
REGISTRY = load_registry(SETTINGS.registry_path)
# A teacher card about a possible emergency must lead with the safety step (issue 12, point 4).
EMERGENCY = re.compile(r"\b(weapon|knife|knives|gun|firearm|shoot|bomb|threat\w*|injur\w*|bleed\w*|self-harm|"
                       r"suicid\w*|hurt (him|her|them)self)\b", re.I)
SAFETY_STEP = re.compile(r"\b(911|emergency|administrator|get help|call for help)\b", re.I)


def test_the_whole_guide_passes_the_check():
    cards, problems = check_guide(SETTINGS.guide_dir, REGISTRY)
    assert problems == []
    assert len(cards) >= 120


def test_every_card_loads_as_one_indexed_card():
    errors: list[str] = []
    docs = list(load_guide(SETTINGS.guide_dir, REGISTRY, errors))
    assert errors == []
    for doc in docs:
        assert doc.asks and doc.url.startswith("https://"), doc.section
        for who, steps in doc.steps.items():
            for step in steps:
                assert step in doc.text  # a step shown to a reader is quoted from the card


def test_every_file_names_a_registry_source_or_is_practical():
    for path in guide_files(SETTINGS.guide_dir):
        assert path.stem.startswith("practical-") or REGISTRY.get(path.stem), path.name


def test_teacher_emergency_cards_lead_with_the_safety_step():
    cards, _ = check_guide(SETTINGS.guide_dir, REGISTRY)
    checked = 0
    for card in cards:
        if "teacher" in (card.meta.get("audience") or []) and EMERGENCY.search(card.heading) \
                and card.meta["id"].startswith("practical-teacher"):
            checked += 1
            assert SAFETY_STEP.search(card.paragraphs[0]), card.name
    assert checked >= 3


def test_records_access_gives_the_massachusetts_rule_before_the_federal_one():
    docs = list(load_guide(SETTINGS.guide_dir, REGISTRY, []))
    timing = [d for d in docs if re.search(r"\b45 days\b", d.lead)]
    assert timing
    for doc in timing:
        assert re.search(r"\b(10|ten) days\b", doc.lead), doc.section
        assert doc.lead.index("45 days") > re.search(r"\b(10|ten) days\b", doc.lead).start(), doc.section


CARD = """---
source_id: practical
title: "A test file"
---

## {heading}
<!--
id: practical-test-{id}
asks: {asks}
cites: ["{cite}"]
audience: [teacher]
url: https://example.org/law
as_of: "{as_of}"
status: {status}
{checked}
-->
{lead}

Another paragraph that explains the rule.
"""
GOOD = dict(heading="Can the SRO do this?", id="one", asks='["a", "b", "c", "d"]', cite="G.L. c.71 §37P",
            as_of="2020-12-31", status="verified", checked='checked: "https://example.org/law, 2026-11-29"',
            lead="No. The rule is short.")


@pytest.mark.parametrize("change, problem", [
    ({}, None),
    ({"heading": "The SRO and this"}, "ending in '?'"),
    ({"asks": '["a", "b"]'}, "has 2 asks"),
    ({"lead": " ".join(["word"] * (LEAD_MAX_WORDS + 1))}, "lead has"),
    ({"cite": "G.L. c.999 §1"}, "matches no registry pattern"),
    ({"checked": ""}, "'checked' does not give"),
    ({"as_of": "2027-01-01"}, "later than the date it was checked"),
    ({"as_of": "April 2018"}, "is not a date"),
    ({"status": "unverified", "checked": ""}, "no in-sentence hedge"),
    ({"status": "unverified", "checked": "", "lead": "As we understand it, no."}, None),
])
def test_the_check_finds_each_kind_of_problem(tmp_path: Path, change, problem):
    path = tmp_path / "practical-test.md"
    path.write_text(CARD.format(**{**GOOD, **change}), encoding="utf-8")
    cards, problems = check_guide(tmp_path, REGISTRY, [path])
    assert len(cards) == 1
    if problem is None:
        assert problems == []
    else:
        assert any(problem in p for p in problems), problems


def test_readme_lists_what_the_guide_covers():
    from ingest.guide_table import guide_table

    readme = (SETTINGS.guide_dir.parent.parent / "README.md").read_text(encoding="utf-8")
    assert guide_table() in readme, "README coverage table is stale: run `python -m ingest.guide_table`"
