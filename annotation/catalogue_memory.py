"""Which licence catalogue a bank's tasks were pushed by, remembered for its pulls (review 14).

`curate annotate push --catalogue FILE` chooses which records reach a bank's Label Studio tasks and which tasks are
taken out; a later `curate annotate pull` without it judged by the shipped catalogue, so a licence the corrected file
ended was alive again for the pull: its kept tasks were put back (``task_restored``) and corrections on them applied.
A push now records the sha256 of the rules it judged by in its run's parameters (``catalogue_sha256``, with the
file's name); a pull given no ``--catalogue`` whose bank's last push on that instance judged by other rules is
refused in one line before anything is read from Label Studio or written. A pull given ``--catalogue`` judges by that
file (a steward's explicit choice, a stricter correction too) and records its hash in its own run.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from provenance.errors import UsageError
from provenance.licences import LicenceCatalogue, default_licence_catalogue


def catalogue_params(cat: LicenceCatalogue | None) -> dict[str, str]:
    """The run parameters naming the rules ``cat`` (None: the shipped ones) gives: its file's name and sha256."""
    shipped = default_licence_catalogue().sha256
    sha = cat.sha256 if cat is not None else shipped
    name = "shipped" if sha == shipped else Path(cat.path or "").name if cat is not None else ""
    return {"catalogue": name, "catalogue_sha256": sha}


def check_remembered(
    con: duckdb.DuckDBPyConnection, instance: str, bank: str, cat: LicenceCatalogue | None, shown: str
) -> None:
    """Refuse a pull given no ``--catalogue`` (``cat`` None) when ``bank``'s last push to ``instance`` judged by other
    rules; pushes from before review 14 name none and are not checked."""
    if cat is not None:
        return
    row = con.execute(
        "SELECT json_extract_string(params, '$.catalogue'), json_extract_string(params, '$.catalogue_sha256')"
        " FROM runs WHERE command = 'annotate push' AND json_extract_string(params, '$.bank') = ?"
        " AND json_extract_string(params, '$.instance') = ?"
        " AND json_extract_string(params, '$.catalogue_sha256') IS NOT NULL"
        " ORDER BY started_at DESC, run_id DESC LIMIT 1",
        [bank, instance],
    ).fetchone()
    ours = catalogue_params(None)["catalogue_sha256"]
    if row is None or row[1] == ours:
        return
    raise UsageError(
        f"bank {bank}'s last push to {shown} judged licences by the catalogue `{row[0]}` (sha256 {row[1]}), this pull "
        f"by the shipped one (sha256 {ours}), which would take out or put back its tasks by other rules: pull with "
        f"--catalogue {row[0]} (the same file), or push first with the catalogue you mean"
    )


__all__ = ["catalogue_params", "check_remembered"]
