"""A licence correction's version (``licence_terms_changed``, the terms shortcut: same text, in no ingest batch)
seals its row as a stage's version does (``new_row_sha256``, review 18): before, an UPDATE of its language,
container or creation time passed ``audit verify`` (exports read them)."""

from __future__ import annotations

import duckdb
import pytest

from tests.sources.test_manifest_terms import AGREEMENT, _manifest

_ROW = "differs from the row its creating event sealed"
_CORRECTED = "record_id = (SELECT record_id FROM provenance_events WHERE action = 'licence_terms_changed')"


@pytest.fixture
def corrected(cli, db_path, books):
    m = _manifest(books, [{"path": "deposit.txt", **AGREEMENT}])
    code, out, err = cli("ingest", "textbooks", str(m))
    assert code == 0, out + err
    _manifest(books, [{"path": "deposit.txt", **AGREEMENT, "attribution": "© 金融出版社"}])
    code, out, err = cli("ingest", "textbooks", str(m))
    assert code == 0 and "1 licence terms changed" in out, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    in_batch = con.execute(
        f"SELECT count(*) FROM records r JOIN provenance_events e ON e.action = 'ingested_batch'"
        f" AND e.run_id = r.run_id AND e.created_at = r.created_at WHERE r.{_CORRECTED}"
    ).fetchone()[0]
    con.close()
    assert in_batch == 0  # the shortcut's version: no batch digest covers it
    code, out, err = cli("audit", "verify")
    assert code == 0 and "cross-checks ok" in out, out + err
    return db_path


@pytest.mark.parametrize(
    "change",
    ["lang = 'en'", "container = 'other.txt'", "created_at = created_at - INTERVAL 400 DAY", "locator = 'x.txt'"],
)
def test_an_edited_column_of_a_licence_correction_is_named(corrected, cli, change):
    con = duckdb.connect(str(corrected))
    assert con.execute(f"UPDATE records SET {change} WHERE {_CORRECTED}").fetchone()[0] == 1
    con.close()
    code, out, err = cli("audit", "verify")
    assert code == 1 and _ROW in out, out + err
