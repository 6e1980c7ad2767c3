"""`curate audit anchor --append` and the auditor's anchor file after a crash or an editor (review 13, crash).

The anchor was appended without a sync (a power cut could lose a line the command said it wrote), to a file an
editor saved without its last line end: the new anchor joined that line and the file read as no anchor file at
all, every earlier anchor lost to `verify --anchor`. A last line a crash cut off is named as such."""

from __future__ import annotations

import json


def test_an_anchor_file_without_its_last_line_end_gets_a_line_of_its_own(history, cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    anchors.write_text(anchors.read_text(encoding="utf-8").rstrip("\n"), encoding="utf-8")  # saved by an editor
    code, _, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 0, err
    lines = anchors.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(json.loads(line)["hash"] for line in lines), lines
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0, out + err


def test_a_cut_off_last_line_is_named_and_what_precedes_it_kept(history, cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    whole = anchors.read_bytes()
    anchors.write_bytes(whole + whole[:30])  # a second append cut off by a crash
    for args in (("audit", "anchor", "--append", str(anchors)), ("audit", "verify", "--anchor", str(anchors))):
        code, out, err = cli(*args)
        assert code == 2 and "line 2, its last, is cut off" in err and "remove that line" in err, out + err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert anchors.read_bytes() == whole + whole[:30]
