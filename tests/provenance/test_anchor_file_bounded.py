"""An anchor file is read a line at a time, each line bounded (review 16, ledger).

`verify --anchor FILE` (and `anchor --append FILE`, which reads the file before appending) read the whole file into
memory and decoded it before looking at its first line: naming the catalogue, a backup or any large file by mistake
took twice its size (840 MB for a 400 MB file) and a file larger than memory ended in a MemoryError traceback. A
device (`/dev/null`) was said not to exist."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _small_address_space() -> None:  # the child may not allocate the file whole: what a machine without 1 TiB does
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


@pytest.mark.parametrize("args", [("verify", "--anchor"), ("anchor", "--append")], ids=["verify", "append"])
def test_a_huge_file_named_as_anchor_file_is_refused_at_its_first_line(history, db_path, tmp_path, args):
    huge = tmp_path / "backup.img"
    with huge.open("wb") as fh:
        fh.truncate(1 << 40)  # 1 TiB of zeros, sparse: no disk is used
    before = db_path.read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "curate.cli", "--db", str(db_path), "audit", *args, str(huge)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        preexec_fn=_small_address_space,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "not an anchor file" in done.stderr, done.stderr
    assert huge.stat().st_size == 1 << 40 and db_path.read_bytes() == before


def test_a_device_is_not_said_to_be_missing(history, cli):
    code, out, err = cli("audit", "verify", "--anchor", os.devnull)
    assert code == 2 and "is not a regular file" in err and "does not exist" not in err, out + err


def test_anchors_on_crlf_lines_and_a_cut_last_line_still_read(history, cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    anchors.write_bytes(anchors.read_bytes().replace(b"\n", b"\r\n") * 2)  # saved on Windows
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0 and "anchors ok: 2" in out, out + err
    anchors.write_bytes(anchors.read_bytes() + b'{"seq": 3, "ha')  # an append cut off
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 2 and "line 3, its last, is cut off" in err and "the 2 anchor(s) before it" in err, out + err


def test_anchors_on_lines_ended_by_a_lone_cr_are_lines_not_one_long_line(history, cli, tmp_path):
    # review 16 (ledger-r): the file was read up to each \n, so an anchor file an old Mac editor saved (lines ended
    # by a lone \r, which the whole-file reader split) was one "line" longer than MAX_LINE once it held ~400 anchors
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    anchors.write_bytes(anchors.read_bytes().replace(b"\n", b"\r") * 1000)
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0 and "anchors ok: 1000" in out, out + err
