"""`curate audit verify-export --export ID` of a copy when the id was also written before exports recorded per-file
hashes (an upgraded bank's catalogue): such a writing can vouch only for its manifest, so it is never the "closest"
candidate for a folder. Review 16 (r): the candidate with fewest differences was taken, and a writing without file
hashes counted as len(files)+1, so a copy holding the intact manifest.jsonl and a forged shard (the other files left
out) was checked against the old writing, its manifest only, and reported ok."""

from __future__ import annotations

import json
import shutil

from provenance import ledger

EXPORT = ("--quiet", "export", "dataset", "--non-commercial", "--purpose", "training", "--audience", "public")


def test_a_forged_copy_is_not_checked_against_a_writing_without_file_hashes(mixed, cli, tmp_path, monkeypatch):
    append = ledger.append

    def legacy_append(con, events, *args, **kwargs):
        for e in events:
            if e.action == "export":
                e.detail.pop("files", None)
        return append(con, events, *args, **kwargs)

    monkeypatch.setattr(ledger, "append", legacy_append)
    assert cli(*EXPORT, "--out", str(tmp_path / "old"))[0] == 0
    monkeypatch.undo()
    new = tmp_path / "new"
    assert cli(*EXPORT, "--out", str(new))[0] == 0
    code, rows, err = cli("audit", "exports", "--json")
    assert code == 0, err
    ids = {r["export_id"] for r in json.loads(rows)}
    assert len(ids) == 1, "the same export, written twice"
    (export_id,) = ids

    received = tmp_path / "received"
    received.mkdir()
    shutil.copy2(new / "manifest.jsonl", received / "manifest.jsonl")
    shard = sorted((new / "data").iterdir())[0]
    (received / "data").mkdir()
    (received / "data" / shard.name).write_text('{"text": "forged"}\n', encoding="utf-8")

    code, out, err = cli("audit", "verify-export", str(received), "--json", "--export", export_id)
    res = json.loads(out) if out.strip() else {}
    assert code == 1 and not res.get("ok"), (res, err)
    assert f"changed file: data/{shard.name}" in res["problems"], res
    # an intact copy of the new writing still verifies
    shutil.copytree(new, tmp_path / "copy")
    code, out, err = cli("audit", "verify-export", str(tmp_path / "copy"), "--json", "--export", export_id)
    assert code == 0, out + err
