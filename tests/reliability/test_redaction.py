"""Red team P5: with SRO_LOG_REQUESTS=true, 20 of 42 realistic questions reached the log with a
name, birth date, address or phone number in them. The 42 cases below follow the review's list
(the 20 that leaked first, then the 22 that were already redacted); the citations and ordinary
questions after them must come through unchanged."""

from __future__ import annotations

import pytest

from assistant.web.redact import redact

# (question, fragments that must not reach the log)
LEAKED = [
    ("Can the SRO question Tyler without me there?", ["Tyler"]),
    ("jake smith was searched by the officer at 42 maple street", ["jake", "smith", "42 maple", "maple"]),
    ("José García, born 03/14/2009, was arrested at Lincoln Middle School", ["José", "García", "03/14/2009", "Lincoln"]),
    ("The SRO told Mia and Liam to empty their pockets, text +44 20 7946 0958", ["Mia", "Liam", "7946", "0958"]),
    ("MY SON JAKE SMITH WAS ARRESTED", ["JAKE", "SMITH"]),
    ("Can the officer search Jake's backpack without a warrant?", ["Jake"]),
    ("Emily, my 15 year old, was questioned by the SRO without a parent", ["Emily"]),
    ("The assistant principal called the police on DeShawn for vaping", ["DeShawn"]),
    ("Can the resource officer read Bart's file?", ["Bart"]),
    ("A student named Ana Smith-Jones was handcuffed in the hallway", ["Ana", "Smith", "Jones"]),
    ("Call me at +33 1 42 68 53 00 about my son", ["42 68", "53 00"]),
    ("my number is 617 555 01 23, can the SRO call me?", ["555 01", "01 23"]),
    ("email me at jane dot doe at gmail dot com", ["jane", "doe", "gmail"]),
    ("The officer searched locker 4471 this morning", ["4471"]),
    ("We live at 1600 Pennsylvania Ave and the SRO came to the house", ["1600", "Pennsylvania"]),
    ("My daughter was born March 14, 2009. Is she a juvenile?", ["March 14", "2009"]),
    ("DOB: 2009-03-14, can the police see his records?", ["2009-03-14", "03-14"]),
    ("he was born on 14.03.2009 and was arrested at school", ["14.03.2009"]),
    ("The SRO at Roosevelt Elementary restrained my child", ["Roosevelt"]),
    ("The officer followed her home to 12 oak st apt 3", ["12 oak", "oak st"]),
]
ALREADY_REDACTED = [
    ("My son Jake Smith was searched at school.", ["Jake", "Smith"]),
    ("My daughter Maria Lopez got suspended for vaping.", ["Maria", "Lopez"]),
    ("a student named jake told me he had a knife", ["jake"]),
    ("Officer Dan Brown questioned my son without me", ["Dan", "Brown"]),
    ("Ms. Lopez said the SRO can see the IEP", ["Lopez"]),
    ("Jamal Wright and Keisha Brown fought at lunch", ["Jamal", "Wright", "Keisha", "Brown"]),
    ("Our foster son, DeShawn, was arrested", ["DeShawn"]),
    ("Liam O'Brien and Sean McDonald were searched", ["Brien", "McDonald", "Liam", "Sean"]),
    ("write to jane.doe+school@example.k12.ma.us today", ["jane.doe", "example.k12"]),
    ("call me at (617) 555-0123 about the arrest", ["555-0123"]),
    ("call me at 617.555.0123 or +1 617 555 0123", ["555.0123", "555 0123"]),
    ("her student ID is 1029384756", ["1029384756"]),
    ("SASID: AB-12345, can the SRO see it?", ["12345"]),
    ("SSN 123-45-6789 was on the police form", ["123-45-6789"]),
    ("docket no. 2481JV000123 in juvenile court", ["2481JV000123"]),
    ("Officer badge #4471 took my son's phone", ["4471"]),
    ("the number on his file is 88812345", ["88812345"]),
    ("He lives at 15 Elm Street, can the SRO come to our house?", ["Elm"]),
    ("My son, Tyler Jones, is 14. Can the SRO arrest him?", ["Tyler", "Jones"]),
    ("Principal Karen White let the SRO search my daughter", ["Karen", "White"]),
    ("a kid called Maria Gomez was questioned", ["Maria", "Gomez"]),
    ("Detective Sam Cole wants to interview my son at school", ["Sam", "Cole"]),
]
CASES = LEAKED + ALREADY_REDACTED
assert len(CASES) == 42


def leaks(text: str, gone: list[str]) -> list[str]:
    out = redact(text)
    return [fragment for fragment in gone if fragment.lower() in out.lower()]


@pytest.mark.parametrize("text, gone", CASES, ids=[f"P5-{i:02d}" for i in range(1, len(CASES) + 1)])
def test_personal_details_never_reach_the_log(text, gone):
    assert not leaks(text, gone), redact(text)


def test_all_42_review_cases_are_redacted():
    """The review's figure, as one number: 20 of 42 leaked before."""
    leaked = [text for text, gone in CASES if leaks(text, gone)]
    assert leaked == []


@pytest.mark.parametrize("text", [
    "What does G.L. c.71 §37H allow a principal to do?",
    "Does 603 CMR 23.07 let the SRO see student records?",
    "Is 20 U.S.C. §1232g the same as FERPA?",
    "When does 34 CFR §99.31 allow disclosure without consent?",
    "Under 20 U.S.C. 1232g and 34 CFR 99.31, can the school share records? See 603 CMR 53.00.",
    "Does New Jersey v. T.L.O. apply to searches by an SRO?",
    "What did Safford Unified School District v. Redding decide about strip searches?",
    "Do Miranda warnings apply when the SRO questions a student?",
    "What does Massachusetts General Laws chapter 71 section 37P say about the School Resource Officer?",
    "A student swore at me in class. Should I call the SRO?",
    "Can the SRO question my 14 yr old without me being there??",
    "my son is 14 and got a 3 day suspension",
    "Is the Gun-Free Schools Act a federal criminal law?",
    "What did the 2020 police reform law change?",
    "Can an officer search a backpack on the bus?",
    "Does the Fourth Amendment protect students at school?",
    "What does Title IX say about an SRO's role?",
    "Does the MOU have to be posted on the district website?",
])
def test_citations_and_ordinary_questions_are_unchanged(text):
    assert redact(text) == text
