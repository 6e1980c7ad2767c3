"""Run stamping: every command that writes gets a row in ``runs``."""

from __future__ import annotations

import functools
import json
import secrets
import subprocess
from pathlib import Path
from typing import Any

import duckdb

from provenance import db, ledger
from provenance.ledger import now


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


def finish_run(
    con: duckdb.DuckDBPyConnection, run_id: str, status: str = "finished", counts: dict[str, Any] | None = None
) -> None:
    """Mark a run finished (or failed) with its counts and the ledger head at that moment.

    The head (``ledger_seq``, ``ledger_hash``, migration 0013) lets ``curate audit verify`` notice
    events deleted from the end of the chain: the run would point past it.
    """
    seq, head_hash = ledger.head(con)
    db.execute(
        con,
        "UPDATE runs SET finished_at = ?, status = ?, counts = ?, ledger_seq = ?, ledger_hash = ? WHERE run_id = ?",
        [
            now(),
            status,
            json.dumps(counts or {}, ensure_ascii=False, default=str, sort_keys=True),
            seq,
            head_hash,
            run_id,
        ],
    )


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
