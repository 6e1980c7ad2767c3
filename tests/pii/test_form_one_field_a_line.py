"""A form written one field a line with a tab between label and value (review 16): ``姓名\\t鍾宜蓁`` over ``職業\\t護理師``
was read as a table with the header ``姓名 | 鍾宜蓁``, and the next line's label 職業 under 姓名 was scrubbed as a name
(a label lost from every such form); the values are found as before, and a real table is still read under its header."""


def test_the_next_label_is_no_name(det):
    text = "開戶基本資料表\n姓名\t鍾宜蓁\n職業\t護理師\n學歷\t大學"
    got = [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)]
    assert got == [("鍾宜蓁", "PERSON")]


def test_a_table_under_its_header_still_read(det):
    text = "姓名\t職業\n劉冠宇\t護理師\n陳怡君\t教師"
    got = [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]
    assert got == ["劉冠宇", "陳怡君"]


def test_no_label_of_the_form_is_a_name(det):
    labels = ["宗教", "血型", "兵役", "存款", "負債", "信用", "童年"]
    text = "姓名\t鍾宜蓁\n" + "\n".join(f"{label}\t無" for label in labels)
    assert [text[s.start : s.end] for s in det.analyze(text)] == ["鍾宜蓁"]


def test_a_table_whose_next_title_is_no_field_word_still_read(det):
    # review 16r: 科別/專長/班別 are no field words; read as 姓名's value, the header made the table a form and the
    # names under 姓名 (江山, 包容, 夏天: given names no other rule takes by themselves) went through in clear
    for text, names in [
        ("姓名\t科別\t分機\n江山\t內科\t2301\n高明\t外科\t2302\n文華\t兒科\t2303", ["江山", "高明", "文華"]),
        ("姓名\t班別\n包容\t早班\n夏天\t晚班\n林森\t早班", ["包容", "夏天", "林森"]),
    ]:
        got = [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]
        assert all(n in got for n in names), (text, got)
