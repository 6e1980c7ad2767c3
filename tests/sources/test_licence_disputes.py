"""Review r4 docs #3: a licence correction that makes a file's manifest rows disagree holds the file's records
from export (``licence_disputed``) until its rows agree again; a row naming an unknown licence id disputes too."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.sources.test_manifest_terms import AGREEMENT, _blocked_codes, _manifest

COMMERCIAL = {**AGREEMENT, "commercial": "yes", "attribution": "© 金融出版社"}


def _export(cli, out, *extra):
    code, stdout, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--pii-gate",
        "expected", "--commercial", "--out", str(out), "--json", *extra,
    )  # fmt: skip
    assert code == 0, err
    return json.loads(stdout)


def _held(db_path) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT container, records FROM licence_holds ORDER BY 1").fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("added", ["CC-BY-NC-SA-4.0", "CC-BY-NC-ND-9.9-unknown"])
def test_a_correction_beside_the_old_row_holds_the_file_until_its_rows_agree(cli, db_path, books, added):
    old = {"path": "deposit.txt", **COMMERCIAL}
    m = _manifest(books, [old, {"path": "loans.txt", "licence_id": "CC-BY-4.0"}])
    code, out, err = cli("ingest", "textbooks", str(m))
    assert code == 0, err
    before = _export(cli, books.parent / "e0")
    assert before["records"] == 2

    # the licensor says it is CC BY-NC-SA: the curator adds a row, the old one still there
    _manifest(
        books, [old, {"path": "deposit.txt", "licence_id": added}, {"path": "loans.txt", "licence_id": "CC-BY-4.0"}]
    )
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert (
        code == 3
        and "1 records held from export (their file's manifest rows disagree or state no licence that holds)" in out
    ), out
    assert "unchanged" in out and "1 unchanged" in out  # loans.txt only: deposit.txt is not kept silently
    assert "held 1: licence_disputed" in out and "textbooks:deposit.txt: 1 records held" in out
    assert _held(db_path) == [("textbooks:deposit.txt", 1)]
    res = _export(cli, books.parent / "e1")
    assert res["records"] == 1 and res["blocked_by_code"] == {"licence_disputed": 1}
    assert _blocked_codes(books.parent / "e1") == ["licence_disputed"]
    code, out, _ = cli("ingest", "textbooks", str(m))  # the same dispute again: held once
    assert code == 3 and _held(db_path) == [("textbooks:deposit.txt", 1)]
    # the export made before the dispute shipped the held file's record: the licence recall names it
    code, out, _ = cli("audit", "exports", "--json")
    counts = {e["export_id"]: e["licence_refused"] for e in json.loads(out)}
    assert counts == {before["export_id"]: 1, res["export_id"]: 0}
    code, out, _ = cli("audit", "export", before["export_id"], "--json")
    assert [r["code"] for r in json.loads(out)["licence_refused"]] == ["licence_disputed"]

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        (rid,) = con.execute(
            "SELECT record_id FROM records WHERE container = 'textbooks:deposit.txt' AND status = 'active'"
        ).fetchone()
    finally:
        con.close()
    code, out, _ = cli("audit", "record", rid)
    assert code == 0 and "held     from export since" in out and "licence_disputed" in out

    # the rows agree again (the correction alone): a terms-only correction, and the hold is released
    if added == "CC-BY-NC-SA-4.0":
        _manifest(
            books, [{"path": "deposit.txt", "licence_id": added}, {"path": "loans.txt", "licence_id": "CC-BY-4.0"}]
        )
    else:
        _manifest(books, [old, {"path": "loans.txt", "licence_id": "CC-BY-4.0"}])
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert code == 0 and "1 released from a licence hold" in out, out
    assert _held(db_path) == []
    code, out, _ = cli("audit", "verify")
    assert code == 0, out
    if added != "CC-BY-NC-SA-4.0":  # released under the old terms: the early export is not named any more
        code, out, _ = cli("audit", "export", before["export_id"], "--json")
        assert json.loads(out)["licence_refused"] == []
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        actions = [a for (a,) in con.execute("SELECT action FROM provenance_events ORDER BY seq").fetchall()]
    finally:
        con.close()
    assert actions.count("licence_disputed") == 1 and actions.count("licence_dispute_released") == 1


def test_audit_verify_names_a_hold_deleted_without_a_release(cli, db_path, books):
    m = _manifest(books, [{"path": "deposit.txt", **COMMERCIAL}])
    assert cli("ingest", "textbooks", str(m))[0] == 0
    _manifest(books, [{"path": "deposit.txt", **COMMERCIAL}, {"path": "deposit.txt", "licence_id": "CC-BY-4.0"}])
    assert cli("ingest", "textbooks", str(m))[0] == 3
    assert cli("audit", "verify")[0] == 0
    con = duckdb.connect(str(db_path))
    try:
        con.execute("DELETE FROM licence_holds")
    finally:
        con.close()
    code, out, _ = cli("audit", "verify")
    assert code != 0 and "licence hold deleted without a licence_dispute_released event" in out, out
