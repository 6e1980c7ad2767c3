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


PLACEHOLDER_TEXTS = [
    ("请将款项汇入〔銀行帳號〕。", "請將款項匯入〔銀行帳號〕。"),
    ("〔姓名〕于今年申请了〔信用卡號〕。", "〔姓名〕於今年申請了〔信用卡號〕。"),
    (
        "客户〔姓名〕的手机号码是〔電話〕，请尽快联络他办理开户手续。",
        "客戶〔姓名〕的手機號碼是〔電話〕，請儘快聯絡他辦理開戶手續。",
    ),
    ("如有疑问，请发送邮件至〔電子郵件#3fa2c1〕咨询。", "如有疑問，請發送郵件至〔電子郵件#3fa2c1〕諮詢。"),
    (
        "该客户的身份证号码为〔身分證字號#2〕，银行账户余额不足。",
        "該客戶的身分證字號為〔身分證字號#2〕，銀行帳戶餘額不足。",
    ),
    (
        "护照〔護照號碼〕与〔健保卡號〕、〔居留證號〕均已登记。",
        "護照〔護照號碼〕與〔健保卡號〕、〔居留證號〕均已登記。",
    ),
]


@pytest.mark.parametrize(("text", "want"), PLACEHOLDER_TEXTS)
def test_pii_placeholders_are_no_script_evidence_and_stay_as_written(text: str, want: str) -> None:
    r = normalise(text)
    assert r.text == want
    assert r.script == "simplified"
    assert not [f for f in r.flags if f.reason == "mixed_signals"]
    assert apply_edits(text, r.edits) == want


def test_pii_placeholders_in_a_batch(monkeypatch) -> None:
    monkeypatch.setattr(batch, "SMALL_RECORDS", 0)
    texts = [t for t, _ in PLACEHOLDER_TEXTS] + ["账户余额不足。"] * 3 + ["本行〔電話〕依銀行法辦理。"]
    got = [r.text for r in normalise_many(texts)]
    assert got == [w for _, w in PLACEHOLDER_TEXTS] + ["帳戶餘額不足。"] * 3 + ["本行〔電話〕依銀行法辦理。"]


def test_a_bracketed_simplified_word_is_no_placeholder() -> None:
    assert normalise("〔说明〕账户余额不足。").text == "〔說明〕帳戶餘額不足。"


#: one Simplified character in a Traditional clause (review 4, F5): only that character is converted
TYPO_TEXTS = [
    ("為辦理前項業務，主管機關得设置基金。", "為辦理前項業務，主管機關得設置基金。"),  # s2twp: 設置 -> 設定
    ("主管機關審查後，得准移充清算费用。", "主管機關審查後，得准移充清算費用。"),  # s2twp: 准 -> 準
    ("依前條規定辦理登录、變更。", "依前條規定辦理登錄、變更。"),  # s2twp: 登录 -> 登入
    ("銀行應於營業時間內受理申请並登錄資料。", "銀行應於營業時間內受理申請並登錄資料。"),  # was left Simplified
    ("除因合并、變更組織者外，應依規定辦理。", "除因合併、變更組織者外，應依規定辦理。"),  # s2tw picks 併 (not 並)
    ("信用合作社因合并而消滅者。", "信用合作社因合併而消滅者。"),
    # the typo's Traditional neighbour: read in an all-Simplified clause, s2tw sees the word whole (review of F5)
    ("申請人之頭发檢查報告，應併同送審。", "申請人之頭髮檢查報告，應併同送審。"),  # not 頭發
    ("本契約依農历計算之期日，應予換算。", "本契約依農曆計算之期日，應予換算。"),  # not 農歷
    ("本詞汇表所列名詞，依本法定義。", "本詞彙表所列名詞，依本法定義。"),  # not 詞匯
    ("營業廳之鬧钟與警鈴，應定期檢查。", "營業廳之鬧鐘與警鈴，應定期檢查。"),  # not 鬧鍾
]


@pytest.mark.parametrize(("text", "want"), TYPO_TEXTS)
def test_a_simplified_typo_in_a_traditional_clause_is_converted_alone(text: str, want: str) -> None:
    r = normalise(text)
    assert r.text == want
    assert apply_edits(text, r.edits) == want
    assert [len(e.before) for e in r.edits] == [1]
    assert "mixed_signals" in {f.reason for f in r.flags}


def test_a_simplified_clause_in_a_traditional_sentence_is_still_converted_whole() -> None:
    r = normalise("本行依銀行法辦理，详细信息请登录官方网站查询。")
    assert r.text == "本行依銀行法辦理，詳細資訊請登入官方網站查詢。"  # s2twp and the terminology layer
    assert (
        normalise_many(["本行依銀行法辦理，详细信息请登录官方网站查询。", *[t for t, _ in TYPO_TEXTS]])[0].text
        == r.text
    )
