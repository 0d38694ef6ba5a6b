"""Redaction of personal details before anything a user typed reaches a log line.

Only used when request logging is switched on (SRO_LOG_REQUESTS=true); by default
nothing the user types is logged at all. The rules err on the side of removing too
much: a log line never needs a student's name.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# North American numbers: 617-555-0123, (617) 555 0123, 617.555.0123, +1 617 555 0123, 6175550123.
PHONE = re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])")
SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
# "ID 12345", "student ID: AB-1234", "SASID #1029384756", "case no. 24-0192"
LABELLED_ID = re.compile(
    r"\b((?:student|school|state|case|docket|file|badge|employee|license|licence|account)?\s*"
    r"(?:id|sasid|ssn|number|no\.?|num|#)\s*(?:number|no\.?|#)?\s*(?:is|was|=)?\s*[:#]?\s*)"
    r"([A-Za-z]{0,4}[-\s]?\d[\dA-Za-z-]{2,})", re.I)
# Any other long run of digits (5 or more) is treated as an identifier.
LONG_NUMBER = re.compile(r"(?<![\w§.])\d[\d-]{3,}\d(?![\w])")

NAME_WORD = r"(?:Mc|Mac|O'|De|Di|La|Le)?[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)?"
RELATIVE = (r"(?i:my|our|his|her|their)\s+(?:son|daughter|child|kid|boy|girl|stepson|stepdaughter|"
            r"grandson|granddaughter|nephew|niece|student|foster\s+(?:son|daughter|child)|"
            r"brother|sister)")
LOWER_NAME = r"[a-z][a-z'-]+"
# "my son Jake", "my daughter, Maria Lopez", "our foster son jamal"
RELATIVE_NAME = re.compile(rf"\b({RELATIVE}),?\s+((?:{NAME_WORD}|{LOWER_NAME})(?:\s+{NAME_WORD})?)")
# "a student named jake", "a kid called Maria"
NAMED = re.compile(r"\b(named|called)\s+([A-Za-z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)")
TITLE_NAME = re.compile(
    rf"\b(Mr\.?|Mrs\.?|Ms\.?|Miss|Mx\.?|Dr\.?|Officer|Ofc\.?|Sgt\.?|Sergeant|Detective|Det\.?|"
    rf"Principal|Coach|Chief|Lt\.?|Lieutenant|Superintendent|Dean|Nurse)\s+({NAME_WORD}(?:\s+{NAME_WORD})?)")
# Two or three capitalized words in a row: "Jake Smith", "Maria De Souza".
CAPITALIZED_RUN = re.compile(rf"\b{NAME_WORD}(?:\s+{NAME_WORD}){{1,2}}\b")

# Capitalized words that are not names: sentence openers, institutions, places, the law.
NOT_NAMES = {
    w.lower() for w in """
    A An The This That These Those It Its I I'm I've I'd Im Ive My Our Your His Her Their We You They He She
    Is Are Was Were Be Been Am Do Does Did Can Could Should Would Will Shall May Might Must Has Have Had
    What When Where Why Who Whom Whose Which How If Then So And But Or Not No Yes Ok Okay Also Hi Hello Thanks
    Please Since Because After Before During While Last Next Today Tomorrow Yesterday Every Any All Some
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August
    September October November December
    School Schools Resource Officer Officers Police Department Dept Education Elementary Secondary Middle
    High Public District Districts Office Policy Privacy Student Students Family Educational Rights Act
    Law Laws General Court Courts Juvenile Superior Commonwealth State States United Federal Town City
    Massachusetts Mass Boston Worcester Springfield Cambridge Lowell Brockton Quincy Lynn Newton Somerville
    Connecticut Hartford Texas California York Rhode Island New England America American Code Regulations
    Chapter Section Title Part Statute Statutes Session Acts Model Memorandum Understanding Agreement MOU
    Commissioner Commission Committee Board Superintendent Principal Teacher Teachers Parent Parents
    Guidance Counselor Nurse Coach Dean Assistant Vice Special Services Team Unit Enforcement Law Justice
    Attorney Attorneys District Safety Security Handbook Code Conduct Discipline Department's Gun Free
    Every Student Succeeds Individuals Disabilities IEP FERPA DESE DCF SRO SROs PTA PTO Title IX
    Restorative Mediation Hearing Appeal Expulsion Suspension Records Record Directory Information
    Health Mental Crisis Emergency Threat Assessment English Spanish Portuguese
    """.split()
}


# Lowercase words that may follow "my son" without being his name.
COMMON_WORDS = set("""
    is was has had got gets get and or but who whom that which will would can could should may might must
    does did do just also still never always often only even already really has isn't wasn't doesn't didn't
    can't won't hasn't to in at on for from with of by about after before during into since because if when
    while as than then so a an the this that his her their my our your its he she they we i you it
    says said told tells asked asks wants wanted needs needed keeps kept came comes went goes took takes
    made makes brought brings left leaves got gave gives saw sees called calls hit hits threw throws ran runs
    swore swears cursed curses fought fights punched punches pushed pushes shoved vaped vapes skipped skips
    says refuses refused lost losing being been be are were am here there now today yesterday tomorrow
    number id name teacher class school bus grade grader freshman sophomore junior senior
    too very not no yes age aged years year old turned turns is' goes
""".split())


def _keep_title(match: re.Match) -> str:
    return f"{match.group(1)} [name]"


def _capitalized(match: re.Match) -> str:
    words = match.group(0).split()
    if sum(w.lower() not in NOT_NAMES for w in words) >= 2:
        return "[name]"
    # Redact only the stretch of two or more non-stoplist words, keep the rest.
    out, run = [], []
    for word in words + [""]:
        if word and word.lower() not in NOT_NAMES:
            run.append(word)
            continue
        out.extend(["[name]"] if len(run) >= 2 else run)
        run = []
        if word:
            out.append(word)
    return " ".join(out)


def _relative(match: re.Match) -> str:
    name = match.group(2).split()
    first = name[0].lower()
    # "my son is 14", "my daughter got suspended": a common word is never the name.
    if first in NOT_NAMES or (name[0].islower() and (first in COMMON_WORDS or first.endswith(("ed", "ing", "ly")))):
        return match.group(0)
    return f"{match.group(1)} [name]"


def _named(match: re.Match) -> str:
    return f"{match.group(1)} [name]"


def redact(text: str) -> str:
    """Replace names, emails, phone numbers and ID numbers with placeholders."""
    if not text:
        return ""
    text = EMAIL.sub("[email]", text)
    text = SSN.sub("[id]", text)
    text = LABELLED_ID.sub(lambda m: f"{m.group(1)}[id]", text)
    text = PHONE.sub("[phone]", text)
    text = LONG_NUMBER.sub("[id]", text)
    text = RELATIVE_NAME.sub(_relative, text)
    text = NAMED.sub(_named, text)
    text = TITLE_NAME.sub(_keep_title, text)
    text = CAPITALIZED_RUN.sub(_capitalized, text)
    return text
