"""Run stamping: every command that writes gets a row in ``runs``."""

from __future__ import annotations

import contextlib
import functools
import json
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from provenance import db, ledger
from provenance.ledger import now
from provenance.rollback import rollback


@functools.cache
def code_version() -> str:
    """Package version plus the git commit of the checkout, if any."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        ver = version("finllm-curate")
    except PackageNotFoundError:  # pragma: no cover
        ver = "0+unknown"
    try:
        root = Path(__file__).resolve().parents[1]
        sha = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):  # pragma: no cover
        sha = ""
    return f"{ver}+g{sha}" if sha else ver


def new_run_id() -> str:
    """Time-ordered unique run id, e.g. ``20261122T041500-3f9a1c``."""
    return now().strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


def start_run(
    con: duckdb.DuckDBPyConnection,
    command: str,
    config_hash: str,
    params: dict[str, Any] | None = None,
    *,
    run_id: str | None = None,
) -> str:
    """Insert a ``running`` run row and return its id."""
    run_id = run_id or new_run_id()
    db.execute(
        con,
        "INSERT INTO runs (run_id, command, config_hash, code_version, started_at, status, schema_version, params)"
        " VALUES (?, ?, ?, ?, ?, 'running', ?, ?)",
        [
            run_id,
            command,
            config_hash,
            code_version(),
            now(),
            db.schema_version(con),
            json.dumps(params or {}, ensure_ascii=False, default=str, sort_keys=True),
        ],
    )
    return run_id


def find_unfinished(con: duckdb.DuckDBPyConnection, command: str, config_hash: str) -> str | None:
    """The newest run of this command+config that never finished or failed (to resume it).

    Callers hold the command's run lock (``curate/runlock.py``), so such a run's process is gone.
    """
    row = db.execute(
        con,
        "SELECT run_id FROM runs WHERE command = ? AND config_hash = ? AND status IN ('running', 'failed')"
        " ORDER BY started_at DESC LIMIT 1",
        [command, config_hash],
    ).fetchone()
    return row[0] if row else None


#: the ledger action that seals a run row when it ends (finished, failed, abandoned): detail ``status``,
#: ``finished_at`` and ``row_sha256`` (:data:`ROW_SQL` of the row as it was written)
RUN_FINISHED = "run_finished"
#: the version of :data:`ROW_SQL` a ``run_finished`` event's ``row_v`` names
ROW_VERSION = 1


def _opt(col: str) -> str:
    return f"CASE WHEN {col} IS NULL THEN 'N' ELSE 'V' || CAST({col} AS VARCHAR) END"


#: SQL over a ``runs`` row: the text a ``run_finished`` event seals (every column ``runs list``/``show``, the portal
#: and the licence and bank rules read; the ledger head is checked against the event itself). NULL and '' differ.
_TS = "'%Y-%m-%dT%H:%M:%S.%f'"
ROW_SQL = (
    f"concat_ws(chr(31), run_id, command, config_hash, code_version, strftime(started_at, {_TS}),"
    f" {_opt(f'strftime(finished_at, {_TS})')}, status, {_opt('schema_version')}, {_opt('params')}, {_opt('counts')})"
)
#: the ended runs without a ``run_finished`` event (those ended before runs were sealed), but the run ``?`` (NULL:
#: none): their count and the sha256 over their sorted ids. Each seal records them (``unsealed_runs``,
#: ``unsealed_sha256``) and ``audit verify`` compares the newest seal's with the catalogue's: an unsealed run row
#: added (back-dated), deleted or renamed after runs were first sealed is named.
UNSEALED_SQL = (
    "SELECT count(*), sha256(coalesce(string_agg(run_id, ',' ORDER BY run_id), '')) FROM runs"
    " WHERE run_id IS DISTINCT FROM ? AND (status <> 'running' OR finished_at IS NOT NULL) AND run_id NOT IN"
    f" (SELECT run_id FROM provenance_events WHERE action = '{RUN_FINISHED}' AND stage = 'run' AND run_id IS NOT NULL)"
)


#: a run that ended so is never ended again (its work is committed, or given up): only a ``running`` or ``failed``
#: run (resumed) ends
ENDED_FOR_GOOD = ("finished", "abandoned")


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str = "finished", counts: dict[str, Any] | None = None
) -> bool:
    """Mark a run finished (or failed) with its counts, seal the row in the ledger, and record the head; False (nothing
    written) where the run already ended ``finished`` or ``abandoned`` (:data:`ENDED_FOR_GOOD`).

    A stop (Ctrl-C, SIGTERM) that lands just after the commit in which a run finished reaches its caller's failure
    path, which ends it ``failed``: before review 18 (crash) that sealed finished work as failed, and the next run of
    the stage took it for one to resume (its key dropped at the load: refused, every run after it too).

    A ``run_finished`` event carries the digest of the whole row (:data:`ROW_SQL`), so ``curate audit verify``
    notices a run's command, arguments, status, times or counts edited afterwards. The head (``ledger_seq``,
    ``ledger_hash``, migration 0013) is that event's: deleting events from the end of the chain leaves the run
    pointing past it. The update, the event and the head are one transaction (a kill leaves all or none).
    """
    with _one_transaction(con):
        ended = db.execute(con, "SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchall()
        if ended and ended[0][0] in ENDED_FOR_GOOD:
            return False
        db.execute(
            con,
            "UPDATE runs SET finished_at = ?, status = ?, counts = ? WHERE run_id = ?",
            [now(), status, json.dumps(counts or {}, ensure_ascii=False, default=str, sort_keys=True), run_id],
        )
        row = db.execute(
            con, f"SELECT sha256({ROW_SQL}), status, finished_at FROM runs WHERE run_id = ?", [run_id]
        ).fetchall()
        if row:
            n_unsealed, unsealed_sha = db.execute(con, UNSEALED_SQL, [run_id]).fetchone()
            detail = {
                "status": row[0][1],
                "finished_at": row[0][2].strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "row_sha256": row[0][0],
                "row_v": ROW_VERSION,
                "unsealed_runs": n_unsealed,
                "unsealed_sha256": unsealed_sha,
            }
            ledger.append(con, [ledger.Event(stage="run", action=RUN_FINISHED, run_id=run_id, detail=detail)])
        seq, head_hash = ledger.head(con)
        db.execute(con, "UPDATE runs SET ledger_seq = ?, ledger_hash = ? WHERE run_id = ?", [seq, head_hash, run_id])
    return True


def in_transaction(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether ``con`` holds an open transaction: its statements then share one transaction id (in autocommit each
    gets its own). A ``BEGIN`` tried inside one would abort it."""
    first, second = (con.execute("SELECT current_transaction_id()").fetchall()[0][0] for _ in range(2))
    return first == second


@contextlib.contextmanager
def _one_transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """The caller's transaction if it holds one (it commits or rolls back), else a new one."""
    if in_transaction(con):
        yield
        return
    con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        rollback(con)
        raise
    con.execute("COMMIT")


def fail_interrupted(con: duckdb.DuckDBPyConnection, command: str) -> list[str]:
    """End as ``failed`` (``{"interrupted": true}``) every run of ``command`` still marked ``running``; returns their ids.

    Only for a command whose process holds the catalogue's write connection from before its run starts to its end
    (an ingest, ``annotate push``/``pull``): DuckDB lets no other process open the file meanwhile, so such a run of
    another process died (``kill -9``) and could not mark itself. Left ``running``, ``runs list`` and ``status``
    showed it running for good (those commands take no run lock for ``curate/runlive.py`` to ask)."""
    stale = [
        r
        for (r,) in db.execute(
            con, "SELECT run_id FROM runs WHERE command = ? AND status = 'running' ORDER BY started_at", [command]
        ).fetchall()
    ]
    for run_id in stale:
        finish_run(con, run_id, "failed", {"interrupted": True})
    return stale
