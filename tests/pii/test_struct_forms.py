"""Structured values in the messy forms review 12 found unread (rv12-piistruct): each was let through whole."""

import pytest

from curate.pii.engine import PiiDetector
from curate.stages.hygiene import clean


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _found(det, text):
    return [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("卡號\t4111\t1111\t1111\t1111", "4111\t1111\t1111\t1111", "CREDIT_CARD"),  # a table's cells
        ("信用卡號4111  1111  1111  1111", "4111  1111  1111  1111", "CREDIT_CARD"),  # two spaces
        ("手機0912\u00a0345\u00a0678", "0912\u00a0345\u00a0678", "TW_PHONE"),  # no-break spaces
        ("手機:0912\t345\t678", "0912\t345\t678", "TW_PHONE"),
        ("身分證字號 A 123 456  789", "A 123 456  789", "TW_NATIONAL_ID"),
    ],
)
def test_a_value_hygiene_would_join_is_read_whole(det, text, value, entity_type):
    """Hygiene makes every run of horizontal spaces outside a CJK gap one space (``4111 1111 1111 1111``): the PII
    stage reads the text so too, or a hygiene run after it shows a value PII let through."""
    assert (value, entity_type) in _found(det, text)
    joined = clean(text)[0]
    assert (" ".join(value.split()), entity_type) in _found(det, joined)


def test_two_values_in_two_cells_stay_two(det):
    text = "手機\t0912345678\t0922334455"
    assert _found(det, text) == [("0912345678", "TW_PHONE"), ("0922334455", "TW_PHONE")]


@pytest.mark.parametrize(
    ("text", "value"),
    [("聯絡人手機0913 44 67 21，晚間可接。", "0913 44 67 21"), ("電話：02 27 71 88 88", "02 27 71 88 88")],
)
def test_a_number_written_in_pairs_passes_the_prescreen(det, text, value):
    """The pre-screen knew digit runs, groups of three or four and single digits, not pairs: the whole text went
    to no recognizer."""
    assert (value, "TW_PHONE") in _found(det, text)


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("身分證字號：A123456788，請客戶重新提供。", "A123456788", "TW_NATIONAL_ID"),  # checksum fails
        ("身分證統一編號 f131104091", "f131104091", "TW_NATIONAL_ID"),
        ("居留證號：A800000015", "A800000015", "TW_RESIDENT_ID"),
        ("ID No.: A123456780", "A123456780", "TW_NATIONAL_ID"),
        ("出生年月日：０７２０８１９", "０７２０８１９", "DATE_OF_BIRTH"),  # ROC YYYMMDD, full-width
        ("出生日期 720819", "720819", "DATE_OF_BIRTH"),
        ("生日：19880412", "19880412", "DATE_OF_BIRTH"),
    ],
)
def test_a_labelled_value_the_shape_rules_missed(det, text, value, entity_type):
    """A mistyped ID right after its label still points at one person; a birth date in digits alone after its
    label is one: both were let through."""
    assert (value, entity_type) in _found(det, text)


@pytest.mark.parametrize(
    "text",
    [
        "產品代碼A123456788之基金已下架。",  # no label: a code
        "統一編號A123456788",  # a UBN's label names no person's ID
        "出生日期：1130231",  # no such date
        "生日禮金20231005入帳",  # no label right before
    ],
)
def test_no_label_no_value(det, text):
    assert [t for _, t in _found(det, text) if t in ("TW_NATIONAL_ID", "TW_RESIDENT_ID", "DATE_OF_BIRTH")] == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("客戶留下信箱ycchang 小老鼠 ms12.hinet.net以收取通知", "ycchang 小老鼠 ms12.hinet.net"),
        ("信箱：amy.lin小老鼠gmail.com", "amy.lin小老鼠gmail.com"),
    ],
)
def test_an_at_written_as_its_taiwanese_name(det, text, value):
    """小老鼠 ("little mouse") is what Taiwan calls ``@``: an address spelt with it is an address."""
    assert (value, "EMAIL_ADDRESS") in _found(det, text)
    assert _found(det, "小老鼠很可愛，客服信箱service小老鼠bank.com.tw") == []


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("客戶手機0912-345\n-678，請回電。", "0912-345\n-678", "TW_PHONE"),
        ("身分證字號：A12345\n6789", "A12345\n6789", "TW_NATIONAL_ID"),
        ("信用卡號4111 1111\n1111 1111 已停卡", "4111 1111\n1111 1111", "CREDIT_CARD"),
        ("住家電話(02)2345-\n6789", "(02)2345-\n6789", "TW_PHONE"),
    ],
)
def test_a_value_a_line_break_cuts_in_two(det, text, value, entity_type):
    """A PDF or a mail client wraps a line inside a number; a reader joins it, so the detector does."""
    assert (value, entity_type) in _found(det, text)


def test_values_of_two_lines_stay_two(det):
    text = "手機：0912345678\n0922334455\n第12條\n13條\n2023/10/05\n2023/10/06"
    assert [v for v, _ in _found(det, text)] == ["0912345678", "0922334455"]


@pytest.mark.parametrize(
    "text",
    [
        "交易明細\n106/02/07\n1189113\n4967265",  # a date's day over a 7-digit cell: no landline 07 1189113
        "利息377 04\n20200622  70",  # a cell's 04 over a date: no 04 20200622
        "統計表\n4.04\n5361894\n225841",  # a rate's tail over a count
        "餘額\n109/09/06 33412\n51 餘額436",
    ],
)
def test_the_tail_of_a_cell_and_the_next_row_are_no_value(det, text):
    """A value cut by a line break holds the whole number that ends its first line; the tail of a table's cell
    read with the next row's first cell is none (review 12-r: each was scrubbed as a phone)."""
    assert [v for v, _ in _found(det, text) if "\n" in v] == []


@pytest.mark.parametrize(
    "text",
    [
        "事故發生日：1120105，請於三十日內申請理賠。",  # the labelled digits (review 12)
        "交易發生日 20231005",
        "契約產生日：20230101",
        "事故發生日：112/01/05",  # the date recognizer's context word (before review 12)
        "帳款发生日 2023/10/05",
    ],
)
def test_the_day_something_happens_is_no_birthday(det, text):
    """生日 inside 發生日 or 產生日 is a verb's day, not a birthday: an accident's date was scrubbed as one."""
    assert [t for _, t in _found(det, text) if t == "DATE_OF_BIRTH"] == []


def test_a_birthday_label_after_a_noun_is_one(det):
    assert ("19880412", "DATE_OF_BIRTH") in _found(det, "客戶生日：19880412")
    assert ("1977/03/05", "DATE_OF_BIRTH") in _found(det, "會員生日 1977/03/05")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("客戶手機0912-345\r\n-678，請回電。", "0912-345\r\n-678"),  # a file exported on Windows
        ("身分證字號：A12345\r6789", "A12345\r6789"),  # a lone CR, which hygiene makes a LF too
        ("第一行\r\n信用卡號4111 1111\r\n1111 1111 已停卡", "4111 1111\r\n1111 1111"),
    ],
)
def test_a_value_a_windows_line_break_cuts_in_two(det, text, value):
    """Hygiene makes CR LF and a lone CR a LF; the line-break reader read LF alone (review 12-r)."""
    assert value in [v for v, _ in _found(det, text)]
    assert [v for v, _ in _found(det, text.replace("\r\n", "\n").replace("\r", "\n"))] == [
        v.replace("\r\n", "\n").replace("\r", "\n") for v, _ in _found(det, text)
    ]


def test_a_labelled_value_in_the_next_table_cell_survives_the_compact_view(det):
    """The view reads a tab as the space hygiene makes of it; a label alone in its cell with the value in the next
    (a form layout only with the cell break) was then missed, by one text and in a batch (integration, review 12)."""
    text = "員工姓名\tTRAN MINH DUC\t到職日\t2020/01/01"
    assert ("TRAN MINH DUC", "PERSON") in _found(det, text)
    (batch,) = det.analyze_many([text])
    assert ("TRAN MINH DUC", "PERSON") in [(text[s.start : s.end], s.entity_type) for s in batch]
    card = "卡號\t4111\t1111\t1111\t1111"
    assert [(card[s.start : s.end], s.entity_type) for s in det.analyze(card)] == [
        ("4111\t1111\t1111\t1111", "CREDIT_CARD")
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("員工姓名\tTRAN MINH DUC\t到職日\t2020/01/01", "TRAN MINH DUC"),
        ("姓名\tNguyen Thi Lan\t國籍\t越南", "Nguyen Thi Lan"),
        ("帳戶戶名\tLee Mei Hua\n", "Lee Mei Hua"),
    ],
)
def test_a_labelled_latin_name_in_the_next_cell_is_read_after_hygiene(det, text, name):
    """Integration review 12: hygiene, which the recommended order runs before PII, makes the cell break between a
    name head and a Latin value a space (員工姓名 TRAN MINH DUC 到職日), and the labelled-value rule needs the break;
    the text itself was read right (9a59cea), the hygiene version let the name through."""
    assert (name, "PERSON") in _found(det, text)
    joined = clean(text)[0]
    assert "\t" not in joined.split(name)[0]
    assert (name, "PERSON") in _found(det, joined)


@pytest.mark.parametrize("text", ["姓名 Full Name", "基金英文名字 Global Tech Fund", "戶名 Acme Trading Ltd"])
def test_a_bilingual_header_after_a_name_head_is_no_name(det, text):
    assert _found(det, text) == []
