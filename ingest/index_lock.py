"""One writer of an index at a time: an fcntl lock on data_dir/.ingest.lock.

Two ingests at once used to race (red-team D11): one of them failed with a traceback, its file
silently not indexed, and there was a window in which one run could drop the other's collection
between its completeness check and its manifest write. Now the second one waits, and is told so
(`on_wait`) before it does. The app's first build and its repairs at start take the same lock.

The lock is held by an open file, so a killed process releases it. Inside one process it is
re-entrant (the app's start-up build calls build_index, which takes it again) and threads take
turns at it like processes do.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".ingest.lock"
log = logging.getLogger("sro.index")

_guard = threading.Lock()
_locks: dict[str, threading.RLock] = {}  # lock file -> the turn of this process's threads
_depth: dict[str, int] = {}  # lock file -> how deep the holding thread is (changed only by it)
_files: dict[str, int] = {}  # lock file -> the descriptor that holds the fcntl lock


def lock_path(data_dir: Path) -> Path:
    return Path(data_dir) / LOCK_NAME


def _thread_lock(key: str) -> threading.RLock:
    with _guard:
        return _locks.setdefault(key, threading.RLock())


@contextmanager
def index_lock(data_dir: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the data folder's ingest lock; if another holds it, call on_wait(why) once, then wait."""
    on_wait = on_wait or (lambda why: log.warning("%s; waiting for it to finish", why))
    path = lock_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    turn = _thread_lock(key)
    if not turn.acquire(blocking=False):
        on_wait(f"another ingest is running in {data_dir} (in this process)")
        turn.acquire()
    try:
        if _depth.get(key, 0) == 0:
            _files[key] = _take_file_lock(path, data_dir, on_wait)
        _depth[key] = _depth.get(key, 0) + 1
        try:
            yield
        finally:
            _depth[key] -= 1
            if _depth[key] == 0:
                fd = _files.pop(key)
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
    finally:
        turn.release()


def _take_file_lock(path: Path, data_dir: Path, on_wait: Callable[[str], None]) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            on_wait(f"another ingest is running in {data_dir}" + (f" (process {holder})" if holder else ""))
            fcntl.flock(fd, fcntl.LOCK_EX)
        # Who holds it, for the message the next one prints.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        return fd
    except BaseException:
        os.close(fd)
        raise
