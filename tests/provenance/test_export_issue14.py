"""Issue 14, exports that tell the truth: deleted-article stubs, near duplicates, card languages, pii_state,
an empty export, and re-export into the same folder (real law fixtures, real dedup, real `datasets`)."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from curate.ingest import ingest
from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from sources.base import ErrorPolicy
from sources.law_moj import LawMojSource


@pytest.fixture
def laws(law_fixtures: Path, db_path: Path) -> Path:
    files = [
        law_fixtures / "chlaw_json" / "ch" / "G0380001.json",
        law_fixtures / "chlaw_json" / "ch" / "G0380112.json",
        law_fixtures / "chlaw_json" / "en" / "G0380001.json",
    ]
    ingest(db_path, LawMojSource(files, scope="all"), on_error=ErrorPolicy.RAISE)
    assert run_stage(db_path, DedupStage(), workers=1).status == "finished"
    return db_path


def _export(cli, out: Path, *extra: str) -> dict:
    code, stdout, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--commercial",
        "--purpose",
        "training",
        "--audience",
        "consortium",
        "--pii-gate",
        "expected",
        "--out",
        str(out),
        "--json",
        *extra,
    )
    assert code == 0, err
    return json.loads(stdout)


def _load(out: Path, cache: Path):
    import datasets

    return datasets.load_dataset(str(out), cache_dir=str(cache))["train"]


def test_stubs_left_out_near_duplicates_optional_card_truthful(laws, cli, tmp_path):
    out = tmp_path / "all"
    res = _export(cli, out)
    assert res["blocked_by_code"].get("deleted_stub", 0) > 0
    assert res["records"] > 0
    table = pq.read_table(out / "data" / "train-00000.parquet")
    assert "pii_state" in table.column_names
    assert "（刪除）" not in {t.strip() for t in table.column("text").to_pylist()}
    card = (out / "README.md").read_text("utf-8")
    header = card.split("---")[1]
    assert "- zh-Hant" in header and "- en" in header and "- zh\n" not in header
    assert f"config_name: export-{res['export_id']}" in header
    assert "Stated use: **commercial**" in card
    rows = _load(out, tmp_path / "hf")
    assert len(rows) == res["records"] and "pii_state" in rows.column_names

    stubs = _export(cli, tmp_path / "stubs", "--include-deleted-stubs")
    assert stubs["records"] == res["records"] + res["blocked_by_code"]["deleted_stub"]

    dropped = _export(cli, tmp_path / "drop", "--drop-near-duplicates")
    n_near = dropped["blocked_by_code"].get("near_duplicate", 0)
    assert n_near > 0 and dropped["records"] == res["records"] - n_near


def test_reexport_into_the_same_folder_then_load_returns_the_new_rows(laws, cli, tmp_path):
    out, cache = tmp_path / "same", tmp_path / "hf"
    first = _export(cli, out)
    assert len(_load(out, cache)) == first["records"]
    second = _export(cli, out, "--overwrite", "--drop-near-duplicates")
    assert second["records"] < first["records"]
    rows = _load(out, cache)
    assert len(rows) == second["records"]
    assert set(rows["record_id"]) == {json.loads(x)["record_id"] for x in (out / "manifest.jsonl").open()}


def test_empty_export_says_so_clearly(laws, cli, tmp_path):
    out = tmp_path / "empty"
    code, stdout, err = cli(
        "export", "dataset", "--non-commercial", "--purpose", "training", "--audience", "public", "--out", str(out)
    )
    assert code == 0
    assert "0 records" in stdout and "nothing qualified for this export (pii_unchecked" in err
    assert not list((out / "data").glob("*"))
    card = (out / "README.md").read_text("utf-8")
    assert "This export is empty: no record qualified" in card
    assert "| shards | 0 (parquet) |" in card
    # `datasets` has no empty split: loading fails plainly, never reads blocked.csv or the manifest as data
    with pytest.raises(FileNotFoundError):
        _load(out, tmp_path / "hf")
