"""The "file no longer in manifest" hold (review 16) and batches that each keep a `manifest.csv` in their own folder.

The hold first matched a record to "its" manifest by the manifest's name alone: ingesting `2024/manifest.csv` after
`2023/manifest.csv` held every file of 2023 (`file no longer in manifest`), and the bank's exports lost them until
someone put 2023's rows into 2024's manifest. A record now carries its manifest's folder (`metadata.manifest_folder`,
a digest) and only the manifest of that folder holds it; one stored before that key is held when its file is still
in the folder of the manifest that no longer names it.
"""

from __future__ import annotations

import json

import duckdb

from tests.sources.test_licence_disputes import _export, _held
from tests.sources.test_manifest_terms import _manifest

TEXT = {
    "deposit.txt": "第一章 存款\n銀行應依法辦理存款業務並保障存款人權益。\n",
    "loans.txt": "第二章 放款\n放款應審慎評估借款人之信用狀況。\n",
    "fx.txt": "第三章 外匯\n外匯業務應依中央銀行規定辦理。\n",
}


def _batch(root, year, names):
    folder = root / year
    folder.mkdir(exist_ok=True)
    for n in names:
        (folder / n).write_text(TEXT[n], encoding="utf-8")
    return _manifest(folder, [{"path": n, "licence_id": "CC-BY-4.0"} for n in names])


def test_another_folders_manifest_of_the_same_name_holds_nothing(cli, db_path, tmp_path):
    m23 = _batch(tmp_path, "2023", ["deposit.txt"])
    m24 = _batch(tmp_path, "2024", ["loans.txt", "fx.txt"])
    assert cli("ingest", "textbooks", str(m23))[0] == 0
    for _ in range(2):  # the second run too: 2024's own records are then in the catalogue
        code, out, err = cli("ingest", "textbooks", str(m24))
        assert code == 0 and "held" not in out, out + err
    assert _held(db_path) == []
    assert _export(cli, tmp_path / "e1")["records"] == 3

    _manifest(m24.parent, [{"path": "loans.txt", "licence_id": "CC-BY-4.0"}])  # fx.txt withdrawn in 2024 only
    code, out, _ = cli("ingest", "textbooks", str(m24))
    assert code == 0 and "textbooks:fx.txt: 1 records held" in out, out
    assert _held(db_path) == [("textbooks:fx.txt", 1)]
    assert cli("ingest", "textbooks", str(m23))[0] == 0  # 2023 again: holds nothing of 2024's, releases nothing
    assert _held(db_path) == [("textbooks:fx.txt", 1)]
    assert _export(cli, tmp_path / "e2")["records"] == 2


def test_records_stored_before_the_folder_key_are_held_by_the_file_left_in_the_folder(cli, db_path, tmp_path):
    m23 = _batch(tmp_path, "2023", ["deposit.txt", "loans.txt"])
    m24 = _batch(tmp_path, "2024", ["fx.txt"])
    assert cli("ingest", "textbooks", str(m23))[0] == 0
    con = duckdb.connect(str(db_path))
    try:  # as a catalogue ingested before the key holds them
        for rid, meta in con.execute("SELECT record_id, metadata FROM records").fetchall():
            meta = json.loads(meta)
            assert meta.pop("manifest_folder")
            con.execute("UPDATE records SET metadata = ? WHERE record_id = ?", [json.dumps(meta), rid])
    finally:
        con.close()
    code, out, _ = cli("ingest", "textbooks", str(m24))
    assert code == 0 and "held" not in out, out
    _manifest(m23.parent, [{"path": "loans.txt", "licence_id": "CC-BY-4.0"}])  # deposit.txt's row deleted
    code, out, _ = cli("ingest", "textbooks", str(m23))
    assert code == 0 and "textbooks:deposit.txt: 1 records held" in out, out
    assert _held(db_path) == [("textbooks:deposit.txt", 1)]
