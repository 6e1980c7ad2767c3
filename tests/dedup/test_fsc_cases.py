"""Sanction cases of the FSC are separate decisions: cases against different banks that share their wording are
not each other's duplicates (review r4 dedup #2: two of three cases were dropped, the record id deciding which)."""

from __future__ import annotations

import json

from provenance import db

BODY = (
    "主旨：{bank}辦理授信業務未落實內部控制，核有違反銀行法第45條之1第1項規定，依同法第129條第7款核處新臺幣"
    "{fine}萬元罰鍰，並依同法第61條之1第1項規定予以糾正。事實：本會於檢查時發現該行辦理企業授信案件，未依內部規範"
    "辦理徵信及覆審作業，對於借款人財務狀況變動未即時評估，核有內部控制制度未確實執行之缺失。理由及法令依據：依銀行法"
    "第45條之1第1項規定，銀行應建立內部控制及稽核制度；違反者依同法第129條第7款規定處罰。"
)
CASES = [
    ("2024-01-05", "金管銀控字第11301000001號", "甲商業銀行", 1000),
    ("2024-03-07", "金管銀控字第11301000002號", "乙商業銀行", 600),
    ("2024-05-09", "金管銀控字第11301000003號", "丙商業銀行", 1200),
]


def test_sanction_cases_against_different_banks_all_stay(cli, tmp_path):
    rows = ["發文日期,發文字號,受處分人,內容"]
    rows += [f"{d},{no},{bank},{BODY.format(bank=bank, fine=fine)}" for d, no, bank, fine in CASES]
    rows.append(rows[1])  # the first case listed twice: that copy is a duplicate
    (tmp_path / "fsc.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    catalogue = tmp_path / "c.duckdb"
    code, out, err = cli("-q", "ingest", "fsc", str(tmp_path / "fsc.csv"), db=catalogue)
    assert code in (0, 3), out + err
    code, out, err = cli("-q", "run", "dedup", "--workers", "1", db=catalogue)
    assert code == 0, out + err
    con = db.connect_readonly(catalogue)
    try:
        active = [t for (t,) in con.execute("SELECT text FROM records WHERE status = 'active'").fetchall()]
        dropped = con.execute("SELECT count(*) FROM records WHERE status = 'duplicate'").fetchone()[0]
    finally:
        con.close()
    for _, _, bank, fine in CASES:
        assert sum(bank in t and f"{fine}萬元" in t for t in active) == 1, (bank, active)
    assert len(active) == 3 and dropped <= 1


def test_authority_reaches_the_kinds_the_ingestors_write(cli, tmp_path):
    """The survivor rule 'regulator > training institute > textbook > corpus' was written in source names (tabf,
    textbooks, moda, fsc) while the stage matched it against sources.kind (training-material, textbook, corpus,
    sanctions): only law_moj ranked. A TABF handout and a MODA copy of it: the handout survives."""
    text = "授信審查應依借款人之財務狀況、還款來源及擔保品價值綜合評估，並定期辦理覆審作業以確保債權。" * 3
    (tmp_path / "h.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text("path,licence_id\nh.txt,CC-BY-4.0\n", encoding="utf-8")
    (tmp_path / "m.jsonl").write_text(json.dumps({"id": "m1", "text": text}) + "\n", encoding="utf-8")
    catalogue = tmp_path / "c.duckdb"
    # the corpus copy under the more permissive licence: authority must decide before licence does
    for args in (("tabf", str(tmp_path / "manifest.csv")), ("moda", "--licence", "CC0-1.0", str(tmp_path / "m.jsonl"))):
        code, out, err = cli("-q", "ingest", *args, db=catalogue)
        assert code == 0, out + err
    code, out, err = cli("-q", "run", "dedup", "--workers", "1", db=catalogue)
    assert code == 0, out + err
    con = db.connect_readonly(catalogue)
    try:
        rows = dict(con.execute("SELECT source_id, status FROM records").fetchall())
        (rule,) = con.execute(
            "SELECT json_extract_string(detail, '$.rule') FROM provenance_events WHERE action = 'duplicate_of'"
        ).fetchone()
    finally:
        con.close()
    assert rows == {"tabf": "active", "moda": "duplicate"} and rule == "authority", (rows, rule)


def test_a_stale_duplicate_is_not_released_beside_its_documents_new_text(cli, tmp_path):
    """Two corpus items with one text: one is a duplicate. Both items come again with new texts: the duplicate's
    new text becomes a record of its own (a duplicate is no version parent) and its survivor is superseded. The
    old duplicate was released beside the new text, so its document had two active records and the old text was
    exported (review of r4 dedup fixes #1)."""
    same = "銀行辦理自用住宅放款及消費性放款，已取得足額擔保時，不得以借款人提供連帶保證人為條件。"
    new = {
        "a": "外匯指定銀行辦理外匯業務，應依中央銀行規定申報交易資料，並保存相關憑證五年以上備查。",
        "b": "信用卡業務機構應建立風險管理制度，定期檢討持卡人信用狀況，並依主管機關規定提列備抵呆帳。",
    }
    catalogue = tmp_path / "c.duckdb"
    for name, texts in (("d1.jsonl", {"a": same, "b": same}), ("d2.jsonl", new)):
        lines = [json.dumps({"id": k, "text": t}, ensure_ascii=False) for k, t in texts.items()]
        (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        code, out, err = cli("-q", "ingest", "moda", "--licence", "CC-BY-4.0", str(tmp_path / name), db=catalogue)
        assert code == 0, out + err
        code, out, err = cli("-q", "run", "dedup", "--workers", "1", db=catalogue)
        assert code == 0, out + err
    con = db.connect_readonly(catalogue)
    try:
        active = sorted(t for (t,) in con.execute("SELECT text FROM records WHERE status = 'active'").fetchall())
    finally:
        con.close()
    assert active == sorted(new.values())
    code, out, err = cli("audit", "verify", db=catalogue)
    assert code == 0, out + err


def test_dedup_releases_what_an_older_catalogue_left_behind(cli, tmp_path):
    """A catalogue from before releases existed holds a duplicate whose survivor was superseded (made here as that
    code did: the survivor's status set, no release). `audit verify` names it; the next `curate run dedup` releases
    it and clusters it with the records active now (review of r4 dedup fixes #2)."""
    text = "銀行辦理自用住宅放款及消費性放款，已取得足額擔保時，不得以借款人提供連帶保證人為條件。"
    (tmp_path / "d.jsonl").write_text(
        "\n".join(json.dumps({"id": k, "text": text}, ensure_ascii=False) for k in "ab") + "\n", encoding="utf-8"
    )
    catalogue = tmp_path / "c.duckdb"
    assert cli("-q", "ingest", "moda", "--licence", "CC-BY-4.0", str(tmp_path / "d.jsonl"), db=catalogue)[0] == 0
    assert cli("-q", "run", "dedup", "--workers", "1", db=catalogue)[0] == 0
    con = db.connect(catalogue)
    con.execute("UPDATE records SET status = 'superseded' WHERE status = 'active'")  # what the older code left
    con.close()
    code, out, err = cli("audit", "verify", db=catalogue)
    assert "duplicate of a withdrawn or superseded survivor" in out + err, out + err
    code, out, err = cli("-q", "run", "dedup", "--workers", "1", db=catalogue)
    assert code == 0, out + err
    con = db.connect_readonly(catalogue)
    try:
        status = sorted(s for (s,) in con.execute("SELECT status FROM records").fetchall())
        released = con.execute("SELECT count(*) FROM provenance_events WHERE action = 'duplicate_released'").fetchone()
    finally:
        con.close()
    assert status == ["active", "superseded"] and released == (1,)
    con = db.connect_readonly(catalogue)
    (actor,) = con.execute("SELECT actor FROM provenance_events WHERE action = 'duplicate_released'").fetchone()
    con.close()
    assert actor.startswith("curate run dedup")
