"""Amendments bound into the same document as the agreement they change.

An agreement is often kept as the old text followed by an amendment or an extension letter that
replaces some of its sections ("Section 3.2 of the MOU is deleted and replaced with: ..."). The old text
then no longer controls, but the review used to read a replaced clause like any other and raise a check
on it (dev: wendham's replaced "the SRO shall assist in the enforcement of the code of conduct").

Which old clauses a replacement covers would need the section numbers, and pypdf keeps them unevenly
(a run-in heading such as "4.3 Evaluation." is dropped as a heading). So the rule goes by topic: once a
document holds a replacement, a clause before the amendment no longer counts for an element that the
amendment speaks to; the amendment's own clauses (and anything after them, such as an attachment it
adds) are read for that element instead. An element the amendment does not speak to is read in the old
text as before. Known limits: a bare deletion ("Article VII is struck") replaces nothing, so the struck
text is still read; an attachment after the amendment counts as the amendment (dev: linden's, which the
amendment itself makes control)."""

from __future__ import annotations

import re

import numpy as np

from assistant.agreement_text import Clause

# An item's label before the section, if any: "Amendment No. 1", "A-3.", "2)", "(c)".
_LABEL = (r"^\s*(?:(?:Amendment|Addendum|Item|Change)\s+(?:No\.?\s*)?[0-9A-Z]+[.:)]?\s*"
          r"|[A-Z]?-?\d+[.)]\s*|\([a-z0-9]+\)\s*)?")
_SECTION = (r"(?-i:Sections?|Articles?|Paragraphs?|SECTIONS?|ARTICLES?|section|article|paragraph)\s+"
            r"(?-i:[0-9]+[0-9A-Za-z.()]*|[IVXL]+\b)")
_OF = r"(?:\s+of\s+(?:the|this|said)\s+(?:\d{4}\s+|original\s+)?(?:Agreement|MOU|Memorandum(?:\s+of\s+\w+)?))?"
_TITLE = r"(?:\s*\([^)]{0,80}\))?,?"
# A clause that opens by naming a section and replacing it: "Section 4 of the Agreement (Selection of SRO)
# is deleted and replaced with the following", "Amendment 3. Section 3.2 is hereby amended to read".
# Anchored at the clause's start: in a body, "Records under Section 6 are deleted after three years" or
# "If any part of Section 5 is struck by a court" names a section without amending it.
REPLACES = re.compile(_LABEL + _SECTION + _OF + _TITLE + r"\s+(?:is|are)\s+(?:hereby\s+)?"
                      r"(?:deleted\s+and\s+replaced|replaced|amended\s+(?:to\s+read|in\s+its\s+entirety))\b",
                      re.IGNORECASE)
# Any change to a named section, opening its clause ("Section 5.6 is amended by adding ..."): where an
# amendment that replaces sections begins, when its first items only add or extend.
AMENDS = re.compile(_LABEL + _SECTION + _OF + _TITLE + r"\s+(?:is|are)\s+(?:hereby\s+)?"
                    r"(?:deleted|replaced|amended|extended|struck)\b", re.IGNORECASE)
FIRST_ITEMS = 8  # how far before the first replacement the amendment's earlier items are looked for


def amendment_start(found: list[Clause]) -> int | None:
    """Where an amendment that replaces sections begins (its first item naming a section), or None."""
    first = next((i for i, c in enumerate(found) if REPLACES.search(c.text)), None)
    if first is None:
        return None
    earlier = [i for i in range(max(0, first - FIRST_ITEMS), first) if AMENDS.search(found[i].text)]
    return earlier[0] if earlier else first


def replaced(topic: np.ndarray, start: int | None, addressed: float) -> np.ndarray:
    """For one element, the clauses an amendment replaced: every clause before the amendment, when some
    clause from the amendment on is about the element (probability >= addressed)."""
    out = np.zeros(len(topic), bool)
    if start is not None and (topic[start:] >= addressed).any():
        out[:start] = True
    return out
