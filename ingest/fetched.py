"""The store of fetched official documents: data_dir/fetched plus fetched.json."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from assistant.registry import Registry
from assistant.settings import Settings
from ingest.documents import ORIGIN_OFFICIAL, Document, LoadError
from ingest.loaders import load_file
from ingest.mirror import load_mirror

INDEX_NAME = "fetched.json"


def read_fetched_index(settings: Settings) -> dict:
    path = settings.fetched_dir / INDEX_NAME
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def write_fetched_index(settings: Settings, index: dict) -> None:
    settings.fetched_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=settings.fetched_dir, prefix=".fetched-", suffix=".json")
    with os.fdopen(fd, "w") as fh:
        json.dump(index, fh, indent=2, sort_keys=True)
    os.replace(tmp, settings.fetched_dir / INDEX_NAME)


def load_fetched(settings: Settings, registry: Registry, errors: list[str]) -> Iterator[Document]:
    """Official documents that `corpus fetch` stored, as Documents with registry metadata."""
    index = read_fetched_index(settings)
    if any(entry.get("mirror") for entry in index.values()):
        yield from load_mirror(settings.fetched_dir / "mirror", registry, max_mb=settings.max_file_mb, errors=errors)
    for source_id, entry in sorted(index.items()):
        source = registry.get(source_id)
        if source is None or entry.get("mirror") or not entry.get("file"):
            continue
        try:
            yield load_file(settings.fetched_dir / entry["file"], source_id=source.id, title=source.title,
                            max_mb=settings.max_file_mb, origin=ORIGIN_OFFICIAL, citation=source.citation,
                            url=source.url, as_of=source.as_of, jurisdiction=source.jurisdiction,
                            doc_kind=source.kind)
        except LoadError as exc:
            errors.append(str(exc))
