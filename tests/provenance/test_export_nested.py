"""An export folder inside another export's folder (review 12): `curate export dataset` wrote a member bank's
export into the public export's folder (`--out public/esun`), so whoever received the public folder received the
member's records too. The pipeline file refused it; the single command did not. Now refused, also through a link
and into the data folder, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def _export(cli, out: Path, audience: str) -> tuple[int, str, str]:
    return cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", audience, "--non-commercial",
        "--out", str(out), "--json",
    )  # fmt: skip


@pytest.fixture
def member_grant(builder):
    """One public record and one record under a member bank's own MODA grant (not transferable)."""
    builder.source("open", "CC0-1.0", title="公眾領域講義")
    builder.source(
        "moda",
        "LicenseRef-MODA-AI-Training",
        title="TAIC 金融語料",
        metadata={"licence_terms": {"audience": "member:ESUN"}},
    )
    builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.record("moda", "ds1/f1", "玉山銀行自有授權之主權語料段落。")
    builder.close()


@pytest.mark.parametrize("inner", ["esun", "data/esun", "link/esun"], ids=["folder", "data-folder", "via-link"])
def test_an_export_inside_another_export_is_refused(member_grant, cli, tmp_path, inner):
    public = tmp_path / "public"
    code, out, err = _export(cli, public, "public")
    assert code == 0 and json.loads(out)["records"] == 1, err
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "link").symlink_to(public)
    target = (tmp_path / "elsewhere" if inner.startswith("link/") else public) / inner
    before = sorted(p.relative_to(public).as_posix() for p in public.rglob("*"))
    code, out, err = _export(cli, target, "member:ESUN")
    assert code == 2, out + err
    assert "inside the export folder" in err and str(public) in err and len(err.strip().splitlines()) == 1
    assert sorted(p.relative_to(public).as_posix() for p in public.rglob("*")) == before
    code, out, err = cli("audit", "verify-export", str(public))
    assert code == 0, out + err


def test_an_export_beside_another_export_is_written(member_grant, cli, tmp_path):
    """Folders side by side (and a folder holding a manifest.jsonl alone, no export) are not refused."""
    code, _, err = _export(cli, tmp_path / "public", "public")
    assert code == 0, err
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "manifest.jsonl").write_text("{}\n", encoding="utf-8")
    for out in (tmp_path / "esun", notes / "esun"):
        code, stdout, err = _export(cli, out, "member:ESUN")
        assert code == 0 and json.loads(stdout)["records"] == 2, err  # its own grant and the public record
