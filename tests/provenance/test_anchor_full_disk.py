"""`curate audit anchor --append` on a full disk (review 17, crash).

The append wrote what fitted and stopped: the file kept a cut-off last line, which `audit verify --anchor` and every
later append refuse until it is removed by hand, while the error said to run the same command again. A failed append
now cuts the file back to what it held; the disk is filled for real (a file-size limit on the process)."""

from __future__ import annotations

import errno
import fcntl
import os
import resource
import subprocess
import sys
from pathlib import Path


def _append_limited(db_path: Path, anchors: Path, limit: int) -> subprocess.CompletedProcess:
    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root}
    argv = [sys.executable, "-m", "curate.cli", "--db", str(db_path), "audit", "anchor", "--append", str(anchors)]
    return subprocess.run(argv, env=env, capture_output=True, text=True, preexec_fn=cap, timeout=300)


def _fails_in_one_line(res: subprocess.CompletedProcess) -> None:
    assert res.returncode not in (0, -25), res.stdout + res.stderr  # -25: SIGXFSZ, killed instead of an error
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1, res.stderr


def test_a_full_disk_leaves_the_anchor_file_as_it_was(history, db_path, cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    whole = anchors.read_bytes()
    _fails_in_one_line(_append_limited(db_path, anchors, len(whole) + 40))
    assert anchors.read_bytes() == whole
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0, out + err
    code, out, err = cli("audit", "anchor", "--append", str(anchors))  # the same command again, once there is room
    assert code == 0, out + err
    assert len(anchors.read_bytes().splitlines()) == 2


def test_a_full_disk_leaves_a_new_anchor_file_empty_and_the_next_append_takes_it(history, db_path, cli, tmp_path):
    anchors = tmp_path / "new.jsonl"
    _fails_in_one_line(_append_limited(db_path, anchors, 30))
    assert not anchors.exists() or anchors.read_bytes() == b""
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 0, out + err
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0, out + err


def test_an_anchor_file_where_locks_are_not_available_is_still_appended(history, cli, tmp_path, monkeypatch):
    """The lock the append takes on the anchor file: on NFS without its lock daemon (ENOLCK), a filesystem without
    locks, the append failed with a traceback where it had worked; it now goes on unlocked. (The filesystem's refusal
    is stood in for: no such mount here.)"""
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0

    def no_locks(fd: int, op: int) -> None:
        raise OSError(errno.ENOLCK, os.strerror(errno.ENOLCK))

    monkeypatch.setattr(fcntl, "flock", no_locks)
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 0, out + err
    assert len(anchors.read_bytes().splitlines()) == 2
    assert cli("audit", "verify", "--anchor", str(anchors))[0] == 0
