"""An entry that re-reads a one-to-many character (尽快 -> 儘快, 尽 alone: 盡) does not fire inside other words.

The opencc-basis rows 尽快, 尽量, 尽管 (review 10) matched everywhere, as spelling-only entries did, so 耗尽管理层
became 耗儘管理層 and 耗尽快要 耗儘快要 (盡, as before the rows). Such an entry is right only as its own word: where
it would split a word of jieba's segmentation (耗尽 | 管理层) OpenCC converts the text as without it."""

import pytest

from curate.zh import normalise


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("资金即将耗尽管理层决定增资。", "資金即將耗盡管理層決定增資。"),
        ("资金耗尽快要破产了。", "資金耗盡快要破產了。"),
        ("我们将尽快通知您。", "我們將儘快通知您。"),
        ("本行会尽量缩短放款时间。", "本行會儘量縮短放款時間。"),
    ],
)
def test_re_reading_entries_respect_word_boundaries(text, want):
    assert normalise(text).text == want
