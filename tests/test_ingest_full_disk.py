"""An ingest that meets a full disk (review 14, crash): its batch's ``COMMIT`` could not write the write-ahead log,
DuckDB ended the transaction, and the ``ROLLBACK`` after it raised ``cannot rollback - no transaction is active``,
which replaced the real error: a traceback instead of the one line README promises ("any other command that meets a
full disk says so in one line too"). The full disk is real: the ingest runs under a file-size limit (``ulimit -f``).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from catalogue_query import query as _q

from provenance import ledger
from provenance.rollback import rollback

ROOT = Path(__file__).resolve().parents[1]

STATE = (
    "SELECT (SELECT list((record_id, version_of, status, text, content_sha256, licence_id) ORDER BY record_id)"
    " FROM records), (SELECT list((record_id, stage, action) ORDER BY record_id, stage, action) FROM provenance_events"
    " WHERE stage NOT IN ('run', 'runs'))"
)


def _cli(db: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess:
    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CURATE_FAULT", None)
    argv = [sys.executable, "-m", "curate.cli", "--db", str(db), "-q", *args]
    return subprocess.run(argv, env=env, capture_output=True, text=True, preexec_fn=limited)


def _ingest(db: Path, corpus: Path, limit: int | None = None) -> subprocess.CompletedProcess:
    return _cli(db, "ingest", "moda", "--licence", "CC-BY-4.0", str(corpus), limit=limit)


def test_an_ingest_that_meets_a_full_disk_says_so_in_one_line_and_runs_again(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for i in range(3000):
            text = f"第{i}條　銀行辦理授信業務，應遵守本法之規定。" + "內容說明" * (i % 50 + 20)
            fh.write(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) + "\n")
    db, clean = tmp_path / "cat.duckdb", tmp_path / "clean.duckdb"
    for path in (db, clean):
        assert _cli(path, "init").returncode == 0  # the catalogue, made without a limit
    done = _ingest(db, corpus, limit=corpus.stat().st_size // 4)  # the batch's write-ahead log cannot be written
    err = done.stderr.strip()
    assert done.returncode == 1, err
    assert "Traceback" not in err and "no transaction is active" not in err and len(err.splitlines()) == 1, err
    assert "a file could not be written" in err and "File too large" in err and "run the same command again" in err
    assert _q(db, "SELECT status FROM runs WHERE command = 'ingest moda'") == [("failed",)]
    assert _ingest(db, corpus).returncode == 0  # space again: the same command
    assert _ingest(clean, corpus).returncode == 0
    assert _q(db, STATE) == _q(clean, STATE)
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    assert ledger.verify(con).ok
    con.close()


def test_rollback_after_a_failed_commit_keeps_the_real_error() -> None:
    import duckdb

    con = duckdb.connect()
    con.execute("BEGIN TRANSACTION")
    con.execute("COMMIT")
    rollback(con)  # the transaction is over: nothing to undo, nothing raised in place of the caller's error
    con.execute("BEGIN TRANSACTION")
    con.execute("CREATE TABLE t (x INT)")
    rollback(con)
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 't'").fetchone() == (0,)


def test_an_ingest_whose_checkpoint_meets_a_full_disk_says_so_in_one_line(tmp_path: Path) -> None:
    """The batch's write-ahead log fits, the checkpoint at its ``COMMIT`` cannot grow the catalogue file: DuckDB
    invalidates the database, and the ``ROLLBACK`` raised ``FatalException: database has been invalidated`` in place
    of the error naming the file (review 14 of the fixes)."""
    corpus = tmp_path / "corpus.jsonl"
    with corpus.open("w", encoding="utf-8") as fh:
        for i in range(3000):
            text = f"第{i}條　銀行辦理授信業務，應遵守本法之規定。" + "內容說明" * (i % 50 + 20)
            fh.write(json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False) + "\n")
    db, clean = tmp_path / "cat.duckdb", tmp_path / "clean.duckdb"
    for path in (db, clean):
        assert _cli(path, "init").returncode == 0
    os.environ["CURATE_CHECKPOINT_THRESHOLD"] = "1KB"  # every batch's COMMIT checkpoints (read by _cli's child)
    try:
        done = _ingest(db, corpus, limit=db.stat().st_size + corpus.stat().st_size * 4 // 3)
    finally:
        del os.environ["CURATE_CHECKPOINT_THRESHOLD"]
    err = done.stderr.strip()
    assert done.returncode == 1, err
    assert "Traceback" not in err and "invalidated" not in err and len(err.splitlines()) == 1, err
    assert f"a file could not be written (`{db}`): File too large" in err, err
    assert _ingest(db, corpus).returncode == 0
    assert _ingest(clean, corpus).returncode == 0
    assert _q(db, STATE) == _q(clean, STATE)
    assert _cli(db, "audit", "verify").returncode == 0


def test_rollback_after_a_checkpoint_that_invalidated_the_database_keeps_the_real_error(tmp_path: Path) -> None:
    script = f"""
import resource, signal, sys
import duckdb
from provenance.rollback import rollback
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
con = duckdb.connect({str(tmp_path / "t.duckdb")!r})
con.execute("CREATE TABLE t (x VARCHAR)")
con.execute("CHECKPOINT")
con.execute("SET checkpoint_threshold = '1KB'")
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, resource.RLIM_INFINITY))
try:
    try:  # the shape of ingest's batch: its COMMIT inside, ROLLBACK on the way out
        con.execute("BEGIN TRANSACTION")
        con.execute("INSERT INTO t SELECT repeat('x', 1000) || i FROM range(20000) r(i)")
        con.execute("COMMIT")
    except BaseException:
        rollback(con)
        raise
except duckdb.Error as exc:
    print(type(exc).__name__, str(exc).splitlines()[0])
"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "File too large" in done.stdout and "invalidated" not in done.stdout, done.stdout
