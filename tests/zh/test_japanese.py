"""Japanese sentences are left as written: their kanji (会, 国, 担当) are not Simplified characters to convert."""

from __future__ import annotations

import json

import pytest

from curate.zh import normalise, normalise_many

JA = "日本銀行の金融政策決定会合は、国債の買入れを継続した。"
JA_STAFF = "東京支店の担当者は、金融庁の検査に対応した。"

CASES = [
    pytest.param(JA, JA, id="japanese-alone"),
    pytest.param(JA_STAFF, JA_STAFF, id="japanese-staff"),
    pytest.param(
        "東京分行報告如下。" + JA + "請各單位注意。", "東京分行報告如下。" + JA + "請各單位注意。", id="in-traditional"
    ),
    pytest.param(
        "东京分行报告如下。" + JA + "请各单位注意。", "東京分行報告如下。" + JA + "請各單位注意。", id="in-simplified"
    ),
    # one の (a shop name) does not make a Chinese sentence Japanese; ・ in a name is no kana
    pytest.param("我们与小熊の店签约。", "我們與小熊の店簽約。", id="one-kana-is-chinese"),
    pytest.param("唐纳・川普的政策。", "唐納・川普的政策。", id="middle-dot"),
]


@pytest.mark.parametrize(("text", "want"), CASES)
def test_japanese_sentences_are_kept_and_chinese_ones_converted(text, want):
    assert normalise(text).text == want
    # the batch path gives the same result, also among other records
    many = normalise_many(["账户余额不足。", text, "帳戶餘額"])
    assert many[1] == normalise(text)
    assert [r.text for r in many] == ["帳戶餘額不足。", want, "帳戶餘額"]


def test_zh_convert_keeps_a_japanese_quote(cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "ja", "text": JA_STAFF}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    code, stdout, _ = cli("--quiet", "zh", "convert", "--input", str(src), "--output", str(out))
    assert code == 0, stdout
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["text"] == JA_STAFF and row["edits"] == []
