"""Migrant workers' names by their shape and pinyin names after an English role word (review 16): ``Pham Thi Thu
(ARC …) sends``, a chat export's sender cell ``Nguyen Van Duc``, ``Applicant Zhang Wei``, ``The guarantor Liu
Jianguo``, ``holder Nur Aisyah`` went through in clear; a street named after a person, a bank after ``Beneficiary``,
a form's field after ``Applicant`` and an event after ``Insured`` stay."""

import pytest


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Pham Thi Thu (ARC E845766059) sends NT$12,000 to her mother every month.", "Pham Thi Thu"),
        ("2023/10/06 09:31\tNguyen Van Duc\tchị ơi em muốn gửi tiền về nhà", "Nguyen Van Duc"),
        ("Applicant Zhang Wei submitted the loan documents on 2023-08-11.", "Zhang Wei"),
        ("The guarantor Liu Jianguo signed in the presence of our officer.", "Liu Jianguo"),
        ("Beneficiary Huang Zihan account 62220012345678", "Huang Zihan"),
        ("ARC EA24639266 holder Nur Aisyah (Indonesia) renewed on 2023-07-01.", "Nur Aisyah"),
    ],
)
def test_the_name_is_found(det, text, name):
    start = text.index(name)
    assert any(s.entity_type == "PERSON" and s.start <= start and s.end >= start + len(name) for s in det.analyze(text))


@pytest.mark.parametrize(
    "text",
    [
        "The branch on Nguyen Van Linh Street opens at nine.",
        "Beneficiary Bank Rakyat Indonesia, SWIFT BRINIDJA.",
        "Applicant Name Field left blank; see Annex A.",
        "The Insured Event occurred on 2023-03-14.",
        "Customer Service Team will call back.",
        "Guarantor Agreement, Clause 7: the Guarantor waives the right of prior claim.",
    ],
)
def test_no_name(det, text):
    assert [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"] == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # review 16r: Đ opens no [A-Z] word and was no pre-screen character; an ID label after ran into the name
        ("Sender Đặng Thị Hoa sent NT$8,000 home.", "Đặng Thị Hoa"),
        ("Nguyen Thi Hoa ARC AC01234567 remits monthly.", "Nguyen Thi Hoa"),
        ("Applicant Zhang Wei ID A123456789 signed.", "Zhang Wei"),
        ("Remitter Tran Minh sent USD 300.", "Tran Minh"),
        ("Applicant Lin Chihhao signed the guarantee.", "Lin Chihhao"),
    ],
)
def test_the_name_is_found_beside_an_id_label(det, text, name):
    test_the_name_is_found(det, text, name)


@pytest.mark.parametrize(
    "text",
    [
        # review 16r: any capitalised words after a role and a word a surname or an English given name spells were
        # taken for a name: loan terms, products, public companies, malls; and Vietnamese streets and markets
        "Borrower Grace Period: six months after disbursement.",
        "Payee Bill Payment service is down.",
        "Customer Mark Up rates are set quarterly.",
        "Cardholder Chase Sapphire card benefits.",
        "Employee Max Contribution is NT$6,000.",
        "Beneficiary Yang Ming Marine, invoice 2024-17.",
        "Payee Sun Life paid the claim.",
        "Tenant Lee Gardens mall lease renewed.",
        "Our office on Le Van Sy, District 3.",
        "We visited Ho Thi Ky flower market.",
        "Nguyen Van Linh Parkway branch",
    ],
)
def test_no_name_in_terms_companies_and_places(det, text):
    test_no_name(det, text)
