"""Review 13: a table exported from a spreadsheet (tab- or comma-separated) puts a value under its column's header,
not after its label; such a name, account or passport number went through (curate/pii/columns.py)."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


@pytest.mark.parametrize(
    ("text", "value", "etype"),
    [
        ("NAME\tID NO.\tMOBILE\nSU, YI-HSUAN\tR235422520\t0955-102-338", "SU, YI-HSUAN", "PERSON"),
        ("Name,Passport No,Nationality\nNGUYEN VAN HUNG,C4529381,Vietnam", "NGUYEN VAN HUNG", "PERSON"),
        ("Name,Passport No,Nationality\nNGUYEN VAN HUNG,C4529381,Vietnam", "C4529381", "TW_PASSPORT"),
        ("戶名\t存款帳號\t開戶分行\n廖振宏\t123456789012\t松山分行", "123456789012", "TW_BANK_ACCOUNT"),
        ("客戶名稱,帳號,金額\n邱建志,'034100128877,50000", "034100128877", "TW_BANK_ACCOUNT"),
        ('"姓名","出生日期"\n"何美玲","1975/03/22"', "1975/03/22", "DATE_OF_BIRTH"),
        ("姓名\tFull Name\n吳承恩\tWU CHENG-EN", "WU CHENG-EN", "PERSON"),
    ],
)
def test_a_value_under_its_header_is_found(det, text, value, etype):
    spans = [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]
    assert (value, etype) in spans, spans
    assert (value, etype) in [(text[s.start : s.end], s.entity_type) for s in det.analyze_many([text])[0]]


@pytest.mark.parametrize(
    "text",
    [
        "日期,金額,餘額\n2024/05/03,12345,987654321\n2024/05/04,500,987653821",
        "分行代碼\t分行名稱\n0058\t松山分行\n0021\t城中分行",
        "項目\t112年\t113年\n放款\t1,234\t1,256",
    ],
)
def test_a_table_without_personal_columns_stays(det, text):
    assert det.analyze(text) == []


def test_prose_with_full_width_commas_is_no_table(det):
    text = "請填寫姓名，並附身分證影本，謝謝\n好的，明天，再議"
    assert "好的" not in [text[s.start : s.end] for s in det.analyze(text)]


@pytest.mark.parametrize(
    "text",
    [
        "分行名稱\t地址\t電話\n信義分行\t台北市信義區信義路五段7號\t(02)2345-6789\n敦南分行\t台北市大安區敦化南路二段100號\t(02)2700-1234",
        "分行\t傳真\n台中分行\t(04)2222-3333\n高雄分行\t(07)2111-4444",
        "Company\tAddress\nCathay United Bank\tNo. 7, Songren Rd., Xinyi Dist., Taipei City",
        "Name,Ticker,Price\nTaiwan Semiconductor,2330,580\nHon Hai Precision,2317,105",
    ],
    ids=["branch-directory", "branch-faxes", "company-address", "companies-under-Name"],
)
def test_a_table_about_institutions_stays(det, text):
    """Review of review 13: a branch's address and landline under their headers were scrubbed (the column reading had
    no institution before them), and a bare Name header made listed companies persons."""
    assert det.analyze(text) == [] and det.analyze_many([text]) == [[]]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("分行\t聯絡人\t手機\n信義分行\t王大明\t0912345678", "0912345678"),
        ("分行\t聯絡人\t手機\n信義分行\t王大明\t0912345678", "王大明"),
        ("Name\tDepartment\tExt\nKevin Lin\tRisk Management\t2210", "Kevin Lin"),
        ("戶名\t存款帳號\t開戶分行\n廖振宏\t123456789012\t松山分行", "123456789012"),
    ],
)
def test_a_person_in_such_a_table_is_still_found(det, text, value):
    assert value in [text[s.start : s.end] for s in det.analyze(text)]
