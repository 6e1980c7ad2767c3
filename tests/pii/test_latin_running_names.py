"""Latin-script names outside a `Name:` field (review 9, generalisation): after a person's role in running text
(`之申請人Nguyen Thi Lan於`, `外籍移工 Siti Rahayu`), after a courtesy title (`Mr. Chen Wei-Lun`, the title left out),
after an English label naming a person by the role (`Respondent:`, `Complainant:`, `Beneficiary:`). Not a surname alone
(`Ms. Lin`, as `林小姐`), a product or a channel (`ATM Card`, `Visa Infinite`, `Line Pay`) or a thing's name."""

import pytest

from tests.helpers.pii_spans import names as _names


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("本件之申請人Nguyen Thi Lan於112年3月5日申請評議。", "Nguyen Thi Lan"),
        ("外籍移工 Siti Rahayu 申請開立薪資帳戶。", "Siti Rahayu"),
        ("客戶 Tsai Ming-Che 於櫃檯辦理外幣匯款。", "Tsai Ming-Che"),
        ("被繼承人Kuo Wen-Chieh之遺產由長子代表領取。", "Kuo Wen-Chieh"),
        ("外籍人士MARIA SANTOS於本行開戶。", "MARIA SANTOS"),
        ("收件人：Amy Lin，寄件地址如下。", "Amy Lin"),
        ("Mr. Chen Wei-Lun於電話中表示不滿。", "Chen Wei-Lun"),
        ("The applicant, Mr. David Hsu, requested a loan.", "David Hsu"),
        ("致Ms Huang Yi-Chen：您的申請已核准。", "Huang Yi-Chen"),
        ("Respondent: Wang Da-Ming, former relationship manager.", "Wang Da-Ming"),
        ("Complainant: Lee Mei-Hua, phone withheld.", "Lee Mei-Hua"),
        ("Beneficiary: Huang Shu-Fen, Account No. withheld", "Huang Shu-Fen"),
        ("The Respondent: 王大明，前理財專員。", "王大明"),
    ],
)
def test_a_latin_name_after_a_role_or_title_is_found(det, text, name):
    assert _names(det, text) == [name]


@pytest.mark.parametrize(
    "text",
    [
        "Ms. Lin表示不滿，要求主管回電。",
        "客戶使用ATM Card提款。",
        "客戶 Visa Infinite 卡友專屬優惠。",
        "客戶Line Pay綁定失敗。",
        "基金英文名字：Fubon Global Bond",
        "Beneficiary: Cathay United Bank",
        "Loan Applicant: see attached list",
        "本行ATM Service Center暫停服務。",
    ],
)
def test_no_name_without_a_full_name(det, text):
    assert _names(det, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Respondent: Goldman Sachs Asia",
        "申請人 Standard Chartered 之信用卡申辦流程。",
        "客戶 American Express 卡片遺失之處理。",
        "案例：客戶 Lehman Brothers 倒閉對連動債之影響。",
        "受益人 Morgan Stanley Capital International 指數。",
    ],
)
def test_a_firm_after_a_role_word_is_no_name(det, text):
    # review of the fixes (9): a firm's name after a role word or an English role label was read as a person's
    assert _names(det, text) == []
