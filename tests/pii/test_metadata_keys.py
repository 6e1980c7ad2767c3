"""Metadata keys and numbers are personal data too: a contact list keyed by national ID, a phone stored as a JSON
number. Both were left as they were (keys were paths, not checked; only strings were), and a key that was an ID
went into the ledger as part of the scrubbed field's path."""

import json

import duckdb

ROW = {
    "id": "k1",
    "text": "聯絡名冊附件，請見欄位。",
    "contacts": {"A153006813": "0912-345-678", "E123456783": {"mail": "kk@example.com"}},
    "phone_int": 886912345678,
    "nest": {"k": [886933123456]},
    "count": 12,
    "ok": True,
}
SECRETS = ("A153006813", "E123456783", "886912345678", "886933123456", "0912-345-678", "kk@example.com")


def test_keys_and_numbers_are_scrubbed_and_kept_out_of_the_ledger(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    src = tmp_path / "k.jsonl"
    src.write_text(json.dumps(ROW, ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(src), "--licence", "OGDL-Taiwan-1.0", "--pii-expected")[0] == 0
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        metas = [json.loads(m) for (m,) in con.execute("SELECT metadata FROM records").fetchall()]
        details = [json.loads(r[0]) for r in con.execute("SELECT detail FROM provenance_events").fetchall()]
        events = json.dumps(details, ensure_ascii=False)
        active = json.loads(con.execute("SELECT metadata FROM records WHERE status = 'active'").fetchone()[0])
    finally:
        con.close()
    for s in SECRETS:
        assert s not in json.dumps(metas, ensure_ascii=False) and s not in events, s
    fields = active["fields"]
    # both keys were IDs: each is a placeholder, and neither entry is lost
    assert sorted(fields["contacts"]) == ["〔身分證字號〕", "〔身分證字號〕#2"]
    assert fields["contacts"]["〔身分證字號〕#2"] == {"mail": "〔電子郵件〕"}
    assert fields["phone_int"] == "〔電話〕" and fields["nest"] == {"k": ["〔電話〕"]}
    assert fields["count"] == 12 and fields["ok"] is True  # short numbers and booleans are left alone
    scrubbed = next(d for d in details if "metadata_keys_scrubbed" in d)
    assert scrubbed["metadata_keys_scrubbed"] == 2 and ".fields.contacts.〔身分證字號〕" in scrubbed["metadata_spans"]
    code, out, _ = cli("pii", "scan")
    assert code == 0 and "no personal value found" in out, out
    code, out, _ = cli("audit", "verify")
    assert code == 0, out


def test_keys_with_path_characters_and_float_numbers(cli, db_path, tmp_path, monkeypatch):
    """A key holding `.` or `[0]` once shared its path with a nesting (`"c[0]"` and the list `c`'s first item,
    `"p.q"` → `r` and `p` → `"q.r"`), so one value's scrub overwrote the other's and a phone or an e-mail stayed
    (or a harmless value was scrubbed); a phone exported as a float was not checked."""
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    rows = [
        {"id": "n2", "text": "無個資二", "c[0]": "0912345678", "c": ["安全"]},
        {"id": "n1", "text": "無個資一", "c": ["安全"], "c[0]": "0912345678"},
        {
            "id": "n5",
            "text": "無個資五",
            "p.q": {"r": "peijun.lin@example.com"},
            "p": {"q.r": "ok", "q": {"r": "fine"}},
        },
        {"id": "n6", "text": "無個資六", "tel2": 886912345678.0, "ratio": 1.5},
    ]
    src = tmp_path / "n.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", "--pii-expected")[0] == 0
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        active = [
            json.loads(m)["fields"]
            for (m,) in con.execute(
                "SELECT metadata FROM records WHERE status = 'active' ORDER BY json_extract_string(metadata, '$.id')"
            ).fetchall()
        ]
        details = json.dumps([r[0] for r in con.execute("SELECT detail FROM provenance_events").fetchall()])
    finally:
        con.close()
    n1, n2, n5, n6 = active
    for f in (n1, n2):
        assert f["c[0]"] == "〔電話〕" and f["c"] == ["安全"], f
    assert n5["p.q"]["r"] == "〔電子郵件〕" and n5["p"] == {"q.r": "ok", "q": {"r": "fine"}}
    assert n6["tel2"] == "〔電話〕" and n6["ratio"] == 1.5
    for secret in ("0912345678", "peijun.lin", "886912345678"):
        assert secret not in json.dumps(active, ensure_ascii=False) and secret not in details
