"""A person's address in a line that opens with a branch's name (review 15): the branch's word before it made it
the institution's, and the visitor's home address stayed in clear. A branch's own address still stays."""


def _addresses(det, text):
    return [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "TW_ADDRESS"]


def test_a_visitors_address_after_a_branch_is_found(det):
    text = "大安分行訪客：賴俊傑/賴美慧（夫妻），住址臺北市大安區和平東路二段96巷8號"
    assert _addresses(det, text) == ["臺北市大安區和平東路二段96巷8號"]


def test_a_customers_registered_address_after_the_bank_is_found(det):
    text = "本行客戶陳大文戶籍地：新北市板橋區文化路一段188巷12號5樓"
    assert _addresses(det, text) == ["新北市板橋區文化路一段188巷12號5樓"]


def test_a_branchs_address_stays(det):
    assert _addresses(det, "信義分行地址：臺北市信義區松仁路7號") == []
    assert _addresses(det, "本行總行地址：臺北市中山區中山北路二段44號（代表號 02-2536-2951）。") == []
