"""Healing a damaged index at start: what cannot be read is moved aside and the index rebuilt.

The red team broke the app and `ingest` with a manifest of another shape or of random bytes (D5),
a manifest naming a collection the database lacks or a deleted database (D6), a database of
random bytes or cut in half (D7), and a folder where a file belongs or the reverse (D10). Each
needed a manual step. Now the damaged thing is renamed to `<name>.damaged-<time>` beside itself,
with one log line naming it, and the caller rebuilds. Nothing is deleted, so it can be looked at.

Only a process holding the ingest lock (index_lock.py) repairs: a reader could otherwise move
aside a manifest that an ingest had just written.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from assistant import cards, sentence_cache
from assistant.settings import Settings
from assistant.store import StoreUnreadable, VectorStore, parse_manifest

log = logging.getLogger("sro.index")
DATABASE_FILE = "chroma.sqlite3"


@dataclass
class Repair:
    moved: list[str] = field(default_factory=list)  # one line per thing moved aside
    needs_build: bool = False  # no usable index (or cache) is left: build one
    store: VectorStore | None = None  # the store, opened and checked


def move_aside(path: Path, why: str) -> str:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    target, n = path.with_name(f"{path.name}.damaged-{stamp}"), 1
    while target.exists() or target.is_symlink():
        target, n = path.with_name(f"{path.name}.damaged-{stamp}-{n}"), n + 1
    os.rename(path, target)
    line = f"{path} {why}: moved aside to {target.name}; the index will be rebuilt"
    log.warning(line)
    return line


def prepare_data_dir(settings: Settings) -> list[str]:
    """The data folder must be a folder before anything (the ingest lock too) lives in it."""
    folder = Path(settings.data_dir)
    moved = []
    if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
        moved.append(move_aside(folder, "is not a folder"))
    folder.mkdir(parents=True, exist_ok=True)
    return moved


# Temporary files our atomic writes (mkstemp + os.replace) leave when the process is killed
# mid-write (red team D3: a 0-byte `.sentences-*.npz` stayed after `kill -9`).
TEMP_PATTERNS = (".sentences-*.npz", ".card-keys-*.npz", ".manifest-*.json")
TEMP_MIN_AGE_S = 600  # the app writes card keys at start without the ingest lock: leave young ones


def sweep_temp_files(settings: Settings, min_age_s: float = TEMP_MIN_AGE_S) -> list[str]:
    """Removes the data folder's temporary files older than `min_age_s`; returns their names."""
    now, gone = datetime.now(timezone.utc).timestamp(), []
    for pattern in TEMP_PATTERNS:
        for path in Path(settings.data_dir).glob(pattern):
            try:
                if path.is_file() and now - path.stat().st_mtime >= min_age_s:
                    path.unlink()
                    gone.append(path.name)
            except OSError:
                pass  # gone already, or not ours to remove
    return gone


def repair_index(settings: Settings) -> Repair:
    """Move aside whatever of the index cannot be read; say whether a build is needed."""
    repair = Repair(moved=prepare_data_dir(settings))
    sweep_temp_files(settings)
    manifest = _checked_manifest(settings, repair)
    before = len(repair.moved)
    if not settings.chroma_url:  # a remote Chroma server is its operator's to repair
        _check_database_files(settings, repair)
    active = manifest["collection"] if manifest else None
    repair.store = _open_checked(settings, active, repair)
    database_moved = len(repair.moved) > before
    if active and active not in repair.store.collection_names():
        if not database_moved:  # else the manifest is only out of date, and the build rewrites it
            why = f"names collection {active}, which the database lacks"
            repair.moved.append(move_aside(settings.manifest_path, why))
        active = None
    if active:
        _check_caches(settings, active, repair)
    repair.needs_build = bool(repair.moved) or active is None or \
        not sentence_cache.path_for(settings, active).is_file()
    return repair


def _checked_manifest(settings: Settings, repair: Repair) -> dict | None:
    path = settings.manifest_path
    if not (path.exists() or path.is_symlink()):
        return None
    if not path.is_file():
        repair.moved.append(move_aside(path, "is not a file"))
        return None
    try:
        manifest = parse_manifest(path.read_bytes())
    except OSError as exc:
        manifest, why = None, f"cannot be read ({exc.strerror})"
    else:
        why = "is not a manifest (damaged, or JSON of another shape)"
    if manifest is None:
        repair.moved.append(move_aside(path, why))
    return manifest


def _check_database_files(settings: Settings, repair: Repair) -> None:
    folder = settings.chroma_dir
    if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
        repair.moved.append(move_aside(folder, "is not a folder"))
        return
    damage = database_damage(folder / DATABASE_FILE)
    if damage:
        repair.moved.append(move_aside(folder, f"holds a database that {damage}"))


def database_damage(db: Path) -> str | None:
    """Why the SQLite file cannot serve, or None. Chroma's own errors come later and are less
    clear; a database cut in half even opens, and fails on the first read of a collection."""
    if not db.exists():
        return None
    if not db.is_file():
        return "is not a file"
    if db.stat().st_size == 0:
        return None  # Chroma starts a new database in it
    try:
        connection = sqlite3.connect(str(db), timeout=30)
        try:
            rows = connection.execute("PRAGMA quick_check").fetchall()
        finally:
            connection.close()
    except sqlite3.OperationalError:
        return None  # locked or busy: in use, not damaged
    except sqlite3.DatabaseError as exc:
        return f"is damaged ({exc})"
    return None if rows == [("ok",)] else f"is damaged ({rows[0][0] if rows else 'no answer'})"


def _open_checked(settings: Settings, active: str | None, repair: Repair) -> VectorStore:
    store = None
    try:
        store = VectorStore(settings)
        store.check(active)
        return store
    except StoreUnreadable as exc:
        if settings.chroma_url:
            raise
        if store is not None:
            store.close()  # let go of the files before they move
        repair.moved.append(move_aside(settings.chroma_dir, f"cannot be read by Chroma ({exc.reason})"))
        return VectorStore(settings)


def _check_caches(settings: Settings, active: str, repair: Repair) -> None:
    """Vectors saved beside the index; a damaged one would be rebuilt lazily, question by question."""
    for path in (sentence_cache.path_for(settings, active), cards.path_for(settings, active)):
        if (path.exists() or path.is_symlink()) and not _npz_readable(path):
            repair.moved.append(move_aside(path, "cannot be read"))


def _npz_readable(path: Path) -> bool:
    try:
        with np.load(path, allow_pickle=False) as data:
            for name in data.files:
                data[name]  # reads the member and checks its CRC
        return True
    except Exception:  # noqa: BLE001 - whatever the reason, the file cannot serve
        return False
