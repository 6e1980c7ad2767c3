"""`curate zh convert` on users' own JSONL files."""

from __future__ import annotations

import json

import pytest


def _write(path, lines):
    path.write_bytes(b"".join(lines))
    return path


def test_convert_writes_script_edits_and_flags(cli, tmp_path):
    src = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"id": "a", "text": "账户余额不足，自动扣款失败。"}, ensure_ascii=False).encode() + b"\n",
            json.dumps({"id": "b", "text": "姓范的余先生\r\n里長。"}, ensure_ascii=False).encode() + b"\n",
            b'{"id": "c", "text": ""}\n',
            b'{"id": "d", "text": "no han at all"}\n',
        ],
    )
    out = tmp_path / "out.jsonl"
    code, stdout, _ = cli("--quiet", "zh", "convert", "--input", str(src), "--output", str(out))
    assert code == 0, stdout
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c", "d"]
    assert rows[0]["text"] == "帳戶餘額不足，自動扣款失敗。" and rows[0]["script"] == "simplified"
    assert rows[0]["edits"] and {"offset", "before", "after"} <= set(rows[0]["edits"][0])
    assert rows[1]["text"] == "姓范的余先生\r\n里長。" and rows[1]["edits"] == []
    assert rows[2]["script"] == rows[3]["script"] == "neutral"
    assert "written 4" in stdout


def test_bad_lines_are_quarantined_with_reasons_and_exit_3(cli, tmp_path):
    src = _write(
        tmp_path / "in.jsonl",
        [
            b'{"id": "ok", "text": "\xe8\xbd\xaf\xe4\xbb\xb6"}\n',  # 软件
            b"not json\n",
            b'{"id": "x"}\n',
            b'{"id": "s", "text": "a\\ud800b"}\n',
            b'{"id": "n", "text": 5}\n',
            b'{"id": "u", "text": "\xff\xfe"}\n',
        ],
    )
    out = tmp_path / "out.jsonl"
    code, stdout, stderr = cli("zh", "convert", "--input", str(src), "--output", str(out))
    assert code == 3
    assert "quarantined 5" in stdout
    assert json.loads(out.read_text(encoding="utf-8"))["text"] == "軟體"
    q = [json.loads(x) for x in (tmp_path / "out.jsonl.quarantine.jsonl").read_text().splitlines()]
    assert [r["reason"] for r in q] == ["bad_json", "missing_text", "invalid_surrogate", "text_not_string", "not_utf8"]
    assert [r["line"] for r in q] == [2, 3, 4, 5, 6]


def test_unknown_config_lists_valid_ones(cli, tmp_path):
    src = _write(tmp_path / "in.jsonl", [b'{"id": 1, "text": "x"}\n'])
    code, _, err = cli("zh", "convert", "--input", str(src), "--output", str(tmp_path / "o.jsonl"), "--config", "s2hk")
    assert code == 2
    assert "s2twp" in err and "s2tw" in err


def test_s2tw_and_protected_file(cli, tmp_path):
    src = _write(
        tmp_path / "in.jsonl",
        [json.dumps({"id": 1, "text": "客户范志明的鼠标坏了。"}, ensure_ascii=False).encode() + b"\n"],
    )
    names = tmp_path / "names.txt"
    out = tmp_path / "o.jsonl"
    # saved by Notepad: a byte-order mark before the first word, which was then no word of the list
    for encoding in ("utf-8", "utf-8-sig"):
        names.write_text("范志明\n", encoding=encoding)
        code, _, _ = cli(
            "-q",
            "zh",
            "convert",
            "--input",
            str(src),
            "--output",
            str(out),
            "--config",
            "s2tw",
            "--protected",
            str(names),
        )
        assert code == 0
        assert json.loads(out.read_text(encoding="utf-8"))["text"] == "客戶范志明的滑鼠壞了。", encoding


def test_one_megabyte_record_and_missing_input(cli, tmp_path):
    text = "网络银行的转账限额为每日二百万元。" * 20000
    src = _write(tmp_path / "in.jsonl", [json.dumps({"id": "big", "text": text}, ensure_ascii=False).encode()])
    out = tmp_path / "o.jsonl"
    code, _, _ = cli("-q", "zh", "convert", "--input", str(src), "--output", str(out))
    assert code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["text"].startswith("網路銀行的轉帳")
    code, _, err = cli("zh", "convert", "--input", str(tmp_path / "nope.jsonl"), "--output", str(out))
    assert code == 2 and "does not exist" in err


@pytest.mark.parametrize("cut", ["records", "chars"])
def test_convert_in_batches_equals_record_by_record(cli, tmp_path, eval_dev, monkeypatch, cut):
    """More lines than one batch, bad lines between them: every good line as `normalise` gives it, in order.

    Batches end at a number of lines or of characters, whichever comes first (both cuts exercised).
    """
    import curate.zh.jsonl as zh_jsonl
    from curate.zh import normalise

    monkeypatch.setattr(zh_jsonl, "BATCH", 256 if cut == "records" else 10_000)
    monkeypatch.setattr(zh_jsonl, "BATCH_CHARS", 1_000_000 if cut == "records" else 3_000)
    calls: list[int] = []
    real = zh_jsonl.normalise_many
    monkeypatch.setattr(
        zh_jsonl, "normalise_many", lambda texts, *a, **k: calls.append(len(texts)) or real(texts, *a, **k)
    )
    texts = [json.loads(x)["text"] for x in (eval_dev / "zh_dev.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = (texts * (2 * 256 // len(texts) + 2))[: 2 * 256 + 7]
    lines = []
    for i, t in enumerate(texts):
        lines.append(json.dumps({"id": str(i), "text": t}, ensure_ascii=False).encode() + b"\n")
        if i % 97 == 0:
            lines.append(b"{not json\n")
    src = _write(tmp_path / "in.jsonl", lines)
    out = tmp_path / "out.jsonl"
    code, stdout, err = cli("--quiet", "zh", "convert", "--input", str(src), "--output", str(out))
    n_bad = len(lines) - len(texts)
    assert code == 3 and f"quarantined {n_bad}" in stdout + err  # 3: some lines quarantined
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == [str(i) for i in range(len(texts))]
    assert len(calls) >= 3 and sum(calls) == len(texts)
    if cut == "records":
        assert max(calls) == 256
    else:
        assert max(calls) < 256
    for r, t in zip(rows, texts, strict=True):
        want = normalise(t)
        assert (r["text"], r["script"], r["edits"], r["flags"]) == (
            want.text,
            want.script,
            want.edits_json(),
            want.flags_json(),
        )


def test_protected_file_that_is_not_utf8_is_a_one_line_error(cli, tmp_path):
    src = _write(tmp_path / "in.jsonl", [b'{"id": 1, "text": "x"}\n'])
    bad = tmp_path / "names.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    code, _, err = cli(
        "zh", "convert", "--input", str(src), "--output", str(tmp_path / "o.jsonl"), "--protected", str(bad)
    )
    assert code == 2
    assert "not UTF-8" in err and "Traceback" not in err


def test_a_line_over_the_limit_names_what_to_do(cli, tmp_path, monkeypatch):
    import functools

    import curate.zh.jsonl as zh_jsonl

    monkeypatch.setattr(zh_jsonl, "read_jsonl", functools.partial(zh_jsonl.read_jsonl, max_line_bytes=64))
    big = json.dumps({"id": "big", "text": "账户" * 40}, ensure_ascii=False).encode()
    src = _write(tmp_path / "in.jsonl", [big + b"\n"])
    out = tmp_path / "o.jsonl"
    code, _, _ = cli("-q", "zh", "convert", "--input", str(src), "--output", str(out))
    assert code == 3
    reason = (tmp_path / "o.jsonl.quarantine.jsonl").read_text(encoding="utf-8")
    assert "line_too_long" in reason and "split the record" in reason and "raise the limit" not in reason
