"""Review 7 (F3): common words that start with a surname character are no names after a role word (經行員關懷)."""

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "臨櫃大額提領關懷提問：經行員關懷並撥打110報警，阻詐成功。",
        "客戶關心帳戶安全。",
        "客戶關注利率走勢。",
        "客户关切手续费。",
        "客戶高興表示滿意。",
        "客戶方便時再來電。",
    ],
)
def test_common_words_after_role_words_are_not_names(text):
    from curate.pii.engine import PiiDetector

    assert [text[s.start : s.end] for s in PiiDetector().analyze(text) if s.entity_type == "PERSON"] == []


def test_the_name_beside_it_is_still_found():
    from curate.pii.engine import PiiDetector

    text = "關懷提問：聶美華女士擬提領80萬元，經行員關懷並報警。"
    assert [text[s.start : s.end] for s in PiiDetector().analyze(text) if s.entity_type == "PERSON"] == ["聶美華"]
