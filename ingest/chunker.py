"""Chunker: a Document in, Chunks out, each under the narrowest pinpoint it fits."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assistant.registry import Source
from assistant.sentences import collapse_whitespace, sentence_spans
from ingest.documents import Chunk, Document
from ingest.structure import Unit, leading_labels, parse_units, pinpoint_of

LEAD_IN_CHARS = 300
CONTEXT_CITES = 2


def chunk_document(doc: Document, *, source: Source | None, max_chars: int, min_chars: int) -> Iterator[Chunk]:
    if doc.asks:  # an answer card: shown as a unit, so indexed as one
        yield _card(doc)
        return
    if doc.cites:  # a guide section: already one pinpointed piece
        yield from _split_fixed(doc, max_chars=max(max_chars, 2000))
        return
    kind = source.kind if source else doc.doc_kind
    section_pinpoint = source.section_pinpoint if source else (lambda n: f"{doc.citation} §{n}")
    units = parse_units(doc.text, base=doc.citation, kind=kind, section_pinpoint=section_pinpoint)
    lead_ins = {(u.section, u.path): u for u in units}
    for group in _group(units, doc.text, max_chars=max_chars, min_chars=min_chars):
        first, last = group[0], group[-1]
        path = _common_prefix([u.path for u in group])
        pinpoint = pinpoint_of(first.section, path)
        context = _context(doc, first, path, lead_ins)
        if len(group) == 1:
            pieces = [(s, e, doc.text[s:e]) for s, e in _sentence_windows(doc.text, first.start, last.end, max_chars)]
        else:
            # Join the units' own text: headings repeated between them are not part of it.
            pieces = [(first.start, last.end, " ".join(doc.text[u.start:u.end] for u in group))]
        for start, end, text in pieces:
            yield Chunk(
                source_id=doc.source_id, title=doc.title, origin=doc.origin, doc_kind=doc.doc_kind,
                pinpoint=pinpoint, section=first.heading, text=collapse_whitespace(text),
                context=context, start=start, end=end, url=doc.url, as_of=doc.as_of,
                jurisdiction=doc.jurisdiction, page=doc.page_at(start),
            )


def _group(units: list[Unit], text: str, *, max_chars: int, min_chars: int) -> Iterator[list[Unit]]:
    """Merge runs of short units (a lead-in, a one-line item) under the same section."""
    group: list[Unit] = []
    for unit in units:
        if group:
            size = group[-1].end - group[0].start
            combined = unit.end - group[0].start
            same_part = unit.section == group[0].section and unit.path[:1] == group[0].path[:1]
            if size < min_chars and combined <= max_chars and same_part:
                group.append(unit)
                continue
            yield group
        group = [unit]
    if group:
        yield group


def _common_prefix(paths: list[tuple[str, ...]]) -> tuple[str, ...]:
    prefix = paths[0]
    for path in paths[1:]:
        n = 0
        while n < min(len(prefix), len(path)) and prefix[n] == path[n]:
            n += 1
        prefix = prefix[:n]
    return prefix


def _context(doc: Document, unit: Unit, path: tuple[str, ...], lead_ins: dict) -> str:
    """Title, heading, pinpoint and the parent provision's lead-in: what a reader sees above."""
    parts = [doc.title, unit.heading, pinpoint_of(unit.section, path)]
    for depth in range(len(path) - 1, 0, -1):
        parent = lead_ins.get((unit.section, path[:depth]))
        if parent is not None:
            lead = collapse_whitespace(doc.text[parent.start:parent.end])
            _, text_start = leading_labels(lead)
            parts.append(lead[text_start:LEAD_IN_CHARS + text_start])
            break
    return " | ".join(p for p in parts if p)


def _sentence_windows(text: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut [start, end) into pieces of at most max_chars, only between sentences."""
    if end - start <= max_chars:
        yield start, end
        return
    piece_start = piece_end = None
    for s, e in sentence_spans(text[start:end]):
        s, e = s + start, e + start
        if piece_start is None:
            piece_start, piece_end = s, e
        elif e - piece_start > max_chars:
            yield piece_start, piece_end
            piece_start, piece_end = s, e
        else:
            piece_end = e
    if piece_start is not None:
        yield piece_start, piece_end


def _paragraph_spans(text: str, min_chars: int = 200) -> Iterator[tuple[int, int]]:
    """Paragraphs of a guide section; a short one joins the next (the last, short one joins the
    one before), so each chunk says one thing and no chunk is a lone caveat."""
    spans: list[tuple[int, int]] = []
    start = None
    for match in re.finditer(r"[^\n](?:.|\n(?!\n))*", text):
        if start is None:
            start = match.start()
        if match.end() - start >= min_chars:
            spans.append((start, match.end()))
            start = None
    if start is not None:
        if spans:
            spans[-1] = (spans[-1][0], len(text))
        else:
            spans.append((start, len(text)))
    yield from spans


def _split_fixed(doc: Document, *, max_chars: int) -> Iterator[Chunk]:
    # The heading and main pinpoints are enough context; every cite would only slow embedding.
    context = " | ".join(p for p in [doc.title, doc.section, "; ".join(doc.cites[:CONTEXT_CITES])] if p)
    windows = [w for s, e in _paragraph_spans(doc.text) for w in _sentence_windows(doc.text, s, e, max_chars)]
    for start, end in windows:
        yield Chunk(
            source_id=doc.source_id, title=doc.title, origin=doc.origin, doc_kind=doc.doc_kind,
            pinpoint=doc.cites[0], section=doc.section, text=collapse_whitespace(doc.text[start:end]),
            context=context, start=start, end=end, url=doc.url, as_of=doc.as_of,
            jurisdiction=doc.jurisdiction, cites=list(doc.cites), audience=list(doc.audience),
            status=doc.status,
        )


def _card(doc: Document) -> Chunk:
    # Paragraph breaks are kept: the first paragraph is the card's lead.
    text = "\n\n".join(collapse_whitespace(p) for p in doc.text.split("\n\n") if p.strip())
    context = " | ".join(p for p in [doc.section, "; ".join(doc.cites[:CONTEXT_CITES])] if p)
    return Chunk(
        source_id=doc.source_id, title=doc.title, origin=doc.origin, doc_kind=doc.doc_kind,
        pinpoint=doc.cites[0], section=doc.section, text=text, context=context, start=0,
        end=len(doc.text), url=doc.url, as_of=doc.as_of, jurisdiction=doc.jurisdiction,
        cites=list(doc.cites), audience=list(doc.audience), status=doc.status,
        asks=list(doc.asks), steps=dict(doc.steps),
    )
