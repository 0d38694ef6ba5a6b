"""An agreement's text as clauses with page numbers, without the page furniture around them.

Agreements come as PDFs with running headers and footers, tables of contents, numbered clauses and
words hyphenated across lines. The review reads sentences of the body only, so that "Section 5 ...
Student Searches ........ 12" in a contents list never counts as addressing searches."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from assistant.sentences import collapse_whitespace, sentence_spans
from ingest.documents import Document

FURNITURE_SHARE = 0.4  # a short line on this share of pages (or more) is a running header or footer
FURNITURE_WORDS = 12  # longer repeated lines are text (a clause repeated in each schedule), not furniture
MIN_WORDS = 6  # shorter lines are headings or labels, which address nothing alone
LONG_WORDS = 60  # a longer "sentence" is a list run together; split it at semicolons
_DOT_LEADER = re.compile(r"(\.\s?){4,}|…{2,}|_{4,}")
_HYPHEN_BREAK = re.compile(r"(\w)-\n(\w)")
_DIGITS = re.compile(r"\d+")
# A short clause with none of these is a heading or a label ("9.4 Use of force and restraint.").
_VERB = re.compile(r"\b(shall|will|may|must|should|can|cannot|is|are|was|were|be|been|has|have|does|do|"
                   r"agrees?|means|includes?|provides?|requires?|applies|need|needs)\b", re.I)
HEADING_WORDS = 20  # a heading with its running header can be this long
# A heading run into its first clause ("ARTICLE 20 - DATA COLLECTION AND REPORTING 20.1 ..."): the
# heading's words alone address nothing, so they are not read as part of the clause.
_HEADING = re.compile(r"^((ARTICLE|SECTION|PART)\s+[0-9IVXL]+[.:]?\s*[-–:]?\s*)?"
                      r"(([A-Z][A-Z&/,'’()-]*\s+){2,}|[A-Z][A-Z&/,'’()-]{3,}\s+)(?=\S*[a-z0-9\[(])")


@dataclass(frozen=True)
class Clause:
    text: str  # whitespace collapsed; otherwise as printed
    page: int  # 1-based


def page_texts(doc: Document) -> list[str]:
    """The document's pages (one item when it has no page breaks)."""
    if not doc.page_starts:
        return [doc.text]
    bounds = list(doc.page_starts) + [len(doc.text) + 2]
    return [doc.text[bounds[i]:bounds[i + 1] - 2] for i in range(len(doc.page_starts))]


def running_lines(pages: list[str]) -> set[str]:
    """Lines repeated on many pages (headers, footers), compared with their numbers masked."""
    if len(pages) < 3:
        return set()
    seen = Counter()
    for page in pages:
        seen.update({_DIGITS.sub("#", line.strip()) for line in page.splitlines() if line.strip()})
    floor = max(3, FURNITURE_SHARE * len(pages))
    return {line for line, count in seen.items() if count >= floor and len(line.split()) <= FURNITURE_WORDS}


def body_pages(pages: list[str]) -> list[str]:
    """Each page without running lines and with line-end hyphenation undone."""
    furniture = running_lines(pages)
    out = []
    for page in pages:
        kept = [line for line in page.splitlines() if _DIGITS.sub("#", line.strip()) not in furniture]
        out.append(_HYPHEN_BREAK.sub(r"\1\2", "\n".join(kept)))
    return out


def clauses(pages: list[str]) -> list[Clause]:
    """The body's sentences, each with the page it starts on."""
    out = []
    carry, carry_page = "", 1
    for number, page in enumerate(body_pages(pages), start=1):
        text = page if not carry else carry + " " + page
        spans = sentence_spans(text)
        if not spans:
            continue
        # The last sentence of a page may run on to the next one: read it there, on its first page.
        *complete, (last_start, last_end) = spans
        for start, end in complete:
            out.extend(_clauses_of(text[start:end], carry_page if start < len(carry) else number))
        tail = text[last_start:last_end]
        if number < len(pages) and not tail.rstrip().endswith((".", ";", ":", "?", "!")):
            carry, carry_page = tail, carry_page if last_start < len(carry) else number
        else:
            out.extend(_clauses_of(tail, carry_page if last_start < len(carry) else number))
            carry = ""
    if carry:
        out.extend(_clauses_of(carry, carry_page))
    return out


def _clauses_of(sentence: str, page: int) -> list[Clause]:
    if _DOT_LEADER.search(sentence):  # a contents line, not a provision
        return []
    text = collapse_whitespace(sentence)
    text = _HEADING.sub("", text, count=1)
    parts = [text]
    if len(text.split()) > LONG_WORDS:
        parts = [p.strip() for p in re.split(r"(?<=;)\s+", text) if p.strip()]
    return [Clause(p, page) for p in parts if len(p.split()) >= MIN_WORDS]


def is_heading(clause: Clause) -> bool:
    """A clause that names a topic without saying anything about it."""
    return len(clause.text.split()) <= HEADING_WORDS and not _VERB.search(clause.text)
