"""`export dataset --overwrite` refusing an `--out` that holds an empty folder names it as one."""

from __future__ import annotations

from pathlib import Path


def test_overwrite_names_an_empty_folder_as_one(mixed, cli, tmp_path: Path):
    """An empty folder left in an earlier export's `--out` is refused by `--overwrite` (it would be removed), and
    the one-line error calls it what it is (review 16: "holds links or special files: extra/")."""
    out = tmp_path / "ex"
    args = ("--quiet", "export", "dataset", "--non-commercial", "--purpose", "training", "--audience", "public")
    assert cli(*args, "--out", str(out))[0] == 0
    (out / "extra").mkdir()
    code, _, err = cli(*args, "--out", str(out), "--overwrite")
    assert code == 2
    assert "empty folders" in err and "extra/" in err and len(err.strip().splitlines()) == 1
