"""A record version moved to another run by hand is caught by `curate audit verify` (review 16, ledger).

Which run made a version (its config, code version, who ran it: `curate audit record`, `runs list`) is part of its
provenance. A batch member moved to another run leaves its batch (its digest fails), but a stage's version, or one
made by a per-record ingest event, could be moved to any other run unnoticed: the creating event's run was never
compared with the row's. Tried through plain DuckDB on catalogues the real CLI made."""

from __future__ import annotations

import pytest

from tests.provenance.test_crosscheck import _sql
from tests.provenance.test_identity_tamper import _catalogue

_MOVED = "run_id differs from the run of its creating event"


def _other_run(db_path, stage):
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(
            "SELECT min(run_id) FROM runs WHERE run_id NOT IN (SELECT run_id FROM records WHERE stage = ?)", [stage]
        ).fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("stage", ["hygiene", "normalise"])
def test_a_stage_version_moved_to_another_run_is_named(cli, tmp_path, db_path, stage):
    _catalogue(cli, tmp_path, db_path)
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out, out + err
    other = _other_run(db_path, stage)
    assert other is not None
    _sql(db_path, f"UPDATE records SET run_id = '{other}' WHERE stage = '{stage}'")
    code, out, err = cli("audit", "verify")
    assert code == 1 and _MOVED in out, out + err


def test_a_per_record_ingested_version_moved_to_another_run_is_named(history, db_path, cli):
    _sql(
        db_path,
        "UPDATE records SET run_id = (SELECT max(run_id) FROM runs WHERE run_id <> 'run-test')"
        " WHERE record_id = (SELECT min(record_id) FROM records WHERE stage = 'ingest')",
    )
    code, out, err = cli("audit", "verify")
    assert code == 1 and _MOVED in out, out + err
