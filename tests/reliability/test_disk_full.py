"""Red team D12: `sro-assistant ingest` on a full disk.

A fresh ingest into a small tmpfs ended in an `OSError: [Errno 28]` traceback and left a
half-written `.sentences-*.npz` behind. Now: one line that says the disk is full, exit 1, and no
temporary file left. The disk is a real tmpfs, as in the review, so the test needs root.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from assistant.cli import main

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")

# Too small for the test index at different points: Chroma's database, then the sentence cache.
SIZES = ["200k", "330k"]


@pytest.fixture
def small_disk(tmp_path, request):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={request.param}", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize("small_disk", SIZES, indirect=True)
def test_a_full_disk_gives_one_line_and_leaves_no_temp_file(small_disk, settings, monkeypatch, capsys):
    data = small_disk / "data"
    monkeypatch.setenv("SRO_DATA_DIR", str(data))
    monkeypatch.setenv("SRO_GUIDE_DIR", str(settings.guide_dir))
    monkeypatch.delenv("SRO_CORPUS_MIRROR", raising=False)
    assert main(["ingest", "--quiet"]) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [f"error: no space left on the disk holding {data}; free some space and run "
                      "`sro-assistant ingest` again"], err
    assert "Traceback" not in err
    assert not [p.name for p in data.rglob(".sentences-*")]
