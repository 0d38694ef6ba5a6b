"""Red team D3 (in part): temporary files left by an ingest killed mid-write are swept away.

`kill -9` during an ingest left a 0-byte `.sentences-*.npz` in the data folder for good. The next
ingest (or start-up repair), holding the ingest lock, now removes such files once they are old
enough that no writer can still own them; a young one (the app may be writing it) stays.
"""

from __future__ import annotations

import os
import time

from ingest.indexer import build_index


def test_old_temp_files_are_swept_and_young_ones_kept(settings):
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    old = [settings.data_dir / name for name in
           (".sentences-srf1vro8.npz", ".card-keys-x1y2z3.npz", ".manifest-abc123.json")]
    for path in old:
        path.write_bytes(b"")
        stale = time.time() - 3600  # an hour old: no live writer owns it
        os.utime(path, (stale, stale))
    young = settings.data_dir / ".sentences-young123.npz"
    young.write_bytes(b"")
    report = build_index(settings, progress=False)
    assert report.collection and not report.errors
    assert [p.name for p in old if p.exists()] == []
    assert young.exists()
    assert (settings.data_dir / "manifest.json").is_file()  # the real files are untouched
