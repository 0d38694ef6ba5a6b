"""The guide check (`python -m ingest.guide_check [FILE...]`): every card follows FORMAT.md.

CI runs the same checks in tests/corpus/. Each problem is one line naming the card.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from assistant.registry import Registry, load_registry
from assistant.settings import Settings
from ingest.guide import _FRONT, _META, _SECTION, AUDIENCES, guide_files

LEAD_MAX_WORDS = 60
MIN_ASKS = 4
STEP_MAX_WORDS = 30
CARD_MAX_WORDS = 320  # lead and explanation, steps not counted
# A hedge that qualifies the sentence it stands in, as FORMAT.md asks of unverified cards.
HEDGE = re.compile(r"\b(as we understand it|as we read it|we understand that|as far as we (know|can tell)|"
                   r"we have not (been able to )?(read|check|confirm)\w*|we could not (read|check|confirm)\w*|"
                   r"not yet checked|as we understand|we believe)\b", re.I)
BACK_REFERENCE = re.compile(r"^(this|these|that|those|it|they)\b", re.I)
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CHECKED_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*$")


@dataclass
class Card:
    path: Path
    heading: str
    meta: dict
    paragraphs: list[str]

    @property
    def name(self) -> str:
        return f"{self.path.name}: {self.meta.get('id') or self.heading!r}"


def read_cards(path: Path) -> tuple[list[Card], list[str]]:
    text = path.read_text(encoding="utf-8")
    front = _FRONT.match(text)
    if not front:
        return [], [f"{path.name}: missing YAML front matter"]
    body = text[front.end():]
    headings = list(_SECTION.finditer(body))
    cards, problems = [], []
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
        raw = body[heading.end():end].lstrip("\n")
        meta_match = _META.match(raw)
        if not meta_match:
            problems.append(f"{path.name}: {heading.group(1)!r} has no metadata comment")
            continue
        try:
            meta = yaml.safe_load(meta_match.group(1)) or {}
        except yaml.YAMLError as exc:
            problems.append(f"{path.name}: {heading.group(1)!r} metadata is not YAML ({exc.__class__.__name__})")
            continue
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", raw[meta_match.end():].strip())]
        cards.append(Card(path, heading.group(1).strip(), meta, [p for p in paragraphs if p]))
    return cards, problems


def _as_date(value: str) -> date | None:
    value = str(value).strip()
    if not _DATE.match(value):
        return None
    parts = [int(x) for x in value.split("-")] + [1, 1]
    try:
        return date(parts[0], parts[1], parts[2])
    except ValueError:
        return None


def card_problems(card: Card, registry: Registry) -> list[str]:
    meta, out = card.meta, []

    def bad(what: str) -> None:
        out.append(f"{card.name}: {what}")

    if not card.heading.endswith("?"):
        bad("the heading should be the question the card answers, ending in '?'")
    asks = [a for a in meta.get("asks") or [] if str(a).strip()]
    if len(asks) < MIN_ASKS:
        bad(f"has {len(asks)} asks; at least {MIN_ASKS} are needed")
    if not card.paragraphs:
        bad("has no text")
        return out
    lead = card.paragraphs[0]
    if len(lead.split()) > LEAD_MAX_WORDS:
        bad(f"lead has {len(lead.split())} words; at most {LEAD_MAX_WORDS}")
    words = sum(len(p.split()) for p in card.paragraphs)
    if words > CARD_MAX_WORDS:
        bad(f"has {words} words; at most {CARD_MAX_WORDS}")
    for para in card.paragraphs[1:]:
        if BACK_REFERENCE.match(para):
            bad(f"a paragraph starts with a word pointing back: {para[:40]!r}")
    cites = [str(c) for c in meta.get("cites") or []]
    if not cites:
        bad("has no cites")
    for cite in cites:
        if registry.source_for_pinpoint(cite) is None:
            bad(f"cite {cite!r} matches no registry pattern")
    audience = set(meta.get("audience") or [])
    if not audience or audience - AUDIENCES:
        bad(f"audience must be some of {sorted(AUDIENCES)}")
    steps = meta.get("steps") or {}
    if not isinstance(steps, dict) or set(steps) - AUDIENCES:
        bad("steps must map teacher/parent/administrator to lists")
    else:
        for who, items in steps.items():
            for item in items or []:
                if len(str(item).split()) > STEP_MAX_WORDS:
                    bad(f"a {who} step has more than {STEP_MAX_WORDS} words")
    if not meta.get("url"):
        bad("has no url")
    as_of = _as_date(meta.get("as_of", ""))
    if as_of is None:
        bad(f"as_of {meta.get('as_of')!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)")
    status = meta.get("status")
    checked = str(meta.get("checked") or "")
    if status == "verified":
        stamp = _CHECKED_DATE.search(checked)
        if "http" not in checked or not stamp:
            bad("is verified but 'checked' does not give 'URL, YYYY-MM-DD' of what was read")
        elif as_of and _as_date(stamp.group(1)) and as_of > _as_date(stamp.group(1)):
            bad("as_of is later than the date it was checked")
    elif status == "unverified":
        if not HEDGE.search(lead):
            bad("is unverified but its lead has no in-sentence hedge ('As we understand it, ...')")
    else:
        bad(f"status {status!r} must be verified or unverified")
    if as_of and as_of > date.today():
        bad("as_of is in the future")
    return out


def check_guide(guide_dir: Path, registry: Registry, files: list[Path] | None = None) -> tuple[list[Card], list[str]]:
    cards, problems = [], []
    for path in files or guide_files(guide_dir):
        found, issues = read_cards(Path(path))
        cards += found
        problems += issues
    seen: dict[str, str] = {}
    for card in cards:
        problems += card_problems(card, registry)
        cid = str(card.meta.get("id") or "")
        stem = card.path.stem
        if not cid.startswith(stem):
            problems.append(f"{card.name}: id should start with the file's stem")
        if cid in seen:
            problems.append(f"{card.name}: id also used in {seen[cid]}")
        seen[cid] = card.path.name
    return cards, problems


def main(argv: list[str] | None = None) -> int:
    settings = Settings()
    files = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or None
    cards, problems = check_guide(settings.guide_dir, load_registry(settings.registry_path), files)
    for line in problems:
        print(line)
    print(f"{len(cards)} cards, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
