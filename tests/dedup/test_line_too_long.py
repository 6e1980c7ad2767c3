"""A line over the limit says what its own command's user can do (review 13's leftovers): `curate dedup` and `curate
zh convert` said "`curate pii` takes --max-line-bytes", an option neither takes (dedup ended in a usage error when
the user tried it): they say their limit is fixed, and `curate pii` names its option."""

from __future__ import annotations

import json

from curate.jsonl_io import DEFAULT_MAX_LINE_BYTES


def _input(tmp_path):
    inp = tmp_path / "in.jsonl"
    big = json.dumps({"id": "big", "text": "銀" * (DEFAULT_MAX_LINE_BYTES // 3 + 10)}, ensure_ascii=False)
    inp.write_text(big + "\n" + json.dumps({"id": "a", "text": "銀行法第一條"}, ensure_ascii=False) + "\n", "utf-8")
    return inp


def test_dedup_says_its_limit_is_fixed(cli, tmp_path):
    inp, out = _input(tmp_path), tmp_path / "out.jsonl"
    code, _, err = cli("-q", "dedup", "--input", str(inp), "--output", str(out))
    assert code == 3 and "line too long" in err and "in.jsonl:1" in err, err
    assert "`curate dedup` takes no longer line: its limit is fixed" in err and "max-line-bytes" not in err, err
    assert "split the record" in err
    code, _, err = cli("-q", "dedup", "--input", str(inp), "--output", str(out), "--max-line-bytes", "99999999")
    assert code == 2  # the option the message named before: dedup takes none


def test_zh_convert_says_its_limit_is_fixed_and_pii_names_its_option(cli, tmp_path):
    inp = _input(tmp_path)
    code, _, err = cli("-q", "zh", "convert", "--input", str(inp), "--output", str(tmp_path / "z.jsonl"))
    assert code == 3, err
    reason = (tmp_path / "z.jsonl.quarantine.jsonl").read_text(encoding="utf-8")
    assert "`curate zh convert` takes no longer line: its limit is fixed" in reason and "max-line-bytes" not in reason
    code, _, err = cli("-q", "pii", "detect", "--input", str(inp), "--output", str(tmp_path / "p.jsonl"))
    assert code == 3, err
    reason = (tmp_path / "p.jsonl.errors.jsonl").read_text(encoding="utf-8")
    assert "line_too_long" in reason and "raise the limit with --max-line-bytes" in reason, reason
