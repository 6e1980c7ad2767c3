"""Issue 13, item 6: the name rule on text that holds no names (the synthetic scale corpus, role words)."""

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def soup():
    """Articles of the scale benchmark's generator: random legal-vocabulary characters, no names at all."""
    sys.path.insert(0, str(BENCH))
    try:
        from gen_law_dump import article_texts
    finally:
        sys.path.remove(str(BENCH))
    return [t for kind, t in article_texts(1500, seed=5) if kind != "pii"]


def test_character_soup_rarely_reads_as_names(soup):
    """Before the given-name test, ~17 % of these articles got a PERSON span; a name needs name evidence now."""
    from curate.pii.engine import PiiDetector

    found = PiiDetector().analyze_many(soup)
    flagged = sum(1 for spans in found if any(s.entity_type == "PERSON" for s in spans))
    assert flagged / len(soup) < 0.08, flagged


def test_no_labelled_name_from_soup_propagates(soup):
    """A label followed by three random characters (客戶董貨定) is scrubbed there, not across the source."""
    from curate.pii.labels import LABELLED, labelled_spans

    assert [t for t in soup if any(r == LABELLED for *_, r in labelled_spans(t))] == []


@pytest.mark.parametrize(
    "text,value",
    [
        ("客戶林志明表示其帳戶遭盜用。", "林志明"),  # a role word
        ("經查陳美玲於任職期間挪用款項。", "陳美玲"),  # a multi-character introducer
        ("匯款人黃家豪稱其遭詐騙。", "黃家豪"),  # a role word, a given character (家) common in text too
        ("該行襄理吳淑芬未依規定辦理。", "吳淑芬"),
        ("受款人阮氏月之帳戶", "阮氏月"),  # Vietnamese-style name: the middle 氏 is not scored
    ],
)
def test_names_with_name_evidence_are_still_found(text, value):
    from curate.pii.engine import PiiDetector

    assert [text[s.start : s.end] for s in PiiDetector().analyze(text) if s.entity_type == "PERSON"] == [value]


@pytest.mark.parametrize("text", ["之係請金營營洗期券", "備令款係管臺信範登新", "；人關控命保公護"])
def test_given_names_that_read_as_text_are_not_names(text):
    from curate.pii.engine import PiiDetector

    assert [s for s in PiiDetector().analyze(text) if s.entity_type == "PERSON"] == []


def test_running_label_values():
    from curate.pii.labels import LABELLED, RUNNING, labelled_spans

    assert [(r, "客戶林志明挪用"[s:e]) for s, e, _, r in labelled_spans("客戶林志明挪用")] == [(LABELLED, "林志明")]
    # the given name 示範 reads as text: scrubbed where found, not learned as the source's name
    assert [r for *_, r in labelled_spans("理財專員李示範挪用")] == [RUNNING]
    # after a separator a value is personal whatever it looks like, and propagates
    assert [r for *_, r in labelled_spans("受處分人：李示範\n")] == [LABELLED]


def test_name_tables():
    from curate.pii.names import given_char_scores, given_name_score, role_words

    scores = given_char_scores()
    assert len(scores) > 10_000
    assert given_name_score("志明") > 0 > given_name_score("控命")
    assert given_name_score("氏月") == given_name_score("月")
    words = role_words()
    assert {"客戶", "客户", "股東", "看護", "受處分人"[-3:]} <= words
