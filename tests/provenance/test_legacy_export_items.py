"""Exports made before their items were sealed in the ledger (no ``items_digest``, before b62aa75), as a bank's
upgraded catalogue holds them: an item's licence is checked against the version it exported (review 8, F1)."""

from __future__ import annotations

import json

import duckdb
import pytest
from prov_helpers import export_public

from provenance import ledger


@pytest.fixture
def unsealed_export(builder, db_path, cli, tmp_path, monkeypatch):
    """A catalogue with one export whose event seals no items digest, written the way the old code did."""
    b = builder
    b.source("law_moj", "OGDL-Taiwan-1.0", metadata={"provider": "法務部", "year": 2025, "dataset": "全國法規資料庫"})
    b.source("fsc_press", "LicenseRef-TW-Copyright-Art9", title="金管會新聞稿")
    ids = [b.record("law_moj", f"G0380001/第 {i} 條", f"銀行法第{i}條 本法所稱銀行。") for i in range(1, 3)]
    # stored before aliases were stored as the catalogue's own id; exported under that id
    ids.append(b.record("fsc_press", "20260101", "金管會發布新聞稿。", licence_id="LicenseRef-TW-CopyrightAct-Art9"))
    # merged from a parent under another licence: exported as `A AND B`
    ids.append(b.record("law_moj", "M/1", "合併後的條文。", metadata={"licences": [{"licence_id": "CC-BY-4.0"}]}))
    b.close()
    append = ledger.append

    def legacy_append(con, events, *args, **kwargs):
        for e in events:
            if e.action == "export":
                e.detail.pop("items_digest", None)
        return append(con, events, *args, **kwargs)

    monkeypatch.setattr(ledger, "append", legacy_append)
    export_public(cli, tmp_path / "old-export", "--non-commercial")
    monkeypatch.undo()
    con = duckdb.connect(str(db_path), read_only=True)
    detail = json.loads(con.execute("SELECT detail FROM provenance_events WHERE action = 'export'").fetchone()[0])
    lics = dict(con.execute("SELECT record_id, licence_id FROM export_items").fetchall())
    con.close()
    assert "items_digest" not in detail and set(lics) == set(ids)
    assert lics[ids[2]] == "LicenseRef-TW-Copyright-Art9" and lics[ids[3]] == "OGDL-Taiwan-1.0 AND CC-BY-4.0"
    return detail["export_id"], ids


def _edit(db_path, sql: str) -> None:
    con = duckdb.connect(str(db_path))
    con.execute(sql)
    con.close()


def test_an_unsealed_exports_items_verify_as_exported(unsealed_export, cli, tmp_path):
    code, out, err = cli("audit", "verify")
    assert code == 0 and "1 exports predate sealed item digests" in out, out + err
    code, out, err = cli("audit", "verify-export", str(tmp_path / "old-export"))
    assert code == 0, out + err


@pytest.mark.parametrize("which", [0, 2, 3])
def test_a_forged_item_licence_of_an_unsealed_export_is_named(unsealed_export, db_path, cli, tmp_path, which):
    export_id, ids = unsealed_export
    _edit(db_path, f"UPDATE export_items SET licence_id = 'CC0-1.0' WHERE record_id = '{ids[which]}'")
    code, out, err = cli("audit", "verify")
    assert code == 1 and "exported item's licence is not the licence of the version it exported" in out, out + err
    assert f"{export_id}:{ids[which]}" in out, out
    code, out, err = cli("audit", "verify-export", str(tmp_path / "old-export"))
    assert code == 1 and "disagree on the licence of 1 records" in out + err, out + err
