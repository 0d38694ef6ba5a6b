"""Redaction of personal details before anything a user typed reaches a log line.

Only used when request logging is switched on (SRO_LOG_REQUESTS=true); by default
nothing the user types is logged at all. The rules err on the side of removing too
much: a log line never needs a student's name. Legal citations ("G.L. c.71 §37H",
"603 CMR 23.07", "New Jersey v. T.L.O.") are set aside first so no rule can touch them.
Regex redaction cannot be complete (red team P5); it is a second line of defence only.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# "jane dot doe at gmail dot com", "jdoe at gmail.com": addresses spelled out to dodge filters.
SPELLED_EMAIL = re.compile(r"\b[\w.-]+(?:\s+dot\s+[\w-]+)*\s+(?:at|\(at\)|\[at\])\s+[\w-]+"
                           r"(?:(?:\s+dot\s+|\.)[a-z]{2,})+\b(?!\s+(?:at|dot)\b)", re.I)
MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
# Full dates in any common order (03/14/2009, 14.03.2009, 2009-03-14, March 14th, 2009, 14 March 2009),
# and a month with a year after a birth cue ("born in March 2009").
DATE = re.compile(
    rf"(?<![\w.§])(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-](?:\d{{4}}|\d{{2}})|\d{{4}}[/.-]\d{{1,2}}[/.-]\d{{1,2}})(?![\w/])"
    rf"|\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{MONTH}\s+\d{{4}}\b"
    rf"|\b(?:born|birthday|dob|d\.o\.b\.?|date of birth)(?:\s+(?:is|was|on|in|:))*\s*:?\s*"
    rf"{MONTH}(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?(?:\s+\d{{4}})?",
    re.I)
# North American numbers: 617-555-0123, (617) 555 0123, 617.555.0123, +1 617 555 0123, 6175550123.
PHONE = re.compile(r"(?<![\w-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?![\w-])")
# Any other "+country" number, and digits in groups ("617 555 01 23"), once there are 7 or more digits.
INTL_PHONE = re.compile(r"(?<![\w])\+\d{1,3}(?:[\s.-]?\(?\d{1,5}\)?){2,6}(?![\w])")
GROUPED_DIGITS = re.compile(r"(?<![\w§.])\d{2,4}(?:[ .-]\d{2,4}){2,5}(?![\w.]\d)")
SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
# "ID 12345", "student ID: AB-1234", "SASID #1029384756", "case no. 24-0192"
LABELLED_ID = re.compile(
    r"\b((?:student|school|state|case|docket|file|badge|employee|license|licence|account)?\s*"
    r"(?:id|sasid|ssn|number|no\.?|num|#)\s*(?:number|no\.?|#)?\s*(?:is|was|=)?\s*[:#]?\s*)"
    r"([A-Za-z]{0,4}[-\s]?\d[\dA-Za-z-]{2,})", re.I)
# Numbers that point at one child: "locker 4471", "bus #12", "homeroom 204", "lunch pin 8812".
LABELLED_NUMBER = re.compile(
    r"\b((?:locker|bus|room|homeroom|lunch|pin|incident|report|citation|permit|plate)\s*(?:number|no\.?|#)?"
    r"\s*[:#]?\s*)(\d[\dA-Za-z-]*)", re.I)
# "42 maple street", "1600 Pennsylvania Ave", "12 Oak St, Apt 3", "PO Box 77".
ADDRESS = re.compile(
    r"\b\d{1,6}[a-z]?\s+(?:[^\W\d_][\w'.-]*\s+){1,3}(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|"
    r"boulevard|blvd|court|ct|place|pl|way|terrace|ter|circle|cir|highway|hwy|parkway|pkwy|square|sq)\b\.?"
    r"(?:,?\s*(?:apt|apartment|unit|suite|#)\.?\s*\w+)?|\bp\.?\s?o\.?\s+box\s+\d+", re.I)
# Any other long run of digits (5 or more) is treated as an identifier.
LONG_NUMBER = re.compile(r"(?<![\w§.])\d[\d-]{3,}\d(?![\w])")
SCHOOL = re.compile(r"\b((?:[A-Z][\w'.-]*\s+){1,3})((?:Middle|High|Elementary|Intermediate|Junior High|"
                    r"Vocational|Charter|Regional High)(?:\s+School)?|Academy)\b")

# Citations and case names are kept verbatim: "G.L. c.71 §37H", "20 U.S.C. §1232g", "Safford v. Redding".
CITATION = re.compile(
    r"\b(?:G\.\s?L\.|M\.\s?G\.\s?L\.|U\.\s?S\.\s?C\.|C\.\s?F\.\s?R\.|CFR|CMR|USC)\s*(?:c\.|ch\.|chapter)?\s*"
    r"§*\s*\d[\w.()]*(?:\s*§+\s*\d[\w.()]*)?"
    r"|\b\d+\s+(?:CMR|CFR|U\.\s?S\.\s?C\.|USC|C\.F\.R\.)\s*(?:pt\.|part)?\s*§*\s*\d[\w.()]*"
    r"|(?:\b[A-Z][\w.'&-]*\s+){1,5}v\.\s+(?:[A-Z][\w.'&-]*(?:\s+|\b)){1,5}")

LETTER_UP = r"[A-ZÀ-ÖØ-ÞĀ-Ž]"
LETTER_LOW = r"[a-zß-öø-ÿā-ž]"
NAME_WORD = rf"(?:Mc|Mac|O'|De|Di|La|Le)?{LETTER_UP}{LETTER_LOW}+(?:[-'’]{LETTER_UP}?{LETTER_LOW}+)?"
CAPS_WORD = rf"{LETTER_UP}[A-Za-zÀ-ÿĀ-ž'’-]+"
RELATIVE = (r"(?i:my|our|his|her|their)\s+(?:(?i:\d{1,2}[\s-]*(?:year|yr)s?[\s-]*old)\s+)?"
            r"(?i:son|daughter|child|kid|boy|girl|stepson|stepdaughter|grandson|granddaughter|nephew|niece|"
            r"student|foster\s+(?:son|daughter|child)|brother|sister|friend|classmate)")
LOWER_NAME = r"[a-zß-ÿ][a-zß-ÿ'-]+"
# "my son Jake", "my daughter, Maria Lopez", "our foster son jamal", "MY SON JAKE SMITH"
RELATIVE_NAME = re.compile(rf"\b({RELATIVE}),?\s+((?:{CAPS_WORD}|{LOWER_NAME})(?:\s+(?:{CAPS_WORD}|{LOWER_NAME}))?)")
# "a student named jake", "a kid called Maria Smith-Jones", "the police on DeShawn"
NAMED = re.compile(rf"\b((?i:named|called|name is|police on|cops on))\s+((?:{CAPS_WORD}|{LOWER_NAME})"
                   rf"(?:\s+{CAPS_WORD})?)")
TITLE_NAME = re.compile(
    rf"\b(Mr\.?|Mrs\.?|Ms\.?|Miss|Mx\.?|Dr\.?|Officer|Ofc\.?|Sgt\.?|Sergeant|Detective|Det\.?|"
    rf"Principal|Coach|Chief|Lt\.?|Lieutenant|Superintendent|Dean|Nurse)\s+({NAME_WORD}(?:\s+{NAME_WORD})?)")
# Two or three capitalized words in a row: "Jake Smith", "Maria De Souza", "José García".
CAPITALIZED_RUN = re.compile(rf"(?<![\w'’-]){NAME_WORD}(?:\s+{NAME_WORD}){{1,2}}(?![\w'’-])")
WORD = re.compile(rf"(?<![\w'’\[-])(?:{LETTER_UP}|{LETTER_LOW})[\w'’-]*")
SENTENCE_START = re.compile(r"(?:^|[.?!:;\"“(]\s*|\n\s*)$")

# Capitalized words that are not names: sentence openers, institutions, places, the law.
NOT_NAMES = {
    w.lower() for w in """
    A An The This That These Those It Its I I'm I've I'd Im Ive My Our Your His Her Their We You They He She
    Is Are Was Were Be Been Am Do Does Did Can Could Should Would Will Shall May Might Must Has Have Had
    What When Where Why Who Whom Whose Which How If Then So And But Or Not No Yes Ok Okay Also Hi Hello Thanks
    Please Since Because After Before During While Last Next Today Tomorrow Yesterday Every Any All Some
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April June July August
    September October November December Is Isn't Don't Doesn't Can't Won't There Here Dear Sir Madam
    School Schools Resource Officer Officers Police Department Dept Education Elementary Secondary Middle
    High Public District Districts Office Policy Privacy Student Students Family Educational Rights Act
    Law Laws General Court Courts Juvenile Superior Supreme Commonwealth State States United Federal Town City
    Massachusetts Mass Boston Worcester Springfield Cambridge Lowell Brockton Quincy Lynn Newton Somerville
    Connecticut Hartford Texas California York Rhode Island New England America American Code Regulations
    Jersey Chapter Section Title Part Statute Statutes Session Acts Model Memorandum Understanding Agreement MOU
    Commissioner Commission Committee Board Superintendent Principal Teacher Teachers Parent Parents
    Guidance Counselor Nurse Coach Dean Assistant Vice Special Services Team Unit Enforcement Law Justice
    Attorney Attorneys District Safety Security Handbook Code Conduct Discipline Department's Gun Free
    Every Student Succeeds Individuals Disabilities IEP FERPA DESE DCF SRO SROs PTA PTO Title IX
    Restorative Mediation Hearing Appeal Expulsion Suspension Records Record Directory Information
    Health Mental Crisis Emergency Threat Assessment English Spanish Portuguese Constitution Amendment
    First Second Third Fourth Fifth Fourteenth Bill Congress Legislature Governor Senate House Miranda
    Youth Probation Internet Google Facebook Instagram Snapchat TikTok Narcan Zoom Section's Officer's
    Gun-Free Free Plan Plans Office's Court's Safe Civil Criminal Procedure Reform Accountability
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
    too very not no yes age aged years year old turned turns is' goes without through against under over
    again alone home there out up down off
""".split())

# Common first names, for names typed in lower case or at the start of a sentence, where
# capitalisation says nothing. Names that are also ordinary words (will, mark, grace) are left out.
FIRST_NAMES = set("""
    aaliyah abigail adam aiden aisha alex alexander ali alyssa amanda amir ana andre andrew angel anthony
    ashley austin ava bart ben benjamin brandon brayden brian brittany caleb camila carlos charlotte chloe
    chris christopher connor daniel darnell david deshawn destiny devon diego dylan elijah ella emily emma
    eric ethan evan fatima gabriel hannah hassan isabella isaiah jacob jada jake jalen jamal james jasmine
    jason jayden jennifer jessica jesus joe john jonathan jordan jorge jose josé joseph joshua juan julia
    justin kayla keisha kevin kyle latoya lauren leo liam lily logan lucas luis madison malik marcus maria
    maría matthew maya megan mia michael miguel mohammed muhammad natalie nathan nicholas nicole noah olivia
    omar pedro rachel ryan samantha samuel sarah sean sofia sophia tanisha terrell trevon tyler tyrone
    victoria xavier zachary zoe
""".split())

PLACEHOLDER = "[name]"


def _keep_label(placeholder: str):
    return lambda m: f"{m.group(1)}{placeholder}"


def _grouped_digits(match: re.Match) -> str:
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[phone]" if digits >= 7 else match.group(0)


def _school(match: re.Match) -> str:
    words = match.group(1).split()
    while words and words[0].lower() in NOT_NAMES:  # "At Lincoln High": keep "At"
        words.pop(0)
    if not words:
        return match.group(0)
    kept = match.group(1)[:len(match.group(1)) - len(" ".join(words)) - 1]
    return f"{kept}[school]"


def _is_common(word: str) -> bool:
    lower = word.lower()
    return lower in NOT_NAMES or lower in COMMON_WORDS or all(p in NOT_NAMES for p in lower.split("-"))


def _relative(match: re.Match) -> str:
    name = match.group(2).split()
    first = name[0].lower()
    # "my son is 14", "my daughter got suspended": a common word is never the name.
    if first in NOT_NAMES or first in COMMON_WORDS or (
            not name[0][0].isupper() and first.endswith(("ed", "ing", "ly")) and first not in FIRST_NAMES):
        return match.group(0)
    if len(name) == 2 and _is_common(name[1]):  # "my son JAKE WAS": keep the verb
        return f"{match.group(1)} {PLACEHOLDER} {name[1]}"
    return f"{match.group(1)} {PLACEHOLDER}"


def _named(match: re.Match) -> str:
    name = match.group(2).split()
    if _is_common(name[0]):
        return match.group(0)
    return f"{match.group(1)} {PLACEHOLDER}" + (f" {name[1]}" if len(name) == 2 and _is_common(name[1]) else "")


def _capitalized(match: re.Match) -> str:
    words = match.group(0).split()
    out, run = [], []
    for word in words + [""]:
        if word and not _is_common(_base(word)):
            run.append(word)
            continue
        out.extend([PLACEHOLDER] if run else run)
        run = []
        if word:
            out.append(word)
    return " ".join(out)


def _base(word: str) -> str:
    """The word without a possessive: "Jake's" -> "Jake"."""
    return re.sub(r"['’]s?$", "", word)


def _single_names(text: str) -> str:
    """Names standing alone: a capitalised word inside a sentence ("question Tyler", "Bart's file"),
    a known first name anywhere, in any case ("jake smith was searched", "Emily, my 15 year old")."""
    shouting = sum(c.isupper() for c in text) > 0.6 * max(1, sum(c.isalpha() for c in text))
    words = list(WORD.finditer(text))
    spans = []
    for i, match in enumerate(words):
        word, base = match.group(0), _base(match.group(0))
        lower = base.lower()
        if _is_common(base) or len(base) < 2:
            continue
        start = SENTENCE_START.search(text[:match.start()]) is not None
        capital = base[0].isupper() and not base.isupper()
        if lower in FIRST_NAMES or (capital and not start and not shouting):
            spans.append((match.start(), match.start() + len(base)))
            following = words[i + 1] if i + 1 < len(words) else None
            # A surname after a lower-case or shouted first name: "jake smith", "JAKE SMITH".
            if (lower in FIRST_NAMES and (word.islower() or shouting) and word == base and following
                    and text[match.end():following.start()].strip() == ""
                    and not _is_common(_base(following.group(0)))
                    and not following.group(0).lower().endswith(("ed", "ing", "ly"))):
                spans.append((following.start(), following.start() + len(_base(following.group(0)))))
    for start, end in reversed(spans):
        text = text[:start] + PLACEHOLDER + text[end:]
    return re.sub(r"\[name\](?:\s+\[name\])+", PLACEHOLDER, text)


def redact(text: str) -> str:
    """Replace names, dates, addresses, schools, emails, phone and ID numbers with placeholders."""
    if not text:
        return ""
    text = text.replace("\x00", "")
    kept: list[str] = []

    def set_aside(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = CITATION.sub(set_aside, text)
    text = EMAIL.sub("[email]", text)
    text = SPELLED_EMAIL.sub("[email]", text)
    text = DATE.sub("[date]", text)
    text = SSN.sub("[id]", text)
    text = LABELLED_ID.sub(_keep_label("[id]"), text)
    text = LABELLED_NUMBER.sub(_keep_label("[id]"), text)
    text = ADDRESS.sub("[address]", text)
    text = INTL_PHONE.sub("[phone]", text)
    text = PHONE.sub("[phone]", text)
    text = GROUPED_DIGITS.sub(_grouped_digits, text)
    text = LONG_NUMBER.sub("[id]", text)
    text = SCHOOL.sub(_school, text)
    text = RELATIVE_NAME.sub(_relative, text)
    text = NAMED.sub(_named, text)
    text = TITLE_NAME.sub(lambda m: f"{m.group(1)} {PLACEHOLDER}", text)
    text = CAPITALIZED_RUN.sub(_capitalized, text)
    text = _single_names(text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)
