"""Review of the fixes 18 (annot): `curate pii rekey` keyed an older pull's correction only while its digest was
plain. A correction holding a typed phone number is the one the PII stage seals: the seal keyed its digest but left
its id, a plain sha256 of its parent's id and the typed text (a brute-force oracle in ``curate sql``), and the rekey
passed it by. It is keyed as a pull keys one today, and what derives from it follows."""

from __future__ import annotations

import json

import duckdb
from pii_oracle import KEY

from provenance.records import derived_record_id

FIXED = "第1條 客戶王小明，手機0912345678，授信額度依規定辦理。"


def _ids(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT record_id, version_of, stage, content_sha256 FROM records").fetchall()
    finally:
        con.close()


def test_rekey_keys_the_id_of_an_older_pulls_correction_the_pii_stage_sealed(tmp_path, cli, db_path, monkeypatch):
    from annotation.versions import NewVersion, create_versions
    from provenance import db, runs

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    src = tmp_path / "laws.jsonl"
    src.write_text(json.dumps({"id": "l1", "text": "第1條 客戶〔姓名〕於本行開戶。"}, ensure_ascii=False) + "\n")
    assert cli("--quiet", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", "--source-id", "laws")[0] == 0
    assert cli("--quiet", "run", "pii", "--workers", "1")[0] == 0
    con = db.connect(db_path)
    try:
        (parent,) = con.execute("SELECT record_id FROM records WHERE status = 'active'").fetchone()
        run_id = runs.start_run(con, "annotate pull", "x")  # as a pull before review 15 made it: plain
        (old,) = create_versions(con, [NewVersion(parent, FIXED, "proofread_fix")], stage="annotation", run_id=run_id)
        con.execute("UPDATE records SET pii_state = NULL WHERE record_id = ?", [old])
        runs.finish_run(con, run_id)
    finally:
        con.close()
    assert old == derived_record_id(parent, "annotation", FIXED)
    code, out, err = cli("--quiet", "run", "pii", "--workers", "1")  # seals it: the phone number found
    assert code == 0, out + err
    assert any(r[0] == old and r[3].startswith("hmac:") for r in _ids(db_path))  # digest keyed, id plain
    code, out, err = cli("pii", "rekey")
    assert code == 0, out + err
    rows = _ids(db_path)
    assert old not in {r[0] for r in rows} and old not in {r[1] for r in rows}, rows
    (new,) = [r[0] for r in rows if r[2] == "annotation"]
    (scrubbed,) = [r for r in rows if r[2] == "pii" and r[1] != parent and r[0] != parent]
    assert scrubbed[1] == new  # the PII stage's version follows its parent
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    code, out, err = cli("pii", "rekey")  # once
    assert code == 0 and [r[0] for r in _ids(db_path) if r[2] == "annotation"] == [new], out + err
