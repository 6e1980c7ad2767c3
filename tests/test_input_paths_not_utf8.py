"""A file named in Big5 (a copy from a Windows share) given to a command that records its path in the catalogue:
review 14 made every text argument UTF-8 and left paths their bytes, which DuckDB cannot take. `curate ingest` read
the file, then ended in a traceback writing its run (the run left `running`); `curate annotate push --output` wrote
the task file, then ended in a traceback recording it for `curate pii scan`. Each is one line now (exit 2), before
anything is written. The real CLI in a subprocess, the path as bytes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIG5 = "銀行法".encode("big5")  # not UTF-8
LAW = ROOT / "demo" / "sample" / "law_moj" / "ChLaw.json"


def _curate(db_path: Path, *args: bytes) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    for name in ("CURATE_PII_KEY", "CURATE_PII_KEY_FILE"):
        env.pop(name, None)
    argv = [sys.executable.encode(), b"-m", b"curate.cli", b"--db", os.fsencode(db_path), *args]
    return subprocess.run(argv, cwd=ROOT, capture_output=True, env=env, timeout=300)


def _one_line(proc: subprocess.CompletedProcess) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2 and "Traceback" not in err, err
    assert "not UTF-8" in err and "\\xbb" in err, err
    return err


def test_ingesting_a_file_named_in_big5_is_one_line_and_writes_nothing(tmp_path):
    named = os.fsencode(tmp_path) + b"/" + BIG5 + b".json"
    shutil.copyfile(LAW, named)
    db_path = tmp_path / "cat.duckdb"
    _one_line(_curate(db_path, b"ingest", b"law-moj", named))
    assert not db_path.exists()
    folder = tmp_path / "laws"
    folder.mkdir()
    shutil.copyfile(LAW, os.fsencode(folder) + b"/" + BIG5 + b".json")
    assert "under the input folder" in _one_line(_curate(db_path, b"ingest", b"law-moj", os.fsencode(folder)))
    assert not db_path.exists()
    assert _curate(db_path, b"ingest", b"law-moj", os.fsencode(LAW)).returncode == 0  # a UTF-8 name as before
    proc = _curate(db_path, b"sql", b"SELECT count(*) FROM runs WHERE status <> 'finished'")
    assert proc.stdout.decode().split()[-1] == "0"


def test_a_task_file_named_in_big5_is_one_line_and_left_unwritten(tmp_path):
    db_path = tmp_path / "cat.duckdb"
    assert _curate(db_path, b"ingest", b"law-moj", os.fsencode(LAW)).returncode == 0
    out = os.fsencode(tmp_path) + b"/" + BIG5 + b".json"
    _one_line(_curate(db_path, b"annotate", b"push", b"--project", b"proofread", b"--bank", b"B1", b"--output", out))
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"cat.duckdb"]
    fine = tmp_path / "tasks.json"
    proc = _curate(
        db_path, b"annotate", b"push", b"--project", b"proofread", b"--bank", b"B1", b"--output", bytes(fine)
    )
    assert proc.returncode == 0 and fine.exists(), proc.stderr.decode()


def test_a_pipeline_whose_later_batch_holds_a_big5_name_runs_no_step(tmp_path):
    """The pipeline's checks before its first step refuse it, as they refuse a key file among its inputs: the
    batches before it were ingested, then the ingest step refused it."""
    folder = tmp_path / "laws"
    folder.mkdir()
    shutil.copyfile(LAW, os.fsencode(folder) + b"/" + BIG5 + b".json")
    pipe = tmp_path / "pipeline.toml"
    pipe.write_text(
        f'[[ingest]]\nsource = "law-moj"\npaths = ["{LAW}"]\n\n[[ingest]]\nsource = "law-moj"\npaths = ["{folder}"]\n',
        encoding="utf-8",
    )
    db_path = tmp_path / "cat.duckdb"
    err = _one_line(_curate(db_path, b"pipeline", b"run", bytes(pipe)))
    assert "[[ingest]] #2" in err, err
    assert not db_path.exists()


def test_a_hidden_file_or_an_empty_folder_named_in_big5_is_no_refusal(tmp_path):
    """No source reads a hidden file (`._銀行法.json`, what a Mac leaves beside a copy) nor an empty folder: the
    folder ingested before the refusal of Big5 names, and still does."""
    folder = tmp_path / "laws"
    folder.mkdir()
    shutil.copyfile(LAW, folder / "ChLaw.json")
    open(os.fsencode(folder) + b"/._" + BIG5 + b".json", "wb").close()
    os.mkdir(os.fsencode(folder) + b"/" + BIG5)
    db_path = tmp_path / "cat.duckdb"
    proc = _curate(db_path, b"ingest", b"law-moj", os.fsencode(folder))
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    os.mkdir(os.fsencode(folder) + b"/" + BIG5 + b"/sub")
    shutil.copyfile(LAW, os.fsencode(folder) + b"/" + BIG5 + b"/sub/ChLaw.json")  # a file in it is read: refused
    assert "under the input folder" in _one_line(_curate(db_path, b"ingest", b"law-moj", os.fsencode(folder)))


def test_an_unlisted_file_named_in_big5_beside_a_manifest_is_a_counted_skip(tmp_path):
    """A file no manifest row names is counted as skipped (never read): one named in Big5 beside TABF's manifest
    ended the ingest in a traceback writing the skip (the run left `running`); it is counted, its bytes escaped."""
    folder = tmp_path / "tabf"
    shutil.copytree(ROOT / "demo" / "sample" / "tabf", folder)
    open(os.fsencode(folder) + b"/" + BIG5 + b".txt", "wb").close()
    db_path = tmp_path / "cat.duckdb"
    proc = _curate(db_path, b"ingest", b"tabf", bytes(folder / "manifest.csv"))
    out = (proc.stdout + proc.stderr).decode("utf-8", "replace")
    assert proc.returncode == 3 and "Traceback" not in out, out  # 3: the sample's own quarantined rows
    assert "skipped 2: file not in manifest" in out, out  # draft_notes.txt and the Big5 one
    proc = _curate(db_path, b"sql", b"SELECT status FROM runs")
    assert proc.stdout.decode().split()[-1] == "finished", proc.stdout


def test_a_big5_name_in_a_hidden_folder_no_source_reads_is_no_refusal(tmp_path):
    """Every source leaves out a hidden part below its input folder (`.git/`, `.ipynb_checkpoints/`: FSC too since
    review 17), yet the name check walked into such folders and refused the whole ingest for a Big5 name there that
    nothing would read. A hidden folder is passed over as a hidden file is; a Big5 file beside it is still refused."""
    folder = tmp_path / "laws"
    (folder / ".git").mkdir(parents=True)
    shutil.copyfile(LAW, folder / "ChLaw.json")
    shutil.copyfile(LAW, os.fsencode(folder) + b"/.git/" + BIG5 + b".json")
    db_path = tmp_path / "cat.duckdb"
    proc = _curate(db_path, b"ingest", b"law-moj", os.fsencode(folder))
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    shutil.copyfile(LAW, os.fsencode(folder) + b"/" + BIG5 + b".json")
    assert "under the input folder" in _one_line(_curate(db_path, b"ingest", b"law-moj", os.fsencode(folder)))
