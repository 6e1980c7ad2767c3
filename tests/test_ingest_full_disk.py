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
    " WHERE stage <> 'runs')"
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
