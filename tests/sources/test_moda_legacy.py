"""MODA rows of a catalogue made by a release before 9ac3a61, used by the current code: without `--dataset` those
releases stored the file's folder name as `metadata.dataset` (no `dataset_key`), at a schema before 0111
(review 8, F2 and F3)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

LICENCE = ("--licence", "OGDL-Taiwan-1.0")


def _write(path: Path, *rows: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _as_before_folder_keys(db_path: Path) -> None:
    """Rewrite the catalogue's MODA rows and runs the way a release before 9ac3a61 wrote them: the folder name as
    `dataset`, no `dataset_key` or `dataset_origin`, its runs at schema 0102 (rows named with `--dataset` were
    stored then as now)."""
    con = duckdb.connect(str(db_path))
    con.execute(
        "UPDATE records SET metadata = json(json_merge_patch(metadata, json_object('dataset',"
        " json_extract_string(metadata, '$.dataset_key'), 'dataset_key', NULL, 'dataset_origin', NULL)))"
        " WHERE json_exists(metadata, '$.dataset_key')"
    )
    con.execute("UPDATE runs SET schema_version = 102")
    con.close()


def _derive_by_a_current_run(db_path: Path, text_like: str) -> None:
    """A stage version made since the upgrade (a current run) of the active rows whose text is ``text_like``: it
    copies its parent's metadata, folder name included."""
    from provenance import db, runs
    from provenance.records import create_version

    con = db.connect(db_path)
    try:
        run_id = runs.start_run(con, "run normalise", "x")
        rows = con.execute(
            "SELECT record_id, text FROM records WHERE status = 'active' AND text LIKE ?", [text_like]
        ).fetchall()
        with db.transaction(con):
            for rid, text in rows:
                create_version(con, rid, text + "（新版）", stage="normalise", run_id=run_id)
        runs.finish_run(con, run_id, "finished")
    finally:
        con.close()


@pytest.mark.parametrize("given", ["file", "folder", "derived since"])
def test_rows_of_a_release_before_folder_keys_take_the_same_files_again(tmp_path, db_path, cli, given):
    """The same file, the same command after the upgrade was refused: "the folder name `moda` keys datasets of rows
    ingested with `--dataset moda`" (no `--dataset` was ever given). Such rows name no folder (README): the files
    they came from are taken as this folder's, another folder's files are refused."""
    f = _write(tmp_path / "moda" / "corpus.jsonl", {"id": 1, "text": "存款利率說明。"}, {"id": 2, "text": "匯率說明。"})
    arg = str(f if given == "file" else f.parent)
    code, out, err = cli("--quiet", "ingest", "moda", arg, *LICENCE)
    assert code == 0, out + err
    _as_before_folder_keys(db_path)
    if given == "derived since":
        _derive_by_a_current_run(db_path, "%說明。")
    code, out, err = cli("--quiet", "ingest", "moda", arg, *LICENCE)
    assert code == 0 and ("2 unchanged" in out or given == "derived since"), out + err
    other = _write(tmp_path / "elsewhere" / "moda" / "other.jsonl", {"id": 1, "text": "另一個資料集。"})
    code, out, err = cli("--quiet", "ingest", "moda", str(other if given == "file" else other.parent), *LICENCE)
    assert code == 1 and "rows ingested (before folders were told apart) from other files" in err, out + err


def test_a_folder_name_stored_by_a_release_before_folder_keys_is_not_credited(tmp_path, db_path, cli):
    """After the upgrade, NOTICE and the attribution column still credited `中央銀行 2025 Downloads`: the fix of
    9ac3a61 held for new ingests only. A dataset named with `--dataset` then is still credited."""
    row = {"id": "1", "text": "政策利率維持不變。", "agency": "中央銀行", "date": "2025-09-18"}
    code, _, err = cli("-q", "ingest", "moda", str(_write(tmp_path / "Downloads" / "a.jsonl", row)), *LICENCE)
    assert code == 0, err
    named = _write(tmp_path / "named" / "b.jsonl", {**row, "id": "2"})
    code, _, err = cli("-q", "ingest", "moda", str(named), *LICENCE, "--dataset", "央行新聞稿")
    assert code == 0, err
    _as_before_folder_keys(db_path)
    _derive_by_a_current_run(db_path, "政策%")  # both rows: the active versions are a current run's
    out = tmp_path / "e"
    args = ["--non-commercial", "--purpose", "training", "--audience", "consortium", "--pii-gate", "expected"]
    code, _, err = cli("--quiet", "export", "dataset", *args, "--out", str(out), "--as-of", "2026-06-01")
    assert code == 0, err
    import pyarrow.parquet as pq

    credits = sorted(r["attribution"].splitlines()[0] for r in pq.read_table(out / "data").to_pylist())
    assert credits[1] == "中央銀行 2025 央行新聞稿", credits
    assert credits[0].startswith("中央銀行 2025 ") and "Downloads" not in credits[0], credits
    assert "Downloads" not in (out / "NOTICE.md").read_text(encoding="utf-8")
    with (out / "blocked.csv").open(encoding="utf-8", newline="") as fh:
        assert not list(csv.DictReader(fh))
