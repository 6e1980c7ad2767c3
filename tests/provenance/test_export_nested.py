"""An export folder inside another export's folder (review 12): `curate export dataset` wrote a member bank's
export into the public export's folder (`--out public/esun`), so whoever received the public folder received the
member's records too. The pipeline file refused it; the single command did not. Now refused, also through a link
and into the data folder, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


def _export(cli, out: Path, audience: str, *extra: str) -> tuple[int, str, str]:
    return cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", audience, "--non-commercial",
        "--out", str(out), "--json", *extra,
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


def test_an_export_through_a_link_inside_an_export_is_refused(member_grant, cli, tmp_path):
    """`--out public/shared/esun` where `public/shared` is a link to a folder outside: the folder it resolves to lies
    outside every export, so it was written, and whoever received the public folder through a tool that follows
    links (`zip -r`, `cp -rL`) received the member's records too. Refused by the path as written (review 12,
    second look)."""
    public, elsewhere = tmp_path / "public", tmp_path / "elsewhere"
    code, out, err = _export(cli, public, "public")
    assert code == 0, out + err
    elsewhere.mkdir()
    (public / "shared").symlink_to(elsewhere, target_is_directory=True)
    code, out, err = _export(cli, public / "shared" / "esun", "member:ESUN")
    assert code == 2 and "inside the export folder" in err and len(err.strip().splitlines()) == 1, out + err
    assert list(elsewhere.iterdir()) == []


def test_a_report_inside_an_export_is_refused(member_grant, cli, tmp_path):
    """`curate report --out public/report.html`: the steward's report (sources, PII, quarantine, every export, the
    member's too) was written into the public export's folder and shipped with it (review 12, second look)."""
    public = tmp_path / "public"
    code, out, err = _export(cli, public, "public")
    assert code == 0, out + err
    code, out, err = cli("report", "--out", str(public / "report.html"))
    assert code == 2 and "inside the export folder" in err and len(err.strip().splitlines()) == 1, out + err
    assert not (public / "report.html").exists()
    assert cli("report", "--out", str(tmp_path / "report.html"))[0] == 0  # beside it: written


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


def test_an_out_or_catalogue_path_that_is_not_utf8_is_one_line(member_grant, cli, tmp_path):
    """`--out` (or `--catalogue`) named in other bytes than UTF-8: a traceback after --out was made (the run's row
    could not hold the name). Now one line, exit 2, and nothing is written (review 12)."""
    import os
    import shutil

    from provenance.licences import licence_catalogue_path

    bad = Path(os.fsdecode(bytes(tmp_path) + b"/bad\xffdir"))
    code, out, err = _export(cli, bad, "public")
    assert code == 2 and "not UTF-8" in err and "\\xff" in err and len(err.strip().splitlines()) == 1, out + err
    assert not bad.exists()
    catalogue = Path(os.fsdecode(bytes(tmp_path) + b"/cat\xff.toml"))
    shutil.copy(licence_catalogue_path(), catalogue)
    code, out, err = _export(cli, tmp_path / "e", "public", "--catalogue", str(catalogue))
    assert code == 2 and "--catalogue" in err and len(err.strip().splitlines()) == 1, out + err
    assert not (tmp_path / "e").exists()


def test_a_pipeline_export_inside_an_export_is_refused_before_its_first_step(member_grant, cli, tmp_path):
    """The pipeline file refused an export inside another of its own exports, but one inside an export already on
    disk only at its export step, after its ingests and stages had run (and its dry run said nothing). Now refused
    before the first step, the dry run too (review 12, second look)."""
    public = tmp_path / "public"
    code, out, err = _export(cli, public, "public")
    assert code == 0, out + err
    corpus = tmp_path / "in" / "a.jsonl"
    corpus.parent.mkdir()
    corpus.write_text('{"id": "1", "text": "本講義說明銀行信用風險管理之基本原則。"}\n', encoding="utf-8")
    pipe = tmp_path / "p.toml"
    pipe.write_text(
        f'[[ingest]]\nsource = "moda"\npaths = ["{corpus.parent}"]\noptions = {{ licence = "OGDL-Taiwan-1.0", source_id = "moda_open" }}\n\n'
        f'[[export]]\nout = "{public / "esun"}"\npurpose = "training"\naudience = "member:ESUN"\ncommercial = false\n',
        encoding="utf-8",
    )
    runs = cli("audit", "sql", "SELECT count(*) AS n FROM runs", "--json")[1]
    for dry in (("--dry-run",), ()):
        code, out, err = cli("pipeline", "run", str(pipe), *dry)
        assert code != 0 and "inside the export folder" in err and "Traceback" not in err, out + err
    assert cli("audit", "sql", "SELECT count(*) AS n FROM runs", "--json")[1] == runs  # no ingest ran
    assert not (public / "esun").exists()
