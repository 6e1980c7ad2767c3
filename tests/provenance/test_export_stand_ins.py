"""Review 8 exports #3: dedup keeps a restricted survivor (authority first) and an openly licensed exact duplicate of
it; an export that leaves the survivor out ships the open copy under its own licence in its place (a second open
copy is listed in blocked.csv as ``duplicate``), and one that includes the survivor leaves the copies out as before."""

from __future__ import annotations

import csv
import json

import pytest

T = "銀行辦理存款業務，應依主管機關規定揭露存款利率，並定期檢討利率訂價之合理性與透明度，以保障存款人權益。"
OTHER = "另一段完全不同的開放資料文字，說明金融消費者保護的申訴流程與處理期限。"
AGENCY = "金融監督管理委員會"


@pytest.fixture
def catalogue(cli, tmp_path):
    tb = tmp_path / "tabf"
    tb.mkdir()
    (tb / "x.txt").write_text(T + "\n", encoding="utf-8")
    (tb / "manifest.csv").write_text(
        "path,title,licensor,licence_id,agreement_id,audience,purposes,expiry,attribution,commercial\n"
        "x.txt,講義X,台灣金融研訓院,LicenseRef-Written-Agreement,AG-1,member:CTBC,training,2099-12-31,"
        "© 台灣金融研訓院,no\n",
        encoding="utf-8",
    )
    assert cli("--quiet", "ingest", "tabf", str(tb / "manifest.csv"))[0] == 0
    for ds, rows in (("ds1", [("m1", T), ("m2", OTHER)]), ("ds2", [("n1", T)])):
        f = tmp_path / ds / f"{ds}.jsonl"
        f.parent.mkdir()
        f.write_text(
            "".join(json.dumps({"id": i, "text": t, "agency": AGENCY}, ensure_ascii=False) + "\n" for i, t in rows),
            encoding="utf-8",
        )
        assert cli("--quiet", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0", "--dataset", ds)[0] == 0
    for stage in ("hygiene", "pii", "normalise", "dedup"):
        code, out, err = cli("--quiet", "run", stage)
        assert code == 0, out + err
    return tmp_path


def _export(cli, out, *use) -> tuple[dict, list[dict], list[dict]]:
    code, stdout, err = cli("--quiet", "export", "dataset", *use, "--out", str(out), "--json")
    assert code == 0, err
    with (out / "blocked.csv").open(encoding="utf-8", newline="") as fh:
        blocked = list(csv.DictReader(fh))
    items = [json.loads(line) for line in (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    return json.loads(stdout), blocked, items


def test_an_open_copy_ships_in_place_of_a_survivor_the_export_leaves_out(cli, catalogue):
    public = ("--purpose", "redistribution", "--audience", "public", "--commercial")
    res, blocked, items = _export(cli, catalogue / "e1", *public)
    # the TABF survivor is refused (purpose), one OGDL copy of its text stands in, the other is counted
    assert res["records"] == 2 and {i["licence_id"] for i in items} == {"OGDL-Taiwan-1.0"}
    assert sorted(b["code"] for b in blocked) == ["duplicate", "purpose"]
    (dup,) = [b for b in blocked if b["code"] == "duplicate"]
    assert dup["source_id"] == "moda" and "which this export leaves out" in dup["reason"]
    assert [i["record_id"] for i in items if i["record_id"] in dup["reason"]], dup["reason"]  # names the copy shipped
    data = (catalogue / "e1" / "NOTICE.md").read_text(encoding="utf-8")
    assert AGENCY in data

    ctbc = ("--purpose", "training", "--audience", "member:CTBC", "--non-commercial")
    res, blocked, items = _export(cli, catalogue / "e2", *ctbc)
    # the survivor ships: its duplicates stay out, silently, as before
    assert res["records"] == 2 and blocked == []
    assert sorted(i["source_id"] for i in items) == ["moda", "tabf"]
    assert cli("audit", "verify")[0] == 0


def test_the_copy_with_the_fewest_obligations_stands_in_whatever_its_id(cli, catalogue, tmp_path):
    """Review 8 exports-fixes #5: the first copy by record id stood in, so a time-limited AI-training grant (training
    only, not transferable) shipped in place of an OGDL copy of the same text. The licence catalogue's rank orders
    the copies (OGDL 90 before AI-training 30), then the record id."""
    f = tmp_path / "ds3" / "ds3.jsonl"
    f.parent.mkdir()
    f.write_text(json.dumps({"id": "a1", "text": T}, ensure_ascii=False) + "\n", encoding="utf-8")
    ai = ("--licence", "LicenseRef-MODA-AI-Training", "--dataset", "ds3", "--source-id", "moda2")
    assert cli("--quiet", "ingest", "moda", str(f), *ai)[0] == 0
    for stage in ("hygiene", "pii", "normalise", "dedup"):
        assert cli("--quiet", "run", stage)[0] == 0
    res, blocked, items = _export(
        cli, catalogue / "e3", "--purpose", "training", "--audience", "consortium", "--non-commercial"
    )
    # the TABF survivor is refused (audience member:CTBC); of its three copies, one OGDL copy stands in
    assert sorted(b["code"] for b in blocked) == ["audience", "duplicate", "duplicate"], blocked
    dups = {b["record_id"]: b for b in blocked if b["code"] == "duplicate"}
    (stand_in,) = {b["reason"].split("its copy ")[1].split(" ")[0] for b in dups.values()}
    (shipped,) = [i for i in items if i["record_id"] == stand_in]
    assert shipped["licence_id"] == "OGDL-Taiwan-1.0" and shipped["source_id"] == "moda"
    (ai_copy,) = [r for r, b in dups.items() if b["source_id"] == "moda2"]
    assert ai_copy == min([*dups, stand_in])  # the AI-training copy is first by id: the case in question
    assert res["records"] == 2  # the stand-in and the other OGDL text
