"""A grant to `member:esun` (a bank code in small letters) was valid terms: `manifest check` listed it as allowed for
`training member:esun`, and it matched no export of the bank, whose exports and portal name it `member:ESUN` (bank
codes are compared exactly): the bank's own agreement never reached it, and its blocked list called the bank's own
grant `member:(another bank)`. Since review 15 such an audience is a term problem at `manifest check` and ingest,
`ingest moda --licensee member:esun` is refused, and so is a catalogue entry naming one, each naming the capitals."""

from __future__ import annotations

import csv

from provenance.licences import licence_catalogue_path


def _manifest(folder, audience):
    (folder / "a.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    cols = ["path", "title", "licensor", "licence_id", "agreement_id", "audience", "purposes", "expiry", "attribution"]
    path = folder / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerow(
            {
                "path": "a.txt",
                "title": "存款講義",
                "licensor": "金融出版社",
                "licence_id": "LicenseRef-Written-Agreement",
                "agreement_id": "PUB-1",
                "audience": audience,
                "purposes": "training",
                "expiry": "2040-12-31",
                "attribution": "© 金融出版社",
            }
        )
    return path


def test_a_manifest_audience_with_a_small_letter_bank_code_is_a_term_problem(cli, tmp_path):
    code, out, err = cli("manifest", "check", str(_manifest(tmp_path, "member:ESUN")))
    assert code == 0 and "training member:ESUN" in out, out + err
    code, out, err = cli("manifest", "check", str(_manifest(tmp_path, "member:esun")))
    assert "`member:ESUN`" in out and "allowed: no export" in out and "training member:esun" not in out, out + err


def test_moda_licensee_with_a_small_letter_bank_code_is_refused(cli, tmp_path):
    f = tmp_path / "ds1" / "m.jsonl"
    f.parent.mkdir()
    f.write_text('{"id": "1", "text": "本行辦理房屋貸款業務，依規定審核借款人還款能力。"}\n', encoding="utf-8")
    moda = ("ingest", "moda", str(f), "--licence", "LicenseRef-MODA-AI-Training", "--dataset", "金融語料")
    code, out, err = cli(*moda, "--licensee", "member:esun")
    assert code != 0 and "member:ESUN" in err and len(err.strip().splitlines()) == 1, out + err


def test_a_catalogue_entry_with_a_small_letter_bank_code_is_refused(cli, tmp_path):
    text = licence_catalogue_path().read_text("utf-8")
    assert 'audience = ["consortium"]' in text
    ours = tmp_path / "ours.toml"
    ours.write_text(text.replace('audience = ["consortium"]', 'audience = ["member:esun"]', 1), encoding="utf-8")
    code, out, err = cli("licences", "check", "--catalogue", str(ours))
    assert code != 0 and "member:ESUN" in out + err, out + err


def test_an_export_to_a_small_letter_bank_code_is_refused(cli, builder, tmp_path):
    """`export dataset --audience member:esun` (review of the fixes 15) was made without a word, holding the public
    and consortium records only: no grant may name `member:esun` now, and the bank's own (`member:ESUN`) never
    reached it. It is refused, by the CLI and a pipeline file alike, naming the capitals; `member:ESUN` exports."""
    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.close()
    args = ("export", "dataset", "--purpose", "training", "--non-commercial")
    code, out, err = cli(*args, "--audience", "member:esun", "--out", str(tmp_path / "e1"))
    assert code != 0 and "`member:ESUN`" in err and "Traceback" not in err, out + err
    assert not (tmp_path / "e1" / "NOTICE.md").exists()
    code, out, err = cli(*args, "--audience", "member:ESUN", "--out", str(tmp_path / "e2"))
    assert code == 0 and (tmp_path / "e2" / "NOTICE.md").exists(), out + err
    pipe = tmp_path / "p.toml"
    pipe.write_text(
        '[[export]]\nout = "e3"\npurpose = "training"\naudience = "member:esun"\ncommercial = false\n', encoding="utf-8"
    )
    code, out, err = cli("pipeline", "run", str(pipe), "--dry-run")
    assert code != 0 and "`member:ESUN`" in err and str(pipe) in err, out + err


def test_a_report_for_a_small_letter_bank_code_is_refused(cli, builder, tmp_path):
    """`curate report --audience member:esun` (last review of review 15) wrote a report whose exportable step counted
    the public and consortium records only, for an export that `export dataset` refuses: refused the same way."""
    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.close()
    code, out, err = cli("report", "--audience", "member:esun", "--out", str(tmp_path / "r1.html"))
    assert code == 2 and "report --audience" in err and "`member:ESUN`" in err, out + err
    assert len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "r1.html").exists()
    code, out, err = cli("report", "--audience", "member:ESUN", "--out", str(tmp_path / "r2.html"))
    assert code == 0 and (tmp_path / "r2.html").exists(), out + err
