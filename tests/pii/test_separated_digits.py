"""Digits written one by one or grouped with dots or slashes were read by no recognizer (`手機：0 9 1 2 3 4 5 6 7 8`,
`0912.345.678`, `4111.1111.1111.1111`, `存款帳號：123-45-678901-2`); they are read where the digits are validated,
and dates, versions, amounts and article numbers written the same way stay."""

import pytest

from curate.pii.scrubber import scrub

FOUND = [
    ("身分證字號：O 1 5 8 2 3 8 8 4 5", "身分證字號：〔身分證字號〕"),
    ("身分證字號：F 1 3 1 1 0 4 0 9 3。", "身分證字號：〔身分證字號〕。"),
    ("手機：0 9 1 2 3 4 5 6 7 8", "手機：〔電話〕"),
    ("請回電0912.345.678", "請回電〔電話〕"),
    ("手機0912/345/678", "手機〔電話〕"),
    ("卡號4111.1111.1111.1111遭盜刷", "卡號〔信用卡號〕遭盜刷"),
    ("信用卡 4111/1111/1111/1111", "信用卡 〔信用卡號〕"),
    ("存款帳號：123-45-678901-2", "存款帳號：〔銀行帳號〕"),
    ("帳號：1234.5678.9012", "帳號：〔銀行帳號〕"),
    # review 9: a landline grouped with dots, and the Big5 dot U+2027 (02‧2771‧8888), were read by none
    ("電話：02.2771.8888", "電話：〔電話〕"),
    ("住家電話 04.2222.3333", "住家電話 〔電話〕"),
    ("電話：02\u20272771\u20278888", "電話：〔電話〕"),
    ("手機0912\u2027345\u2027678", "手機〔電話〕"),
    ("聯絡電話：037.123.456", "聯絡電話：〔電話〕"),
]
KEPT = [
    "於2023.01.05辦理",
    "日期2023/01/05",
    "版本1.2.3.4",
    "金額1.234.567元",
    "依第1.2.3條辦理",
    "身分證字號：F 1 3 1 1 0 4 0 9 1",  # checksum fails
    "號碼4111.1111.1111.1111",  # Luhn-valid, but nothing says card
    "編號1234.5678.9012",  # an account shape without an account label
    "IP 192.168.100.200",
    # a 09 number spelt with separators is a phone only with a phone word near (a second review found these)
    "金管銀法字第0912.345.678號",
    "依第 09.12.345.678 點",
    "法規編號 0912/345/678",
    "利率 0 9 1 2 3 4 5 6 7 8 %",
    "版本02.2771.8888",  # a landline shape with no phone word
    "本行電話02.2771.8888",  # an institution's line
    "客服電話：02\u20272771\u20278888",
    "文件編號02\u20272771\u20278888",  # no phone word
]


@pytest.mark.parametrize(("text", "want"), FOUND, ids=[t for t, _ in FOUND])
def test_separated_digits_are_read(det, text, want):
    assert scrub(text, det.analyze(text)).text == want


@pytest.mark.parametrize("text", KEPT)
def test_other_separated_numbers_are_kept(det, text):
    assert det.analyze(text) == []
