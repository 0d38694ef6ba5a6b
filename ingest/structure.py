"""Read a legal text's own structure: sections, questions, and (a)(1)(A)(i) labels.

The parser walks lines and yields Units: a run of text together with the section it
sits in and the label path above it. Label types follow the US Code hierarchy
(subsection a, paragraph 1, subparagraph A, clause i, subclause I, item aa); an
ambiguous label such as "(i)" is read as whichever type continues the current
sequence, else as the type that starts a new, deeper level.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LOWER, NUM, UPPER, LROMAN, UROMAN, DOUBLE = "lower", "num", "upper", "lroman", "uroman", "double"
FIRST = {LOWER: "a", NUM: "1", UPPER: "A", LROMAN: "i", UROMAN: "I", DOUBLE: "aa"}

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_LABEL = re.compile(r"\(([A-Za-z]{1,6}|\d{1,3}[A-Za-z]?)\)[ \t]*")
_MD_HEADING = re.compile(r"^(#{1,12})\s*(.*)$")
_NAVIGATION = re.compile(r"^(SUBCHAPTER|Subchapter|subpart|SUBPART|PART|CHAPTER)\s+[\w.-]+\s*—")

# Section-level headings, by document kind.
SECTION_PATTERNS = {
    "session-law": [re.compile(r"^SECTION\s+(\d+[A-Z]?)\.", re.I)],
    "regulation": [re.compile(r"^§\s*(99\.\d+)\b")],
    "guidance": [re.compile(r"^(?:Q(?:uestion)?\s*)(\d{1,2})\s*[.:)]"),
                 re.compile(r"^(\d{1,2})\.\s+[^\n]{5,300}\?$")],
    "model-mou": [re.compile(r"^(?:Article|Section)\s+([IVXL]+|\d+(?:\.\d+)*)\b"),
                  re.compile(r"^([IVXL]{1,6})\.\s+\S[^\n]{0,100}$"),
                  re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)\.?\s+[A-Z][A-Za-z ,&/'’-]{2,80}$")],
}
SECTION_PATTERNS["user"] = SECTION_PATTERNS["model-mou"]


def roman_value(text: str) -> int | None:
    text = text.lower()
    if not text or any(ch not in _ROMAN for ch in text):
        return None
    total = 0
    for i, ch in enumerate(text):
        value = _ROMAN[ch]
        total += -value if i + 1 < len(text) and _ROMAN[text[i + 1]] > value else value
    return total


def label_types(label: str) -> list[str]:
    if label.isdigit() or (label[:-1].isdigit() and label):
        return [NUM]
    if len(label) == 2 and label[0] == label[1] and label.islower():
        return [DOUBLE, LROMAN] if roman_value(label) else [DOUBLE]
    types = []
    if len(label) == 1:
        types.append(LOWER if label.islower() else UPPER)
    if roman_value(label):
        types.append(LROMAN if label.islower() else UROMAN)
    return types


def successor(kind: str, value: str) -> str | None:
    if kind == NUM:
        return str(int(value) + 1) if value.isdigit() else None
    if kind in (LOWER, UPPER):
        return chr(ord(value) + 1) if len(value) == 1 else None
    if kind in (LROMAN, UROMAN):
        number = roman_value(value)
        return _to_roman(number + 1, kind == LROMAN) if number else None
    if kind == DOUBLE:
        return chr(ord(value[0]) + 1) * 2
    return None


def _to_roman(number: int, lower: bool) -> str:
    out = ""
    for value, sym in [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]:
        while number >= value:
            out, number = out + sym, number - value
    return out.lower() if lower else out


@dataclass
class LabelStack:
    levels: list[tuple[str, str]] = field(default_factory=list)

    def push(self, label: str) -> None:
        types = label_types(label)
        if not types:
            return
        # 1. The label continues an open level (deepest first).
        for depth in range(len(self.levels) - 1, -1, -1):
            kind, value = self.levels[depth]
            if kind in types and successor(kind, value) == label:
                self.levels[depth:] = [(kind, label)]
                return
        # 2. It opens a new, deeper level.
        for kind in types:
            if FIRST[kind] == label and all(k != kind for k, _ in self.levels):
                self.levels.append((kind, label))
                return
        # 3. It jumps within an open level (a gap in the source): replace there.
        for depth in range(len(self.levels) - 1, -1, -1):
            if self.levels[depth][0] in types:
                self.levels[depth:] = [(self.levels[depth][0], label)]
                return
        self.levels.append((types[0], label))

    def reset(self, label: str | None = None) -> None:
        self.levels = []
        if label:
            self.push(label)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(value for _, value in self.levels)


@dataclass
class Unit:
    section: str  # pinpoint base, e.g. "34 CFR §99.31"
    path: tuple[str, ...]
    heading: str
    start: int
    end: int


def leading_labels(line: str) -> tuple[list[str], int]:
    """The labels a line starts with ("(a)(1) text" -> ["a", "1"]) and where its text starts."""
    labels, pos = [], 0
    while True:
        match = _LABEL.match(line, pos)
        if not match:
            return labels, pos
        labels.append(match.group(1))
        pos = match.end()


def parse_units(text: str, *, base: str, kind: str, section_pinpoint) -> list[Unit]:
    """Split `text` into units that each sit under one pinpoint."""
    patterns = SECTION_PATTERNS.get(kind, [])
    stack = LabelStack()
    units: list[Unit] = []
    section, heading = base, ""
    current: Unit | None = None
    prev_line = ""
    offset = 0

    def close() -> None:
        nonlocal current
        if current is not None and text[current.start:current.end].strip():
            units.append(current)
        current = None

    for raw in text.splitlines(keepends=True):
        line_start, offset = offset, offset + len(raw)
        line = raw.strip()
        lead = len(raw) - len(raw.lstrip())
        if not line:
            close()
            prev_line = ""
            continue
        md = _MD_HEADING.match(line)
        if _NAVIGATION.match(line):  # the mirror's table-of-contents remnants
            close()
            prev_line = ""
            continue
        if md and len(md.group(1)) <= 5:
            close()
            title = md.group(2).strip()
            labels, _ = leading_labels(title)
            number = _section_number(title, patterns)
            if labels:
                # The mirror repeats the subsection heading atop each of its files; a
                # repeat must not forget the paragraph we are in.
                repeat = stack.levels and [stack.levels[0][1]] == labels[:1] and len(labels) == 1
                if not repeat:
                    stack.reset()
                    for label in labels:
                        stack.push(label)
                heading = title
            elif number:
                section, heading = section_pinpoint(number), title
                stack.reset()
            elif not heading or len(md.group(1)) >= 4:
                heading = title
            prev_line = ""
            continue
        if md:  # a deep heading that holds body text
            lead += len(md.group(1)) + (len(line) - len(md.group(1)) - len(md.group(2)))
            line = md.group(2).strip()
        number = _section_number(line, patterns)
        labels, _ = leading_labels(line)
        starts_block = not prev_line or prev_line[-1] in ".;:—-" or prev_line.endswith((" or", " and"))
        if number and (starts_block or current is None):
            close()
            section, heading = section_pinpoint(number), line[:120]
            stack.reset()
            current = Unit(section, stack.path, heading, line_start + lead, line_start + len(raw.rstrip()))
        elif labels and starts_block:
            close()
            for label in labels:
                stack.push(label)
            if not line[leading_labels(line)[1]:].strip():
                continue  # a label on its own line: its text follows under a deeper label
            current = Unit(section, stack.path, heading, line_start + lead, line_start + len(raw.rstrip()))
        elif current is None:
            current = Unit(section, stack.path, heading, line_start + lead, line_start + len(raw.rstrip()))
        else:
            current.end = line_start + len(raw.rstrip())
        prev_line = line
    close()
    return units


def _section_number(line: str, patterns) -> str | None:
    for pattern in patterns:
        match = pattern.match(line)
        if match:
            return match.group(1)
    return None


def pinpoint_of(section: str, path: tuple[str, ...]) -> str:
    return section + "".join(f"({label})" for label in path)
