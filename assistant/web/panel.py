"""HTML for the citation panel and the notice: pure functions of an answer's citations."""

from __future__ import annotations

import html
import re

from assistant.answer import Citation

KIND_LABELS = {
    "official": ("Official text", "The law or official document itself."),
    "guide": ("Plain-language guide", "This project's summary of the official text, not the law itself."),
    "user": ("Your document", "A document you uploaded; used only in this browser session."),
}
# A user document added with `sro-assistant ingest FILE` sits in the shared index: every visitor's
# answers may quote it, so it must not be called private to this session (red team S11).
SHARED_USER_LABEL = ("Added document", "A document added to this installation's index; "
                     "every user of this installation may see it. Not an official text.")
NOT_VERIFIED = "Not yet verified against the official text."


def latest_as_of(manifest: dict) -> str | None:
    dates = [info.get("as_of") for info in (manifest.get("sources") or {}).values() if info.get("as_of")]
    return max(dates) if dates else None


def notice_html(as_of: str | None) -> str:
    when = html.escape(as_of or "unknown")
    return (f'<p class="sro-notice" role="note"><strong>General information, not legal advice.</strong> '
            f'Sources as of <span class="sro-asof">{when}</span>.</p>')


def choice_label(c: Citation) -> str:
    """What the citation picker shows: "[n] title, pinpoint"."""
    pinpoint = c.pinpoint or ""
    if c.title and pinpoint.startswith(c.title + " "):  # uploads: "district-mou.pdf §4"
        pinpoint = pinpoint[len(c.title):].strip(" ,")
    where = f", {pinpoint}" if pinpoint and pinpoint not in c.title else ""
    page = f", p. {c.page}" if c.page else ""
    return f"[{c.n}] {c.title}{where}{page}"


def _spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Where each quoted sentence sits in the passage; whitespace may differ."""
    spans = []
    for quote in quotes:
        quote = quote.strip()
        if not quote:
            continue
        start = text.find(quote)
        if start >= 0:
            spans.append((start, start + len(quote)))
            continue
        pattern = r"\s+".join(re.escape(word) for word in quote.split())
        found = re.search(pattern, text)
        if found:
            spans.append(found.span())
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, quotes: list[str]) -> tuple[str, bool]:
    """The passage, escaped, with every quoted sentence in <mark>; and whether any was found."""
    spans = _spans(text, quotes)
    out, last = [], 0
    for start, end in spans:
        out.append(html.escape(text[last:start]))
        out.append(f"<mark>{html.escape(text[start:end])}</mark>")
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out), bool(spans)


def _safe_url(url: str) -> str | None:
    return url if re.match(r"^https?://[^\s\"'<>]+$", url or "") else None


def citation_html(c: Citation, shared: bool = False) -> str:
    """The panel for one citation; `shared`: the passage is in the shared index, not this session's."""
    label, explain = SHARED_USER_LABEL if shared and c.kind == "user" else \
        KIND_LABELS.get(c.kind, (c.kind or "Source", ""))
    quotes = c.quotes or ([c.quote] if c.quote else [])
    passage, found = highlight(c.chunk_text or c.quote, quotes)
    if not found and quotes:
        # The quote could not be placed in its passage: show it on its own, marked.
        passage = "".join(f"<mark>{html.escape(q)}</mark> " for q in quotes) + passage
    # A section name, not the first words of an untitled passage (uploads have those).
    section = c.section if c.section and c.section != c.pinpoint and len(c.section) <= 90 \
        and not (c.chunk_text or "").startswith(c.section) else ""
    rows = [("Where", c.pinpoint), ("Section", section),
            ("Page", str(c.page) if c.page else ""), ("Text as of", c.as_of)]
    details = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows if v)
    url = _safe_url(c.url)
    link = (f'<p class="sro-link"><a href="{html.escape(url)}" target="_blank" rel="noopener noreferrer">'
            f'{"Read the official text" if c.kind != "user" else "Open the document"}'
            f'<span class="sro-sr"> (opens in a new tab)</span></a><br><span class="sro-url">'
            f'{html.escape(url)}</span></p>') if url else ""
    unverified = (f'<p class="sro-unverified" role="note">{NOT_VERIFIED}</p>'
                  if c.status == "unverified" else "")
    return (
        f'<section class="sro-cite" aria-label="Source {c.n}">'
        f'<h3>[{c.n}] {html.escape(c.title)}</h3>'
        f'<p class="sro-kind sro-kind-{html.escape(c.kind)}"><strong>{html.escape(label)}</strong>'
        f'{": " + html.escape(explain) if explain else ""}</p>'
        f"{unverified}<dl>{details}</dl>"
        f'<h4>The cited passage</h4><blockquote class="sro-passage">{passage}</blockquote>'
        f"{link}</section>"
    )


EMPTY_PANEL = ('<p class="sro-panel-empty">Ask a question, then choose one of its sources to read '
               "the passage it quotes.</p>")
