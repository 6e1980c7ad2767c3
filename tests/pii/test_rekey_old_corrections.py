"""Review 18 (annot): `curate pii rekey` left the plain id and sha256 digest of a proofreading correction an older
pull made (before review 15 pulls keyed every correction, whatever its source) unless its source was marked
``pii_expected`` and the version corrected was unchecked raw text. Push sends only versions that passed the PII stage,
so that was almost none: a correction of a scrubbed version, or of any version of a source not marked pii_expected,
kept a plain sha256 of the text a person typed (a phone or ID number the annotator typed in: a brute-force oracle
for ``curate sql``). A rekey now keys every such correction (a version a ``proofread_fix`` event made), as a pull
today would make it, and what derives from it; a PII review's version (scrubbed text) stays as pull makes it.
"""

from __future__ import annotations

import hashlib
import json

import duckdb
from pii_oracle import KEY

FIXED = "第1條 客戶王小明，手機0912345678，授信額度依規定辦理。"


def _rows(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT record_id, content_sha256, stage FROM records WHERE stage IN ('annotation', 'hygiene') ORDER BY stage"
        ).fetchall()
    finally:
        con.close()


def test_rekey_keys_an_older_pulls_correction_of_a_checked_version_of_any_source(tmp_path, cli, db_path, monkeypatch):
    from annotation.versions import NewVersion, create_versions
    from provenance import db, runs

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    src = tmp_path / "laws.jsonl"
    src.write_text(
        json.dumps({"id": "l1", "text": "第1條 客戶〔姓名〕於本行開戶，授信額度依規定辦理。"}, ensure_ascii=False)
        + "\n"
    )
    code, out, err = cli("--quiet", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", "--source-id", "laws")
    assert code == 0, err
    code, out, err = cli("--quiet", "run", "pii", "--workers", "1")  # checked, as push needs
    assert code == 0, out + err
    con = db.connect(db_path)
    try:
        (parent,) = con.execute(
            "SELECT record_id FROM records WHERE status = 'active' AND pii_state IN ('clean', 'scrubbed')"
        ).fetchone()
        run_id = runs.start_run(con, "annotate pull", "x")  # as a pull before review 15 made it: plain
        (old,) = create_versions(con, [NewVersion(parent, FIXED, "proofread_fix")], stage="annotation", run_id=run_id)
        con.execute("UPDATE records SET pii_state = NULL WHERE record_id = ?", [old])  # typed: unchecked, as pull
        runs.finish_run(con, run_id)
    finally:
        con.close()
    plain = hashlib.sha256(FIXED.encode()).hexdigest()
    assert _rows(db_path) == [(old, plain, "annotation")]
    code, out, err = cli("pii", "rekey")
    assert code == 0, out + err
    ((rid, digest, _),) = _rows(db_path)
    assert digest != plain and digest.startswith("hmac:"), digest
    assert rid != old  # the id was a plain sha256 of the parent and the typed text
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    code, out, err = cli("pii", "rekey")  # once
    assert code == 0 and _rows(db_path)[0][0] == rid, out + err
