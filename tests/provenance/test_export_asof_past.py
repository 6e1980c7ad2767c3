"""A past `--as-of` may not ship what has ended since (review 13): `export dataset --as-of 2000-01-01` made today
shipped an agreement's records that ended in between, and NOTICE said nothing of it (only `audit export` flagged the
override afterwards). Now such an export is refused before anything is written; a past `--as-of` under which nothing
has ended since still runs."""

from __future__ import annotations

import json

from prov_helpers import TEXTBOOK_TERMS


def _export(cli, out, *extra):
    return cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--non-commercial",
        "--out", str(out), "--json", *extra,
    )  # fmt: skip


def test_a_past_as_of_does_not_ship_an_ended_agreement(builder, cli, tmp_path):
    builder.source("law_moj", "OGDL-Taiwan-1.0", title="全國法規資料庫", metadata={"provider": "法務部", "year": 2025})
    builder.record("law_moj", "G0380001/第 1 條", "銀行法第1條 本法所稱銀行。")
    builder.close()
    out = tmp_path / "laws"
    code, text, err = _export(cli, out, "--as-of", "2000-01-01")  # nothing has ended since: it runs
    assert code == 0 and json.loads(text)["records"] == 1, err


def test_a_past_as_of_is_refused_when_a_grant_ended_since(builder, cli, tmp_path):
    ended = {**TEXTBOOK_TERMS, "expiry": "2000-06-30"}
    builder.source("textbook", "LicenseRef-Written-Agreement", title="銀行實務", metadata={"licence_terms": ended})
    rid = builder.record("textbook", "ch1", "第一章 銀行實務概論。")
    builder.close()
    out = tmp_path / "books"
    code, _, err = _export(cli, out, "--as-of", "2000-01-01")
    assert code == 2 and "--as-of 2000-01-01 would ship 1 records" in err and rid[:16] in err, err
    assert "2000-06-30" in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()  # refused before anything is written
    code, text, err = _export(cli, out)  # today: the agreement has ended, the export says so and ships none
    assert code == 0 and json.loads(text)["blocked_by_code"] == {"expired": 1}, err
    out2 = tmp_path / "later"
    code, text, err = _export(cli, out2, "--as-of", "2000-07-01")  # a past date after its end: nothing ships anyway
    assert code == 0 and json.loads(text)["blocked_by_code"] == {"expired": 1}, err


def test_an_export_made_on_its_day_is_still_reproduced_byte_identical(builder, cli, tmp_path, monkeypatch):
    """Review of the fixes 13: the refusal stopped an auditor re-making an export of 1 June (`--as-of 2000-06-01`,
    its own day) once the grant it shipped had ended: the byte-identical reproduction README promises was gone.
    Records that export shipped already may be re-made for its own use and date; nothing else is."""
    import datetime as dt

    from provenance import export as export_mod
    from provenance import export_asof, ledger

    ended = {**TEXTBOOK_TERMS, "expiry": "2000-06-30"}
    builder.source("textbook", "LicenseRef-Written-Agreement", title="銀行實務", metadata={"licence_terms": ended})
    builder.record("textbook", "ch1", "第一章 銀行實務概論。")
    builder.close()
    with monkeypatch.context() as m:  # the export made on 1 June 2000 in Taiwan (31 May, 20:00 UTC), the grant running
        m.setattr(ledger, "now", lambda: dt.datetime(2000, 5, 31, 20, 0))
        for mod in (export_mod, export_asof):
            m.setattr(mod, "licence_today", lambda now=None: dt.date(2000, 6, 1))
        code, text, err = _export(cli, tmp_path / "then")
    assert code == 0 and json.loads(text)["records"] == 1, err
    first = json.loads(text)
    code, text, err = _export(cli, tmp_path / "again", "--as-of", "2000-06-01")  # today: the auditor's reproduction
    assert code == 0, err
    assert json.loads(text)["export_id"] == first["export_id"]
    for f in sorted((tmp_path / "then").rglob("*")):
        if f.is_file():
            assert (tmp_path / "again" / f.relative_to(tmp_path / "then")).read_bytes() == f.read_bytes(), f.name
    assert cli("audit", "verify-export", str(tmp_path / "then"))[0] == 0
    # another use, or another past date, never shipped: still refused
    code, _, err = _export(cli, tmp_path / "other", "--as-of", "2000-05-31")
    assert code == 2 and "would ship 1 records" in err, err
    code, _, err = cli(
        "--quiet", "export", "dataset", "--purpose", "evaluation", "--audience", "consortium", "--non-commercial",
        "--out", str(tmp_path / "eval"), "--as-of", "2000-06-01",
    )  # fmt: skip
    assert code == 2 and "would ship 1 records" in err, err
