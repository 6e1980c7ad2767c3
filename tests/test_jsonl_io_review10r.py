"""Review of review 10's fixes to the standalone JSONL tools (`curate zh convert`, `curate pii`, `curate dedup`)."""

from __future__ import annotations

import json

import pytest

TOOLS = [["zh", "convert"], ["pii", "detect"], ["pii", "scrub"], ["dedup"]]
IDS = ["zh", "pii-detect", "pii-scrub", "dedup"]


@pytest.mark.parametrize("argv", TOOLS, ids=IDS)
def test_a_key_given_twice_beside_an_id_with_a_lone_surrogate_is_quarantined(cli, tmp_path, argv):
    """`duplicate_key` named the line's id without the lone-surrogate check the other reasons make: the quarantine
    file (UTF-8) could not hold it, and `zh convert` and `pii` ended in a UnicodeEncodeError traceback, no output."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "o.jsonl"
    inp.write_text('{"id": "a\\ud800", "text": "x", "text": "y"}\n{"id": "b", "text": "ok"}\n', encoding="utf-8")
    code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
    assert code == 3 and "Traceback" not in err and "Error" not in err, err
    assert [json.loads(x)["id"] for x in out.read_text(encoding="utf-8").splitlines()] == ["b"]
    side = {"zh": "o.jsonl.quarantine.jsonl", "pii": "o.jsonl.errors.jsonl"}.get(argv[0])
    if side:
        row = json.loads((tmp_path / side).read_text(encoding="utf-8"))
        assert (row["line"], row["reason"], row["id"]) == (1, "duplicate_key", None)


@pytest.mark.parametrize("argv", TOOLS, ids=IDS)
def test_an_output_whose_first_id_begins_with_duck_is_no_catalogue(cli, tmp_path, argv):
    """The catalogue check read bytes 8-11 only: `{"id": "` is 8 bytes, so a tool's own output whose first id began
    with DUCK (`DUCK-2024-001`) was refused as a DuckDB database when the tool ran again (exit 2)."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "o.jsonl"
    inp.write_text('{"id": "DUCK-2024-001", "text": "测试"}\n', encoding="utf-8")
    for _ in range(2):
        code, _, err = cli("-q", *argv, "--input", str(inp), "--output", str(out))
        assert code == 0, err
    assert out.read_bytes()[8:12] == b"DUCK"
