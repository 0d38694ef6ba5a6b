"""The two records ingest passes along: a loaded document and one chunk of it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

# What a citation says about where its text comes from.
ORIGIN_OFFICIAL = "official"
ORIGIN_GUIDE = "guide"
ORIGIN_USER = "user"


class LoadError(Exception):
    """A file that cannot be ingested; the message is one line naming the file."""


@dataclass
class Document:
    source_id: str
    title: str
    origin: str  # official | guide | user
    doc_kind: str  # registry kind, "guide" or "user"
    citation: str  # pinpoint prefix, e.g. "20 U.S.C. §1232g"
    text: str
    url: str = ""
    as_of: str = ""
    jurisdiction: str = ""
    path: str = ""
    fmt: str = "text"  # usc-markdown | markdown | html | pdf | text | guide
    page_starts: list[int] = field(default_factory=list)  # offset where page i+1 starts
    # A guide section already knows its pinpoints and audience; official text does not.
    cites: list[str] = field(default_factory=list)
    section: str = ""
    audience: list[str] = field(default_factory=list)
    status: str = ""
    # An answer card (guide): other ways people ask its question, and next steps per audience.
    asks: list[str] = field(default_factory=list)
    steps: dict[str, list[str]] = field(default_factory=dict)

    @property
    def lead(self) -> str:
        """An answer card's lead: its first paragraph."""
        return self.text.split("\n\n", 1)[0]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def page_at(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        page = 1
        for i, start in enumerate(self.page_starts):
            if offset >= start:
                page = i + 1
        return page


@dataclass
class Chunk:
    source_id: str
    title: str
    origin: str
    doc_kind: str
    pinpoint: str
    section: str
    text: str
    context: str  # heading and lead-in that the embedding and BM25 also see
    start: int
    end: int
    url: str = ""
    as_of: str = ""
    jurisdiction: str = ""
    page: int | None = None
    cites: list[str] = field(default_factory=list)
    audience: list[str] = field(default_factory=list)
    status: str = ""
    asks: list[str] = field(default_factory=list)  # an answer card's search keys
    steps: dict[str, list[str]] = field(default_factory=dict)  # an answer card's steps by audience

    @property
    def is_card(self) -> bool:
        return bool(self.asks)

    @property
    def lead(self) -> str:
        """An answer card's lead: its first paragraph (the direct answer)."""
        return self.text.split("\n\n", 1)[0]

    @property
    def id(self) -> str:
        # Content-addressed: the same text at the same place always gets the same id, so
        # re-ingesting unchanged files adds nothing. Everything stored beside the text counts as
        # content (a corrected cite or date must replace the old chunk), except its offsets, so
        # that editing one card does not re-embed every card after it in the same file.
        meta = {k: v for k, v in self.to_metadata().items() if k not in ("start", "end")}
        parts = [self.text, json.dumps(meta, sort_keys=True, ensure_ascii=False)]
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]

    @property
    def search_text(self) -> str:
        return f"{self.context}\n{self.text}" if self.context else self.text

    def to_metadata(self) -> dict:
        """Flat metadata for the vector store (scalars only)."""
        meta = asdict(self)
        meta.pop("text")
        meta["page"] = self.page if self.page is not None else -1
        meta["cites"] = "|".join(self.cites)
        meta["audience"] = "|".join(self.audience)
        meta["asks"] = json.dumps(self.asks)
        meta["steps"] = json.dumps(self.steps)
        return meta

    @classmethod
    def from_metadata(cls, text: str, meta: dict) -> "Chunk":
        data = dict(meta)
        data["text"] = text
        data["page"] = None if data.get("page", -1) in (-1, None) else int(data["page"])
        data["cites"] = [c for c in str(data.get("cites", "")).split("|") if c]
        data["audience"] = [a for a in str(data.get("audience", "")).split("|") if a]
        data["asks"] = json.loads(data.get("asks") or "[]")
        data["steps"] = json.loads(data.get("steps") or "{}")
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
