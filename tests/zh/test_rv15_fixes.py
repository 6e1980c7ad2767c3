"""Fixes of the fifteenth hostile review of the zh normaliser (curate/zh/)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("根据《个人信息保护法》，处理个人信息应当取得同意。", "根據《個人信息保護法》，處理個人資訊應當取得同意。"),
        ("请参阅〈数据安全管理办法〉第三条。", "請參閱〈數據安全管理辦法〉第三條。"),
        ("《软件产品管理办法》第三条", "《軟件產品管理辦法》第三條"),
    ],
)
def test_a_book_title_is_never_reworded_without_the_terminology_layer(text, expected):
    """README: a title is converted character by character, never reworded; NormaliseConfig(terminology=False) sent
    it through s2twp's vocabulary (《個人資訊保護法》, a law of no one)."""
    from curate.zh import NormaliseConfig, normalise, normalise_many

    cfg = NormaliseConfig(terminology=False)
    assert normalise(text, cfg).text == expected
    assert normalise_many([text, "账户余额不足。"], cfg)[0].text == expected
    assert normalise_many([text] * 20, cfg)[5].text == expected  # the vectorised path's batch size
