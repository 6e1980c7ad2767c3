"""A bureau's saved list page links its rows relative to the page (``home.jsp?dataserno=...``): since cases are keyed
by their site (review 16) such a row was keyed by the bare number, so a list row of a case held in full (the CSV
row, absolute address) became a second, one-line case beside it, in one ingest or the next. A row is now read
against the page's own address (its ``saved from url`` note)."""

from __future__ import annotations

import pytest
from catalogue_query import query as _q

HEADER = "發文日期,受處分人,主旨,違反事實理由,法令依據,裁罰及處分結果,連結\n"
IB = '114/06/30,戊人壽保險股份有限公司,核處罰鍰,"未依規定辦理。",保險法第171條之1,新臺幣600萬元,https://www.ib.gov.tw/ch/home.jsp?id=1&dataserno=202506300001\n'
LIST = """<!-- saved from url=(0047)https://www.ib.gov.tw/ch/home.jsp?id=1&parentpath=0 -->
<html><head><title>裁罰案件</title></head><body><table>
<tr><th>日期</th><th>標題</th></tr>
<tr><td>2025-06-30</td><td><a href="home.jsp?id=1&dataserno=202506300001">戊人壽保險股份有限公司核處罰鍰</a></td></tr>
<tr><td>2025-06-29</td><td><a href="home.jsp?id=1&dataserno=202506290001">己人壽保險股份有限公司核處罰鍰</a></td></tr>
</table></body></html>
"""


@pytest.mark.parametrize("together", [True, False], ids=["one-ingest", "two-ingests"])
def test_a_bureau_list_row_of_a_case_held_in_full_is_skipped(cli, db_path, tmp_path, monkeypatch, together):
    monkeypatch.setenv("CURATE_PII_KEY", "0123456789abcdef0123456789abcdef")
    (tmp_path / "ib.csv").write_text(HEADER + IB, encoding="utf-8")
    (tmp_path / "list.html").write_text(LIST, encoding="utf-8")
    runs = [["ib.csv", "list.html"]] if together else [["ib.csv"], ["list.html"]]
    for names in runs:
        code, out, err = cli("ingest", "fsc", *(str(tmp_path / n) for n in names))
        assert code == 0, out + err
    keys = sorted(k for (k,) in _q(db_path, "SELECT doc_key FROM records WHERE status = 'active'"))
    assert keys == ["fsc:ib.gov.tw:202506290001", "fsc:ib.gov.tw:202506300001"]
    assert "list.html#row=1" in out
