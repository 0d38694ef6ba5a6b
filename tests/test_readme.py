"""The README's settings table is made from the settings object and must not drift."""

from pathlib import Path

from assistant.settings import settings_table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_settings_table_is_current():
    assert settings_table() in README.read_text(encoding="utf-8"), \
        "README settings table is stale: run `python -m assistant.settings`"


def test_readme_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text


def test_readme_lists_the_agreement_checklist():
    from assistant.checklist import checklist_table
    from assistant.settings import Settings

    assert checklist_table(Settings().checklist_path) in README.read_text(encoding="utf-8"), \
        "README checklist table is stale: run `python -m assistant.checklist`"
