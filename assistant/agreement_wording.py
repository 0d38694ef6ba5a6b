"""Wording rules for the agreement review: which clauses speak of an element, and which cut against it.

A sentence embedding barely moves when a clause is negated or carved out ("the SRO shall not
enforce school rules" sits next to "the SRO shall enforce school rules"), so the review's first
reading of "check" rests on patterns a person can read, written in `corpus/mou-checklist.toml` from
what the law expects and from drafting habits (never copied from a test agreement). A conflict
pattern is written the way round that cuts against the expectation; a negation before it (or
inside it) turns it back, unless the pattern carries its own negation ("the District does not take
part in the evaluation"), when only a negation before it counts. Drafting that negates a negation
("nothing herein shall prevent the SRO from...", "shall not be construed to prohibit...") permits
what follows, so it is read as no negation at all."""

from __future__ import annotations

import re
from dataclasses import dataclass

FLAGS = re.IGNORECASE
NEGATION = re.compile(r"\b(not|never|no|nor|neither|cannot|nothing|none)\b|n't\b|\bprohibited\b", FLAGS)
# "Nothing in this Agreement shall prevent the SRO from ...", "shall not, however, be construed to
# prohibit ...", "does not preclude ...": a carve-out that allows what follows.
# "This does not mean the officer cannot ..." likewise.
CARVE_OUT = re.compile(
    r"\b(nothing\b.{0,60}?\b(shall|will|may|is (intended|meant) to)\s+(be\s+(construed|read|interpreted)\s+to\s+)?"
    r"|(shall|will|does|do|is)\s+not,?\s+(however,?\s+)?(be\s+(construed|read|interpreted)\s+(as|to)\s+)?)"
    r"(prevent|prohibit|preclude|limit|restrict|bar|stop)\w*\b"
    r"|\b(does|shall|should)\s+not\s+(be\s+read\s+to\s+)?mean\s+(that\s+)?(\w+\s+){0,3}"
    r"(cannot|can\s*not|may\s+not|will\s+not)\b",
    FLAGS)
# Where a new clause of a compound sentence starts: a "not" before it belongs to another clause
# ("... does not flag them, and this agreement requires...", "If staff are not available, the SRO may...",
# "Where a counselor is not available, the liaison officer will...").
# A capital "The SRO ..." inside a clause starts a new one: a table row's cells run together ("Nothing,
# unless asked ... The SRO circulates and enforces ...").
_CELL = r"\s(?=(?-i:The)\s+(?:[\w-]+\s+){0,2}?(?:SRO|officer|deputy)s?\b)"
CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:and|but|or|while|whereas)\b"
                          r"|,\s+(?=(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:SRO|officer|deputy)s?"
                          r"\s+(?:may|shall|will|must|can)\b)|" + _CELL,
                          FLAGS)
# Where a match turned back by a negation is looked for again: a clause with a subject of its own. Not
# after ", or": "will not arrest, cite, or apply for a complaint" keeps its "not" for the whole list.
NEW_CLAUSE = re.compile(r"[;:]|" + _CELL, FLAGS)


@dataclass(frozen=True)
class ConflictPattern:
    pattern: re.Pattern
    unless: re.Pattern | None = None  # a clause that also matches this is not read as a conflict
    within: re.Pattern | None = None  # the clause must also match this (what the exception is to)
    negative: bool = False  # the pattern carries its own negation: only a negation before it counts
    always: bool = False  # an exception ("except where the police ask"): no negation turns it back

    @classmethod
    def from_toml(cls, raw: dict | str) -> "ConflictPattern":
        raw = {"pattern": raw} if isinstance(raw, str) else raw
        unknown = set(raw) - {"pattern", "unless", "within", "negative", "always"}
        if unknown:
            raise ValueError(f"conflict pattern {raw.get('pattern')!r}: unknown keys {sorted(unknown)}")
        optional = {k: re.compile(raw[k], FLAGS) if raw.get(k) else None for k in ("unless", "within")}
        return cls(re.compile(raw["pattern"], FLAGS), negative=bool(raw.get("negative", False)),
                   always=bool(raw.get("always", False)), **optional)


# Abbreviations district documents use for the two signers' offices, spelled out before a clause is
# classified or matched ("the Supt. and I sit down together").
ABBREVIATIONS = re.compile(r"\b(Supt|Dept)\.", FLAGS)
SPELLED_OUT = {"supt": "Superintendent", "dept": "Department"}
# A title's period is no sentence's end, but patterns read "[^.;]" as "within the sentence": without
# this, "Officer Dwyer will back up Mr. Lacasse in enforcing the Handbook" escaped every pattern.
# Only titles the sentence splitter also reads as no sentence end (assistant/sentences.py).
TITLES = re.compile(r"\b(Mr|Mrs|Ms|Dr)\.(?=\s)", FLAGS)


def normalise(text: str) -> str:
    """Curly apostrophes as straight ones, so "officer’s" and "doesn’t" match the patterns, titles
    without their period, and the signers' offices spelled out."""
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = TITLES.sub(r"\1", text)
    return ABBREVIATIONS.sub(lambda m: SPELLED_OUT[m.group(1).lower()], text)


# What the similarity reading counts: negations that turn what a clause obliges or allows around
# ("shall not", "is not", "no officer shall", "never"); "without first consulting" or "non-criminal"
# leave its stance as it is. Only their number, odd or even, is compared.
COUNTED_NEGATION = re.compile(
    r"\b(shall|will|may|must|should|can|could|would|does|do|did|is|are|was|were|be)\s+not\b|\bcannot\b|"
    r"\bnever\b|\bno\s+(officer|sro|student|school|one|person|member|employee|information|records?)\b|"
    r"\bprohibited\b|n't\b|\bneither\b|\bnor\b", FLAGS)


def negations(text: str) -> int:
    return len(COUNTED_NEGATION.findall(normalise(text)))


def negated(text: str) -> bool:
    """Whether a stretch of a clause says "not": a carve-out ("nothing herein shall prevent") is no negation."""
    return bool(NEGATION.search(CARVE_OUT.sub(" ", text)))


def conflict_in(text: str, patterns: tuple[ConflictPattern, ...]) -> str | None:
    """The words of the first conflict pattern a clause matches the way round that cuts against
    the element, or None. A question ("Can the officer give my child detention?", as in a FAQ) asks;
    it does not stipulate, so it is never read as a conflict."""
    text = normalise(text)
    if text.rstrip().endswith("?"):
        return None
    breaks = [b.end() for b in CLAUSE_BREAK.finditer(text)]  # on the whole text: a break may look ahead
    restarts = [b.end() for b in NEW_CLAUSE.finditer(text)]
    for rule in patterns:
        if rule.unless is not None and rule.unless.search(text):
            continue
        if rule.within is not None and not rule.within.search(text):
            continue
        at = 0
        while (match := rule.pattern.search(text, at)) is not None:
            before = text[max([b for b in breaks if b <= match.start()], default=0):match.start()]
            if rule.always or not negated(before if rule.negative else before + match.group(0)):
                return match.group(0)
            # Turned back: look again from the next clause, where a match of its own may start
            # (a longer match from this clause would otherwise swallow it).
            at = min([b for b in restarts if b > match.start()], default=len(text) + 1)
    return None


def speaks_of(text: str, patterns: tuple[re.Pattern, ...]) -> bool:
    text = normalise(text)
    return any(p.search(text) for p in patterns)
