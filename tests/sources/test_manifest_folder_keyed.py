"""A pii_expected manifest's ``metadata.manifest_folder`` (review 16) is keyed, as its ``file_sha256`` is.

It was a plain sha256 of the folder's resolved path, readable by `curate sql`: a folder named for a customer
(``客戶_王小明_A123456789/``, as a branch's scans are filed) was guessed back from it offline by hashing the ID
numbers under the known rest of the path, while the ids and file names of that source are keyed pseudonyms.
The "file no longer in manifest" hold still finds the folder's records by the keyed digest.
"""

from __future__ import annotations

import json

import duckdb

from sources.manifest_rows import folder_key
from tests.sources.test_licence_disputes import _held
from tests.sources.test_manifest_terms import _manifest

FOLDER = "客戶_王小明_A123456789"


def _folders(db_path) -> list[str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT metadata FROM records WHERE status = 'active' ORDER BY container").fetchall()
    finally:
        con.close()
    return [json.loads(m)["manifest_folder"] for (m,) in rows]


def _two_files_ingested(cli, tmp_path, monkeypatch):
    """A folder named for a customer holding two textbook files and their manifest, ingested as pii_expected under a
    PII key: (the folder, its manifest, the manifest's rows)."""
    monkeypatch.setenv("CURATE_PII_KEY", "0123456789abcdef0123456789abcdef")
    folder = tmp_path / FOLDER
    folder.mkdir()
    (folder / "deposit.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    (folder / "loans.txt").write_text("第二章 放款\n放款應審慎評估借款人之信用狀況。\n", encoding="utf-8")
    rows = [{"path": "deposit.txt", "licence_id": "CC-BY-4.0"}, {"path": "loans.txt", "licence_id": "CC-BY-4.0"}]
    m = _manifest(folder, rows)
    code, out, err = cli("ingest", "textbooks", str(m), "--pii-expected")
    assert code == 0, out + err
    return folder, m, rows


def test_the_manifest_folder_of_a_pii_expected_source_is_keyed_and_still_holds(cli, db_path, tmp_path, monkeypatch):
    folder, m, rows = _two_files_ingested(cli, tmp_path, monkeypatch)
    stored = _folders(db_path)
    plain = folder_key(folder)
    assert len(stored) == 2 and plain not in stored, stored  # no unkeyed digest of the path
    assert all(s.startswith("hmac:") for s in stored), stored

    # renamed: the old file is no longer in the folder, so only its keyed folder digest ties it to this manifest
    (folder / "deposit.txt").rename(folder / "deposit_v2.txt")
    _manifest(folder, [{"path": "deposit_v2.txt", "licence_id": "CC-BY-4.0"}, rows[1]])
    code, out, err = cli("ingest", "textbooks", str(m), "--pii-expected")
    assert code == 0 and "no longer in manifest" in out, out + err
    assert [c for c, _ in _held(db_path)] == ["textbooks:deposit.txt"]


def test_rekey_keys_the_plain_manifest_digests_a_catalogue_stored_before(cli, db_path, tmp_path, monkeypatch):
    """A pii_expected catalogue ingested before the folder digest was keyed holds it plain (and one ingested before
    keyed ids, its ``file_sha256`` too): `curate pii rekey` said "nothing to rekey" and left the path's digest readable
    by `curate sql`. It keys both as a fresh keyed ingest does, and the hold still finds the folder's records."""
    folder, m, rows = _two_files_ingested(cli, tmp_path, monkeypatch)
    fresh = _folders(db_path)
    plain = folder_key(folder)
    con = duckdb.connect(str(db_path))  # as stored before review 16
    con.execute("UPDATE records SET metadata = json_merge_patch(metadata, json_object('manifest_folder', ?))", [plain])
    con.close()
    assert _folders(db_path) == [plain, plain]

    code, out, err = cli("pii", "rekey")
    assert code == 0 and "nothing to rekey" not in out, out + err
    assert _folders(db_path) == fresh  # what a keyed ingest stores
    code, out, err = cli("pii", "rekey")
    assert code == 0 and "nothing to rekey" in out, out + err
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err

    (folder / "deposit.txt").rename(folder / "deposit_v2.txt")
    _manifest(folder, [{"path": "deposit_v2.txt", "licence_id": "CC-BY-4.0"}, rows[1]])
    code, out, err = cli("ingest", "textbooks", str(m), "--pii-expected")
    assert code == 0 and "no longer in manifest" in out, out + err
    assert [c for c, _ in _held(db_path)] == ["textbooks:deposit.txt"]
