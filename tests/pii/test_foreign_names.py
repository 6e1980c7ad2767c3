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
