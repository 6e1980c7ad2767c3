"""Issue 13, leaks 3 and 6: phone and ID shapes, and detection on a script-folded view."""

import pytest

from tests.helpers.pii_spans import found as _found


@pytest.mark.parametrize(
    "text,value",
    [
        ("催收紀錄：請立即撥打0935123456聯絡本人", "0935123456"),  # mobile right after a verb
        ("客服人員請客戶撥打0912345678", "0912345678"),
        ("聯絡電話(02)2345-6789#123", "(02)2345-6789#123"),
        ("電話02-2345-6789轉456", "02-2345-6789轉456"),
        ("電話02-23456789分機78", "02-23456789分機78"),
        ("電話：(02)2345-6789 分機：78", "(02)2345-6789 分機:78"),
        ("手機０９１２３４５６７８", "０９１２３４５６７８"),
        ("手機０９１２　３４５　６７８", "０９１２　３４５　６７８"),
        ("手機0912 345 678", "0912 345 678"),
        ("電話 02 2345 6789", "02 2345 6789"),
    ],
)
def test_phone_shapes(det, text, value):
    assert (value, "TW_PHONE") in _found(det, text) or (value.replace(":", "："), "TW_PHONE") in _found(det, text)


@pytest.mark.parametrize(
    "text", ["身分證字號A 123 456 789", "身分證字號：A123-456-789", "身分證Ａ　１２３　４５６　７８９"]
)
def test_national_id_in_groups(det, text):
    assert [t for _, t in _found(det, text)] == ["TW_NATIONAL_ID"]


def test_grouped_id_needs_context(det):
    # a checksum-valid letter + 9 digits in groups without an ID word is too weak on its own
    assert _found(det, "表格A 123 456 789列") == []


def test_institution_lines_stay(det):
    assert _found(det, "如有疑問請洽客服專線(02)2345-6789") == []
    assert _found(det, "免付費電話0800-123-456") == []


@pytest.mark.parametrize(
    "text",
    [
        "会计师于必要时应当出具报告。",
        "本法于公布日施行。",
        "银行于发现可疑交易时，应立即申报。",
        "董事长于本年度发表声明。",
    ],
)
def test_simplified_function_words_are_not_surnames(det, text):
    assert [t for _, t in _found(det, text) if t == "PERSON"] == []


@pytest.mark.parametrize(
    "text,name",
    [
        ("客户于美华女士的账户", "于美华"),
        ("雇主联系人余子明电话", "余子明"),
        ("申請人于美華，", "于美華"),
        ("员工游佳睿的账户", "游佳睿"),
    ],
)
def test_surnames_survive_the_fold(det, text, name):
    assert (name, "PERSON") in _found(det, text)


def test_view_keeps_offsets():
    from curate.pii.view import detection_view

    for text in ("会计师于必要时", "手機０９１２", "姓于的先生於臺北。会计师于必要时"):
        assert len(detection_view(text)) == len(text)
    assert detection_view("姓于的先生於臺北。会计师于必要时").startswith("姓于的先生於臺北。會計師於")
