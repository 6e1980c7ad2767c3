"""A licence corrected in the licence catalogue file that exports are made with (`export dataset --catalogue`): the
next export follows it, and since review 12 the recall does too (`audit licences|exports|export --catalogue`).
Before, the recall judged past exports by the shipped catalogue only, and said no export needed recalling."""

from __future__ import annotations

import json
from pathlib import Path

from provenance.licences import licence_catalogue_path


def _export(cli, out: Path, catalogue: Path) -> dict:
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--commercial",
        "--as-of", "2026-06-01", "--out", str(out), "--catalogue", str(catalogue), "--json",
    )  # fmt: skip
    assert code == 0, text + err
    return json.loads(text)


def test_recall_judges_by_the_corrected_catalogue_file(builder, cli, tmp_path):
    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    rid = builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.close()
    ours = tmp_path / "ours.toml"
    ours.write_text(licence_catalogue_path().read_text("utf-8"), encoding="utf-8")
    shipped = _export(cli, tmp_path / "e1", ours)
    assert shipped["records"] == 1

    # the licensor ended the licence on 1 March (found out later): the steward corrects the catalogue file
    text = ours.read_text("utf-8").replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2026-03-01"\n', 1)
    ours.write_text(text, encoding="utf-8")
    assert _export(cli, tmp_path / "e2", ours)["blocked_by_code"] == {"expired": 1}  # the next export follows

    code, out, err = cli("audit", "licences", "--catalogue", str(ours), "--full")
    assert code == 0 and shipped["export_id"] in out and "expired 1" in out, out + err
    code, out, _ = cli("audit", "exports", "--catalogue", str(ours), "--json")
    assert {e["export_id"]: e["licence_refused"] for e in json.loads(out)}[shipped["export_id"]] == 1
    code, out, _ = cli("audit", "export", shipped["export_id"], "--catalogue", str(ours), "--json")
    refused = json.loads(out)["licence_refused"]
    assert [r["code"] for r in refused] == ["expired"] and "2026-03-01" in refused[0]["reason"]

    # `audit record` says what the record's licence permits by the same rules (review 12, second look: it said
    # "permits training ..." by the shipped catalogue while `audit export --catalogue` named the record refused)
    ended = tmp_path / "ended.toml"  # ended long before today, whatever today's date
    ended.write_text(text.replace('expiry = "2026-03-01"', 'expiry = "2000-01-01"'), encoding="utf-8")
    code, out, err = cli("audit", "record", rid, "--catalogue", str(ended), "--json")
    assert code == 0 and json.loads(out)["permits"]["summary"].startswith("permits nothing now (expired"), out + err
    code, out, _ = cli("audit", "record", rid, "--json")
    assert json.loads(out)["permits"]["summary"].startswith("permits training")

    # without --catalogue: the shipped rules, under which the licence has not ended
    code, out, _ = cli("audit", "licences")
    assert code == 0 and "no past export holds records" in out
    code, _, err = cli("audit", "licences", "--catalogue", str(tmp_path / "missing.toml"))
    assert code != 0 and "missing.toml" in err and len(err.strip().splitlines()) == 1
