"""One snapshot folder, one portal (review 9, web #7): a second `curate serve` on the same catalogue took the
running portal's snapshot files for a killed portal's leftovers and deleted them at start, wrote its own under the
same names (snapshot-1 ...), and deleted them again at its shutdown; the two raced on each refresh. Now the folder
is held by the portal serving from it: a second one is refused in one line, and a killed one's hold goes with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from curate.web.snapshot import CatalogueView
from provenance import db
from provenance.errors import CatalogueError

ROOT = Path(__file__).resolve().parents[2]


def test_a_second_view_of_one_folder_is_refused_and_the_first_keeps_its_files(tmp_path):
    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    folder = tmp_path / "snapshots"
    first = CatalogueView(path, folder, interval=0)
    try:
        with pytest.raises(CatalogueError, match=f"another portal \\(PID {os.getpid()}\\) serves"):
            CatalogueView(path, folder, interval=0)
        assert (folder / "snapshot-1.duckdb").exists()  # the running portal's copy is still there
        with first.reading() as cur:
            assert cur.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
    finally:
        first.close()
    CatalogueView(path, folder, interval=0).close()  # closed: the folder is free again


def test_a_killed_portals_folder_is_taken_over_and_its_leftovers_deleted(tmp_path):
    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    folder = tmp_path / "snapshots"
    script = (
        "import sys, time; from curate.web.snapshot import CatalogueView; "
        "v = CatalogueView(sys.argv[1], sys.argv[2], interval=0); print('ready', flush=True); time.sleep(600)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(path), str(folder)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        with pytest.raises(CatalogueError, match=f"PID {proc.pid}"):
            CatalogueView(path, folder, interval=0)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert (folder / "snapshot-1.duckdb").exists()  # what the killed portal left
    view = CatalogueView(path, folder, interval=0)
    try:
        assert sorted(p.name for p in folder.glob("snapshot-*")) == ["snapshot-1.duckdb"]  # its own, new copy
    finally:
        view.close()
    assert list(folder.glob("snapshot-*")) == []
