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


@pytest.mark.parametrize(
    "args",
    [
        (b"provenance", b"withdraw", b"--source", b"law_moj", b"--reason", BIG5 + b" takedown"),
        (b"provenance", b"withdraw", b"--record", BIG5, b"--reason", b"takedown"),
        (b"provenance", b"reinstate", b"--source", b"law_moj", b"--reason", BIG5),
        (b"runs", b"abandon", BIG5, b"--reason", b"x"),
        (b"annotate", b"push", b"--project", b"pii", b"--bank", b"004", b"--where", b"r.source_id='" + BIG5 + b"'"),
        (b"ingest", b"moda", b"--text-field", BIG5, b"nofile.jsonl"),
    ],
    ids=["withdraw-reason", "withdraw-record", "reinstate-reason", "runs-abandon", "annotate-where", "ingest-field"],
)
def test_every_text_option_is_checked_not_only_the_auditors(mixed, db_path, args):
    """Review 14b: the fix typed five auditor arguments; a steward's `withdraw --reason 銀行...` from the same Big5
    terminal still ended in a traceback (UnicodeEncodeError hashing the ledger line; pybind11's cast error for
    --record/--source). Every text parameter of every command is now checked when the command loads."""
    before = db_path.read_bytes()
    proc = _curate(db_path, *args)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "not UTF-8 text" in err and "0xbb" in err, err
    assert db_path.read_bytes() == before


def test_a_catalogue_path_of_big5_bytes_is_one_line_not_a_traceback(mixed, db_path, tmp_path):
    """A catalogue in a folder named in Big5 (`--db` bytes that are not UTF-8): DuckDB takes only text paths and
    every command ended in a UnicodeEncodeError traceback; now one line saying to move or rename it. Other paths
    with such bytes still work (an anchor file)."""
    folder = os.fsdecode(os.fsencode(tmp_path) + b"/" + BIG5)
    os.mkdir(folder)
    moved = Path(folder) / "cat.duckdb"
    moved.write_bytes(db_path.read_bytes())
    for args in [(b"sql", b"SELECT 1"), (b"audit", b"verify"), (b"status",), (b"init",)]:
        proc = _curate(moved, *args)
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 2 and "Traceback" not in err, err
        assert "path is not UTF-8 text" in err and "\\xbb" in err, err
    anchors = os.fsencode(folder) + b"/anchors.jsonl"
    assert _curate(db_path, b"audit", b"anchor", b"--append", anchors).returncode == 0
    proc = _curate(db_path, b"audit", b"verify", b"--anchor", anchors)
    assert proc.returncode == 0 and b"anchors ok" in proc.stdout, proc.stderr.decode()


@pytest.mark.parametrize("args", [(b"audit", b"anchor"), (b"audit", b"verify")], ids=["anchor", "verify"])
def test_a_link_whose_name_is_not_utf8_to_a_catalogue_is_one_line(mixed, db_path, tmp_path, args):
    """Review 17: the resolved path (the catalogue's own, UTF-8) was checked, and DuckDB then opened the link's name
    as given: a UnicodeEncodeError traceback."""
    link = Path(os.fsdecode(os.fsencode(tmp_path) + b"/" + BIG5 + b".duckdb"))
    link.symlink_to(db_path)
    proc = _curate(link, *args)
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2 and "Traceback" not in err and "not UTF-8 text" in err, err
    assert len(err.strip().splitlines()) == 1, err
