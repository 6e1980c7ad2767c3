"""A number right after a serial's label (保單號碼, 交易序號, 公告編號, 案號, Policy No.) is that serial, not a phone
number or an ID, whatever its shape (review 9, generalisation: `保單號碼0912345678` was read as a phone, `公告編號：
A123456789` as an ID because it passes the checksum). A label naming a person's number (身分證統一編號, 居留證編號,
客戶編號, 會員編號: a bank's customer number is often the ID, a shop's member number the mobile) keeps it personal."""

import pytest

from tests.helpers.pii_spans import found as _found


@pytest.mark.parametrize(
    "text",
    [
        "客戶反映其保單號碼0935112468之保費扣款有誤。",
        "保單號碼：0933445566，被保險人同要保人。",
        "經查該筆交易序號0932118765為系統自動產生。",
        "公告編號：A170561484，主旨：修正注意事項。",
        "文件編號：F281580698，版本1.2。",
        "案號：N139762600，承辦科別：銀行局。",
        "契約號碼0921334455之貸款已結清。",
        "Policy No. 0956123987 lapsed in 2023.",
        "公告編號：A170561484（詳附件），主旨：修正注意事項。",
    ],
)
def test_a_serial_after_its_label_is_no_phone_or_id(det, text):
    assert _found(det, text) == []


@pytest.mark.parametrize(
    ("text", "value", "etype"),
    [
        ("身分證統一編號：S253331470，住所不詳。", "S253331470", "TW_NATIONAL_ID"),
        ("居留證編號：H991796480。", "H991796480", "TW_RESIDENT_ID"),
        ("客戶編號M128804070之帳戶已結清。", "M128804070", "TW_NATIONAL_ID"),
        ("會員編號0912345678，點數已到期。", "0912345678", "TW_PHONE"),
        ("手機號碼0958221394，請回電。", "0958221394", "TW_PHONE"),
        ("保單號碼P-1234，聯絡手機0958221394。", "0958221394", "TW_PHONE"),
        # review of the fixes (9): a bracket after the value names it the person's (the form's label is a serial's)
        ("保單號碼：A123456789（要保人身分證）", "A123456789", "TW_NATIONAL_ID"),
        ("案號0912345678（客戶手機），請承辦人回電。", "0912345678", "TW_PHONE"),
    ],
)
def test_a_persons_number_after_a_numbers_label_stays_found(det, text, value, etype):
    assert (value, etype) in _found(det, text)
