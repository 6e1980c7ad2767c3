"""Review 8 exports #2: a manifest row for a file already in the catalogue whose licence is now blank, unknown or an
agreement without its id is quarantined, and the file's records are held from export (default deny, as for a file
whose rows disagree): the export leaves them out, ``audit licences`` names the exports made before, and a later
valid row releases the hold."""

from __future__ import annotations

import json

import pytest

from tests.sources.test_licence_disputes import COMMERCIAL, _export, _held
from tests.sources.test_manifest_terms import _blocked_codes, _manifest

LOANS = {"path": "loans.txt", "licence_id": "CC-BY-4.0"}


@pytest.mark.parametrize(
    "withdrawn",
    [
        {"licence_id": ""},  # the licensor withdrew the licence: the columns emptied
        {**COMMERCIAL, "licence_id": "LicenseRef-TABF-Agreement-2025"},  # a licence the catalogue does not know
        {**COMMERCIAL, "agreement_id": ""},  # an agreement row that lost its agreement
    ],
    ids=["blank", "unknown", "agreement-incomplete"],
)
def test_a_row_whose_licence_is_gone_holds_the_files_records_until_a_valid_row(cli, db_path, books, withdrawn):
    old = {"path": "deposit.txt", **COMMERCIAL}
    m = _manifest(books, [old, LOANS])
    assert cli("ingest", "textbooks", str(m))[0] == 0
    before = _export(cli, books.parent / "e0")
    assert before["records"] == 2

    _manifest(books, [{"path": "deposit.txt", **withdrawn}, LOANS])
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert code == 3 and "1 quarantined" in out, out
    assert "textbooks:deposit.txt: 1 records held" in out, out
    assert _held(db_path) == [("textbooks:deposit.txt", 1)]
    res = _export(cli, books.parent / "e1")
    assert res["records"] == 1 and res["blocked_by_code"] == {"licence_disputed": 1}
    assert _blocked_codes(books.parent / "e1") == ["licence_disputed"]
    assert "state no licence that holds" in (books.parent / "e1" / "blocked.csv").read_text(encoding="utf-8")
    code, out, _ = cli("audit", "licences", "--vertical")  # the export made before is recalled
    assert code == 0 and before["export_id"] in out and "licence_disputed 1" in out, out
    assert res["export_id"] not in out
    code, out, _ = cli("audit", "export", before["export_id"], "--json")
    assert [r["code"] for r in json.loads(out)["licence_refused"]] == ["licence_disputed"]

    _manifest(books, [old, LOANS])  # the licensor confirms the agreement again
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert code == 0 and "1 released from a licence hold" in out, out
    assert _held(db_path) == [] and _export(cli, books.parent / "e2")["records"] == 2
    assert cli("audit", "verify")[0] == 0


def test_a_new_file_whose_row_has_no_licence_holds_nothing(cli, db_path, books):
    m = _manifest(books, [{"path": "deposit.txt", "licence_id": ""}, LOANS])
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert code == 3 and "1 quarantined" in out and "held" not in out, out
    assert _held(db_path) == []


def test_a_manifest_whose_name_holds_a_colon_still_holds_the_withdrawn_file(cli, db_path, books):
    """A script's timestamped manifest (``m-10:00.csv``): the row locator ``m-10:00.csv:2:deposit.txt`` was split at
    the name's colon, so the withdrawn row named a file ``2:deposit.txt``: nothing was held (its records stayed
    exportable) and deposit.txt was reported as not in the manifest besides."""
    m = _manifest(books, [{"path": "deposit.txt", **COMMERCIAL}, LOANS]).rename(books / "m-10:00.csv")
    assert cli("ingest", "textbooks", str(m))[0] == 0
    _manifest(books, [{"path": "deposit.txt", "licence_id": ""}, LOANS]).rename(m)
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert code == 3 and "textbooks:deposit.txt: 1 records held" in out, out
    assert "not in manifest" not in out, out
    assert _held(db_path) == [("textbooks:deposit.txt", 1)]
    code, out, _ = cli("manifest", "check", str(m), "--json")
    rows = {r["path"]: r for r in json.loads(out)}
    assert rows["deposit.txt"]["line"] == 2 and rows["deposit.txt"]["status"] == "rejected", out
    assert [r["status"] for r in rows.values()].count("not in manifest") == 0, out
