"""A record's identity (doc key, source, locator) edited outside the tool is caught by `curate audit verify`.

The first version of a document is covered by its ingest batch's digest (``digest_v`` 2); a stage's version by
equality with the version it derives from. Tried through plain DuckDB on a catalogue made by the real CLI.
"""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.provenance.test_crosscheck import _sql

_DOCS = [
    {
        "id": "a1",
        "title": "金融公告",
        "text": "本行  公告：\u200b存款利率調整。",
        "agency": "金管會",
    },  # hygiene rewrites it
    {
        "id": "a2",
        "title": "利率",
        "text": "银行存款利率调整说明，请客户注意。",
        "agency": "金管會",
    },  # normalise rewrites it
    {"id": "a3", "title": "年費", "text": "信用卡年費說明。", "agency": "金管會"},  # stays as ingested
]


def _catalogue(cli, tmp_path, db_path) -> None:
    src = tmp_path / "moda.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in _DOCS), encoding="utf-8")
    code, out, err = cli("-q", "ingest", "moda", str(src), "--licence", "OGDL-Taiwan-1.0")
    assert code == 0, out + err
    for stage in ("hygiene", "normalise"):
        code, out, err = cli("-q", "run", stage, "--workers", "1")
        assert code == 0, out + err


@pytest.fixture
def catalogue(cli, tmp_path, db_path):
    _catalogue(cli, tmp_path, db_path)
    con = duckdb.connect(str(db_path), read_only=True)
    stages = dict(con.execute("SELECT stage, count(*) FROM records GROUP BY 1").fetchall())
    batch = json.loads(
        con.execute("SELECT detail FROM provenance_events WHERE action = 'ingested_batch'").fetchone()[0]
    )
    con.close()
    assert stages == {"ingest": 3, "hygiene": 1, "normalise": 1} and batch["digest_v"] == 3
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out and "predate identity digests" not in out, out + err
    assert "per-record ingest events" not in out, out  # its first versions are in a batch, new versions too
    return db_path


_ROOT = "stage = 'ingest' AND doc_key LIKE '%:id=a3'"  # a document with one version
_CHAIN = "doc_key LIKE '%:id=a1'"  # a document with an ingested and a hygiene version
_BATCH = "ingest batch digest mismatch"
_PARENT = "differs from the version it derives from"


@pytest.mark.parametrize(
    "edit,problem",
    [
        (f"UPDATE records SET locator = 'elsewhere.jsonl#line=9' WHERE {_ROOT}", _BATCH),
        (f"UPDATE records SET doc_key = 'moda::id=zz' WHERE {_ROOT}", _BATCH),
        (f"UPDATE records SET source_id = 'law_moj' WHERE {_ROOT}", _BATCH),
        # every version of a document at once: its first version's batch digest
        (f"UPDATE records SET locator = 'elsewhere.jsonl#line=9' WHERE {_CHAIN}", _BATCH),
        (f"UPDATE records SET doc_key = 'moda::id=zz' WHERE {_CHAIN}", _BATCH),
        # a stage's version alone: it no longer equals the version it derives from
        (f"UPDATE records SET locator = 'elsewhere.jsonl#line=9' WHERE {_CHAIN} AND stage = 'hygiene'", _PARENT),
        ("UPDATE records SET doc_key = 'moda::id=zz' WHERE stage = 'normalise'", _PARENT),
        (f"DELETE FROM records WHERE {_CHAIN} AND stage = 'ingest'", "version_of names no record"),
    ],
)
def test_identity_edits_are_named(catalogue, cli, edit, problem):
    if "source_id = 'law_moj'" in edit:
        _sql(catalogue, "INSERT INTO sources SELECT * REPLACE ('law_moj' AS source_id) FROM sources LIMIT 1")
    _sql(catalogue, edit)
    code, out, err = cli("audit", "verify")
    assert code == 1 and problem in out + err, out + err


def test_a_locator_swap_within_one_batch_is_named(catalogue, cli):
    """Two members trading locators keep the batch's multiset of locators: the lines pair each with its id."""
    _sql(
        catalogue,
        "UPDATE records SET locator = CASE WHEN doc_key LIKE '%:id=a3' THEN 'moda.jsonl#line=2'"
        " ELSE 'moda.jsonl#line=3' END WHERE stage = 'ingest' AND (doc_key LIKE '%:id=a2' OR doc_key LIKE '%:id=a3')",
        "UPDATE records SET locator = 'moda.jsonl#line=3' WHERE stage = 'normalise'",
    )
    code, out, err = cli("audit", "verify")
    assert code == 1 and _BATCH in out, out + err


def test_older_batches_are_named_and_still_checked_by_chain(cli, tmp_path, db_path, monkeypatch):
    """A catalogue whose batch events predate identity digests (``digest_v`` absent) verifies, says what it could
    not check, and still catches a stage's version edited alone."""
    import curate.ingest

    monkeypatch.setattr(curate.ingest, "DIGEST_VERSION", 1)
    _catalogue(cli, tmp_path, db_path)
    monkeypatch.undo()
    con = duckdb.connect(str(db_path), read_only=True)
    detail = json.loads(
        con.execute("SELECT detail FROM provenance_events WHERE action = 'ingested_batch'").fetchone()[0]
    )
    con.close()
    assert detail["digest_v"] == 1
    code, out, err = cli("audit", "verify")
    assert code == 0 and "1 ingest batch events predate identity digests" in out, out + err
    _sql(db_path, f"UPDATE records SET locator = 'x' WHERE {_CHAIN} AND stage = 'hygiene'")
    code, out, err = cli("audit", "verify")
    assert code == 1 and _PARENT in out, out + err


def test_an_unknown_digest_version_is_a_clear_error(catalogue, cli):
    from provenance.batches import batch_digest
    from provenance.errors import CatalogueError

    con = duckdb.connect(str(catalogue), read_only=True)
    try:
        run_id, at = con.execute(
            "SELECT run_id, created_at FROM provenance_events WHERE action = 'ingested_batch'"
        ).fetchone()
        assert batch_digest(con, run_id, at, 1) != batch_digest(con, run_id, at, 2)
        with pytest.raises(CatalogueError, match="version 9 is unknown"):
            batch_digest(con, run_id, at, 9)
    finally:
        con.close()


def test_a_terms_corrections_locator_is_covered(cli, tmp_path, db_path):
    """A licence-terms correction's version is written outside any ingest batch, with its parent's locator."""
    src = tmp_path / "moda.jsonl"
    src.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in _DOCS), encoding="utf-8")
    for licence in ("OGDL-Taiwan-1.0", "CC-BY-4.0"):
        code, out, err = cli("-q", "ingest", "moda", str(src), "--licence", licence)
        assert code == 0, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    (rid,) = con.execute(
        "SELECT record_id FROM provenance_events WHERE action = 'licence_terms_changed' ORDER BY seq LIMIT 1"
    ).fetchone()
    con.close()
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    _sql(db_path, f"UPDATE records SET locator = 'forged#line=999' WHERE record_id = '{rid}'")
    code, out, err = cli("audit", "verify")
    assert code == 1 and _PARENT in out, out + err


def test_re_exports_into_one_folder_are_all_sealed(catalogue, cli, tmp_path):
    """Three exports of one id (re-exports with --overwrite): no note that some predate sealed item digests."""
    args = ["export", "dataset", "--purpose", "training", "--audience", "consortium", "--commercial"]
    args += ["--pii-gate", "expected", "--out", str(tmp_path / "e")]
    assert cli("-q", *args)[0] in (0, 3)
    for _ in range(2):
        code, out, err = cli("-q", *args, "--overwrite")
        assert code in (0, 3), out + err
    code, out, err = cli("audit", "verify")
    assert code == 0 and "predate sealed item digests" not in out, out + err


def test_versions_of_per_record_ingest_events_are_counted(mixed, db_path, cli):
    """Catalogues from before ingest batches have one ingest event per version, with its digest and licence and no
    identity: a doc key edited in every version of its document went unnoticed, and no note said it was not checked
    (review 12). The note counts them; the chain check between versions still stands."""
    con = duckdb.connect(str(db_path), read_only=True)
    n = con.execute("SELECT count(*) FROM records WHERE stage = 'ingest'").fetchone()[0]
    con.close()
    code, out, err = cli("audit", "verify")
    assert code == 0 and f"{n} record versions were created by per-record ingest events" in out, out + err
    _sql(db_path, f"UPDATE records SET doc_key = 'law_moj:forged' WHERE record_id = '{mixed['law'][0]}'")
    code, out, err = cli("audit", "verify")  # not caught: what the note says
    assert code == 0 and "per-record ingest events" in out, out + err
    _sql(db_path, f"UPDATE records SET doc_key = 'sanctions:forged' WHERE record_id = '{mixed['pii_raw_parent'][0]}'")
    code, out, err = cli("audit", "verify")  # its scrubbed version still names the old one: caught
    assert code == 1 and _PARENT in out, out + err
