"""A thirteenth held-out-like set (``heldout_like_kinds18.txt``, 155 items: 80 with 145 values, 75 negatives), written
blind in review 18 for kinds of bank text the earlier sets lacked: 催收紀錄 (debt-collection call notes), insurance
claim forms, 信託契約 naming settlor and beneficiary, securities account opening forms, migrant-worker remittance
slips (Indonesian, Vietnamese with diacritics, Thai, Filipino names), court and administrative enforcement orders
(執行命令, 扣押), 警示帳戶 notices, 退票 notices, safe-deposit-box access logs, LINE chats as OCR reads them,
tab-separated Excel rows under a header line, JSON and XML snippets, names spaced out (陳 大 文), titles before names
(經理王小明), and review 17's leftovers. Negatives: surname-only mentions (陳先生, 王小姐, 李君, 張氏: a surname alone
names no one, one Taiwanese in ten is a 陳; they stay), place names that read as names (林口, 王田, 石碇, 太魯閣),
card and product names (金龍卡, 高金利), statute text (第X條), company and branch names, dates, amounts, headers,
JSON/XML without personal data. \\n, \\t and \\uXXXX are escapes.

When written: main (c21c7b42) 139/145 found (PERSON 89/94), 139/143 precise (高金利, 金龍卡 twice, 太魯閣), two
found spans running into the next label (林子豪\\n通報, Maria Santos Dela Cruz ARC No); rv18-pii 144/145 (PERSON
93/94), 144/145. The rules of review 18 were made on this set after its first scoring, so it overstates them. Left:
蔡承翰 after 找 (as review 17 found, 找 as an introducer reads 錢莊, 房仲 as names), 太魯閣's 魯閣 after a list's
comma, 陳大同 before 往生 found as 陳大 (同 is a stop character: 陳大|同意), which the half-cover scoring counts."""

from pathlib import Path

import pytest

from tests.helpers.marked_set import escaped_items, score_items

SET = Path(__file__).parent / "heldout_like_kinds18.txt"

#: per type, the share of gold spans found (at least)
RECALL_FLOORS = {
    "PERSON": 0.98,
    "TW_NATIONAL_ID": 1.0,
    "TW_RESIDENT_ID": 1.0,
    "TW_PHONE": 1.0,
    "EMAIL_ADDRESS": 1.0,
    "CREDIT_CARD": 1.0,
    "TW_BANK_ACCOUNT": 1.0,
    "TW_PASSPORT": 1.0,
    "TW_ADDRESS": 1.0,
    "DATE_OF_BIRTH": 1.0,
    "TW_NHI_CARD": 1.0,
}
#: the negatives known to get a span (see the module docstring)
KNOWN_DIRTY = {"日月潭、阿里山、太魯閣"}


@pytest.fixture(scope="module")
def counts(det):
    return score_items(det, escaped_items(SET))


def test_the_set_is_what_it_says():
    its = escaped_items(SET)
    assert len(its) >= 150 and sum(not s for _, s in its) >= 60
    assert sum("\n" in t for t, _ in its) >= 15  # forms, notices, logs, chats
    assert sum("\t" in t for t, _ in its) >= 3  # Excel rows under a header
    assert sum(t.lstrip().startswith(("{", "<")) for t, _ in its) >= 8  # JSON and XML snippets


@pytest.mark.parametrize(("entity_type", "floor"), sorted(RECALL_FLOORS.items()))
def test_recall_floor(counts, entity_type, floor):
    gold, found, _, _ = counts
    assert found[entity_type] / gold[entity_type] >= floor, (found, gold)


def test_overall_recall_and_precision(counts):
    gold, found, pred, true_pred = counts
    assert sum(found.values()) / sum(gold.values()) >= 0.99, (found, gold)
    assert sum(true_pred.values()) / sum(pred.values()) >= 0.99, (true_pred, pred)


def test_negatives_stay_clean(det):
    dirty = [t for t, s in escaped_items(SET) if not s and det.analyze(t)]
    assert set(dirty) <= KNOWN_DIRTY, dirty


def test_no_found_value_runs_into_the_next_label(det):
    """A gold value's span ends where the value does (林子豪, not 林子豪\\n通報): the vault and the propagation
    look for the string found, and a longer one leaves the name's other mentions in clear."""
    over = []
    for text, spans in escaped_items(SET):
        found = det.analyze(text)
        for s, e, _ in spans:
            over += [text[f.start : f.end] for f in found if f.start <= s < e <= f.end and (f.start, f.end) != (s, e)]
    assert over == [], over
