"""Licence-gated export: selection, blocked reasons, files, determinism, loaders."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pytest

AS_OF = "2026-06-01"


#: a non-commercial public training export, quiet (the tests that expect it to fail add --out and the rest)
PUBLIC_TRAINING = ("--quiet", "export", "dataset", "--non-commercial", "--purpose", "training", "--audience", "public")


def _export(cli, out: Path, *extra: str, purpose="training", audience="public"):
    code, stdout, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        purpose,
        "--audience",
        audience,
        "--out",
        str(out),
        "--as-of",
        AS_OF,
        "--json",
        *extra,
    )
    assert code == 0, err
    return json.loads(stdout)


def _manifest_ids(out: Path) -> set[str]:
    return {json.loads(line)["record_id"] for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()}


def _blocked(out: Path) -> dict[str, str]:
    with (out / "blocked.csv").open(encoding="utf-8", newline="") as fh:
        return {r["record_id"]: r["code"] for r in csv.DictReader(fh)}


def test_public_training_export_selects_by_licence(mixed, db_path, cli, tmp_path):
    out = tmp_path / "pub"
    res = _export(cli, out)
    ids = _manifest_ids(out)
    blocked = _blocked(out)
    for rid in mixed["law"] + mixed["press"] + mixed["ocw"] + mixed["pii_scrubbed"]:
        assert rid in ids
    assert blocked[mixed["textbook"][0]] == "audience"  # consortium-only textbook
    assert blocked[mixed["moda"][0]] == "audience"  # MODA: consortium only
    assert blocked[mixed["pii_unchecked"][0]] == "pii_unchecked"
    assert blocked[mixed["mystery"][0]] == "unknown_licence"
    assert blocked[mixed["nolicence"][0]] == "missing_licence"
    assert mixed["pii_raw_parent"][0] not in ids  # superseded raw version never exported
    assert res["records"] == len(ids) == 6
    assert set(ids).isdisjoint(blocked)


def test_consortium_and_member_audiences_include_textbook(mixed, cli, tmp_path):
    ids = _manifest_ids(tmp_path / "c") if _export(cli, tmp_path / "c", audience="consortium") else set()
    assert mixed["textbook"][0] in ids and mixed["moda"][0] in ids
    ids = _manifest_ids(tmp_path / "m") if _export(cli, tmp_path / "m", audience="member:CTBC") else set()
    assert mixed["textbook"][0] in ids
    _export(cli, tmp_path / "e", audience="consortium", purpose="evaluation")
    assert mixed["moda"][0] not in _manifest_ids(tmp_path / "e")  # MODA: training only
    assert mixed["textbook"][0] in _manifest_ids(tmp_path / "e")
    _export(cli, tmp_path / "r", audience="consortium", purpose="redistribution")
    assert _blocked(tmp_path / "r")[mixed["textbook"][0]] == "purpose"


def test_commercial_blocks_non_commercial(mixed, cli, tmp_path):
    _export(cli, tmp_path / "o", "--commercial")
    assert _blocked(tmp_path / "o")[mixed["ocw"][0]] == "commercial"
    assert mixed["law"][0] in _manifest_ids(tmp_path / "o")


def test_expired_licence_blocks(mixed, cli, tmp_path):
    code, stdout, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "consortium",
        "--out",
        str(tmp_path / "late"),
        "--as-of",
        "2031-01-01",
    )
    assert code == 0, err
    blocked = _blocked(tmp_path / "late")
    assert blocked[mixed["textbook"][0]] == "expired"
    assert mixed["law"][0] in _manifest_ids(tmp_path / "late")


def test_same_state_same_params_is_byte_identical(mixed, db_path, cli, tmp_path):
    a = _export(cli, tmp_path / "a")
    b = _export(cli, tmp_path / "b")
    assert a["export_id"] == b["export_id"]
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) >= 7
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    # another evaluation date with the same outcome gives the same files
    code, out, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--out",
        str(tmp_path / "d"),
        "--as-of",
        "2026-07-01",
        "--json",
    )
    assert code == 0 and json.loads(out)["export_id"] == a["export_id"]
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "d" / rel).read_bytes(), rel
    # a change in the catalogue state changes the export
    con = duckdb.connect(str(db_path))
    try:
        from provenance import ledger

        ledger.append(con, [ledger.Event(stage="hygiene", action="noop")])
    finally:
        con.close()
    c = _export(cli, tmp_path / "c")
    assert c["export_id"] != a["export_id"]


def test_export_is_recorded(mixed, db_path, cli, tmp_path):
    res = _export(cli, tmp_path / "x")
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        ev = con.execute("SELECT detail FROM provenance_events WHERE stage = 'export' AND action = 'export'").fetchall()
        row = con.execute("SELECT export_id, purpose, audience, records, manifest_sha256 FROM exports").fetchall()
        n_items = con.execute("SELECT count(*) FROM export_items WHERE export_id = ?", [res["export_id"]]).fetchone()[0]
        run = con.execute(
            "SELECT r.command, r.status, e.run_id = r.run_id FROM exports e JOIN runs r USING (run_id)"
        ).fetchall()
        ev_run = con.execute("SELECT run_id FROM provenance_events WHERE stage = 'export'").fetchall()
    finally:
        con.close()
    detail = json.loads(ev[0][0])
    manifest_sha = hashlib.sha256((tmp_path / "x" / "manifest.jsonl").read_bytes()).hexdigest()
    assert detail["export_id"] == res["export_id"] and detail["manifest_sha256"] == manifest_sha
    assert detail["params"]["purpose"] == "training" and detail["params"]["audience"] == "public"
    assert row == [(res["export_id"], "training", "public", 6, manifest_sha)]
    assert n_items == 6
    assert run == [("export dataset", "finished", True)]
    assert ev_run[0][0] is not None
    code, out, _ = cli("audit", "verify")
    assert code == 0


def test_loads_with_datasets_and_notice(mixed, cli, tmp_path):
    import datasets

    out = tmp_path / "ds"
    _export(cli, out)
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))["train"]
    assert len(ds) == 6
    assert {"record_id", "source_id", "licence_id", "attribution", "text"} <= set(ds.column_names)
    law = [r for r in ds if r["source_id"] == "law_moj"]
    assert law and all("政府資料開放授權條款" in r["attribution"] and "法務部 2025" in r["attribution"] for r in law)
    notice = (out / "NOTICE.md").read_text("utf-8")
    assert "此開放資料依政府資料開放授權條款 (Open Government Data License) 進行公眾釋出" in notice
    # a statement's line is shown as text: its URL is not linked (the licence's own link is under "Licences")
    assert "政府資料開放授權條款：https\\://data.gov.tw/license" in notice
    assert "CC-BY-NC-4.0" in notice
    card = (out / "README.md").read_text("utf-8")
    assert card.startswith("---\n") and "data/train-*.parquet" in card


def test_jsonl_format_and_sharding(mixed, cli, tmp_path):
    import datasets

    out = tmp_path / "jl"
    _export(cli, out, "--format", "jsonl", "--shard-rows", "4")
    shards = sorted((out / "data").glob("*.jsonl"))
    assert len(shards) == 2
    ds = datasets.load_dataset(str(out), cache_dir=str(tmp_path / "hf-cache"))["train"]
    assert len(ds) == 6


def test_croissant_validates_and_reads(mixed, cli, tmp_path):
    mlc = pytest.importorskip("mlcroissant")
    out = tmp_path / "cr"
    _export(cli, out, "--shard-rows", "4")
    ds = mlc.Dataset(jsonld=str(out / "croissant.json"))
    rows = list(ds.records("records"))
    assert len(rows) == 6
    got = {r["records/record_id"].decode() for r in rows}
    assert got == _manifest_ids(out)
    import shutil
    import subprocess
    import sys

    exe = shutil.which("mlcroissant") or str(Path(sys.executable).with_name("mlcroissant"))
    proc = subprocess.run(
        [exe, "validate", "--jsonld", str(out / "croissant.json")], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "error" not in proc.stderr.lower()


def test_spdx_document(mixed, cli, tmp_path):
    out = tmp_path / "sp"
    _export(cli, out)
    doc = json.loads((out / "spdx.jsonld").read_text("utf-8"))
    assert doc["@context"] == "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
    by_type: dict[str, list] = {}
    for el in doc["@graph"]:
        by_type.setdefault(el["type"], []).append(el)
    pkg = by_type["dataset_DatasetPackage"][0]
    exprs = {e["spdxId"]: e["simplelicensing_licenseExpression"] for e in by_type["simplelicensing_LicenseExpression"]}
    declared = next(r for r in by_type["Relationship"] if r["relationshipType"] == "hasDeclaredLicense")
    assert declared["from"] == pkg["spdxId"]
    expr = exprs[declared["to"][0]]
    for lid in ("OGDL-Taiwan-1.0", "CC-BY-NC-4.0", "LicenseRef-TW-Copyright-Art9"):
        assert lid in expr
    assert "LicenseRef-Written-Agreement" not in expr
    files = by_type["software_File"]
    for f in files:
        assert f["verifiedUsing"][0]["hashValue"] == hashlib.sha256((out / f["name"]).read_bytes()).hexdigest()
    # SPDX 3.0.1 datasetSize is in bytes (it was the record count, review 5 export #4); the count is in comment
    assert pkg["dataset_datasetSize"] == sum((out / f["name"]).stat().st_size for f in files) > 1000
    assert pkg["comment"].startswith(f"{len((out / 'manifest.jsonl').read_text().splitlines())} records;")
    ids = {el.get("spdxId") for el in doc["@graph"]}
    document = by_type["SpdxDocument"][0]
    assert set(document["element"]) <= ids and pkg["spdxId"] in document["rootElement"]


def test_bad_parameters(mixed, cli, tmp_path):
    code, _, err = cli(
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "marketing",
        "--audience",
        "public",
        "--out",
        str(tmp_path / "q"),
    )
    assert code == 2 and "training, evaluation, redistribution" in err
    code, _, err = cli(
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "bank",
        "--out",
        str(tmp_path / "q"),
    )
    assert code == 2 and "consortium, member:BANK, public" in err
    code, _, err = cli(
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--out",
        str(tmp_path / "q"),
        "--format",
        "csv",
    )
    assert code == 2 and "parquet, jsonl" in err
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    code, _, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--out",
        str(busy),
    )
    assert code == 2 and "--overwrite" in err
    assert (busy / "keep.txt").exists()
    code, _, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--out",
        str(busy),
        "--overwrite",
    )
    # --overwrite replaces an earlier export only, never another folder
    assert code == 2 and "holds no earlier export" in err and (busy / "keep.txt").exists()
    earlier = tmp_path / "earlier"
    args = PUBLIC_TRAINING
    assert cli(*args, "--out", str(earlier))[0] == 0
    code, _, err = cli(*args, "--out", str(earlier), "--overwrite")
    assert code == 0, err
    assert (earlier / "manifest.jsonl").exists()  # more in tests/provenance/test_export_overwrite.py


def test_out_never_overlaps_the_catalogue(mixed, db_path, cli, tmp_path):
    """An --out that is, holds or lies inside the catalogue, its WAL or its work folder is refused (an
    `--out` of the catalogue's own folder with --overwrite once deleted the catalogue)."""
    from provenance import db

    args = PUBLIC_TRAINING
    folder = db_path.parent
    (folder / "notes.txt").write_text("keep")
    bad = [
        folder,
        folder.parent,
        Path(str(db_path) + ".wal") / "x",
        folder / ".curate" / "exports",
        db_path,
    ]
    for out in bad:
        code, _, err = cli(*args, "--out", str(out), "--overwrite")
        assert code == 2, (out, err)
        assert "overlaps the catalogue" in err or "is not a folder" in err, err
    assert db_path.exists() and (folder / "notes.txt").read_text() == "keep"
    assert not Path(str(db_path) + ".wal").is_dir()
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    code, _, err = cli(*args, "--out", str(link), "--overwrite")
    assert code == 2 and "symbolic link" in err
    code, _, err = cli(*args, "--out", "/proc/no-such-dir/x")
    assert code == 2 and "cannot create" in err and "Traceback" not in err
    # a sibling folder of the catalogue is fine
    assert cli(*args, "--out", str(folder / "export-a"))[0] == 0
    con = db.connect(db_path)
    assert con.execute("SELECT count(*) FROM exports").fetchone()[0] == 1
    con.close()


def test_merged_record_carries_most_restrictive_licence(builder, cli, tmp_path):
    b = builder
    b.source("law_moj", "OGDL-Taiwan-1.0", metadata={"provider": "法務部"})
    merged = b.record("law_moj", "M/1", "合併後的條文。", metadata={"licences": [{"licence_id": "CC-BY-NC-4.0"}]})
    plain = b.record("law_moj", "M/2", "單一來源條文。")
    _export(cli, tmp_path / "a")
    assert {merged, plain} <= _manifest_ids(tmp_path / "a")
    import datasets

    rows = {
        r["record_id"]: r
        for r in datasets.load_dataset(str(tmp_path / "a"), cache_dir=str(tmp_path / "hf-cache"))["train"]
    }
    assert rows[merged]["licence_id"] == "OGDL-Taiwan-1.0 AND CC-BY-NC-4.0"
    assert "CC BY-NC 4.0" in rows[merged]["attribution"] and "政府資料開放授權條款" in rows[merged]["attribution"]
    _export(cli, tmp_path / "b", "--commercial")
    assert _blocked(tmp_path / "b")[merged] == "commercial"
    assert plain in _manifest_ids(tmp_path / "b")


def test_record_level_terms_override_source(builder, cli, tmp_path):
    b = builder
    b.source("tabf", "LicenseRef-Written-Agreement")  # no source terms: default deny
    with_terms = b.record(
        "tabf",
        "h1",
        "講義一。",
        metadata={
            "licence_terms": {
                "agreement_id": "LicenseRef-TABF-Agreement-2026",
                "licensor": "台灣金融研訓院",
                "audience": ["member:CTBC"],
                "purposes": ["training"],
                "expiry": "2027-01-01",
                "attribution": "台灣金融研訓院授權",
            }
        },
    )
    without = b.record("tabf", "h2", "講義二。")
    _export(cli, tmp_path / "a", audience="member:CTBC")
    assert with_terms in _manifest_ids(tmp_path / "a")
    assert _blocked(tmp_path / "a")[without] == "licence_terms"
    _export(cli, tmp_path / "b", audience="member:FUBON")
    assert _blocked(tmp_path / "b")[with_terms] == "audience"
    assert dt.date.fromisoformat(AS_OF) < dt.date(2027, 1, 1)


def test_export_needs_an_existing_catalogue(cli, tmp_path):
    code, _, err = cli(
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--out",
        str(tmp_path / "o"),
        db=tmp_path / "absent.duckdb",
    )
    assert code == 1 and "does not exist" in err
    assert not (tmp_path / "absent.duckdb").exists()


def test_source_terms_apply_only_to_agreement_licences(builder, cli, tmp_path):
    from prov_helpers import TEXTBOOK_TERMS

    b = builder
    b.source("textbook", "LicenseRef-Written-Agreement", metadata={"licence_terms": TEXTBOOK_TERMS})
    under_terms = b.record("textbook", "ch1", "第一章。")
    open_chapter = b.record("textbook", "ch2", "開放章節。", licence_id="CC-BY-4.0")
    _export(cli, tmp_path / "a")
    assert open_chapter in _manifest_ids(tmp_path / "a")
    assert _blocked(tmp_path / "a")[under_terms] == "audience"


def test_pii_gate_blocks_unchecked_records_of_any_source(builder, cli, tmp_path):
    builder.source("law_moj", "OGDL-Taiwan-1.0", title="全國法規資料庫", metadata={"provider": "法務部"})
    checked = builder.record("law_moj", "a", "本法所稱銀行。")
    unchecked = builder.record("law_moj", "b", "本法所稱存款。", pii_state=None)
    builder.close()
    code, out, _ = cli(
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "consortium",
        "--out",
        str(tmp_path / "strict"),
        "--json",
    )
    assert code == 0
    blocked = (tmp_path / "strict" / "blocked.csv").read_text(encoding="utf-8")
    assert unchecked in blocked and "pii_unchecked" in blocked and checked not in blocked
    code, out, _ = cli(
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "consortium",
        "--pii-gate",
        "expected",
        "--out",
        str(tmp_path / "loose"),
        "--json",
    )
    assert code == 0 and unchecked not in (tmp_path / "loose" / "blocked.csv").read_text(encoding="utf-8")


def test_titles_of_pii_expected_sources_are_not_exported(mixed, db_path, cli, tmp_path):
    import pyarrow.parquet as pq

    code, _, _ = cli(
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        "consortium",
        "--out",
        str(tmp_path / "o"),
        "--json",
    )
    assert code == 0
    rows = pq.read_table(next((tmp_path / "o").rglob("*.parquet"))).to_pylist()
    sanctions = [r for r in rows if r["source_id"] == "sanctions"]
    assert sanctions and all(r["title"] is None for r in sanctions)


def test_attribution_names_the_work_and_its_creator(builder, cli, tmp_path):
    """CC BY asks for the creator and the title of the work: a manifest row's title and licensor stand in front of
    the licence's statement (the NOTICE once credited only the collection, "university textbooks")."""
    import pyarrow.parquet as pq

    b = builder
    b.source("textbooks", "CC-BY-4.0", title="university textbooks")
    work = {"document_title": "金融制度講義", "licensor": "示範教授", "section": 1}
    rid = b.record("textbooks", "notes.txt#1", "存款保險制度之目的。", metadata=work)
    plain = b.record("textbooks", "other.txt#1", "最後貸款者之角色。")
    out = tmp_path / "a"
    _export(cli, out)
    notice = (out / "NOTICE.md").read_text("utf-8")
    assert "「金融制度講義」，示範教授" in notice
    rows = {r["record_id"]: r["attribution"] for r in pq.read_table(out / "data").to_pylist()}
    assert rows[rid].startswith("「金融制度講義」，示範教授：") and "CC BY 4.0" in rows[rid]
    assert "示範教授" not in rows[plain] and "CC BY 4.0" in rows[plain]


def test_an_interrupted_export_run_is_marked_failed_by_the_next(mixed, db_path, cli, tmp_path):
    """An export killed with kill -9 left its run `running` for ever; the next export (which holds the catalogue's
    write lock, so no other export can be running) marks it failed, and verify still passes."""
    from provenance import db, runs

    con = db.connect(db_path)
    dead = runs.start_run(con, "export dataset", "x", {"out_dir": str(tmp_path / "dead")})
    con.close()
    _export(cli, tmp_path / "a")
    con = db.connect(db_path)
    status, counts = con.execute("SELECT status, counts FROM runs WHERE run_id = ?", [dead]).fetchone()
    n_running = con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0]
    con.close()
    assert status == "failed" and "interrupted" in counts and n_running == 0
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_overwrite_keeps_the_earlier_export_until_the_new_one_succeeds(mixed, cli, tmp_path, monkeypatch):
    """--overwrite moves the earlier export aside and removes it only once the new one is written; a failed export
    puts it back (it was deleted first, so a failure left nothing)."""
    import provenance.export as export_mod

    out = tmp_path / "a"
    _export(cli, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(*a, **k):
        raise OSError(28, "No space left on device", str(out / "NOTICE.md"))

    monkeypatch.setattr(export_mod, "_write_documents", boom)
    code, _, err = cli(
        *PUBLIC_TRAINING,
        "--out",
        str(out),
        "--overwrite",
    )
    assert code != 0 and "No space left" in err
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before and not list(tmp_path.glob(".a.*"))
    monkeypatch.undo()
    _export(cli, out, "--overwrite")
    assert (out / "manifest.jsonl").exists() and not list(tmp_path.glob(".a.*"))


def test_the_current_directory_can_be_out(mixed, cli, tmp_path, monkeypatch):
    """`--out .` was refused as "the current directory" once the export was renamed into place beside it (review of
    the fixes #8); it is staged inside --out now, and --out itself is never renamed: an empty current directory is
    exported to, and an earlier export there replaced with --overwrite."""
    out = tmp_path / "a"
    out.mkdir()
    monkeypatch.chdir(out)
    code, _, err = cli(*PUBLIC_TRAINING, "--out", ".")
    assert code == 0 and (out / "manifest.jsonl").exists(), err
    code, _, err = cli(
        "export",
        "dataset",
        "--purpose",
        "evaluation",
        "--audience",
        "public",
        "--non-commercial",
        "--out",
        ".",
        "--overwrite",
    )
    assert code == 0, err
    assert cli("audit", "verify-export", ".")[0] == 0 and not [p for p in out.iterdir() if p.name.startswith(".")]
