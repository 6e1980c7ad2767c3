"""Issue 13: ambiguous cross-strait pairs are decided by domain context, or flagged (schemas/zh/context_terms.tsv)."""

import pytest

from curate.zh import normalise


@pytest.mark.parametrize(
    "src,expected",
    [
        (
            "用鼠标点击打开文件，另存为PDF。",
            "用滑鼠點選打開檔案，另存為PDF。",
        ),  # computer file; 打开 -> 打開 (dev policy)
        ("请下载安装程序并运行。", "請下載安裝程式並執行。"),  # computer program
        ("请携带身份证明文件到柜台办理。", "請攜帶身分證明文件到櫃檯辦理。"),  # paper document: kept
        ("本行已修订作业程序。", "本行已修訂作業程序。"),  # procedure: kept
    ],
)
def test_pairs_follow_the_sentence_context(src, expected):
    assert normalise(src).text == expected


def test_undecided_pairs_are_flagged_for_proofreading():
    r = normalise("请携带身份证明文件到柜台办理。")
    assert [(f.reason, f.chars) for f in r.flags if f.reason == "ambiguous_term"] == [("ambiguous_term", "文件")]
    r = normalise("用鼠标点击打开文件。")
    assert not [f for f in r.flags if f.reason == "ambiguous_term"]


def test_context_rows_are_data():
    from curate.zh.terms import context_terms, terminology

    rows = {c.source: c for c in context_terms()}
    assert rows["文件"].in_context == "檔案" and "打开" in rows["文件"].cues
    assert not {t.source for t in terminology()} & set(rows)  # one owner per pair
