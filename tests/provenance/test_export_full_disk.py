"""An export onto a full disk (a real 32 KiB tmpfs, mounted in a private mount namespace): one line naming the
folder and the cause, the export run failed, and nothing half-written left in --out (an --out that existed stays,
empty), so the same command runs again once there is space."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from curate.ingest import ingest
from provenance import db
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]


def _can_mount_tmpfs(tmp_path: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    res = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=16k tmpfs '{probe}'"], capture_output=True, check=False
    )
    return res.returncode == 0


def test_export_on_a_full_disk_is_one_line_and_leaves_nothing(tmp_path: Path, law_fixtures: Path) -> None:
    if not _can_mount_tmpfs(tmp_path):
        pytest.skip("needs `unshare -m` and tmpfs mounts (root or user namespaces)")
    cat = tmp_path / "cat.duckdb"
    ingest(cat, LawMojSource([law_fixtures / "chlaw_json/ch"]))
    small = tmp_path / "small"
    small.mkdir()
    export = [sys.executable, "-m", "curate.cli", "--db", str(cat), "export", "dataset", "--purpose", "training"]
    export += ["--audience", "consortium", "--commercial", "--pii-gate", "expected"]
    script = (
        f"mount -t tmpfs -o size=32k tmpfs '{small}' || exit 99\n"
        f"mkdir '{small}/kept'\n"
        + "".join(
            f"{' '.join(export)} --out '{small}/{name}' 2>>'{tmp_path}/err'; echo $? >>'{tmp_path}/rc'\n"
            for name in ("new", "kept")
        )
        + f"find '{small}' -mindepth 1 > '{tmp_path}/left'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(["unshare", "-m", "sh", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stderr
    err = (tmp_path / "err").read_text(encoding="utf-8")
    assert (tmp_path / "rc").read_text().split() == ["1", "1"], err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 2, err
    assert "the export could not be written (No space left on device)" in err and "/new`" in err, err
    assert (tmp_path / "left").read_text().split() == [f"{small}/kept"]  # the folder it was given, empty
    con = db.connect_readonly(cat)
    try:
        statuses = [r[0] for r in con.execute("SELECT status FROM runs WHERE command = 'export dataset'").fetchall()]
        exports = con.execute("SELECT count(*) FROM exports").fetchone()[0]
    finally:
        con.close()
    assert statuses == ["failed", "failed"] and exports == 0
