"""An expiry moved earlier in the licence catalogue file that exports are made with (`export dataset --catalogue`), to
a day after the export was made: the export's NOTICE told its recipients they may use the records until the old day.
Before review 15 the recall judged the corrected file on the export's own day only, when it still allowed the records,
and named no export (an export kept its catalogue's sha256, not the entries' terms). An export now records each used
entry's expiry as its NOTICE stated it, and `audit licences|exports|export --catalogue` names it: `expiry_shortened`."""

from __future__ import annotations

import json
from pathlib import Path

from provenance.licences import licence_catalogue_path


def _catalogue(path: Path, expiry: str | None) -> Path:
    text = licence_catalogue_path().read_text("utf-8")
    if expiry:
        text = text.replace('id = "CC-BY-4.0"\n', f'id = "CC-BY-4.0"\nexpiry = "{expiry}"\n', 1)
    path.write_text(text, encoding="utf-8")
    return path


def _export(cli, out: Path, catalogue: Path) -> dict:
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--commercial",
        "--as-of", "2026-06-01", "--out", str(out), "--catalogue", str(catalogue), "--json",
    )  # fmt: skip
    assert code == 0, text + err
    return json.loads(text)


def _setup(builder) -> str:
    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    rid = builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.record("open", "s.txt#2", "本講義說明銀行作業風險管理之基本原則。")
    builder.close()
    return rid


def test_a_catalogue_expiry_moved_earlier_names_the_export(builder, cli, tmp_path):
    _setup(builder)
    ours = _catalogue(tmp_path / "ours.toml", "2040-12-31")
    exp = _export(cli, tmp_path / "e1", ours)
    assert exp["records"] == 2
    assert "expires 2040-12-31" in (tmp_path / "e1" / "NOTICE.md").read_text(encoding="utf-8")

    # the licensor shortened the licence to 2035: still after the export's day, so the records were allowed then
    _catalogue(ours, "2035-01-31")
    code, out, err = cli("audit", "export", exp["export_id"], "--catalogue", str(ours), "--json")
    assert code == 0, out + err
    refused = json.loads(out)["licence_refused"]
    assert [r["code"] for r in refused] == ["expiry_shortened"] * 2
    assert "2035-01-31" in refused[0]["reason"] and "2040-12-31" in refused[0]["reason"]
    code, out, _ = cli("audit", "exports", "--catalogue", str(ours), "--json")
    assert {e["export_id"]: e["licence_refused"] for e in json.loads(out)}[exp["export_id"]] == 2
    code, out, err = cli("audit", "licences", "--catalogue", str(ours), "--full")
    assert code == 0 and exp["export_id"] in out and "expiry_shortened 2" in out, out + err


def test_an_expiry_added_to_an_entry_without_one_names_the_export(builder, cli, tmp_path):
    _setup(builder)
    ours = _catalogue(tmp_path / "ours.toml", None)
    exp = _export(cli, tmp_path / "e1", ours)
    _catalogue(ours, "2035-01-31")  # NOTICE stated no end date
    code, out, _ = cli("audit", "export", exp["export_id"], "--catalogue", str(ours), "--json")
    refused = json.loads(out)["licence_refused"]
    assert [r["code"] for r in refused] == ["expiry_shortened"] * 2 and "no end date" in refused[0]["reason"]


def test_an_expiry_moved_later_or_kept_names_no_export(builder, cli, tmp_path):
    _setup(builder)
    ours = _catalogue(tmp_path / "ours.toml", "2035-01-31")
    exp = _export(cli, tmp_path / "e1", ours)
    for expiry in ("2035-01-31", "2040-12-31", None):
        _catalogue(ours, expiry)
        code, out, _ = cli("audit", "export", exp["export_id"], "--catalogue", str(ours), "--json")
        assert code == 0 and json.loads(out)["licence_refused"] == [], expiry
    # the shipped catalogue (no expiry for CC BY) is no shortening either
    code, out, _ = cli("audit", "export", exp["export_id"], "--json")
    assert json.loads(out)["licence_refused"] == []
