"""``export dataset --overwrite`` replaces only an earlier export of this catalogue holding nothing else.

It once deleted any folder holding a file named ``manifest.jsonl`` (a project with its sources), and files a user
had put into an earlier export folder.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.provenance.test_export import PUBLIC_TRAINING


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_folder_with_a_stray_manifest_is_never_deleted(mixed, cli, tmp_path):
    proj = tmp_path / "fakeproj"
    (proj / "src").mkdir(parents=True)
    (proj / "manifest.jsonl").write_text('{"hello":1}\n')
    (proj / "src" / "main.py").write_text("code\n")
    (proj / "notes.md").write_text("notes\n")
    before = _tree(proj)
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(proj), "--overwrite")
    assert code == 2, err
    assert "no export of this catalogue" in err and "manifest.jsonl" in err and len(err.strip().splitlines()) == 1
    assert _tree(proj) == before and not list(tmp_path.glob(".fakeproj.previous-*"))


def test_files_added_to_an_earlier_export_are_named_and_kept(mixed, cli, tmp_path):
    out = tmp_path / "earlier"
    assert cli(*PUBLIC_TRAINING, "--out", str(out))[0] == 0
    (out / "src").mkdir()
    (out / "src" / "main.py").write_text("code\n")
    (out / "notes.md").write_text("notes\n")
    before = _tree(out)
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite")
    assert code == 2, err
    assert "did not write: notes.md, src/main.py" in err and "move those files out" in err
    assert _tree(out) == before
    # moved out, the earlier export is replaced
    (out / "notes.md").unlink()
    (out / "src" / "main.py").unlink()
    (out / "src").rmdir()
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite")
    assert code == 0, err
    assert set(_tree(out)) == set(before) - {"notes.md", "src/main.py"}
    assert not list(tmp_path.glob(".earlier.previous-*"))


def test_an_empty_directory_added_to_an_earlier_export_is_named_and_kept(mixed, cli, tmp_path):
    out = tmp_path / "earlier"
    assert cli(*PUBLIC_TRAINING, "--out", str(out))[0] == 0
    (out / "mine").mkdir()
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite")
    assert code == 2 and "mine/" in err, err
    assert (out / "mine").is_dir()


def test_an_edited_export_file_is_not_overwritten(mixed, cli, tmp_path):
    out = tmp_path / "edited"
    assert cli(*PUBLIC_TRAINING, "--out", str(out))[0] == 0
    (out / "README.md").write_text("my own notes on this export\n")
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite")
    assert code == 2 and "README.md (changed)" in err
    assert (out / "README.md").read_text() == "my own notes on this export\n"


def test_another_catalogues_export_is_not_overwritten(mixed, cli, db_path, tmp_path):
    out = tmp_path / "theirs"
    assert cli(*PUBLIC_TRAINING, "--out", str(out))[0] == 0
    other = tmp_path / "other.duckdb"
    assert cli("init", db=other)[0] == 0
    before = _tree(out)
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite", db=other)
    assert code == 2 and "no export of this catalogue" in err
    assert _tree(out) == before


def test_an_export_from_before_per_file_hashes_is_replaced_by_its_names(mixed, cli, db_path, tmp_path):
    """Older export events list no files: the names every export writes, and its card naming the export."""
    from provenance import db

    out = tmp_path / "old"
    assert cli(*PUBLIC_TRAINING, "--out", str(out))[0] == 0
    con = db.connect(db_path)
    seq, detail = con.execute("SELECT seq, detail FROM provenance_events WHERE action = 'export'").fetchone()
    detail = json.loads(detail)
    del detail["files"]
    con.execute("UPDATE provenance_events SET detail = ? WHERE seq = ?", [json.dumps(detail), seq])
    con.close()
    (out / "extra.txt").write_text("x")
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite")
    assert code == 2 and "extra.txt" in err and (out / "extra.txt").exists()
    (out / "extra.txt").unlink()
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite")
    assert code == 0, err


def test_settling_removes_only_the_earlier_exports_own_files(tmp_path):
    """A file put into the moved-aside folder while the new export ran is left in place, never deleted."""
    from provenance.export_out import remove_own

    prev = tmp_path / ".a.previous-1"
    (prev / "data").mkdir(parents=True)
    (prev / "manifest.jsonl").write_text("")
    (prev / "data" / "train-00000.parquet").write_text("x")
    (prev / "late.txt").write_text("keep")
    remove_own(prev, frozenset({"manifest.jsonl", "data/train-00000.parquet"}))
    assert _tree(prev) == {"late.txt": b"keep"}
    (prev / "late.txt").unlink()
    remove_own(prev, frozenset())
    assert not prev.exists()


def test_an_export_nothing_qualified_for_can_be_overwritten(builder, cli, tmp_path):
    """An empty export leaves its `data/` folder empty; --overwrite refused it as "a directory holding no file"."""
    builder.source("mystery", "LicenseRef-Unknown-Thing")
    builder.record("mystery", "x", "來源不明的文字。")
    builder.close()
    out = tmp_path / "empty"
    assert cli(*PUBLIC_TRAINING, "--out", str(out))[0] == 0
    assert (out / "data").is_dir() and not any((out / "data").iterdir())
    code, _, err = cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite")
    assert code == 0, err
    assert not list(tmp_path.glob(".empty.previous-*"))
