"""A snapshot copy that fails for want of room (review 9, web #2): the OSError of the copy reached every request
(500 "Internal Server Error" on each page, retried every refresh interval) and the partial copy, pre-PII text in it,
stayed on disk until the portal stopped. Now the previous snapshot is served, the partial copy deleted, and the
reason kept in ``last_skip``. The full disk is real: the copy runs under a file-size limit (RLIMIT_FSIZE)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from provenance import db, runs

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json, os, resource, signal, sys
from pathlib import Path
from curate.web.snapshot import CatalogueView
from provenance import db, runs

path, folder = Path(sys.argv[1]), Path(sys.argv[2])
view = CatalogueView(path, folder, interval=0)
con = db.connect(path)  # a steward's command changes the catalogue
runs.finish_run(con, runs.start_run(con, "test", "x"))
con.close()
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG, as on a full disk
resource.setrlimit(resource.RLIMIT_FSIZE, (path.stat().st_size // 2, resource.RLIM_INFINITY))
out = {}
for i in range(2):  # every request after the failed copy too
    with view.reading() as cur:
        out[f"runs_{i}"] = cur.execute("SELECT count(*) FROM runs").fetchone()[0]
files = sorted(f for f in os.listdir(folder) if not f.startswith("."))  # the portal's lock aside
out.update(generation=view.generation, files=files, last_skip=view.last_skip)
view.close()
print(json.dumps(out))
"""


def test_a_copy_without_room_serves_the_previous_snapshot_and_leaves_no_partial_copy(tmp_path):
    path = tmp_path / "cat.duckdb"
    con = db.connect(path)
    runs.finish_run(con, runs.start_run(con, "first", "x"))
    con.close()
    folder = tmp_path / "snapshots"
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), str(folder)], capture_output=True, text=True, cwd=ROOT, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.splitlines()[-1])
    assert out["runs_0"] == out["runs_1"] == 1  # generation 1, from before the change, still served
    assert out["generation"] == 1 and out["files"] == ["snapshot-1.duckdb"]  # no partial snapshot-2.tmp
    assert "cannot copy it into" in out["last_skip"] and "free space" in out["last_skip"]
    # a file-size limit is not a full disk: said as the CLI says it (curate.diskfull), not "free space" alone
    assert "File too large" in out["last_skip"] and "raise the file-size limit" in out["last_skip"], out["last_skip"]


def test_a_copy_that_would_fill_the_disk_is_not_started(tmp_path, monkeypatch):
    """A copy that fails for want of room has filled the disk before it fails (by default the catalogue's own disk),
    and it was tried again every refresh interval: each time a steward's command writing the catalogue then could
    find no room. A copy that would leave less than SPARE_BYTES free is not started (review 9, web-r)."""
    import shutil

    from curate.web import snapshot
    from curate.web.snapshot import CatalogueView

    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    folder = tmp_path / "snapshots"
    view = CatalogueView(path, folder, interval=0)
    try:
        con = db.connect(path)  # a steward's command changes the catalogue
        runs.finish_run(con, runs.start_run(con, "test", "x"))
        con.close()
        copies: list[Path] = []
        real_copy, real_usage = snapshot._copy_private, shutil.disk_usage
        monkeypatch.setattr(snapshot, "_copy_private", lambda src, dst: (copies.append(dst), real_copy(src, dst)))
        nearly_full = real_usage(folder)._replace(free=path.stat().st_size + 2**20)  # the copy fits, the spare not
        monkeypatch.setattr(shutil, "disk_usage", lambda p: nearly_full)
        with view.reading() as cur:
            assert cur.execute("SELECT count(*) FROM runs").fetchone()[0] == 0  # the previous snapshot
        assert copies == [] and view.generation == 1
        assert sorted(p.name for p in folder.glob("snapshot-*")) == ["snapshot-1.duckdb"]
        assert "MiB free" in view.last_skip and "free space there" in view.last_skip
        monkeypatch.setattr(shutil, "disk_usage", real_usage)  # room again
        with view.reading() as cur:
            assert cur.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
        assert view.generation == 2 and view.last_skip is None
    finally:
        view.close()
