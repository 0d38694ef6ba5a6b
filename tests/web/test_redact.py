"""Redaction of personal details before a question may be logged."""

from __future__ import annotations

import pytest

from assistant.web.redact import redact


@pytest.mark.parametrize("text, gone, kept", [
    ("My son Jake Miller was questioned.", ["Jake", "Miller"], ["My son [name]", "questioned"]),
    ("my daughter maria got suspended", ["maria"], ["my daughter [name] got suspended"]),
    ("Our foster son, DeShawn, was arrested", ["DeShawn"], ["[name]", "arrested"]),
    ("a kid named jake told me he had a knife", ["jake"], ["named [name]", "knife"]),
    ("Jamal Wright and Keisha Brown fought at lunch.", ["Jamal", "Wright", "Keisha", "Brown"], ["fought"]),
    ("Can Officer Brown see the IEP? Ms. Lopez said yes.", ["Brown", "Lopez"], ["Officer [name]", "Ms. [name]"]),
    ("Liam O'Brien and Sean McDonald", ["Brien", "McDonald"], ["[name] and [name]"]),
])
def test_names(text, gone, kept):
    out = redact(text)
    for word in gone:
        assert word not in out, out
    for part in kept:
        assert part in out, out


@pytest.mark.parametrize("text, gone, placeholder", [
    ("write to jane.doe+school@example.k12.ma.us today", "jane.doe", "[email]"),
    ("call me at (617) 555-0123", "555-0123", "[phone]"),
    ("call me at 617.555.0123 or +1 617 555 0123", "555", "[phone]"),
    ("her student ID is 1029384756", "1029384756", "[id]"),
    ("SASID: AB-12345", "12345", "[id]"),
    ("SSN 123-45-6789", "6789", "[id]"),
    ("docket no. 2481JV000123", "2481JV000123", "[id]"),
    ("badge #4471", "4471", "[id]"),
    ("the number on his file is 88812345", "88812345", "[id]"),
])
def test_contact_details_and_ids(text, gone, placeholder):
    out = redact(text)
    assert gone not in out and placeholder in out, out


@pytest.mark.parametrize("text", [
    "A student swore at me in class. Should I call the SRO?",
    "What does Massachusetts General Laws chapter 71 section 37P say about the School Resource Officer?",
    "Under 20 U.S.C. 1232g and 34 CFR 99.31, can the school share records? See 603 CMR 53.00.",
    "What does the Student Privacy Policy Office do?",
    "Can the SRO question my 14 yr old without me being there??",
    "my son is 14 and got a 3 day suspension",
    "Is the Gun-Free Schools Act a federal criminal law?",
    "What did the 2020 police reform law change?",
])
def test_questions_without_personal_details_are_unchanged(text):
    assert redact(text) == text


def test_empty():
    assert redact("") == ""
    assert redact(None) == ""  # type: ignore[arg-type]
