"""`curate audit verify-export` of a copy of an export whose id was written more than once with other documents.

An export id covers the catalogue state, the licence catalogue's sha256, the records and the parameters, not the
name of a custom licence catalogue file that NOTICE.md and the card state: the same export made with the same
catalogue saved under another name has the same id and another NOTICE. Before review 16 `verify-export --export ID`
checked a folder against the newest writing only, and a recipient's untouched copy of the earlier one was
reported FAILED (changed NOTICE.md, README.md); without --export it was "none of them file for file"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from provenance.licence_file import licence_catalogue_path

EXPORT = ("--quiet", "export", "dataset", "--non-commercial", "--purpose", "training", "--audience", "public")


def _verify(cli, folder: Path, *extra: str) -> tuple[int, dict, str]:
    code, out, err = cli("audit", "verify-export", str(folder), "--json", *extra)
    return code, (json.loads(out) if out.strip() else {}), err


def _written_twice(cli, tmp_path: Path) -> tuple[Path, Path]:
    """One export written to two folders, each with the same licence catalogue saved under another file name (which
    NOTICE and the card print, and the export id does not cover)."""
    text = licence_catalogue_path().read_text("utf-8") + "\n# the bank's own copy\n"
    (tmp_path / "a.toml").write_text(text, "utf-8")
    (tmp_path / "b.toml").write_text(text, "utf-8")
    first, second = tmp_path / "first", tmp_path / "second"
    assert cli(*EXPORT, "--out", str(first), "--catalogue", str(tmp_path / "a.toml"))[0] == 0
    assert cli(*EXPORT, "--out", str(second), "--catalogue", str(tmp_path / "b.toml"))[0] == 0
    return first, second


def test_a_copy_of_an_earlier_writing_verifies(mixed, cli, tmp_path):
    first, second = _written_twice(cli, tmp_path)
    code, rows, err = cli("audit", "exports", "--json")
    assert code == 0, err
    ids = {r["export_id"] for r in json.loads(rows)}
    assert len(ids) == 1, "the same export, written twice"
    (export_id,) = ids
    assert (first / "NOTICE.md").read_bytes() != (second / "NOTICE.md").read_bytes()

    copy = tmp_path / "received"  # what the recipient bank holds: a copy, in a folder the catalogue never wrote
    shutil.copytree(first, copy)
    for extra in ((), ("--export", export_id)):
        code, res, err = _verify(cli, copy, *extra)
        assert code == 0 and res["ok"], (extra, res, err)
    code, res, _ = _verify(cli, first, "--export", export_id)
    assert code == 0 and res["ok"], res

    # a changed copy is still caught, and only what changed is named
    with (copy / "NOTICE.md").open("a", encoding="utf-8") as fh:
        fh.write("\nextra terms\n")
    code, res, _ = _verify(cli, copy, "--export", export_id)
    assert code == 1 and res["problems"] == ["changed file: NOTICE.md"], res


def test_a_changed_copy_of_an_earlier_writing_names_only_what_changed_without_export_id(mixed, cli, tmp_path):
    """Review 16 (r): with --export ID a changed copy was checked against the writing it differs from least, but
    without it against the newest writing, so a forged shard in a copy of the earlier writing was reported with
    NOTICE.md and README.md changed too (files the recipient never touched)."""
    first, second = _written_twice(cli, tmp_path)
    copy = tmp_path / "received"
    shutil.copytree(first, copy)
    shard = sorted((copy / "data").iterdir())[0]
    with shard.open("ab") as fh:
        fh.write(b"\n")
    name = shard.relative_to(copy).as_posix()
    code, res, err = _verify(cli, copy)
    assert code == 1 and res["problems"] == [f"changed file: {name}"], (res, err)
