"""Defects found by the review of the zh normalisation (NUL, PII placeholders, short terms inside longer words)."""

from __future__ import annotations

import pytest

import curate.zh.batch as batch
from curate.zh import normalise, normalise_many
from tests.zh.test_normalise import apply_edits

NUL_TEXTS = [
    ("这是\x00第二段文字，很长的内容。", "這是\x00第二段文字，很長的內容。"),
    ("空字符\x00在这里。", "空字元\x00在這裡。"),
    ("这是\x00第三条记录被截断。", "這是\x00第三條記錄被截斷。"),
    ("\x00账户余额不足\x00", "\x00帳戶餘額不足\x00"),
    ("客户须知\x00：请在五个工作日内完成补件，逾期不候。", "客戶須知\x00：請在五個工作日內完成補件，逾期不候。"),
]


@pytest.mark.parametrize(("text", "want"), NUL_TEXTS)
def test_a_nul_does_not_cut_the_text(text: str, want: str) -> None:
    r = normalise(text)
    assert r.text == want
    assert apply_edits(text, r.edits) == want


def test_a_nul_does_not_cut_the_text_in_a_batch(monkeypatch) -> None:
    monkeypatch.setattr(batch, "SMALL_RECORDS", 0)  # the vectorised path, one OpenCC call for the batch
    texts = [t for t, _ in NUL_TEXTS] + ["账户余额不足。", "這是\x00繁體，帳戶餘額不足，请尽快处理。"]
    got = normalise_many(texts)
    for text, want, r in zip(texts, [w for _, w in NUL_TEXTS], got, strict=False):
        assert r.text == want
        assert apply_edits(text, r.edits) == want
    assert got[-1].text.startswith("這是\x00繁體，帳戶餘額不足，")
