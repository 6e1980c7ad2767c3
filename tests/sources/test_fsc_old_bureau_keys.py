"""A bureau site's case ingested before review 16 is held under its number alone (``fsc:202506300001``); since then
it is keyed by its site (``fsc:ib.gov.tw:202506300001``), so the next ingest of the same dump added the case again
beside it, two active copies, without a word (README: withdraw the old one once). Each such case is now a warning
of the ingest naming the old record and the command that withdraws it, until it is withdrawn."""

from __future__ import annotations

import re

from catalogue_query import query as _q

from sources import fsc

HEADER = "發文日期,受處分人,主旨,違反事實理由,法令依據,裁罰及處分結果,連結\n"
IB = '114/06/30,戊人壽保險股份有限公司,核處罰鍰,"未依規定辦理。",保險法第171條之1,新臺幣600萬元,https://www.ib.gov.tw/ch/home.jsp?id=1&dataserno=202506300001\n'
FSC = '114/07/02,乙證券股份有限公司,核處罰鍰,"內控缺失。",證券交易法第178條,新臺幣300萬元,https://www.fsc.gov.tw/ch/home.jsp?id=131&dataserno=202506300002\n'


def test_a_bureau_case_held_under_its_old_key_is_named_until_withdrawn(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "0123456789abcdef0123456789abcdef")
    (tmp_path / "all.csv").write_text(HEADER + IB + FSC, encoding="utf-8")
    with monkeypatch.context() as m:  # the keys before review 16: the number alone
        m.setattr(fsc, "_serno", lambda text, base=None: (g := fsc._SERNO.search(text or "")) and g.group(1))
        assert cli("ingest", "fsc", str(tmp_path / "all.csv"))[0] == 0
    code, out, err = cli("ingest", "fsc", str(tmp_path / "all.csv"))
    assert code == 0, out + err
    assert fsc.FscReason.OLD_KEY in out and "licence term problems" not in out, out
    old = _q(db_path, "SELECT record_id FROM records WHERE doc_key = 'fsc:202506300001'")[0][0]
    assert re.search(rf"all\.csv#line=2: `fsc:202506300001` is this case.*--record {old}", out), out
    assert "line=3" not in out  # fsc.gov.tw's key is unchanged: nothing to name
    code, out, err = cli("provenance", "withdraw", "--record", old, "--reason", "rekeyed")
    assert code == 0, out + err
    code, out, err = cli("ingest", "fsc", str(tmp_path / "all.csv"))
    assert code == 0 and fsc.FscReason.OLD_KEY not in out and "2 unchanged" in out, out + err
