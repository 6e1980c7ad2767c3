"""`curate pii rekey` renames versions: their row seals (``new_row_sha256``, review 18) must follow them.

A stage's version is sealed by its creating event under its old id; the rekey's ``record_rekeyed`` event names the
new one. Without the seal carried there, every rekeyed version's language, container, stage and creation time
went unchecked (an UPDATE passed ``audit verify``), silently.
"""

from __future__ import annotations

import duckdb
import pytest

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
