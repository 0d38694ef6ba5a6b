"""The elements a district SRO agreement is expected to contain (`corpus/mou-checklist.toml`)."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from assistant.agreement_wording import ConflictPattern, FLAGS
from assistant.registry import Registry

STATUSES = ("verified", "unverified")
REQUIRED_BY = ("law", "model-mou", "good-practice")


@dataclass(frozen=True)
class Element:
    id: str
    name: str
    why: str
    cites: tuple[str, ...]
    status: str
    as_of: str
    required_by: str
    cues: tuple[str, ...]  # how agreements word it, negative forms included
    conflicts: tuple[str, ...] = ()  # wording that cuts the other way (trains the topic classifier)
    checked: str = ""
    topic_patterns: tuple[re.Pattern, ...] = ()  # words that name the element
    conflict_patterns: tuple[ConflictPattern, ...] = ()  # wording that cuts the other way
    audience: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Checklist:
    elements: tuple[Element, ...]
    other: tuple[str, ...]  # wording that addresses no element (term, pay, uniforms, signatures)


def load_checklist(path: Path) -> Checklist:
    return _load_cached(str(Path(path).resolve()))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Checklist:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    elements = []
    for raw in data.get("element", []):
        raw = dict(raw)
        for key in ("cites", "cues", "conflicts"):
            raw[key] = tuple(raw.get(key) or ())
        try:
            raw["topic_patterns"] = tuple(re.compile(p, FLAGS) for p in raw.get("topic_patterns") or ())
            raw["conflict_patterns"] = tuple(ConflictPattern.from_toml(p) for p in raw.get("conflict_patterns") or ())
        except (re.error, ValueError, KeyError) as exc:
            raise ValueError(f"{path}: element {raw.get('id')!r}: bad pattern: {exc}") from exc
        elements.append(Element(**raw))
    ids = [e.id for e in elements]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate element ids")
    return Checklist(tuple(elements), tuple((data.get("other") or {}).get("cues") or ()))


def problems(elements: tuple[Element, ...], registry: Registry) -> list[str]:
    """What is wrong with the checklist: one line each (CI runs this through tests/corpus/)."""
    out = []
    for e in elements:
        where = f"element {e.id!r}"
        if e.status not in STATUSES:
            out.append(f"{where}: status must be one of {STATUSES}")
        if e.required_by not in REQUIRED_BY:
            out.append(f"{where}: required_by must be one of {REQUIRED_BY}")
        if not e.cites:
            out.append(f"{where}: no cites")
        for cite in e.cites:
            if registry.source_for_pinpoint(cite) is None:
                out.append(f"{where}: cite {cite!r} matches no registry pinpoint")
        if len(e.cues) < 8:
            out.append(f"{where}: fewer than 8 search cues")
        if not e.topic_patterns:
            out.append(f"{where}: no topic_patterns")
        as_of = _date(e.as_of)
        if as_of is None:
            out.append(f"{where}: as_of {e.as_of!r} is not a YYYY-MM-DD date")
        if e.status == "verified":
            checked = _date(e.checked.rsplit(",", 1)[-1].strip()) if "," in e.checked else None
            if checked is None:
                out.append(f"{where}: verified but no `checked = \"URL, YYYY-MM-DD\"`")
            elif as_of and as_of > checked:
                out.append(f"{where}: as_of is later than the checked date")
        elif "as we understand it" not in e.why.lower():
            out.append(f"{where}: unverified, so `why` needs its hedge inside the sentence")
    return out


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


BASIS = {"law": "law", "model-mou": "state model MOU", "good-practice": "guidance or good practice"}


def checklist_table(path: Path) -> str:
    """The README's table of the checklist (a test keeps the two equal)."""
    rows = ["| element | expected by | sources | checked against the official text |", "|---|---|---|---|"]
    for e in load_checklist(path).elements:
        rows.append(f"| {e.name} | {BASIS[e.required_by]} | {'; '.join(e.cites)} | "
                    f"{'yes' if e.status == 'verified' else 'not yet'} |")
    return "\n".join(rows)


if __name__ == "__main__":
    from assistant.settings import Settings

    print(checklist_table(Settings().checklist_path))
