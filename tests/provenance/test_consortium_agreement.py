"""Review 8 exports-fixes #1: ``transferable = false`` on the written-agreement template refused every consortium
agreement to every member bank (export to ``member:BANK``, annotation). An agreement's own ``audience`` names who may
use it: one with the consortium covers each member bank, one with a bank that bank alone."""

from __future__ import annotations

from tests.helpers.export_run import export_for

T = "銀行辦理存款業務，應依主管機關規定揭露存款利率，並定期檢討利率訂價之合理性與透明度，以保障存款人權益。"
U = "授信業務應審慎評估借款人之還款能力、資金用途與擔保品價值，並定期覆審授信案件。"


def _tabf(cli, tmp_path) -> None:
    tb = tmp_path / "tabf"
    tb.mkdir()
    (tb / "a.txt").write_text(T + "\n", encoding="utf-8")
    (tb / "b.txt").write_text(U + "\n", encoding="utf-8")
    (tb / "manifest.csv").write_text(
        "path,title,licensor,licence_id,agreement_id,audience,purposes,expiry,attribution,commercial\n"
        "a.txt,講義A,台灣金融研訓院,LicenseRef-Written-Agreement,AG-1,consortium,training,2099-12-31,"
        "© 台灣金融研訓院,no\n"
        "b.txt,講義B,台灣金融研訓院,LicenseRef-Written-Agreement,AG-2,member:ESUN,training,2099-12-31,"
        "© 台灣金融研訓院,no\n",
        encoding="utf-8",
    )
    assert cli("--quiet", "ingest", "tabf", str(tb / "manifest.csv"))[0] == 0


def test_a_consortium_agreement_covers_each_member_bank(cli, tmp_path):
    _tabf(cli, tmp_path)
    res, blocked = export_for(cli, tmp_path / "ctbc", "member:CTBC")
    assert res["records"] == 1, blocked  # AG-1 (consortium); AG-2 is ESUN's alone
    assert [b["code"] for b in blocked] == ["audience"]
    # blocked.csv goes to CTBC: ESUN's agreement is named as another bank's (review 10, export #3)
    assert "(permits: member:(another bank))" in blocked[0]["reason"] and "ESUN" not in blocked[0]["reason"]
    assert "transferable" not in blocked[0]["reason"]
    assert export_for(cli, tmp_path / "esun", "member:ESUN")[0]["records"] == 2
    assert export_for(cli, tmp_path / "all", "consortium")[0]["records"] == 1
