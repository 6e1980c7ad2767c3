"""Review of the thirteenth zh fixes (rv13-zh): the 别着 / 别气 entries on the mixed-clause path.

The terminology entries 别着 -> 別著 / 别气 -> 別氣 (and the older spelling-only entries against an OpenCC phrase:
金发 -> 金發, 换发 -> 換發, 钟太太 -> 鍾太太) fired only in converted clauses. A typo in an otherwise Traditional clause
takes s2tw's phrases (_mixed_targets), which still gave 請彆著急 / 彆氣了 / 基金髮行 / 證件換髮 / 鐘太太 there.
"""

from __future__ import annotations

import pytest

from curate.zh import normalise, normalise_many


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请别着急，我们會處理。", "請別著急，我們會處理。"),  # the rv13-zh entry 别着, beside a Traditional clause
        ("該行員稱：请别着急，已處理。", "該行員稱：請別著急，已處理。"),
        ("別生氣，别气了，明天處理。", "別生氣，別氣了，明天處理。"),
        ("基金发行規模", "基金發行規模"),  # 金发 -> 金發 (s2tw's phrase: 基金髮行)
        ("證件换发日期", "證件換發日期"),
        ("請聯絡钟太太，謝謝。", "請聯絡鍾太太，謝謝。"),
        ("彆扭的客戶，别扭", "彆扭的客戶，彆扭"),  # the MOE's 彆 stays
    ],
)
def test_a_typo_in_a_traditional_clause_follows_the_spelling_entries(text, expected):
    assert normalise(text).text == expected
    assert normalise_many([text, "账户余额不足。"])[0].text == expected
