"""The answer and its citations: what every interface (CLI, HTTP, chat, eval) returns."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

# Half of a UTF-16 pair on its own: legal in a Python str, but no UTF-8 encoder will write it,
# so one in a question made printing or serialising the answer crash (red-team Q20, Q25).
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

ANSWER_SCHEMA = {
    "type": "object",
    "required": ["id", "question", "audience", "answer", "abstained", "citations", "as_of", "latency_ms"],
    "properties": {
        "id": {"type": ["string", "integer", "null"]},
        "question": {"type": "string"},
        "audience": {"enum": ["teacher", "parent", "administrator", None]},
        "answer": {"type": "string"},
        "abstained": {"type": "boolean"},
        "as_of": {"type": ["string", "null"]},
        "latency_ms": {"type": "number", "minimum": 0},
        "mode": {"enum": ["extractive", "llm"]},
        "more": {"type": "string"},
        "cards": {"type": "array", "items": {"type": "string"}},
        "related": {"type": "array", "items": {"type": "object", "required": ["question", "card"]}},
        "suggestions": {"type": "array", "items": {"type": "object", "required": ["question", "card"]}},
        "citations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["n", "source_id", "title", "kind", "pinpoint", "section", "page", "url", "quote"],
                "properties": {
                    "n": {"type": "integer", "minimum": 1},
                    "source_id": {"type": "string"},
                    "title": {"type": "string"},
                    "kind": {"enum": ["official", "guide", "user"]},
                    "pinpoint": {"type": "string"},
                    "section": {"type": "string"},
                    "page": {"type": ["integer", "null"]},
                    "url": {"type": "string"},
                    "quote": {"type": "string"},
                },
            },
        },
    },
}


@dataclass
class Citation:
    n: int
    source_id: str
    title: str
    kind: str  # official | guide | user
    pinpoint: str
    section: str
    page: int | None
    url: str
    quote: str  # the stretch of the chunk that holds every quoted sentence, verbatim
    quotes: list[str] = field(default_factory=list)  # each quoted sentence, verbatim
    chunk_id: str = ""
    chunk_text: str = ""  # the passage around the quote, for the citation panel
    cites: list[str] = field(default_factory=list)
    as_of: str = ""
    status: str = ""

    def public(self) -> dict:
        data = asdict(self)
        data.pop("chunk_text")
        return data


@dataclass
class Sentence:
    text: str
    n: int | None  # citation marker; None for fixed template text
    part: str  # direct | why | sources | actions | template
    verified: bool = True


@dataclass
class Answer:
    question: str
    audience: str | None
    markdown: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    as_of: str | None = None
    latency_ms: float = 0.0
    mode: str = "extractive"
    reason: str | None = None  # why it abstained
    searched: list[str] = field(default_factory=list)
    retrieved: list[dict] = field(default_factory=list)  # ranked chunks, for evaluation
    more: str = ""  # Markdown shown behind "More" (the page) or with --full (the CLI)
    cards: list[str] = field(default_factory=list)  # ids of the answer cards found, best first
    related: list[dict] = field(default_factory=list)  # [{"question", "card"}]: follow-ups to offer
    suggestions: list[dict] = field(default_factory=list)  # the same, offered when it abstains

    def to_json(self, id=None) -> dict:  # noqa: A002 - the contract's field name
        return without_surrogates({
            "id": id,
            "question": self.question,
            "audience": self.audience,
            "answer": self.markdown,
            "abstained": self.abstained,
            "citations": [c.public() for c in self.citations],
            "as_of": self.as_of,
            "latency_ms": round(self.latency_ms, 1),
            "mode": self.mode,
            "reason": self.reason,
            "sentences": [asdict(s) for s in self.sentences],
            "more": self.more,
            "cards": list(self.cards),
            "related": list(self.related),
            "suggestions": list(self.suggestions),
        })


def without_surrogates(value):
    """`value` (a string, or dicts and lists of them) with each lone surrogate replaced by U+FFFD."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {without_surrogates(k): without_surrogates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [without_surrogates(v) for v in value]
    return value
