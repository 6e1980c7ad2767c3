"""`curate pipeline run`: where a pipeline file reads and writes, checked against the catalogue before its first step
(`curate/pipeline_places.py`)."""

from __future__ import annotations

import shutil
from pathlib import Path

from provenance import db

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "sample"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _moda(*paths: str) -> str:
    listed = ", ".join(f'"{p}"' for p in paths)
    return f'[[ingest]]\nsource = "moda"\npaths = [{listed}]\noptions = {{ licence = "OGDL-Taiwan-1.0" }}\n\n'


def _export(out: str, audience: str = "consortium") -> str:
    return f'[[export]]\nout = "{out}"\npurpose = "training"\naudience = "{audience}"\ncommercial = false\npii_gate = "expected"\n\n'


def _runs(path: Path) -> list[tuple[str, str]]:
    con = db.connect_readonly(path)
    try:
        return con.execute("SELECT command, status FROM runs ORDER BY started_at, run_id").fetchall()
    finally:
        con.close()


def test_an_ingest_may_not_read_the_catalogue_nor_an_earlier_export(cli, db_path, tmp_path):
    """A batch reading an export of this catalogue took its records in again under the batch's licence (moda reads the
    export's Parquet shards: a consortium-only export came back as OGDL open data, the stand-in of its own original
    in a public export), and one reading the catalogue's folder read its `.curate` work files (logs, stage files of
    text not yet through PII) into the quarantine: refused before anything runs, the dry run too."""
    corpus = tmp_path / "in" / "corpus.jsonl"
    corpus.parent.mkdir()
    shutil.copyfile(SAMPLE / "moda" / "corpus.jsonl", corpus)
    first = _write(tmp_path / "first.toml", _moda(str(corpus)) + _export("exp"))
    code, out, err = cli("pipeline", "run", str(first))
    assert code == 3, err  # the sample's broken line
    assert (tmp_path / "exp" / "data" / "train-00000.parquet").is_file()
    runs = _runs(db_path)
    (tmp_path / ".curate" / "cat.duckdb" / "runs").mkdir(parents=True, exist_ok=True)  # as a killed run leaves it
    cases = {
        "an export's folder": (_moda("exp"), "the folder of export"),
        "a file of an export": (_moda("exp/data/train-00000.parquet"), "the folder of export"),
        "a folder holding an export": (_moda("in", "."), "overlaps the catalogue's files"),
        "the work folder": (_moda(".curate"), "overlaps the catalogue's files"),
        "the catalogue": (_moda(db_path.name), "overlaps the catalogue's files"),
    }
    for i, (name, (text, msg)) in enumerate(cases.items()):
        f = _write(tmp_path / f"p{i}.toml", text)
        for dry in (("--dry-run",), ()):
            code, out, err = cli("pipeline", "run", str(f), *dry)
            assert code == 1 and msg in err and f"{f}: [[ingest]] #1" in err and "Traceback" not in err, (name, err)
            assert len(err.strip().splitlines()) == 1, err
    assert _runs(db_path) == runs  # nothing ran
