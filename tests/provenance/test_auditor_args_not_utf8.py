"""An auditor's terminal in Big5 (CP950) hands the CLI bytes that are not UTF-8: Python keeps them as lone
surrogates, which DuckDB cannot take, and `curate sql`, `audit sql`, `audit record`, `audit export` and `runs show`
ended in a traceback (TypeError from extract_statements, RuntimeError "Unable to cast Python instance") instead of
a line saying what to do (review 14). Run as a user does: the real CLI in a subprocess, the query as bytes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIG5 = "銀行".encode("big5")  # b'\xbb\xc8': not UTF-8


def _curate(db_path: Path, *args: bytes) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    argv = [sys.executable.encode(), b"-m", b"curate.cli", b"--db", os.fsencode(db_path), *args]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "args",
    [
        (b"sql", b"SELECT count(*) FROM records WHERE text LIKE '%" + BIG5 + b"%'"),
        (b"audit", b"sql", b"SELECT '" + BIG5 + b"' AS t"),
        (b"audit", b"record", BIG5),
        (b"audit", b"export", BIG5),
        (b"runs", b"show", BIG5),
    ],
    ids=["sql", "audit-sql", "audit-record", "audit-export", "runs-show"],
)
def test_text_that_is_not_utf8_is_a_usage_error_not_a_traceback(mixed, db_path, args):
    before = db_path.read_bytes()
    proc = _curate(db_path, *args)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "not UTF-8 text" in err and "0xbb" in err and "UTF-8" in err, err
    assert proc.stdout == b""
    assert db_path.read_bytes() == before


def test_utf8_text_is_unchanged(mixed, db_path):
    proc = _curate(db_path, b"sql", "SELECT count(*) AS n FROM records WHERE text LIKE '%銀行%'".encode())
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().split()[-1].isdigit()
