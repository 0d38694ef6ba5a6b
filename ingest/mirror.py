"""Loader for the offline mirror of official text (US Code as markdown, one file a subsection)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from assistant.registry import Registry
from ingest.documents import ORIGIN_OFFICIAL, Document, LoadError
from ingest.loaders import normalize_text, read_checked


def _file_order(path: Path) -> tuple[int, str]:
    digits = re.findall(r"\d+", path.stem)
    return (int(digits[-1]) if digits else 0, path.name)


def load_mirror(mirror_dir: Path, registry: Registry, *, max_mb: float,
                errors: list[str]) -> Iterator[Document]:
    """One Document per registry entry that has a folder in the mirror."""
    for source in registry:
        if not source.mirror:
            continue
        folder = Path(mirror_dir) / source.mirror
        if not folder.is_dir():
            continue
        parts = []
        for path in sorted(folder.glob("*.md"), key=_file_order):
            try:
                parts.append(normalize_text(read_checked(path, max_mb).decode("utf-8")))
            except (LoadError, UnicodeDecodeError) as exc:
                errors.append(str(exc) if isinstance(exc, LoadError) else f"{path}: not UTF-8 text")
        if not parts:
            continue
        yield Document(
            source_id=source.id, title=source.title, origin=ORIGIN_OFFICIAL, doc_kind=source.kind,
            citation=source.citation, text="\n\n".join(parts), url=source.url, as_of=source.as_of,
            jurisdiction=source.jurisdiction, path=str(folder), fmt="usc-markdown",
        )
