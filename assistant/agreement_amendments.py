"""Amendments bound into the same document as the agreement they change.

An agreement is often kept as the old text followed by an amendment or an extension letter that deletes
and replaces some of its sections ("Section 3.2 of the MOU is deleted and replaced with: ..."). The old
text then no longer controls, but the review used to read a replaced clause like any other and raise a
check on it (dev: wendham's replaced "the SRO shall assist in the enforcement of the code of conduct").

Which old clauses a replacement covers would need the section numbers, and pypdf keeps them unevenly
(a run-in heading such as "4.3 Evaluation." is dropped as a heading). So the rule goes by topic: once a
document holds a replacement, a clause before it no longer counts for an element that the amendment
itself speaks to; the amendment's own clauses are read for that element instead. An element the
amendment does not touch is read in the old text as before."""

from __future__ import annotations

import re

import numpy as np

from assistant.agreement_text import Clause

# "Section 4 of the Agreement (Selection of SRO) is deleted and replaced", "Section 3.2 is hereby amended
# to read", "Article VII is struck". A section must be named: "the agreement is amended as follows" alone
# says nothing about which text stops controlling.
REPLACES = re.compile(
    r"\b(?:Section|Article|Paragraph)\s+[0-9IVXL]+[0-9A-Za-z.()]*"
    r"(?:\s+of\s+(?:the|this)\s+(?:Agreement|MOU|Memorandum(?:\s+of\s+(?:Understanding|Agreement))?))?"
    r"(?:\s*\([^)]{0,80}\))?,?\s+(?:is|are)\s+(?:hereby\s+)?"
    r"(?:deleted|struck|rescinded|replaced|amended\s+(?:to\s+read|in\s+its\s+entirety))\b",
    re.IGNORECASE)


def amendment_start(found: list[Clause]) -> int | None:
    """The first clause that deletes or replaces a named section, or None."""
    return next((i for i, c in enumerate(found) if REPLACES.search(c.text)), None)


def replaced(topic: np.ndarray, start: int | None, addressed: float) -> np.ndarray:
    """For one element, the clauses an amendment replaced: every clause before the amendment, when some
    clause from the amendment on is about the element (probability >= addressed)."""
    out = np.zeros(len(topic), bool)
    if start is not None and (topic[start:] >= addressed).any():
        out[:start] = True
    return out
