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


def test_an_export_folder_its_export_would_refuse_is_refused_before_the_first_step(cli, db_path, tmp_path):
    """An export folder holding someone's notes (or a file where the folder belongs, or one that is not empty with
    `overwrite = false`) was found only by the export, after every ingest batch and stage had run (hours at scale),
    and the dry run said what the export would hold: refused before anything runs, the dry run too. A folder holding
    an earlier export of this catalogue is still replaced."""
    corpus = tmp_path / "in" / "corpus.jsonl"
    corpus.parent.mkdir()
    shutil.copyfile(SAMPLE / "moda" / "corpus.jsonl", corpus)
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "minutes.txt").write_text("board minutes", encoding="utf-8")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    stage = '[[stage]]\nname = "hygiene"\n\n'
    first = _write(tmp_path / "first.toml", _moda(str(corpus)) + stage + _export("exp"))
    code, out, err = cli("pipeline", "run", str(first))
    assert code == 3, err  # the sample's broken line
    cases = {
        "someone's notes": (_export("notes"), "holds no earlier export (no manifest.jsonl): minutes.txt"),
        "a file": (_export("file"), "exists and is not a folder"),
        "no overwrite": (_export("exp") + "overwrite = false\n", "is not empty and `overwrite = false`"),
    }
    for i, (name, (export, msg)) in enumerate(cases.items()):
        f = _write(tmp_path / f"p{i}.toml", _moda(str(corpus)) + stage + export)
        runs = _runs(db_path)
        for dry in (("--dry-run",), ()):
            code, out, err = cli("pipeline", "run", str(f), *dry)
            assert code == 2 and msg in err and f"{f}: [[export]] #1" in err and "Traceback" not in err, (name, err)
            assert "would hold" not in out and len(err.strip().splitlines()) == 1, (out, err)
        assert _runs(db_path) == runs, name  # nothing ran
    assert (notes / "minutes.txt").read_text(encoding="utf-8") == "board minutes"
    code, out, err = cli("pipeline", "run", str(first))  # an earlier export of this catalogue: replaced as before
    assert code == 3 and "export " in out, err


def test_a_path_holding_a_nul_is_a_one_line_error(cli, db_path, tmp_path):
    """`out = "x\\u0000y"` (TOML spells a NUL so) raised ValueError from every path function: a traceback."""
    cases = {
        "an export": _export("exp\\u0000y"),
        "the report": '[report]\nout = "r\\u0000.html"\n',
        "an ingest path": _moda("in\\u0000"),
    }
    for i, (name, text) in enumerate(cases.items()):
        f = _write(tmp_path / f"p{i}.toml", text)
        for dry in (("--dry-run",), ()):
            code, out, err = cli("pipeline", "run", str(f), *dry)
            assert code == 2 and "holds a NUL character" in err and "Traceback" not in err, (name, err)
            assert len(err.strip().splitlines()) == 1, err
    assert not db_path.exists()


def test_a_single_ingest_may_not_read_the_catalogue_nor_an_earlier_export(cli, db_path, tmp_path, monkeypatch):
    """`curate ingest SOURCE PATH` had none of the pipeline's check: `curate ingest moda exp` took an export's Parquet
    shards in again under the given licence, and `curate ingest moda .` read the `.curate` work files (stage files of
    text not yet through PII) into the quarantine. Refused (exit 2) before the catalogue is opened for writing."""
    corpus = tmp_path / "in" / "corpus.jsonl"
    corpus.parent.mkdir()
    shutil.copyfile(SAMPLE / "moda" / "corpus.jsonl", corpus)
    code, _, err = cli("pipeline", "run", str(_write(tmp_path / "first.toml", _moda(str(corpus)) + _export("exp"))))
    assert code == 3 and (tmp_path / "exp" / "data" / "train-00000.parquet").is_file(), err
    runs = _runs(db_path)
    (tmp_path / ".curate" / "cat.duckdb" / "runs").mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(tmp_path)
    cases = {
        "exp": "the folder of export",
        "exp/data/train-00000.parquet": "the folder of export",
        ".": "overlaps the catalogue's files",
        ".curate": "overlaps the catalogue's files",
    }
    for path, msg in cases.items():
        code, _, err = cli("ingest", "moda", path, "--licence", "OGDL-Taiwan-1.0")
        assert code == 2 and msg in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, (path, err)
        code, _, err = cli("ingest", "fsc", path)
        assert code == 2 and msg in err, (path, err)
    assert _runs(db_path) == runs  # nothing ran
    code, _, err = cli("ingest", "moda", str(corpus), "--licence", "OGDL-Taiwan-1.0")
    assert code in (0, 3), err  # the source's own folder is still read
