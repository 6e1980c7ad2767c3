"""A version's columns that no step changes after it is written are sealed by the ledger (review 18).

The exports, reports and the portal read a version's language, container, stage and creation time; before, an
insider's UPDATE of any of them passed `audit verify`. An ingested version's are in its batch digest (``digest_v``
3: language, container); a stage's version's in its creating event (``new_row_sha256``: identity, language,
container, stage, creation time). Tried through plain DuckDB on a catalogue made by the real CLI.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.provenance.test_crosscheck import _sql
from tests.provenance.test_identity_tamper import _CHAIN, _ROOT, _catalogue

_BATCH = "ingest batch digest mismatch"
_ROW = "differs from the row its creating event sealed"


@pytest.fixture
def catalogue(cli, tmp_path, db_path):
    _catalogue(cli, tmp_path, db_path)
    con = duckdb.connect(str(db_path), read_only=True)
    seals = [
        json.loads(d)
        for (d,) in con.execute(
            "SELECT detail FROM provenance_events WHERE json_exists(detail, '$.new_record_id')"
        ).fetchall()
    ]
    con.close()
    assert len(seals) == 2 and all(s["new_row_v"] == 1 and len(s["new_row_sha256"]) == 64 for s in seals), seals
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out, out + err
    return db_path


@pytest.mark.parametrize(
    "edit,problem",
    [
        (f"UPDATE records SET lang = 'en' WHERE {_ROOT}", _BATCH),
        (f"UPDATE records SET lang = NULL WHERE {_ROOT}", _BATCH),
        (f"UPDATE records SET container = 'other.zip' WHERE {_ROOT}", _BATCH),
        ("UPDATE records SET lang = 'en' WHERE stage = 'hygiene'", _ROW),
        ("UPDATE records SET container = 'other.zip' WHERE stage = 'normalise'", _ROW),
        ("UPDATE records SET created_at = created_at - INTERVAL 400 DAY WHERE stage = 'hygiene'", _ROW),
        ("UPDATE records SET stage = 'pii' WHERE stage = 'normalise'", _ROW),
        (f"UPDATE records SET locator = 'elsewhere' WHERE {_CHAIN}", _BATCH),
    ],
)
def test_an_edited_sealed_column_is_named(catalogue, cli, edit, problem):
    _sql(catalogue, edit)
    code, out, err = cli("audit", "verify")
    assert code == 1 and problem in out + err, out + err


def test_an_identity_edit_of_a_stage_version_is_named_by_its_seal_too(catalogue, cli):
    _sql(catalogue, "UPDATE records SET locator = 'elsewhere' WHERE stage = 'hygiene'")
    code, out, err = cli("audit", "verify")
    assert code == 1 and _ROW in out, out + err


def test_columns_that_move_by_their_events_still_verify(catalogue, cli):
    """status, pii_state and near duplicates move after the version is written: their own events decide."""
    code, out, err = cli("-q", "run", "dedup", "--workers", "1")
    assert code == 0, out + err
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out, out + err
