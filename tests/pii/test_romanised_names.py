"""Romanised Taiwanese names in English or bilingual prose (review 15): with no Han role word, title or label before
them (``tuition for Chen Yu-Ting``, ``我們跟 Kevin Liao confirm 過了``, ``Attendees: David Lin, Grace Huang``) they
went through in clear. The shape (a surname of the list and a hyphenated given name, or a given name before such a
surname) finds them; places, institutions and longer proper names are left."""

import pytest

NAMES = [
    ("Remittance memo: tuition for Chen Yu-Ting, invoice 2024-0315", "Chen Yu-Ting"),
    ("Please remit to beneficiary HSU MING-CHE, account 20810045678123.", "HSU MING-CHE"),
    ("我們跟 Kevin Liao confirm 過了。", "Kevin Liao"),
    ("Attendees: David Lin, Grace Huang, 陳世明", "Grace Huang"),
    ("Dear Huang Mei-Hua, your application has been approved.", "Huang Mei-Hua"),
    ("Chen Ya-Wen, ID K198432056, tel +886 932 115 406", "Chen Ya-Wen"),
    # a title before it, an employer after `of` (review of 58cc717a: both read as a longer proper name)
    ("Prof. Chen Shih-Hao reviewed the model.", "Chen Shih-Hao"),
    ("Chen Shih-Hao of Cathay United Bank said the rate would hold.", "Chen Shih-Hao"),
    ("Minutes: Kevin Liao of Fubon and Professor Lin Mei-Ling attended.", "Lin Mei-Ling"),
]
NOT_NAMES = [
    "Meet at the Hong Kong office.",
    "National Sun Yat-sen University and Fu Jen University",
    "We bank with Chang Hwa and Hua Nan.",
    "Nan Shan Life Insurance, Shin Kong Life",
    "Paid via Apple Pay and Line Pay.",
    "Taiwan Li and Kaohsiung Chen families are common surnames.",
    "Customer: Sure, thanks.",
    # English words and romanised places before a word a surname spells (review of 58cc717a): no given name
    "12. Governing Law and Jurisdiction",
    "FX notice: Japanese Yen weakened 0.4% against the US Dollar; Offshore Yuan 4.4120.",
    "Our office moved to Kwun Tong, Kowloon; the client lives in Kwai Chung, near Sai Kung.",
    "Donation of NT$50,000 to Tzu Chi; tuition paid to Ming Chi; he worked at Jih Sun.",
    "The Lin family holds three accounts. Contact Wang at the branch tomorrow.",
]


@pytest.mark.parametrize(("text", "name"), NAMES, ids=[n for _, n in NAMES])
def test_a_romanised_name_is_found(det, text, name):
    assert name in [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]


@pytest.mark.parametrize("text", NOT_NAMES, ids=range(len(NOT_NAMES)))
def test_no_name_there(det, text):
    assert [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"] == []


def test_the_screen_passes_only_the_shapes_read(det):
    """Any two capitalised words passed the engine's pre-screen and sent nearly every English text to every
    recognizer (review of 58cc717a); only the shapes :mod:`curate.pii.romanised_names` reads pass now."""
    assert not det._screen.search("Please Note The Terms And Conditions Apply To All Accounts.")
    assert det._screen.search("tuition for Chen Yu-Ting") and det._screen.search("Attendees: David Lin")
