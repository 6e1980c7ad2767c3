"""An entry renamed in a licence catalogue file (its old id kept as an alias, as the shipped catalogue does for
`LicenseRef-TW-CopyrightAct-Art9`) and its expiry moved earlier at the same time. An export recorded the entry's
expiry under the id its records carry (the old one), and the review-15 recall looked that id up among the entries'
own ids only: the renamed entry was "removed" there, and the records, judged through the alias as allowed, named no
export. The old id is now resolved through the aliases, as the rules judge the records (review of the fixes 15)."""

from __future__ import annotations

import json
from pathlib import Path

from provenance.licences import licence_catalogue_path

_ENTRY = """
[[licence]]
id = "{lid}"
name = "研訓院課程講義授權"
url = "https://www.tabf.org.tw/"
aliases = [{aliases}]
purposes = ["training", "evaluation", "redistribution"]
audience = ["public"]
commercial = true
attribution_required = false
share_alike = false
sublicensable = true
expiry = "{expiry}"
rank = 90
"""


def _catalogue(path: Path, lid: str, expiry: str, aliases: str = "") -> Path:
    text = licence_catalogue_path().read_text("utf-8") + _ENTRY.format(lid=lid, aliases=aliases, expiry=expiry)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_entry_renamed_with_its_expiry_moved_earlier_names_the_export(builder, cli, tmp_path):
    builder.source("course", "LicenseRef-TABF-Course-v1", title="課程講義", metadata={"provider": "研訓院"})
    builder.record("course", "c.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.record("course", "c.txt#2", "本講義說明銀行作業風險管理之基本原則。")
    builder.close()
    ours = _catalogue(tmp_path / "ours.toml", "LicenseRef-TABF-Course-v1", "2040-12-31")
    code, out, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--commercial",
        "--as-of", "2026-06-01", "--out", str(tmp_path / "e1"), "--catalogue", str(ours), "--json",
    )  # fmt: skip
    assert code == 0, out + err
    exp = json.loads(out)
    assert exp["records"] == 2

    # renamed, the old id kept as an alias, and shortened to 2035 (still after the export's day)
    _catalogue(ours, "LicenseRef-TABF-Course", "2035-01-31", aliases='"LicenseRef-TABF-Course-v1"')
    code, out, err = cli("audit", "export", exp["export_id"], "--catalogue", str(ours), "--json")
    assert code == 0, out + err
    refused = json.loads(out)["licence_refused"]
    assert [r["code"] for r in refused] == ["expiry_shortened"] * 2, refused
    assert "2035-01-31" in refused[0]["reason"] and "2040-12-31" in refused[0]["reason"]

    # renamed only: the same day under the new id is no shortening
    _catalogue(ours, "LicenseRef-TABF-Course", "2040-12-31", aliases='"LicenseRef-TABF-Course-v1"')
    code, out, _ = cli("audit", "export", exp["export_id"], "--catalogue", str(ours), "--json")
    assert code == 0 and json.loads(out)["licence_refused"] == [], out
