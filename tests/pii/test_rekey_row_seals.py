"""`curate pii rekey` renames versions: their row seals (``new_row_sha256``, review 18) must follow them.

A stage's version is sealed by its creating event under its old id; the rekey's ``record_rekeyed`` event names the
new one. Without the seal carried there, every rekeyed version's language, container, stage and creation time
went unchecked (an UPDATE passed ``audit verify``), silently.
"""

from __future__ import annotations

import json

import duckdb
import pytest
from pii_oracle import KEY, _plain_path

import curate.pii.rekey
from tests.pii.test_rekey import old_catalogue  # noqa: F401 (fixture)

_ROW = "differs from the row its creating event sealed"
_EDIT = "UPDATE records SET lang = 'en' WHERE stage = 'pii'"


def _sql(db, sql: str) -> None:
    con = duckdb.connect(str(db))
    try:
        assert con.execute(sql).fetchone()[0] == 1
    finally:
        con.close()


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_rekeyed_version_keeps_its_row_seal(old_catalogue, cli, when):  # noqa: F811
    if when == "before":  # an edit made before the rekey: the seal is carried, not recomputed from the row
        _sql(old_catalogue, _EDIT)
    code, out, err = cli("pii", "rekey", db=old_catalogue)
    assert code == 0 and "rekeyed" in out, out + err
    con = duckdb.connect(str(old_catalogue), read_only=True)
    carried = con.execute(
        "SELECT count(*) FROM provenance_events e JOIN records r ON r.record_id = json_extract_string(e.detail, '$.new_record_id')"
        " WHERE e.action = 'record_rekeyed' AND r.stage = 'pii' AND json_exists(e.detail, '$.new_row_sha256')"
    ).fetchone()[0]
    con.close()
    assert carried == 1
    if when == "after":
        code, out, err = cli("audit", "verify", db=old_catalogue)
        assert code == 0 and "cross-checks ok" in out, out + err
        _sql(old_catalogue, _EDIT)
    code, out, err = cli("audit", "verify", db=old_catalogue)
    assert code == 1 and _ROW in out, out + err


def _one(db, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("staged", [False, True])
def test_a_licence_correction_renamed_by_the_rekey_keeps_its_row_seal(tmp_path, cli, monkeypatch, staged):
    """A licence correction (``licence_terms_changed``: its record, not ``new_record_id``, names the sealed version,
    records.SEALED_ID_SQL) made before the rekey: the rekey's carry must find its seal as the check does."""
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    db = tmp_path / "c.duckdb"
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps({"id": "1", "text": "客戶王小明手機0912345678。"}, ensure_ascii=False) + "\n")
    with monkeypatch.context() as m:  # made before keyed ids: plain ids, renamed by the rekey
        _plain_path(m)
        m.setattr(curate.pii.rekey, "key_sealed_digests", lambda *a, **k: 0)
        ingest = ("ingest", "moda", str(calls), "--pii-expected", "--licence")
        assert cli("-q", *ingest, "OGDL-Taiwan-1.0", db=db)[0] == 0
        for stage in ("hygiene", "pii") if staged else ():
            assert cli("-q", "run", stage, "--workers", "1", db=db)[0] == 0
        code, out, err = cli(*ingest, "CC-BY-4.0", db=db)
        assert code == 0 and "licence terms changed" in out, out + err
    assert _one(db, "SELECT count(*) FROM records WHERE licence_id = 'CC-BY-4.0'") == 1
    corrected = "SELECT record_id FROM records WHERE licence_id = 'CC-BY-4.0'"
    before = _one(db, corrected)
    code, out, err = cli("pii", "rekey", db=db)
    assert code == 0 and "rekeyed" in out, out + err
    assert _one(db, corrected) != before  # renamed
    code, out, err = cli("audit", "verify", db=db)
    assert code == 0 and "cross-checks ok" in out, out + err
    _sql(db, "UPDATE records SET lang = 'en' WHERE licence_id = 'CC-BY-4.0'")
    code, out, err = cli("audit", "verify", db=db)
    assert code == 1 and _ROW in out, out + err
