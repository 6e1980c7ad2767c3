"""The licence recall judged a past export on its `--as-of` day, not on the day it was made: an export made today
with `--as-of 2000-01-01` (allowed: nothing had ended since) whose licence the corrected catalogue ends in 2001 had
shipped records of a licence that had ended years before it was made, and `audit licences|exports|export` named no
export (review 14). An export is used from the day it is made: it is judged on the later of the two days."""

from __future__ import annotations

import json

from provenance.licence_terms import licence_today
from provenance.licences import licence_catalogue_path


def test_a_past_as_of_export_is_judged_on_the_day_it_was_made(builder, cli, tmp_path):
    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.close()
    ours = tmp_path / "ours.toml"
    ours.write_text(licence_catalogue_path().read_text("utf-8"), encoding="utf-8")
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--commercial",
        "--as-of", "2000-01-01", "--out", str(tmp_path / "e"), "--catalogue", str(ours), "--json",
    )  # fmt: skip
    assert code == 0, text + err
    shipped = json.loads(text)
    assert shipped["records"] == 1

    # found out later: the licence ended in 2001, after the --as-of day and before the export was made
    text = ours.read_text("utf-8").replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2001-01-01"\n', 1)
    ours.write_text(text, encoding="utf-8")
    code, out, _ = cli("audit", "export", shipped["export_id"], "--catalogue", str(ours), "--json")
    refused = json.loads(out)["licence_refused"]
    assert [r["code"] for r in refused] == ["expired"] and "2001-01-01" in refused[0]["reason"]
    code, out, _ = cli("audit", "exports", "--catalogue", str(ours), "--json")
    assert [e["licence_refused"] for e in json.loads(out)] == [1]
    code, out, err = cli("audit", "licences", "--catalogue", str(ours), "--full")
    assert code == 0 and shipped["export_id"] in out, out + err


def test_an_export_made_again_on_a_later_day_is_judged_on_that_day(builder, cli, tmp_path, monkeypatch):
    """Review of the fixes 14: an export made again into another folder on a later day, with no `--as-of`, has the
    same id when nothing changed (the id leaves the day out), and the recall judged the id on its first folder's day
    only: a licence found later to have ended between the two days named no export, while the later folder had
    shipped it after its end. An export id is judged on the latest day any of its folders was made for (a
    reproduction with `--as-of` its original's day keeps that day: the test above and test_export_asof_past.py)."""
    import datetime as dt

    from provenance import export as export_mod
    from provenance import export_asof, ledger

    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.close()
    ours = tmp_path / "ours.toml"
    ours.write_text(licence_catalogue_path().read_text("utf-8"), encoding="utf-8")
    args = ("--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--commercial")
    with monkeypatch.context() as m:  # made on 1 June 2000 in Taiwan, on its own day
        m.setattr(ledger, "now", lambda: dt.datetime(2000, 5, 31, 20, 0))
        for mod in (export_mod, export_asof):
            m.setattr(mod, "licence_today", lambda now=None: dt.date(2000, 6, 1))
        code, text, err = cli(*args, "--out", str(tmp_path / "then"), "--catalogue", str(ours), "--json")
    assert code == 0, text + err
    first = json.loads(text)
    code, text, err = cli(*args, "--out", str(tmp_path / "now"), "--catalogue", str(ours), "--json")  # today
    assert code == 0 and json.loads(text)["export_id"] == first["export_id"], text + err

    # found out later: the licence ended in 2001, after the first folder was made and before the second
    text = ours.read_text("utf-8").replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2001-01-01"\n', 1)
    ours.write_text(text, encoding="utf-8")
    code, out, _ = cli("audit", "export", first["export_id"], "--catalogue", str(ours), "--json")
    assert [r["code"] for r in json.loads(out)["licence_refused"]] == ["expired"], out
    code, out, _ = cli("audit", "exports", "--catalogue", str(ours), "--json")
    assert {e["licence_refused"] for e in json.loads(out)} == {1}
    code, out, _ = cli("audit", "licences", "--catalogue", str(ours), "--json")
    (named,) = [e for row in json.loads(out) for e in row["recall"]]
    assert named["judged_on"] == licence_today().isoformat() and named["as_of"] == "2000-06-01"
