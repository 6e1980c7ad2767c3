"""The export's staging folder lives inside ``--out`` (review of the export fixes, #1, #3, #7).

It once lived beside ``--out``, on the parent's filesystem: an ``--out`` that is a mount point (a mounted disk, a
Docker bind mount) or whose parent is not writable could never be exported to, and a recorded export was left
hidden beside it. Leftover folders were removed by their names (and a pid, which the system hands out again);
now only a staging folder whose marker, locked while its export runs, names this catalogue is removed or finished.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_export_killed import EVALUATION, TRAINING, _curate, _exports, _tree

ROOT = Path(__file__).resolve().parents[2]


def _can_mount_tmpfs(tmp_path: Path) -> bool:
    if not shutil.which("unshare"):
        return False
    probe = tmp_path / "probe"
    probe.mkdir()
    res = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount -t tmpfs -o size=16k tmpfs '{probe}'"], capture_output=True, check=False
    )
    probe.rmdir()
    return res.returncode == 0


def test_a_mount_point_under_a_read_only_parent_is_exported_to(mixed, db_path, tmp_path):
    """`disk` is a file system of its own (a mount point: it cannot be renamed or removed) inside `ro`, which is
    read-only: the export and an --overwrite of it land in `disk`, nothing is written beside it."""
    if not _can_mount_tmpfs(tmp_path):
        pytest.skip("needs `unshare -m` and tmpfs mounts (root or user namespaces)")
    ro = tmp_path / "ro"
    ro.mkdir()
    curate = f"'{sys.executable}' -m curate.cli --db '{db_path}'"
    script = (
        f"mount -t tmpfs -o size=4m tmpfs '{ro}' && mkdir '{ro}/disk' && mount -t tmpfs -o size=4m tmpfs '{ro}/disk'"
        f" && mount -o remount,ro '{ro}' || exit 99\n"
        f"{curate} {' '.join(TRAINING)} --out '{ro}/disk' || exit 1\n"
        f"{curate} {' '.join(EVALUATION)} --out '{ro}/disk' --overwrite || exit 2\n"
        f"{curate} audit verify-export '{ro}/disk' || exit 3\n"
        f"ls -A '{ro}' > '{tmp_path}/beside'; ls -A '{ro}/disk' > '{tmp_path}/inside'\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    res = subprocess.run(["unshare", "-m", "sh", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "beside").read_text().split() == ["disk"]
    inside = (tmp_path / "inside").read_text().split()
    assert "manifest.jsonl" in inside and not [n for n in inside if n.startswith(".")], inside
    assert [where for _, where in _exports(db_path)] == [str(ro / "disk")] * 2


def _killed_staging(db_path: Path, tmp_path: Path, out: Path, fault: str) -> Path:
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), fault=fault)
    assert rc == -signal.SIGKILL, log
    (staging,) = out.glob(".curate-staging-*")
    return staging


def test_another_catalogues_recorded_export_is_left_and_named(mixed, cli, db_path, tmp_path):
    """Two catalogues writing into one folder: X killed after it recorded its export there; Y's export removed it as
    "killed before it was recorded" (review of the fixes #3). Now Y is refused, naming X; X's next export into the
    folder puts X's recorded export in place."""
    shared = tmp_path / "shared"
    other = tmp_path / "y" / "cat.duckdb"
    other.parent.mkdir()
    shutil.copy(db_path, other)
    staging = _killed_staging(db_path, tmp_path, shared, "export_recorded")
    code, _, err = cli(*TRAINING, "--out", str(shared), db=other)
    assert code == 2 and staging.name in err and "another catalogue" in err and str(db_path) in err, err
    assert len(err.strip().splitlines()) == 1 and staging.is_dir() and _tree(shared) == {}
    recorded = _exports(db_path)[-1][0]
    rc, log = _curate(db_path, tmp_path, *TRAINING, "--out", str(shared))  # then refused: not empty
    assert rc == 2 and f"export {recorded}, killed after it was recorded, is now in place" in log, log
    assert cli("audit", "verify-export", str(shared))[0] == 0 and not staging.exists()


def test_a_folder_without_curates_marker_is_never_removed(mixed, cli, db_path, tmp_path):
    """A folder named like a leftover, holding the user's files and no marker, was removed by its name alone
    (review of the fixes #7): now left as it is and named; one holding no file at all is tidied away."""
    out = tmp_path / "out"
    mine = out / ".curate-staging-99999"
    (mine / "data").mkdir(parents=True)
    (mine / "README.md").write_text("mine")
    (mine / "data" / "train-00000.jsonl").write_text("{}\n")
    code, _, err = cli(*TRAINING, "--out", str(out))
    assert code == 2 and mine.name in err and "no .curate-export.json" in err, err
    assert (mine / "README.md").read_text() == "mine" and (mine / "data" / "train-00000.jsonl").exists()
    shutil.rmtree(mine)
    (out / ".curate-staging-99998" / "data").mkdir(parents=True)
    code, _, err = cli("--quiet", *TRAINING, "--out", str(out))
    assert code == 0 and not list(out.glob(".curate-*")), err


def test_a_dead_exports_pid_taken_again_blocks_nothing_a_live_one_does(mixed, cli, db_path, tmp_path):
    """A staging folder whose pid the system gave to another process made every export into --out fail (review of
    the fixes #7): the marker's lock, which the kernel drops with its process, says whether its export runs."""
    out = tmp_path / "out"
    staging = _killed_staging(db_path, tmp_path, out, "export_written")
    marker = staging / ".curate-export.json"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    holder = None
    try:
        data = json.loads(marker.read_text())
        marker.write_text(json.dumps({**data, "pid": sleeper.pid}))  # a live process, not the export
        code, _, err = cli("--quiet", *TRAINING, "--out", str(out))
        assert code == 0 and not staging.exists(), err
        # a live export holds its marker's lock: its folder is not touched
        busy = out.parent / "busy"
        staging = _killed_staging(db_path, tmp_path, busy, "export_written")
        lock = "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR); fcntl.lockf(fd, fcntl.LOCK_EX)"
        holder = subprocess.Popen(
            [sys.executable, "-c", lock + "; print(1, flush=True); time.sleep(60)", str(staging / marker.name)],
            stdout=subprocess.PIPE,
        )
        assert holder.stdout.readline().strip() == b"1"
        code, _, err = cli("--quiet", *TRAINING, "--out", str(busy))
        # a second process, not a usage error: exit 75 as for a held catalogue or a live stage run (review 14 of the
        # fixes), one line naming the process its marker names and the way on
        assert code == 75 and "is being written by another export" in err and staging.is_dir(), err
        assert (
            len(err.strip().splitlines()) == 1
            and f"pid {json.loads((staging / marker.name).read_text())['pid']} on " in err
            and staging.name in err
        ), err
        assert "run the command again once it has finished" in err, err
    finally:
        for proc in (sleeper, holder):
            if proc is not None:
                proc.kill()
                proc.wait()


def test_an_export_killed_before_its_marker_was_written_blocks_nothing(mixed, cli, db_path, tmp_path):
    """Killed between creating its marker and writing it, an export left a staging folder whose empty marker named
    no catalogue: every later export into that --out was refused, "left by an export of another catalogue (`None`)"
    (review 13, crash). A folder holding nothing but an empty marker is removed, and the export goes on."""
    out = tmp_path / "out"
    staging = _killed_staging(db_path, tmp_path, out, "export_marker_created")
    assert (staging / ".curate-export.json").read_bytes() == b""
    code, _, err = cli("--quiet", *TRAINING, "--out", str(out))
    assert code == 0, err
    assert not list(out.glob(".curate-*")) and (out / "manifest.jsonl").is_file()
    assert cli("audit", "verify-export", str(out))[0] == 0


def test_a_marker_written_over_a_longer_one_is_read(tmp_path):
    """The marker is written over and then cut to length (it was cut first: a kill between the two left it empty);
    killed before the cut, the earlier, longer content's tail follows the new JSON, which is what is read."""
    from provenance.export_stage import Marker

    path = tmp_path / "marker.json"
    marker = Marker.create(path, {"catalogue": "/a/long/catalogue/name.duckdb", "previous": ["x" * 40]})
    marker.release()
    path.write_bytes(b'{"catalogue": "/c.duckdb"}' + path.read_bytes()[26:])
    taken = Marker.take(path)
    assert taken is not None and taken.data == {"catalogue": "/c.duckdb"}
    taken.release()


def test_files_beside_an_unreadable_marker_are_named_as_such_not_as_another_catalogues(mixed, cli, tmp_path):
    """A marker a power cut left empty or half written, beside files: the refusal said the folder was "left by an
    export of another catalogue (`None`)" (review 13, crash-r); it names the marker instead, and keeps the files."""
    out = tmp_path / "out"
    staging = out / ".curate-staging-0123456789ab"
    (staging / "data").mkdir(parents=True)
    (staging / "data" / "train-00000.jsonl").write_text("{}\n")
    (staging / ".curate-export.json").write_text('{"catalo', encoding="utf-8")
    code, _, err = cli(*TRAINING, "--out", str(out))
    assert code == 2 and staging.name in err and "empty or unreadable .curate-export.json" in err, err
    assert "another catalogue" not in err and (staging / "data" / "train-00000.jsonl").is_file()
