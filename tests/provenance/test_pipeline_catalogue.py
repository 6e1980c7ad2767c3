"""A pipeline file's exports and report by a corrected licence catalogue file (`catalogue = "FILE"`), as
`export dataset --catalogue` and `curate report --catalogue` (review 13, integration).

Review 13 took the corrected file to serve, report, audit and annotate push/pull, but a pipeline file's [[export]]
and [report] followed the shipped catalogue only: a licence the steward had ended in the file exports are made with
still shipped from a `curate pipeline run`, and a `catalogue` key was an unknown key."""

from __future__ import annotations

from provenance.licences import licence_catalogue_path


def _ended(tmp_path):
    ended = tmp_path / "ended.toml"  # the licensor ended CC-BY-4.0's grant long ago: the steward's correction
    text = licence_catalogue_path().read_text("utf-8")
    ended.write_text(text.replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2000-01-01"\n', 1), "utf-8")
    return ended


def test_a_pipeline_exports_by_its_corrected_catalogue_file(builder, cli, tmp_path):
    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.close()
    _ended(tmp_path)
    pipe = tmp_path / "p.toml"
    pipe.write_text(
        '[[export]]\nout = "e1"\npurpose = "training"\naudience = "public"\ncommercial = true\n'
        'catalogue = "ended.toml"\n\n[report]\nout = "r.html"\ncatalogue = "ended.toml"\n',
        encoding="utf-8",
    )
    code, out, err = cli("pipeline", "run", str(pipe), "--dry-run")
    assert code == 0 and "would hold 0 records" in out, out + err
    code, out, err = cli("pipeline", "run", str(pipe))
    assert code == 0 and ": 0 records, 1 blocked" in out, out + err
    assert "custom licence catalogue** `ended.toml`" in (tmp_path / "e1" / "NOTICE.md").read_text("utf-8")

    pipe.write_text(pipe.read_text("utf-8").replace('"ended.toml"', '"missing.toml"'), encoding="utf-8")
    code, out, err = cli("pipeline", "run", str(pipe), "--dry-run")
    assert code != 0 and "missing.toml" in err and "[[export]] #1" in err and len(err.strip().splitlines()) == 1
