"""A tenth held-out-like set (``heldout_like_kinds15.txt``, 150 items: 83 with 138 values, 67 negatives), written
blind in review 15 for kinds of bank text the earlier sets may lack: English and bilingual (中英夾雜) text, English
call transcripts (``Customer: Sure, thanks.`` names nobody; ``What is your date of birth?`` answered on the next
line), SMS and LINE exports with timestamps, remittance memos, branch visit logs, payroll sheets pasted as text,
card dispute forms, ATM incident reports, audit working papers, meeting minutes naming attendees, news quotes of
officials, seven-digit ROC birth dates after a question (0720315), 戶名：薪轉戶, a single given name after a slash,
names that start like a reply (謝了凡, 好大同); negatives are statutes, amounts, rates, FSC numbers, ISBNs, SWIFT
and branch codes, 0800 lines, card products, cited authors, company UBNs, dates that are no birth dates and English
replies. \\n, \\t and \\uXXXX are escapes.

Policy decided with the set: a public official's name quoted in the news (金管會主委彭金隆表示) is a personal name
and is scrubbed as any other (README, PII stage); a cited author with a year (王小明（2019）研究指出) is not, an applicant
with a year (依李大同（2019）之申請) is.

When written: main (5379938c) 110/138 found (PERSON 55/74, DATE_OF_BIRTH 7/15), 110/120 precise, 4 negatives with a
span (Sure, Thanks, Hi, Sure read as names after an English speaker's tag); rv15-pii 128/138 (PERSON 65/74,
DATE_OF_BIRTH 14/15, TW_ADDRESS 6/6), 128/128, none. The rules of review 15 were made on this set after its first scoring, so it
overstates them. Left: 謝了凡 and 好大同 (names that open like a reply), a single given name after a slash (/ Mary),
依李大同（2019）之申請, TRAN THI HOA after 受款人名稱, Budi Santoso after a lower-case `name`, a payroll
sheet's name cell after a time, and a birth date on the line after an unlabelled `Date of birth`."""

from pathlib import Path

import pytest

from tests.helpers.marked_set import escaped_items, score_items

SET = Path(__file__).parent / "heldout_like_kinds15.txt"

#: per type, the share of gold spans found (at least)
RECALL_FLOORS = {
    "PERSON": 0.87,
    "TW_NATIONAL_ID": 1.0,
    "TW_RESIDENT_ID": 1.0,
    "TW_PHONE": 1.0,
    "EMAIL_ADDRESS": 1.0,
    "CREDIT_CARD": 1.0,
    "TW_BANK_ACCOUNT": 1.0,
    "TW_PASSPORT": 1.0,
    "TW_ADDRESS": 1.0,
    "DATE_OF_BIRTH": 0.93,
    "TW_NHI_CARD": 1.0,
}


@pytest.fixture(scope="module")
def counts(det):
    return score_items(det, escaped_items(SET))


def test_the_set_is_what_it_says():
    its = escaped_items(SET)
    assert len(its) >= 150 and sum(not s for _, s in its) >= 60
    assert sum("\n" in t for t, _ in its) >= 20  # transcripts, chat exports, forms, minutes
    assert sum(t.isascii() for t, _ in its) >= 30  # English text


@pytest.mark.parametrize(("entity_type", "floor"), sorted(RECALL_FLOORS.items()))
def test_recall_floor(counts, entity_type, floor):
    gold, found, _, _ = counts
    assert found[entity_type] / gold[entity_type] >= floor, (found, gold)


def test_overall_recall_and_precision(counts):
    gold, found, pred, true_pred = counts
    assert sum(found.values()) / sum(gold.values()) >= 0.92, (found, gold)
    assert sum(true_pred.values()) / sum(pred.values()) >= 0.98, (true_pred, pred)


def test_negatives_stay_clean(det):
    dirty = [t for t, s in escaped_items(SET) if not s and det.analyze(t)]
    assert dirty == [], dirty
