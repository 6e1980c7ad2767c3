"""A value answered on the line after its question (review 14): the question is the answer's context, so a date
after 請問您的出生年月日？ is a date of birth and a number after 您要轉入的帳號是？ an account; a line that only
follows a statement or has words before the value reads no question."""

import pytest

from curate.pii.engine import PiiDetector


@pytest.fixture(scope="module")
def det():
    return PiiDetector()


def _found(det, text):
    return [(s.entity_type, text[s.start : s.end]) for s in det.analyze(text)]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("客服：請問您的出生年月日？\n客戶：民國72年8月14日", "民國72年8月14日", "DATE_OF_BIRTH"),
        ("[10:02] 專員：方便核對一下您的生日嗎？\n[10:03] 客戶：1985/03/27", "1985/03/27", "DATE_OF_BIRTH"),
        ("Agent：請提供出生日期\nCustomer：69.11.02", "69.11.02", "DATE_OF_BIRTH"),
        ("專員：請問您的出生日期？\n七十五年十月二日", "七十五年十月二日", "DATE_OF_BIRTH"),
        ("坐席：您要轉入的帳號是？\n客戶：808-1205-6634-27。", "808-1205-6634-27", "TW_BANK_ACCOUNT"),
    ],
)
def test_an_answer_reads_its_question(det, text, value, entity_type):
    assert (entity_type, value) in _found(det, text)


@pytest.mark.parametrize(
    "text",
    [
        "客服：請問您的生日？\n客戶說下次再談，另約民國113年8月14日",  # words before the date: no answer
        "本行生日禮活動說明\n活動期間：民國113年8月14日",  # a heading, no question, no dialogue
        "專員：請問您的生日？\n\n（系統）113/08/14 通話結束",  # a blank line and a note, no answer
        "Q：生日禮怎麼領取？\n\n活動期間：113/08/14",  # an FAQ: the answer's date is its own field's (活動期間)
        "Q：生日禮怎麼領取？\n活動期間：113/08/14",
        "問：生日優惠何時截止？\n\n截止日：113/08/14",
        "Q: When is the birthday offer valid?\n\nValid until: 2024/08/14",
    ],
)
def test_no_question_no_date_of_birth(det, text):
    assert not [k for k, _ in _found(det, text) if k == "DATE_OF_BIRTH"]


def test_a_record_gives_the_next_record_no_question(det):
    """analyze_many joins short records in one call: a record that ends with a question (or a dialogue's turn) must
    not make the next record's date a date of birth, and the stage gets what analyze gives per record."""
    texts = [
        "客服：請問您的生日？",
        "客戶：民國72年8月14日",
        "專員：請提供出生日期",
        "Customer：69.11.02",
        "1985/03/27",
    ]
    assert det.analyze_many(texts) == [det.analyze(t) for t in texts] == [[], [], [], [], []]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ("客服：請問您的出生年月日？\n\n客戶：1985/03/02", "1985/03/02", "DATE_OF_BIRTH"),
        ("專員：請問您的出生日期？\r\n\r\n七十五年十月二日", "七十五年十月二日", "DATE_OF_BIRTH"),
        ("Agent：請提供出生日期\n\nCustomer：69.11.02", "69.11.02", "DATE_OF_BIRTH"),
        ("坐席：您要轉入的帳號是？\n  \n客戶：808-1205-6634-27。", "808-1205-6634-27", "TW_BANK_ACCOUNT"),
    ],
)
def test_an_answer_reads_its_question_across_one_blank_line(det, text, value, entity_type):
    """A transcript that puts a blank line between its turns: the blank-line join of independent texts (review 14)
    made every blank line a wall, and the birth date after the question stayed in clear (found with no blank line)."""
    assert (entity_type, value) in _found(det, text)
    assert det.analyze_many([text, "x"])[0] == det.analyze(text)


def test_two_blank_lines_end_the_question(det):
    assert not [k for k, _ in _found(det, "客服：請問您的生日？\n\n\n客戶：民國72年8月14日") if k == "DATE_OF_BIRTH"]


def test_table_cells_read_no_question_from_the_cell_before(det):
    text = "問題\t回答\n請問您的生日？\t客戶：民國72年8月14日"
    assert [s.entity_type for s in det.analyze(text)] == [s.entity_type for s in PiiDetector().analyze_many([text])[0]]


def test_an_answer_that_starts_a_chunk_of_a_long_transcript_reads_its_question(det):
    """A text longer than a chunk (2000 characters) is analysed chunk by chunk, cut at a sentence end: where the cut
    fell between a question and its answer (one time in about twelve in a long call transcript), the birth date
    after it stayed in clear, though found in a shorter text."""
    turn = "專員：好的，我幫您查詢一下目前的信用卡帳單與繳款紀錄。\n\n客戶：好，謝謝。\n\n"
    qa = "客服：請問您的出生年月日？\n\n客戶：1985/03/02\n\n"
    for k in range(9, 29):
        text = "專員：" + "好" * k + "\n\n" + turn * 50 + qa + turn * 5
        assert ("DATE_OF_BIRTH", "1985/03/02") in _found(det, text), k


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("客服：請問您的出生年月日？\n客戶：好的，1985/03/02", "1985/03/02"),
        ("客服：請問您的出生年月日？\n客戶：可以，1985/03/02", "1985/03/02"),
        ("客服：請問您的出生年月日？\n客戶：嗯，是1985/03/02", "1985/03/02"),
        ("客服：請問您的出生年月日？\n客戶：我是1985/03/02", "1985/03/02"),
        ("專員：請問您的生日？\n\n客戶：好的 民國74年3月2日", "民國74年3月2日"),
    ],
)
def test_an_answer_after_a_short_reply_reads_its_question(det, text, value):
    """A customer's answer that opens with a reply (好的，/ 可以，/ 嗯，是 / 我是) before the date asked for: 'words
    before the value' read no question, and the birth date stayed in clear, as a bare answer's never did."""
    assert ("DATE_OF_BIRTH", value) in _found(det, text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("客服：請問您的出生年月日？\n客戶：OK，1985/03/02", "1985/03/02"),
        ("客服：請問您的出生年月日？\n客戶：ok 1985/03/02", "1985/03/02"),
        ("客服：請問您的出生年月日？\n客戶：好的。1985/03/02", "1985/03/02"),
        ("客服：請問您的出生年月日？\n客戶：嗯…1985/03/02", "1985/03/02"),
        ("客服：請問您的出生年月日？\n客戶：呃，民國74年3月2日", "民國74年3月2日"),
        ("Agent: May I have your date of birth?\nCustomer: Sure, 1985/03/02", "1985/03/02"),
        ("Agent: May I have your date of birth?\nCustomer: Yes. It's 1985/03/02", "1985/03/02"),
    ],
)
def test_an_answer_after_a_reply_of_a_neighbouring_form_reads_its_question(det, text, value):
    """Review of the fixes 14: the reply rule knew 好的，but not OK，, a reply ended by 。 or …, a filler (呃，) or an
    English reply (Sure, / Yes. It's): the birth date after each stayed in clear."""
    assert ("DATE_OF_BIRTH", value) in _found(det, text)
    assert det.analyze_many([text, "x", text]) == [det.analyze(text), [], det.analyze(text)]


@pytest.mark.parametrize(
    "text",
    [
        "客服：請問您的出生年月日？\n客戶：請問 2023/05/01 的交易是什麼",  # the customer asks a question of their own
        "客服：請問您的出生年月日？\n客戶：需要 2023/05/01 的明細",  # a request
        "客服：請問您的出生年月日？\n客戶：還有，2023/05/01 那筆轉帳",  # another matter
        "客服：請問您的出生年月日？\n客戶：好的，那 113/08/14 再來",
        "客服：請問您的出生年月日？\n客戶：是，上次 2023/05/01 有轉帳",
        "專員：請提供出生日期\n好的，1985/03/02",  # after a statement, on a line that is no turn: as the bare value
        "客服：請問您的生日？\n\n\n客戶：好的，民國72年8月14日",  # two blank lines end the question
    ],
)
def test_a_reply_that_answers_nothing_reads_no_question(det, text):
    """Review of the fixes 14: field_words.REPLY_OPENERS lists what names nobody, not what answers: 請問, 需要 and 還有
    open a question, a request or another matter, and the date after them was scrubbed as a date of birth."""
    assert not [k for k, _ in _found(det, text) if k == "DATE_OF_BIRTH"]
    assert det.analyze_many([text, "x"])[0] == det.analyze(text)


def test_a_record_that_opens_with_a_reply_reads_no_question_from_the_record_before(det):
    texts = ["客服：請問您的生日？", "客戶：好的，民國72年8月14日", "專員：請提供出生日期", "Customer：OK, 69.11.02"]
    assert det.analyze_many(texts) == [det.analyze(t) for t in texts] == [[], [], [], []]
