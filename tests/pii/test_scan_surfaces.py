"""`curate pii scan` covers exports, Label Studio task files and stage working files (issue 13).

Each surface is scanned clean after the real stages, then a personal value is planted in it and the
scan must find it there (so a clean scan of that surface means something).
"""

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from catalogue_builder import add_records, add_source

from curate.workfiles import work_root
from provenance import db, runs

NAME = "林志明"
TEXT = "受處分人：林志明\n核處林志明罰鍰，聯絡手機0912345678。"


@pytest.fixture
def catalogue(db_path, cli, monkeypatch, tmp_path):
    """PII stage, a JSONL and a Parquet export, and a tasks file for a manual Label Studio import."""
    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    for var in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_CACHE"):
        monkeypatch.delenv(var, raising=False)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", pii_expected=True, licence_id="CC-BY-4.0")
    add_records(
        con,
        [
            {"source_id": "fsc", "locator": "case/1", "text": TEXT, "licence_id": "CC-BY-4.0"},
            {
                "source_id": "fsc",
                "locator": "case/2",
                "text": "金融監督管理委員會發布新聞稿。",
                "licence_id": "CC-BY-4.0",
            },
        ],
        run_id=run_id,
    )
    runs.finish_run(con, run_id)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    outs = {}
    for fmt in ("jsonl", "parquet"):
        outs[fmt] = tmp_path / f"export-{fmt}"
        code, out, err = cli(
            "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial",
            "--format", fmt, "--out", str(outs[fmt]), "--json",
        )  # fmt: skip
        assert code == 0, out + err
    tasks = tmp_path / "ls" / "tasks.json"
    code, out, err = cli("annotate", "push", "--project", "proofread", "--bank", "B1", "--output", str(tasks))
    assert code == 0, out + err
    return db_path, outs, tasks


def _scan(cli):
    code, out, err = cli("pii", "scan", "--json")
    assert code in (0, 1), err
    assert NAME not in out and "0912345678" not in out  # findings name digests, never values
    return code, json.loads(out)


def _plant(path, write):
    before = path.read_bytes() if path.exists() else None
    write(path)
    return before


def test_every_new_surface_is_clean_then_a_planted_value_is_found(catalogue, cli):
    db_path, outs, tasks = catalogue
    code, report = _scan(cli)
    assert code == 0 and report["findings"] == [], report
    assert report["unchecked"] == []
    exp = outs["jsonl"]
    for name in ("README.md", "manifest.jsonl", "croissant.json", "NOTICE.md", "blocked.csv"):
        assert (exp / name).exists(), name
    data = sorted((exp / "data").glob("*.jsonl"))
    assert data and sorted((outs["parquet"] / "data").glob("*.parquet"))
    assert tasks.exists()

    def esc(p):  # a value written with ensure_ascii (\uXXXX escapes)
        p.write_text(json.dumps({"respondent": NAME}), encoding="utf-8")

    def append(p):
        with p.open("a", encoding="utf-8") as fh:
            fh.write(f"\n{NAME}\n")

    def blocked(p):
        with p.open("a", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerow(["x", "fsc", f"case/{NAME}", "licence"])

    def parquet(p):  # a nested column, not a plain string one
        pq.write_table(pa.table({"meta": [{"who": NAME}]}), p)

    def workfile(p):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps({"text": TEXT, "licence_id": "CC-BY-4.0"}, ensure_ascii=False) + "\n", encoding="utf-8")

    def task_file(p):
        p.write_text(json.dumps([{"data": {"text": f"回撥{NAME}"}}], ensure_ascii=False), encoding="utf-8")

    cases = [
        ("export", exp / "croissant.json", esc),
        ("export", exp / "manifest.jsonl", append),
        ("export", exp / "README.md", append),
        ("export", exp / "NOTICE.md", append),
        ("export", exp / "blocked.csv", blocked),
        ("export", data[0], append),
        ("export", outs["parquet"] / "data" / "extra.parquet", parquet),
        ("workfile", work_root(db_path) / "runs" / "r-left" / "snapshot" / "part-0.jsonl", workfile),
        ("labelstudio-file", tasks, task_file),
    ]
    for surface, path, write in cases:
        before = _plant(path, write)
        code, report = _scan(cli)
        hits = {(f["surface"], f["entity_type"]) for f in report["findings"] if str(path) in f["where"]}
        assert code == 1 and (surface, "PERSON") in hits, (surface, path, report["findings"])
        if before is None:
            path.unlink()
        else:
            path.write_bytes(before)
    code, report = _scan(cli)
    assert code == 0 and report["findings"] == [], report


def test_a_recorded_export_or_tasks_file_that_is_gone_is_listed_as_not_checked(catalogue, cli):
    _, outs, tasks = catalogue
    import shutil

    shutil.rmtree(outs["jsonl"])
    tasks.unlink()
    code, report = _scan(cli)
    assert code == 0
    gone = "\n".join(report["unchecked"])
    assert str(outs["jsonl"]) in gone and str(tasks.resolve()) in gone


def test_an_unfinished_runs_work_folder_is_named(catalogue, cli, db_path):
    """A run killed before its load leaves its input snapshot on disk (raw text for a PII run, whose values are
    not known yet): the scan names the folder instead of giving it a clean bill."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from curate.workfiles import work_root

    con = db.connect(db_path)
    unfinished = runs.start_run(con, "run hygiene", "x")
    (finished,) = con.execute("SELECT run_id FROM runs WHERE command = 'run pii'").fetchone()
    con.close()
    dirs = {}
    for run_id in (unfinished, finished, "20261205T000000-abcdef"):
        dirs[run_id] = work_root(db_path) / "runs" / run_id
        (dirs[run_id] / "snapshot").mkdir(parents=True)
        pq.write_table(pa.table({"text": ["申請人：某人"]}), dirs[run_id] / "snapshot" / "data_0.parquet")
    code, report = _scan(cli)
    named = {d: [u for u in report["unchecked"] if f"workfile {d}:" in u] for d in dirs.values()}
    assert all(len(n) == 1 for n in named.values()), report["unchecked"]
    assert f"`curate runs abandon {unfinished}`" in named[dirs[unfinished]][0]
    # `runs abandon` refuses a finished run and an id the catalogue lacks: the scan must not send the user there
    assert "runs abandon" not in named[dirs[finished]][0] and "next `curate run`" in named[dirs[finished]][0]
    assert "runs abandon" not in named[dirs["20261205T000000-abcdef"]][0], named
    code, out, err = cli("runs", "abandon", finished)
    assert code == 2 and "is finished" in err, out + err
    code, out, err = cli("-q", "run", "hygiene", "--workers", "1")  # what the scan says removes them
    assert code == 0, out + err
    assert not (dirs[finished] / "snapshot").exists()
