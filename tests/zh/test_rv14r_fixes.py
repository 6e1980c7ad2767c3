"""Review of the fourteenth zh fixes (rv14-zh): the surname keeper (curate/zh/surnames.py) and book titles
(curate/zh/titles.py).

* 于 is a preposition before a time or a place: 于国庆假期, 于凌晨, 于宁波 read as a surname and a given name by the
  PII rule (国庆, 凌晨 and 宁波 score as given names) kept 于 (main: 於).
* 〈 and 〉 also stand for < and >: the clauses between 收益率〈5%时， and ，收益率〉10% were read as one title and
  converted character by character (網絡信息, 打印, 收益率 instead of 網路資訊, 列印, 報酬率).
* Speed: each name and each title character is a target of its own, and each target's term lookup read the whole
  record (Aho-Corasick's iter(text, start, end)), each name candidate copied the text before it, and each candidate
  took the largest position found so far: a 1 MB Simplified record with names went from 1.9 s to 8 s.
"""

from __future__ import annotations

import pytest

from curate.zh import normalise, normalise_many


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("银行于国庆假期暂停营业。", "銀行於國慶假期暫停營業。"),
        ("系统于凌晨维护。", "系統於凌晨維護。"),
        ("公司于宁波设立分公司。", "公司於寧波設立分公司。"),
        # names still keep their surname
        ("余秀英来电询问。", "余秀英來電詢問。"),
        ("于丽华表示反对。", "于麗華表示反對。"),
        ("于海涛经理说。", "于海濤經理說。"),
    ],
)
def test_a_preposition_before_a_time_or_a_place_is_no_surname(text, expected):
    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "当收益率〈5%时，网络信息系统自动打印报告，当收益率〉10%时停止。",
            "當報酬率〈5%時，網路資訊系統自動列印報告，當報酬率〉10%時停止。",
        ),
        ("若 a〈b，则软件的信息质量指标 c〉d。", "若 a〈b，則軟體的資訊品質指標 c〉d。"),
        # titles are still converted character by character, nested ones too
        ("请参阅〈数据安全管理办法〉第三条。", "請參閱〈數據安全管理辦法〉第三條。"),
        ("《反洗钱法〈修订草案〉》公开征求意见。", "《反洗錢法〈修訂草案〉》公開徵求意見。"),
        ("《投资学：原理与实践》一书。", "《投資學：原理與實踐》一書。"),
    ],
)
def test_angle_brackets_around_clauses_are_no_title(text, expected):
    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
    assert normalise_many([text] * 20)[5].text == expected


def _long_record() -> str:
    base = "余伟先生表示，于丽华经理将于明天负责《反洗钱法》的软件和网络信息系统，其余款项将于下月支付。"
    return "".join(base.replace("下月", f"{i}月") for i in range(600))


def test_the_term_lookup_reads_each_target_not_the_whole_record(monkeypatch):
    import dataclasses

    from curate.zh import NormaliseConfig
    from curate.zh.normalise import _engine

    class Spy:
        def __init__(self, inner):
            self.inner, self.read = inner, 0

        def iter(self, text, *args):
            self.read += len(text)  # what the automaton converts on each call
            return self.inner.iter(text, *args)

    eng = _engine(NormaliseConfig())
    spy = Spy(eng.matcher.automaton)
    matcher = dataclasses.replace(eng.matcher, automaton=spy)
    text = _long_record()
    expected = normalise(text).text
    monkeypatch.setattr(type(eng), "matcher_with", lambda self, extra: matcher)
    monkeypatch.setattr(eng, "matcher", matcher, raising=False)
    got = normalise(text).text
    assert got == expected
    assert "于丽華" not in got and "余偉先生" in got and "《反洗錢法》" in got
    assert 0 < spy.read <= 2 * len(text)


def test_name_candidates_read_a_window_not_the_text_before_them(monkeypatch):
    import curate.pii.segmented_names as seg
    from curate.zh.surnames import surname_positions

    real, longest = seg.segmented_name, []

    def spy(text, start, sur_end):
        longest.append(len(text))
        return real(text, start, sur_end)

    text = _long_record()
    expected = surname_positions(text)
    monkeypatch.setattr(seg, "segmented_name", spy)
    assert surname_positions(text) == expected
    assert len(expected) > 600 and max(longest) <= 64
