"""`curate pii detect|scrub` on files with bad lines."""

import json

import pytest


def _write(path, lines: list[bytes]):
    path.write_bytes(b"\n".join(lines) + b"\n")


@pytest.fixture
def messy(tmp_path):
    p = tmp_path / "in.jsonl"
    _write(
        p,
        [
            json.dumps(
                {"id": "a", "text": "申請人王小明，身分證字號A123456789，手機0912-345-678。"}, ensure_ascii=False
            ).encode(),
            b"not json at all",
            b'{"id": "bad", "text": "\xff\xfe"}',
            json.dumps({"id": "e", "text": ""}).encode(),
            json.dumps({"id": "p", "text": "。，！？……"}, ensure_ascii=False).encode(),
            json.dumps({"id": "n"}).encode(),
            json.dumps({"id": "huge", "text": "x" * 3000}).encode(),
            b"",
            json.dumps({"id": "big", "text": "法" * 1_000_000 + "客戶王小明"}, ensure_ascii=False).encode(),
        ],
    )
    return p


def test_detect(cli, messy, tmp_path):
    out = tmp_path / "out.jsonl"
    code, stdout, err = cli(
        "-q",
        "pii",
        "detect",
        "--input",
        str(messy),
        "--output",
        str(out),
        "--max-line-bytes",
        "3_500_000".replace("_", ""),
    )
    assert code == 3, err
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "e", "p", "huge", "big"]
    text = "申請人王小明，身分證字號A123456789，手機0912-345-678。"
    got = {(text[s["start"] : s["end"]], s["entity_type"]) for s in rows[0]["spans"]}
    assert got == {("王小明", "PERSON"), ("A123456789", "TW_NATIONAL_ID"), ("0912-345-678", "TW_PHONE")}
    assert rows[1]["spans"] == [] and rows[2]["spans"] == []
    assert rows[4]["spans"][0]["start"] == 1_000_002
    errors = [json.loads(l) for l in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert [e["line"] for e in errors] == [2, 3, 6]
    assert [e["reason"] for e in errors] == ["bad_json", "not_utf8", "missing_text"]
    assert errors[2]["id"] == "n" and "text" in errors[2]["message"]
    assert "王小明" not in json.dumps(errors, ensure_ascii=False)  # the errors file never quotes the text
    report = json.loads(stdout)
    assert report["errors"] == 3 and report["written"] == 5


def test_huge_line_reported_not_loaded(cli, messy, tmp_path):
    out = tmp_path / "o.jsonl"
    code, stdout, _ = cli(
        "-q", "pii", "detect", "--input", str(messy), "--output", str(out), "--max-line-bytes", "2000"
    )
    assert code == 3
    reasons = [json.loads(l)["reason"] for l in (tmp_path / "o.jsonl.errors.jsonl").read_text().splitlines()]
    assert reasons.count("line_too_long") == 2


def test_scrub_placeholder_and_pseudonym(cli, tmp_path, monkeypatch):
    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": 1, "text": "客戶王小明手機0912345678"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    out = tmp_path / "s.jsonl"
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    code, _, err = cli("-q", "pii", "scrub", "--input", str(src), "--output", str(out))
    assert code == 0, err
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row == {"id": "1", "text": "客戶〔姓名〕手機〔電話〕", "spans": row["spans"]}
    code, _, err = cli("-q", "pii", "scrub", "--mode", "pseudonym", "--input", str(src), "--output", str(out))
    assert code == 1 and "CURATE_PII_KEY" in err and "Traceback" not in err
    monkeypatch.setenv("CURATE_PII_KEY", "cd" * 32)
    code, _, err = cli("-q", "pii", "scrub", "--mode", "pseudonym", "--input", str(src), "--output", str(out))
    assert code == 0, err
    row = json.loads(out.read_text(encoding="utf-8"))
    assert "王小明" not in json.dumps(row, ensure_ascii=False) and all("hmac" in s for s in row["spans"])


def test_missing_input_is_usage_error(cli, tmp_path):
    code, _, err = cli("pii", "detect", "--input", str(tmp_path / "nope.jsonl"), "--output", str(tmp_path / "o"))
    assert code == 2 and "does not exist" in err


def test_help(cli):
    for args in (("pii", "--help"), ("pii", "detect", "--help"), ("pii", "scrub", "--help")):
        code, out, _ = cli(*args)
        assert code == 0 and "Usage" in out


ID_TEXT = "申請人王小明，身分證字號A123456789，手機0912-345-678。"


@pytest.mark.parametrize("command", ["detect", "scrub"])
@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "5", "-0.1"])
def test_a_threshold_outside_0_1_is_refused(cli, tmp_path, command, value):
    """Review 7: `--threshold nan|inf|5` was taken; no span scores that high, so a scrub kept the national id and
    the phone, exit 0. Refused as `run pii --set score_threshold` refuses it (one check), nothing written."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(json.dumps({"id": "a", "text": ID_TEXT}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = cli("pii", command, "--input", str(inp), "--output", str(out), "--threshold", value)
    assert code == 2 and "score_threshold must be a finite number in [0, 1]" in err, err
    assert not out.exists()


def test_scan_threshold_and_stage_setting_share_the_check(cli):
    from curate.runner import make_stage
    from provenance.errors import UsageError

    code, _, err = cli("pii", "scan", "--threshold", "nan")
    assert code == 2 and "score_threshold must be a finite number in [0, 1]" in err, err
    with pytest.raises(UsageError, match=r"score_threshold must be a finite number in \[0, 1\], got 5.0"):
        make_stage("pii", {"score_threshold": "5"})


@pytest.mark.parametrize("value", ["0", "-1", "99999999999999999999999"])
def test_max_line_bytes_out_of_range_is_refused(cli, tmp_path, value):
    """Review 7: `--max-line-bytes -1` read nothing (an empty output, exit 0); a huge value was a traceback."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    inp.write_text(json.dumps({"id": "a", "text": "x"}) + "\n", encoding="utf-8")
    code, _, err = cli("pii", "scrub", "--input", str(inp), "--output", str(out), "--max-line-bytes", value)
    assert code == 2 and "--max-line-bytes" in err and "Traceback" not in err, err
    assert not out.exists()


@pytest.mark.parametrize("mode", ["placeholder", "pseudonym"])
def test_scrub_output_is_settled_as_the_stage(cli, tmp_path, monkeypatch, mode):
    """A placeholder is a context word (〔信用卡號〕 holds 卡號): the stage reads its output again until nothing new is
    found; `curate pii scrub` scrubbed only the first card of a list and left four the detector finds in its output."""
    monkeypatch.setenv("CURATE_PII_KEY", "cd" * 32)
    cards = "、".join(f"4147 274739 3995{n:02d}" for n in (6, 14, 22, 30, 48))
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": f"卡號：{cards}"}, ensure_ascii=False) + "\n", encoding="utf-8")
    out, again = tmp_path / "s.jsonl", tmp_path / "again.jsonl"
    code, _, err = cli("-q", "pii", "scrub", "--mode", mode, "--input", str(src), "--output", str(out))
    assert code == 0, err
    row = json.loads(out.read_text(encoding="utf-8"))
    assert "4147" not in row["text"] and len(row["spans"]) == 5
    code, _, err = cli("-q", "pii", "detect", "--input", str(out), "--output", str(again))
    assert code == 0, err
    assert json.loads(again.read_text(encoding="utf-8"))["spans"] == []
    code, _, err = cli("-q", "pii", "detect", "--input", str(src), "--output", str(again))
    assert code == 0, err
    assert len(json.loads(again.read_text(encoding="utf-8"))["spans"]) == 5  # detect reports what scrub replaces
