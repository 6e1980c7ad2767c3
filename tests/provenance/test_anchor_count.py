"""The anchor line's `count` (review 14): `audit verify --anchor` read it and never compared it, so a line whose
count was altered verified. It must agree with the events the ledger holds up to the anchored head; `catalogue`
(the path the catalogue had) is not compared: a moved copy or a backup is verified under another path."""

from __future__ import annotations

import json


def _anchor(cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    code, _, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 0, err
    return anchors, json.loads(anchors.read_text(encoding="utf-8"))


def test_a_forged_count_fails_verify(history, cli, tmp_path):
    anchors, line = _anchor(cli, tmp_path)
    assert line["seq"] > 0 and line["count"] == line["seq"], line
    anchors.write_text(json.dumps({**line, "count": line["count"] + 5}) + "\n", encoding="utf-8")
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 1, out + err
    assert f"says {line['count'] + 5} events, the ledger holds {line['count']}" in out + err, out + err


def test_a_line_without_count_or_under_another_catalogue_path_verifies(history, cli, tmp_path):
    anchors, line = _anchor(cli, tmp_path)
    plain = {k: v for k, v in line.items() if k != "count"}
    moved = {**line, "catalogue": "/backup/elsewhere.duckdb"}
    anchors.write_text(json.dumps(plain) + "\n" + json.dumps(moved) + "\n", encoding="utf-8")
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0, out + err
    assert "anchors ok: 2 anchored heads" in out, out
