"""Which licence catalogue a bank's tasks were pushed by, remembered for its pulls (review 14).

`curate annotate push --catalogue FILE` chooses which records reach a bank's Label Studio tasks and which tasks are
taken out; a later `curate annotate pull` without it judged by the shipped catalogue, so a licence the corrected file
ended was alive again for the pull: its kept tasks were put back (``task_restored``) and corrections on them applied.
A push now records the sha256 of the rules it judged by in its run's parameters (``catalogue_sha256``, with the
file's name); a pull given no ``--catalogue`` whose bank's last push on that instance judged by other rules is
refused in one line before anything is read from Label Studio or written. A pull given ``--catalogue`` judges by that
file (a steward's explicit choice, a stricter correction too) and records its hash in its own run.
A push of the project given no ``--catalogue`` is refused alike (review 14, third look): it sent again the
records the corrected file refused. So is ``push --output`` (a tasks file imported by hand), judged by the
project's last push on any instance (review of the fixes 14).

Review 14 (second look): each pulled project is judged by its own last push (the bank's last push of any project
decided before, so a shipped-rules push of one project let the pull put back the tasks a corrected file had taken
out of another), and a push by the shipped rules of an earlier release is no refusal (the shipped file's hash
changes with an upgrade; the refusal named `--catalogue shipped`, no file at all).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from provenance.errors import UsageError
from provenance.licences import LicenceCatalogue, default_licence_catalogue, licence_catalogue_path

#: the name a run records for the shipped rules (those a push given no file, or a copy of them, judged by)
SHIPPED = "shipped"


def catalogue_params(cat: LicenceCatalogue | None) -> dict[str, str]:
    """The run parameters naming the rules ``cat`` (None: the shipped ones) gives: its file's name and sha256."""
    shipped = default_licence_catalogue().sha256
    sha = cat.sha256 if cat is not None else shipped
    name = SHIPPED if sha == shipped else Path(cat.path or "").name if cat is not None else ""
    if name == SHIPPED and sha != shipped:  # a file that happens to be called so is no shipped push
        name = f"./{name}"
    return {"catalogue": name, "catalogue_sha256": sha}


def check_remembered(
    con: duckdb.DuckDBPyConnection,
    instance: str | None,
    bank: str,
    projects: list[str],
    cat: LicenceCatalogue | None,
    shown: str,
    *,
    doing: str = "pull",
) -> None:
    """Refuse a pull (or a push: ``doing``) given no ``--catalogue`` (``cat`` None) when the last push of one of
    ``projects`` by ``bank`` to ``instance`` judged by a catalogue file other than the shipped one (a push by the
    shipped rules would send again the records that file refused). Each project is judged by its own last push
    (a pull takes out the tasks of every project it pulls: a shipped-rules push of one project says nothing of
    another's). A push by the shipped rules is no refusal when the shipped catalogue changed since (an upgrade):
    the bank named no file, then or now. Pushes from before review 14 name none and are not checked. ``instance``
    None (``push --output``, a tasks file imported by hand on any instance): the last push on any instance."""
    if cat is not None:
        return
    rows = con.execute(
        "SELECT project, arg_max(name, (started_at, run_id)), arg_max(sha, (started_at, run_id)) FROM ("
        " SELECT json_extract_string(params, '$.project') AS project, json_extract_string(params, '$.catalogue') AS name,"
        " json_extract_string(params, '$.catalogue_sha256') AS sha, started_at, run_id"
        " FROM runs WHERE command = 'annotate push' AND json_extract_string(params, '$.bank') = ?"
        " AND (?::VARCHAR IS NULL OR json_extract_string(params, '$.instance') = ?))"
        " WHERE sha IS NOT NULL AND project IN (SELECT unnest(?::VARCHAR[])) GROUP BY project ORDER BY project",
        [bank, instance, instance, list(projects)],
    ).fetchall()
    ours = catalogue_params(None)["catalogue_sha256"]
    other = [(p, name, sha) for p, name, sha in rows if name != SHIPPED and sha != ours]
    if not other:
        return
    said = "; ".join(
        f"its last {p} push to {shown} judged licences by the catalogue `{n}` (sha256 {h})" for p, n, h in other
    )
    files = sorted({n for _, n, _ in other})
    if doing == "push":  # one project per push
        raise UsageError(
            f"bank {bank}: {said}; this push by the shipped one (sha256 {ours}) would send again the records that"
            f" file refused: push with --catalogue {files[0]} (the same file), or name the shipped rules on purpose"
            f" with --catalogue {licence_catalogue_path()}"
        )
    how = (
        f"pull with --catalogue {files[0]} (the same file)"
        if len(files) == 1
        else f"pull each project with --project and its own --catalogue ({', '.join(files)})"
    )
    raise UsageError(
        f"bank {bank}: {said}; this pull by the shipped one (sha256 {ours}), which would take out or put back its "
        f"tasks by other rules: {how}, or push first with the catalogue you mean"
    )


__all__ = ["catalogue_params", "check_remembered"]
