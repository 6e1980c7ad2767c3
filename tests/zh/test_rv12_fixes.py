"""Review 12 (rv12-zh): defects found with the blind set ``heldout_like_v.jsonl``, one test each."""

from __future__ import annotations

import pytest

from curate.zh import normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("若干家银行联合发放贷款。", "若干家銀行聯合發放貸款。"),  # 放贷 -> 放款 inside 发放|贷款 gave 發放款款
        ("受理后五个工作日内发放贷款。", "受理後五個工作日內發放貸款。"),
        ("银行不得违规放贷。", "銀行不得違規放款。"),  # the entry as a word still fires
    ],
)
def test_a_term_does_not_fire_across_the_parts_of_a_longer_word(text, expected):
    """jieba's 发放贷款 is one word holding 放贷; the entry must read it as 发放 | 贷款, not rewrite 放贷 inside it."""
    assert normalise(text).text == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("目前台风已经远离台湾。", "目前颱風已經遠離臺灣。"),  # OpenCC: 目|前台|风 -> 目前臺風
        ("楼下面包店的老板娘很热情。", "樓下麵包店的老闆娘很熱情。"),  # OpenCC: 楼|下面|包店 -> 樓下面包店
        ("以后台风季节，请提前做好准备。", "以後颱風季節，請提前做好準備。"),
        ("他的舞台风格很独特。", "他的舞臺風格很獨特。"),  # 舞台 | 风格: no 台风 here, OpenCC's 舞台 stays
        ("结束发放贷款的程序后，我们再谈。", "結束發放貸款的程序後，我們再談。"),  # 结束 | 发放: not OpenCC's 束发
        ("他养了一万只鸡。", "他養了一萬隻雞。"),  # OpenCC's 万只 lies inside jieba's word 一万只: its reading stands
    ],
)
def test_an_opencc_phrase_across_a_word_edge_does_not_decide_the_word(text, expected):
    from curate.zh import normalise_many

    assert normalise(text).text == expected
    assert normalise_many([text])[0].text == expected


def test_the_generated_crossing_list_holds_jieba_words_with_a_one_to_many_character():
    from curate.zh.charsets import script_sets
    from curate.zh.crossings import MIN_LOGP, crossing_words
    from curate.zh.words import dictionary_words

    words, lex, amb = crossing_words(), dictionary_words(), script_sets().ambiguous
    assert len(words) > 1000 and list(words) == sorted(set(words))
    assert all(lex.get(w, -99) >= MIN_LOGP and any(c in amb for c in w) for w in words)
    assert {"台风", "面包店"} <= set(words)


def test_a_crossing_entry_decides_no_ambiguous_character():
    """The generated entries convert a word as OpenCC does alone: its one-to-many characters are still flagged."""
    from curate.zh import normalise_many

    text = "目前台风已经远离台湾。"
    for res in (normalise(text), normalise_many([text])[0]):
        assert any(f.reason == "ambiguous_chars" and "台" in f.chars for f in res.flags), res.flags
