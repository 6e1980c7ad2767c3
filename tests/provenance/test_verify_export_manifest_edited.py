"""A recipient checks a copy whose manifest.jsonl was edited (review 18).

The export is found by its manifest's sha256 (the folder is not where it was written); an edited manifest matched
no export, and ``curate audit verify-export`` answered "no export in the catalogue matches" (exit 2) where the
recipient needed the report: which files changed. The copy's NOTICE.md and README.md name the export; it is
checked against that export now. A folder naming no export, or two, is still the one-line error.
"""

from __future__ import annotations

import shutil

from prov_helpers import export_public


def _copy_with_edited_manifest(mixed, cli, tmp_path):
    export_public(cli, tmp_path / "e1", "--as-of", "2026-06-01", "--non-commercial")
    copy = tmp_path / "received"
    shutil.copytree(tmp_path / "e1", copy)
    lines = (copy / "manifest.jsonl").read_text("utf-8").splitlines()
    (copy / "manifest.jsonl").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # one record hidden
    return copy


def test_an_edited_manifest_is_reported_not_unmatched(mixed, cli, tmp_path):
    copy = _copy_with_edited_manifest(mixed, cli, tmp_path)
    code, out, err = cli("audit", "verify-export", str(copy))
    assert code == 1, (out, err)
    assert "FAILED" in out and "changed file: manifest.jsonl" in out
    assert "disagree on 1 records" in out


def test_a_copy_naming_no_export_is_still_the_one_line_error(mixed, cli, tmp_path):
    copy = _copy_with_edited_manifest(mixed, cli, tmp_path)
    for name in ("NOTICE.md", "README.md"):
        (copy / name).write_text("edited\n", encoding="utf-8")
    code, out, err = cli("audit", "verify-export", str(copy))
    assert code == 2 and "no export in the catalogue matches" in err and len(err.strip().splitlines()) == 1


def test_a_copy_without_its_manifest_is_not_ok_when_the_export_predates_file_hashes(mixed, cli, tmp_path, monkeypatch):
    """An export written before per-file hashes vouches for its manifest only; a copy whose manifest.jsonl was removed
    (or replaced by a link) was found by the NOTICE fallback and reported ok: nothing at all had been checked."""
    import json

    from provenance import ledger

    append = ledger.append

    def legacy_append(con, events, *args, **kwargs):
        for e in events:
            if e.action == "export":
                e.detail.pop("files", None)
        return append(con, events, *args, **kwargs)

    monkeypatch.setattr(ledger, "append", legacy_append)
    export_public(cli, tmp_path / "e1", "--non-commercial")
    monkeypatch.undo()
    copy = tmp_path / "received"
    shutil.copytree(tmp_path / "e1", copy)
    (copy / "manifest.jsonl").unlink()
    code, out, err = cli("audit", "verify-export", str(copy), "--json")
    res = json.loads(out) if out.strip() else {}
    assert code == 1 and res.get("ok") is False, (out, err)
    assert "missing file: manifest.jsonl" in res["problems"], res
    (copy / "manifest.jsonl").symlink_to(tmp_path / "e1" / "manifest.jsonl")
    code, out, err = cli("audit", "verify-export", str(copy), "--json", "--export", res["export_id"])
    res = json.loads(out) if out.strip() else {}
    assert code == 1 and res.get("ok") is False, (out, err)
    assert any(p.startswith("not a regular file: manifest.jsonl") for p in res["problems"]), res
