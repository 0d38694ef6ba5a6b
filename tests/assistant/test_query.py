"""Everyday words get the sources' words added for search, never shown to the user."""

import pytest

from assistant.query import expand, prepare


@pytest.mark.parametrize("question, added", [
    ("two kids shoving each other in the hallway", "fight assault violence"),
    ("a boy kicked a girl in gym", "fight assault violence"),
    ("kids wrestling at recess", "fight assault violence"),
    ("how do I get the agreement between the school and the police?", "memorandum of understanding"),
    ("a kid is vaping in the bathroom", "vaping nicotine school discipline"),
])
def test_everyday_words_are_expanded_for_search(question, added):
    assert added in expand(question)


def test_expansions_go_to_search_only():
    question = "two kids shoving each other in the hallway, should I get the officer?"
    query = prepare(question, None, 2000)
    assert query.text == question
    assert "fight assault violence" in query.search_text


def test_drug_words_expand_but_high_school_does_not():
    from assistant.query import expand

    assert "marijuana" in expand("a student came to class high, do I call the officer?")
    assert "marijuana" in expand("kid had an edible at lunch")
    assert "marijuana" not in expand("my son is in high school")
