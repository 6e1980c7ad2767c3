"""A metadata value is read after its key, as a value after that field label in text: a MODA CSV's `姓名`,
`帳號`, `護照號碼`, `生日` columns and a JSONL `聯絡人` were each checked alone (`李大同`, a bare number), found
nothing, and the record was marked clean with every value kept."""

import json

import duckdb

from curate.pii.engine import PiiDetector
from curate.pii.fields import labelled_text, leaf_labels, string_leaves, unlabelled

CSV = (
    "id,text,姓名,帳號,護照號碼,生日,備註\n"
    "p1,開戶申請已完成審核。,李大同,12345678901234,312345678,1985-07-21,已完成審核\n"
)
SECRETS = ("李大同", "12345678901234", "312345678", "1985-07-21", "王小明", "陳美玲", "886912345678")


def _active_metadata(db_path) -> list[dict]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT metadata, pii_state FROM records WHERE status = 'active'").fetchall()
    finally:
        con.close()
    assert all(state == "scrubbed" for _, state in rows), rows
    return [json.loads(m) for m, _ in rows]


def test_csv_and_jsonl_fields_are_read_after_their_keys(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "ab" * 32)
    (tmp_path / "people.csv").write_text(CSV, encoding="utf-8")
    rows = [
        {"id": "j1", "text": "聯絡資料如附。", "聯絡人": "王小明"},
        {"id": "j2", "text": "聯絡資料如附。", "contactName": "陳美玲", "mobile": 886912345678},
    ]
    (tmp_path / "people.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    for name in ("people.csv", "people.jsonl"):
        code, _, err = cli(
            "-q", "ingest", "moda", str(tmp_path / name), "--licence", "OGDL-Taiwan-1.0", "--pii-expected"
        )
        assert code == 0, err
    assert cli("-q", "run", "hygiene")[0] == 0
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    metas = _active_metadata(db_path)
    dumped = json.dumps(metas, ensure_ascii=False)
    for s in SECRETS:
        assert s not in dumped, s
    csv_fields = next(m["fields"] for m in metas if m.get("id") == "p1")
    assert csv_fields["姓名"] == "〔姓名〕" and csv_fields["備註"] == "已完成審核"  # the label is not scrubbed into
    code, out, _ = cli("pii", "scan")
    assert code == 0 and "no personal value found" in out, out


def test_label_spans_map_back_to_the_value():
    det = PiiDetector()
    meta = {"負責人": "林大同", "account": "12345678901234", "law_name": "銀行法", "A123456789": "x"}
    leaves = dict(string_leaves(meta, keys=True))
    labels = leaf_labels(meta)
    assert labels == {"metadata.負責人": "負責人", "metadata.account": "帳號"}
    found = {
        path: unlabelled(labels.get(path), det.analyze(labelled_text(labels.get(path), value)))
        for path, value in leaves.items()
    }
    assert [(leaves["metadata.負責人"][s.start : s.end], s.entity_type) for s in found["metadata.負責人"]] == [
        ("林大同", "PERSON")
    ]
    assert [(s.start, s.end, s.entity_type) for s in found["metadata.account"]] == [(0, 14, "TW_BANK_ACCOUNT")]
    assert found["metadata.law_name"] == []
