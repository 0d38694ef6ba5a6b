"""A small real index for the reliability tests: one guide card, real Chroma, the real model.

Small settings keep each test to seconds; everything else (store, model, PDFs) is the real thing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings

GUIDE_CARD = """---
source_id: gl-c71-s37p
title: "Reliability test guide"
---

## Who handles swearing in class in this reliability test?
<!--
id: test-swearing
asks: ["student swore at me", "swearing in class", "who deals with cursing", "kid cussed at the teacher"]
cites: ["G.L. c.71 §37P"]
audience: [teacher]
url: https://malegislature.gov/Laws/GeneralLaws/PartI/TitleXII/Chapter71/Section37P
as_of: "2020-12-31"
status: unverified
-->
As we understand it, swearing in class is handled by the principal in this reliability test, not by the officer.
"""

QUESTION = "A student swore at me in class. Who deals with swearing?"


def small_settings(data_dir: Path, tmp_path: Path, **overrides) -> Settings:
    guide = tmp_path / "guide"
    guide.mkdir(exist_ok=True)
    (guide / "test.md").write_text(GUIDE_CARD, encoding="utf-8")
    return Settings(data_dir=data_dir, guide_dir=guide, corpus_mirror=None, **overrides)


@pytest.fixture
def settings(data_dir, tmp_path) -> Settings:
    return small_settings(data_dir, tmp_path)


@pytest.fixture
def built(settings) -> Settings:
    """The small index, built once in this test's data folder."""
    from ingest.indexer import build_index

    report = build_index(settings, progress=False)
    assert report.collection and report.total > 0, report.errors
    return settings


@pytest.fixture
def cli_env(settings, monkeypatch):
    """The CLI pointed at the small index's folders (it reads its settings from the environment)."""
    monkeypatch.setenv("SRO_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SRO_GUIDE_DIR", str(settings.guide_dir))
    monkeypatch.delenv("SRO_CORPUS_MIRROR", raising=False)
    return settings
