"""Lay out a composed answer as Markdown: what the reader sees first, what waits behind "More".

Short answer (the card's lead) / The law says / What you can do / Related questions / Sources.
Two close cards that answer different situations each get their own heading instead.
"""

from __future__ import annotations

from assistant import templates
from assistant.answer import Sentence
from assistant.card_answer import Composed
from assistant.compose import CitationBook, escape_markdown


def _cited(s: Sentence, emphasis: bool = False) -> str:
    text = escape_markdown(s.text, emphasis)
    # A quote cut short at a clause shows that it was.
    end = "" if text[-1:] in ".?!;:\"”)" else f" {templates.ELLIPSIS}"
    return f"{text}{end} [{s.n}]"


def render_card(composed: Composed, audience: str | None, as_of: str) -> tuple[str, str]:
    """(visible Markdown, "More" Markdown) of an answer composed from cards."""
    lines: list[str] = []
    leads = [s for s in composed.sentences if s.part == "direct"]
    if len(leads) > 1:
        for hit, lead in zip(composed.cards, leads):
            lines += [f"**{escape_markdown(hit.chunk.section)}**", _cited(lead, True), ""]
    else:
        heading = templates.HEADING_DIRECT_FOR.format(question=escape_markdown(composed.cards[0].chunk.section))
        lines += [heading, " ".join(_cited(s, True) for s in leads), ""]
    lines += _law(composed)
    lines += _actions(composed, audience)
    if composed.related:
        lines.append(templates.HEADING_RELATED)
        lines += [f"- {escape_markdown(h.chunk.section)}" for h in composed.related]
        lines.append("")
    lines += _notes(composed)
    lines += sources(composed.book, as_of, _unverified(composed))
    more = ""
    if composed.more:
        more = "\n".join([templates.HEADING_WHY] + [_cited(s, True) for s in composed.more])
    return "\n".join(lines), more


def render_passage(composed: Composed, audience: str | None, as_of: str) -> tuple[str, str]:
    """An answer quoted from the best passage when no card answers (official text, an upload); it
    has nothing behind "More"."""
    lines = [templates.HEADING_PASSAGE]
    lines += [f"> {_cited(s)}" for s in composed.sentences if s.part == "direct"]
    lines.append("")
    lines += _actions(composed, audience)
    lines += _notes(composed)
    lines += sources(composed.book, as_of, _unverified(composed))
    return "\n".join(lines), ""


def _law(composed: Composed) -> list[str]:
    quoted = [s for s in composed.sentences if s.part == "sources"]
    if not quoted:
        return []
    lines = [templates.HEADING_LAW]
    for s, pinpoint in zip(quoted, composed.laws):
        lines.append(f"> {_cited(s)} ({escape_markdown(pinpoint)})")
    return lines + [""]


def _actions(composed: Composed, audience: str | None) -> list[str]:
    steps = [s for s in composed.sentences if s.part == "actions"]
    lines = [templates.HEADING_ACTIONS.get(audience, templates.HEADING_ACTIONS[None])]
    lines += [f"- {_cited(s, True)}" for s in steps]
    if not steps:
        lines.append(f"- {templates.REFERRAL.get(audience, templates.REFERRAL[None])}")
    return lines + [""]


def _notes(composed: Composed) -> list[str]:
    lines = [f"_{s.text}_" for s in composed.sentences if s.part == "template"]
    return lines + ([""] if lines else [])


def _unverified(composed: Composed) -> list[str]:
    # Explains the "not yet checked" mark, so it stands with the list that carries the mark.
    return [f"_{templates.UNVERIFIED_NOTE}_"] if any(c.status == "unverified" for c in composed.book.citations) else []


def sources(book: CitationBook, as_of: str, notes: list[str] = ()) -> list[str]:
    lines = [templates.HEADING_CITATIONS]
    for c in book.citations:
        where = f", p. {c.page}" if c.page else ""
        mark = templates.UNVERIFIED_MARK if c.status == "unverified" else ""
        name = f"{escape_markdown(c.title)}, {escape_markdown(c.pinpoint)}"
        if c.kind == "guide" and c.section:
            name = f"{escape_markdown(c.title)}: {escape_markdown(c.section)} ({escape_markdown(c.pinpoint)})"
        lines.append(f"{c.n}. {name}{where}{mark}. <{c.url}>" if c.url else f"{c.n}. {name}{where}{mark}.")
    return lines + [""] + list(notes) + [f"_{templates.DISCLAIMER.format(as_of=as_of)}_"]


def render_suggestions(headings: list[str]) -> str:
    return "\n".join([templates.SUGGESTIONS] + [f"- {escape_markdown(h)}" for h in headings])
