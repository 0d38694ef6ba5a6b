"""The registry of official documents (corpus/sources.toml)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

KINDS = ("statute", "regulation", "guidance", "model-mou", "session-law", "case")


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    issuer: str
    jurisdiction: str
    kind: str
    url: str
    as_of: str
    citation: str
    pinpoint: str
    superseded_by: str | None = None
    mirror: str | None = None
    note: str | None = None
    _pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", re.compile(self.pinpoint))

    def matches(self, pinpoint: str) -> bool:
        return bool(self._pattern.match(pinpoint))

    def section_pinpoint(self, number: str) -> str:
        """The pinpoint of a numbered part of this document, in its own citation style."""
        if self.kind == "regulation":
            if self.citation.startswith("34 CFR"):
                return f"34 CFR §{number}"
            return f"{self.citation.split(' ')[0]} CMR {number}"
        if self.kind == "session-law":
            return f"{self.citation}, §{number}"
        if self.kind == "guidance":
            return f"{self.citation} Q{number}"
        if self.kind == "model-mou":
            return f"{self.citation} §{number}"
        return self.citation


class Registry:
    def __init__(self, sources: list[Source]):
        self.sources = sources
        self.by_id = {s.id: s for s in sources}

    def __iter__(self):
        return iter(self.sources)

    def __len__(self) -> int:
        return len(self.sources)

    def get(self, source_id: str) -> Source | None:
        return self.by_id.get(source_id)

    def source_for_pinpoint(self, pinpoint: str) -> Source | None:
        """The registry entry a pinpoint points into, or None when it is not well formed."""
        for source in self.sources:
            if source.matches(pinpoint):
                return source
        return None


def load_registry(path: Path) -> Registry:
    return _load_cached(str(Path(path).resolve()))


@lru_cache(maxsize=4)
def _load_cached(path: str) -> Registry:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    sources = []
    for raw in data.get("source", []):
        if raw.get("kind") not in KINDS:
            raise ValueError(f"{path}: source {raw.get('id')!r} has unknown kind {raw.get('kind')!r}")
        sources.append(Source(**raw))
    ids = [s.id for s in sources]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate source ids")
    return Registry(sources)


def normalize_pinpoint(text: str) -> str:
    """Fold the spacing and section-sign variants people type into the registry's style."""
    text = re.sub(r"§\s+", "§", text.strip())
    text = re.sub(r"\s+", " ", text)
    return text


def pinpoint_covers(general: str, specific: str) -> bool:
    """True when `specific` is `general` or a sub-provision of it (e.g. §37P covers §37P(c))."""
    general, specific = normalize_pinpoint(general), normalize_pinpoint(specific)
    if specific == general:
        return True
    if not specific.startswith(general):
        return False
    rest = specific[len(general):]
    return rest.startswith("(") or rest.startswith(" Q") or rest.startswith(" §") or rest.startswith(", §")
