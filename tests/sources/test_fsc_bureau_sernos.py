"""A case number (``dataserno``) is a site's own: the Banking Bureau and the Insurance Bureau number their cases
each on their own site, so one number on two sites names two cases (review 16). Before, the second site's case was
read as a new version of the first (the first superseded, gone from every export) or, in one ingest, skipped as a
duplicate of it."""

from __future__ import annotations

from catalogue_query import query as _q

HEADER = "發文日期,受處分人,主旨,違反事實理由,法令依據,裁罰及處分結果,連結\n"
IB = '114/06/30,戊人壽保險股份有限公司,核處罰鍰,"未依規定辦理。",保險法第171條之1,新臺幣600萬元,https://www.ib.gov.tw/ch/home.jsp?id=1&dataserno=202506300001\n'
BANK = '114/07/01,甲商業銀行股份有限公司,核處罰鍰,"洗錢防制缺失。",銀行法第129條,新臺幣1000萬元,https://www.banking.gov.tw/ch/home.jsp?id=2&dataserno=202506300001\n'
FSC = '114/07/02,乙證券股份有限公司,核處罰鍰,"內控缺失。",證券交易法第178條,新臺幣300萬元,https://www.fsc.gov.tw/ch/home.jsp?id=131&dataserno=202506300001\n'


def _active(db_path):
    return sorted(_q(db_path, "SELECT doc_key FROM records WHERE status = 'active'"))


def test_one_number_on_two_sites_is_two_cases_across_ingests(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "0123456789abcdef0123456789abcdef")
    (tmp_path / "ib.csv").write_text(HEADER + IB, encoding="utf-8")
    (tmp_path / "bank.csv").write_text(HEADER + BANK, encoding="utf-8")
    for name in ("ib.csv", "bank.csv"):
        code, out, err = cli("ingest", "fsc", str(tmp_path / name))
        assert code == 0, out + err
    assert _active(db_path) == [("fsc:banking.gov.tw:202506300001",), ("fsc:ib.gov.tw:202506300001",)]
    assert _q(db_path, "SELECT count(*) FROM records WHERE status = 'superseded'") == [(0,)]


def test_one_number_on_three_sites_in_one_ingest_is_three_cases(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "0123456789abcdef0123456789abcdef")
    (tmp_path / "all.csv").write_text(HEADER + IB + BANK + FSC, encoding="utf-8")
    code, out, err = cli("ingest", "fsc", str(tmp_path / "all.csv"))
    assert code == 0 and "0 skipped" in out, out + err
    keys = [k for (k,) in _active(db_path)]
    assert keys == ["fsc:202506300001", "fsc:banking.gov.tw:202506300001", "fsc:ib.gov.tw:202506300001"]
    code, out, err = cli("ingest", "fsc", str(tmp_path / "all.csv"))  # the same file again changes nothing
    assert code == 0 and "3 unchanged" in out, out + err
