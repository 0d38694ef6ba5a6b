"""Loader for the project's plain-language guide (corpus/guide/*.md, see FORMAT.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from assistant.registry import Registry
from ingest.documents import ORIGIN_GUIDE, Document, LoadError

SKIP_FILES = {"README.md", "FORMAT.md", "CHANGES.md"}
REQUIRED = ("id", "cites", "audience", "url", "as_of", "status")
AUDIENCES = {"teacher", "parent", "administrator"}
# How a card's steps stand in its indexed text: the shown step is then quoted from the chunk.
STEP_LABELS = {"teacher": "What a teacher can do:", "parent": "What a parent can do:",
               "administrator": "What an administrator can do:"}
_SECTION = re.compile(r"^## +(.+?)\s*$", re.M)
_META = re.compile(r"\A\s*<!--(.*?)-->\s*", re.S)
_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def guide_files(guide_dir: Path) -> list[Path]:
    return sorted(p for p in Path(guide_dir).glob("*.md") if p.name not in SKIP_FILES)


def load_guide(guide_dir: Path, registry: Registry, errors: list[str]) -> Iterator[Document]:
    for path in guide_files(guide_dir):
        try:
            yield from load_guide_file(path, registry)
        except LoadError as exc:
            errors.append(str(exc))


def load_guide_file(path: Path, registry: Registry) -> Iterator[Document]:
    text = path.read_text(encoding="utf-8")
    front = _FRONT.match(text)
    if not front:
        raise LoadError(f"{path}: missing YAML front matter (--- ... ---)")
    try:
        header = yaml.safe_load(front.group(1)) or {}
    except yaml.YAMLError as exc:
        raise LoadError(f"{path}: front matter is not valid YAML ({exc.__class__.__name__})") from None
    file_title = str(header.get("title") or path.stem)
    body = text[front.end():]
    headings = list(_SECTION.finditer(body))
    for i, heading in enumerate(headings):
        end = headings[i + 1].start() if i + 1 < len(headings) else len(body)
        yield _section(path, file_title, heading.group(1), body[heading.end():end], registry)


def _section(path: Path, file_title: str, heading: str, raw: str, registry: Registry) -> Document:
    meta_match = _META.match(raw.lstrip("\n"))
    where = f"{path}: section '{heading}'"
    if not meta_match:
        raise LoadError(f"{where}: no metadata comment after the heading")
    try:
        meta = yaml.safe_load(meta_match.group(1)) or {}
    except yaml.YAMLError:
        raise LoadError(f"{where}: metadata is not valid YAML") from None
    missing = [key for key in REQUIRED if not meta.get(key)]
    if missing:
        raise LoadError(f"{where}: metadata lacks {', '.join(missing)}")
    cites = [str(c) for c in meta["cites"]]
    sources = [registry.source_for_pinpoint(c) for c in cites]
    if not sources[0]:
        raise LoadError(f"{where}: pinpoint {cites[0]!r} matches no registry entry")
    audience = [str(a) for a in meta["audience"]]
    if set(audience) - AUDIENCES:
        raise LoadError(f"{where}: unknown audience {sorted(set(audience) - AUDIENCES)}")
    body = raw.lstrip("\n")[meta_match.end():].strip()
    paragraphs = [" ".join(line.strip() for line in para.splitlines()) for para in re.split(r"\n\s*\n", body)]
    paragraphs = [p for p in paragraphs if p]
    if not paragraphs:
        raise LoadError(f"{where}: no text")
    asks = [str(a).strip() for a in meta.get("asks") or [] if str(a).strip()]
    steps = _steps(meta.get("steps"), where)
    # A card's steps are part of its indexed text, so a step shown to a reader is quoted from it.
    paragraphs += [f"{STEP_LABELS[who]} {' '.join(items)}" for who, items in steps.items()]
    text = "\n\n".join(paragraphs)
    return Document(
        source_id=f"guide:{meta['id']}", title=f"Plain-language guide: {file_title}",
        origin=ORIGIN_GUIDE, doc_kind="guide", citation=cites[0], text=text, url=str(meta["url"]),
        as_of=str(meta["as_of"]), jurisdiction=sources[0].jurisdiction, path=str(path), fmt="guide",
        cites=cites, section=heading, audience=audience, status=str(meta["status"]),
        asks=asks, steps=steps,
    )


def _steps(raw, where: str) -> dict[str, list[str]]:
    if not raw:
        return {}
    if not isinstance(raw, dict) or set(raw) - AUDIENCES:
        raise LoadError(f"{where}: steps must map teacher/parent/administrator to lists of sentences")
    steps = {}
    for who in ("teacher", "parent", "administrator"):
        items = [" ".join(str(x).split()) for x in raw.get(who) or [] if str(x).strip()]
        if items:
            steps[who] = items
    return steps
