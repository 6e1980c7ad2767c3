"""An institution's contact line keeps its landlines and fax numbers (review 14: a branch's fax is no one's personal
data), a customer's fax and a mobile number in such a line are scrubbed."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _phones(det, text):
    return [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "TW_PHONE"]


@pytest.mark.parametrize(
    "text",
    [
        "○○銀行信義分行\u3000電話(02)2720-1234\u3000傳真(02)2720-5678",
        "總行營業部 FAX：02-2389-1122",
        "示範商業銀行板橋分行 Tel: (02)2960-1234 Fax: (02)2960-5678",
        "本分行傳真：(02)2771-3456，客服專線0800-011-234。",
        "○○商業銀行中壢分行 服務電話：(03)422-7788 傳真：(03)422-6699",
    ],
)
def test_an_institution_s_fax_stays(det, text):
    assert _phones(det, text) == []


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("客戶周佩君傳真號碼：(03)425-8871", "(03)425-8871"),
        ("申請人傳真 07-556-2390，請回傳簽名頁。", "07-556-2390"),
        ("王小明任職玉山銀行 電話02-2345-6789", "02-2345-6789"),
        ("信義分行 電話(02)2720-1234 理專手機0918-224-903", "0918-224-903"),
        ("信義分行客戶王大明 電話(02)2720-1234", "(02)2720-1234"),
        ("本人在示範公司 電話02-2345-6789", "02-2345-6789"),
        # review 14 of the fixes: a person's name at the line's start makes it the person's work phone
        ("保證人張淑芬 示範商行 電話02-2345-6789", "02-2345-6789"),
        ("王小明 示範公司 電話02-2345-6789", "02-2345-6789"),
    ],
)
def test_a_person_s_number_is_found(det, text, phone):
    assert phone in _phones(det, text)
