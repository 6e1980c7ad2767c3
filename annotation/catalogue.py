"""Catalogue helpers of the bridge: runs, and the bank's Label Studio projects.

Runs go through ``curate.runs`` when the foundation provides it; until then a row is written to
``runs`` directly with the same columns.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import duckdb

from annotation.errors import LabelStudioTerminalError
from annotation.label_studio import LabelStudioClient
from annotation.tasks import config_sha256, label_config
from curate.errors import UsageError
from provenance import ledger

BANK_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")


def check_bank(bank: str) -> str:
    """Validate a bank code (letters, digits, ``_.-``; at most 32 characters)."""
    if not bank or len(bank) > 32 or set(bank) - BANK_CHARS:
        raise UsageError(f"bank code {bank!r} is invalid: use 1-32 letters, digits, '_', '.', '-'")
    return bank


def start_run(con: duckdb.DuckDBPyConnection, command: str, params: dict[str, Any]) -> str:
    """Record a run; returns its id."""
    cfg_hash = hashlib.sha256(ledger.canonical_json(params).encode()).hexdigest()
    try:
        from curate.runs import start_run as _start
    except ImportError:
        _start = None
    if _start is not None:
        return _start(con, command, cfg_hash, params)
    run_id = uuid.uuid4().hex
    from curate.db import schema_version

    con.execute("INSERT INTO runs (run_id, command, config_hash, code_version, started_at, status, schema_version,"
                " params) VALUES (?, ?, ?, ?, now()::TIMESTAMP, 'running', ?, ?)",
                [run_id, command, cfg_hash, _code_version(), schema_version(con), json.dumps(params)])
    return run_id


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str = "finished",
               counts: dict[str, Any] | None = None) -> None:
    """Close a run with its counts."""
    try:
        from curate.runs import finish_run as _finish
    except ImportError:
        _finish = None
    if _finish is not None:
        _finish(con, run_id, status=status, counts=counts)
        return
    con.execute("UPDATE runs SET finished_at = now()::TIMESTAMP, status = ?, counts = ? WHERE run_id = ?",
                [status, json.dumps(counts or {}), run_id])


def _code_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("finllm-curate")
    except PackageNotFoundError:
        return "0+unknown"


def project_title(bank: str, project: str) -> str:
    """Label Studio project title of a bank's project (its identity on the instance).

    >>> project_title("CTBC", "pii")
    'FinLLM CTBC pii'
    """
    return f"FinLLM {bank} {project}"


def ensure_project(con: duckdb.DuckDBPyConnection, client: LabelStudioClient, bank: str, project: str) -> int:
    """The Label Studio project id of (bank, project) on this instance, creating it if needed.

    A project recorded in the catalogue but deleted in Label Studio is an error (its task mapping
    would be wrong); a project found on the instance by title is adopted.
    """
    instance = client.config.instance
    row = con.execute("SELECT ls_project_id FROM annotation_projects WHERE instance = ? AND bank = ? AND project = ?",
                      [instance, bank, project]).fetchone()
    if row:
        if not client.project_exists(row[0]):
            raise LabelStudioTerminalError(
                f"project {row[0]} ({project_title(bank, project)}) recorded in the catalogue no longer exists; "
                f"if it was deleted on purpose, remove its rows from annotation_projects and annotation_tasks "
                f"(instance {instance}) and push again", url=instance)
        return row[0]
    title = project_title(bank, project)
    pid = client.find_project(title)
    if pid is None:
        pid = client.create_project(title, label_config(project),
                                    description=f"FinLLM curation: {project} tasks for bank {bank}")
    con.execute("INSERT INTO annotation_projects VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
                [instance, bank, project, pid, title, config_sha256(project)])
    return pid


def annotator_actor(bank: str, user_id: int | None, email_sha256: str | None) -> str:
    """Ledger actor naming the bank and the annotator (Label Studio user id + sha256 of the e-mail).

    >>> annotator_actor("CTBC", 7, "ab" * 32)[:20]
    'CTBC/ls-user:7/ababa'
    """
    return f"{bank}/ls-user:{user_id}/{email_sha256 or '-'}"


def email_sha256(email: str | None) -> str | None:
    """sha256 of the trimmed, lower-cased e-mail (None if unknown)."""
    if not email:
        return None
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


__all__ = ["annotator_actor", "check_bank", "email_sha256", "ensure_project", "finish_run", "project_title",
           "start_run"]
