"""Where the report and anchors go (`curate report --out`, `[report] out`, `audit anchor --append`): never over the
catalogue, its WAL or its work folder, and never over a file that is no earlier report or anchor file."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def catalogue(cli, db_path: Path) -> Path:
    assert cli("init")[0] == 0
    (db_path.parent / ".curate").mkdir(exist_ok=True)
    return db_path


@pytest.mark.parametrize(
    "name", ["cat.duckdb", "cat.duckdb.wal", ".curate/report.html", "link.html"], ids=["db", "wal", "work", "link"]
)
def test_report_refuses_the_catalogues_files(cli, catalogue: Path, name: str) -> None:
    (catalogue.parent / "link.html").symlink_to(catalogue)
    before = _digest(catalogue)
    code, out, err = cli("report", "--out", str(catalogue.parent / name))
    assert code == 2 and "overlaps the catalogue's files" in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1 and "report written" not in out
    assert _digest(catalogue) == before
    assert cli("status")[0] == 0  # still a catalogue


def test_report_replaces_only_an_earlier_report(cli, catalogue: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    code, _, err = cli("report", "--out", str(notes))
    assert code == 2 and "is not a curation report" in err and notes.read_text(encoding="utf-8") == "my notes\n"
    report = tmp_path / "report.html"
    assert cli("report", "--out", str(report))[0] == 0
    assert cli("report", "--out", str(report))[0] == 0  # an earlier report is replaced
    empty = tmp_path / "empty.html"
    empty.touch()
    assert cli("report", "--out", str(empty))[0] == 0  # so is an empty file (mktemp)
    assert not list(tmp_path.glob(".*.tmp-*"))


def test_pipeline_report_out_is_checked_before_anything_runs(cli, catalogue: Path, tmp_path: Path) -> None:
    before = _digest(catalogue)
    for text in (
        '[report]\nout = "cat.duckdb"\n',
        '[[export]]\nout = ".curate/x"\npurpose = "training"\naudience = "consortium"\ncommercial = true\n',
    ):
        f = tmp_path / "p.toml"
        f.write_text(text, encoding="utf-8")
        for dry in ((), ("--dry-run",)):
            code, out, err = cli("pipeline", "run", str(f), *dry)
            assert code == 1 and "overlaps the catalogue's files" in err and str(f) in err, err
            assert "Traceback" not in err
    assert _digest(catalogue) == before


def test_anchor_append_refuses_the_catalogue_and_other_files(cli, catalogue: Path, tmp_path: Path) -> None:
    before = _digest(catalogue)
    code, _, err = cli("audit", "anchor", "--append", str(catalogue))
    assert code == 2 and "overlaps the catalogue's files" in err, err
    assert _digest(catalogue) == before
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes\n", encoding="utf-8")
    code, _, err = cli("audit", "anchor", "--append", str(notes))
    assert code == 2 and "is not an anchor file" in err and notes.read_text(encoding="utf-8") == "my notes\n"
    anchors = tmp_path / "anchors.jsonl"
    for _ in range(2):
        assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    assert len(anchors.read_text(encoding="utf-8").splitlines()) == 2


@pytest.mark.parametrize("before", [3, 14, 27])
def test_report_on_a_catalogue_older_than_it_reads(tmp_path, cli, before):
    """A catalogue older than migration 0027 gets the one-line error of the other read-only commands, exit 1, not a
    traceback (review 5, finding 6); one with 0027 applied gets its report."""
    from catalogue_builder import catalogue_before

    old = tmp_path / "old.duckdb"
    catalogue_before(old, before).close()
    code, _, err = cli("report", "--out", str(tmp_path / "r.html"), db=old)
    assert code == 1 and "Traceback" not in err and "migration 0027" in err and "curate init" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "r.html").exists()
    new = tmp_path / "new.duckdb"
    catalogue_before(new, 28).close()
    code, _, err = cli("report", "--out", str(tmp_path / "r.html"), db=new)
    assert code == 0, err
