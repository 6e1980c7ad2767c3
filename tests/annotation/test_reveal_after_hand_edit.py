"""A PII review task reveals masked values only where they belong: never on a version a proofreader rewrote.

The vault pairs a text's placeholders with the PII stage's spans in order. A proofreading correction can move them
(sentences reordered): the applicant's phone was shown, masked, beside 保證人, and a 非個資 verdict restored it there.
"""

from __future__ import annotations

import re

import pytest
from ls_records import add_record, add_source

from curate.pii.keys import load_key
from curate.pii.review import VaultReview
from provenance import db
from provenance.db import transaction
from provenance.records import create_version

TEXT = "申請人手機0912-345-678，保證人手機0933-222-111，由承辦人審核。"


@pytest.fixture
def scrubbed(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    con = db.connect(db_path)
    add_source(con, "s")
    add_record(con, TEXT, source_id="s", locator="case/1", pii_state=None)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = db.connect(db_path)
    yield con
    con.close()


def _active(con) -> tuple[str, str]:
    return con.execute("SELECT record_id, text FROM records WHERE status = 'active'").fetchone()


def test_scrubbed_version_is_revealed_in_order(scrubbed):
    rid, text = _active(scrubbed)
    assert text.count("〔") == 2 and "0912" not in text
    masks = VaultReview(load_key()).masked(scrubbed, [(rid, text)])[rid]
    assert masks[0].startswith("0912") and masks[1].startswith("0933")


def test_version_a_proofreader_rewrote_reveals_nothing(scrubbed):
    rid, text = _active(scrubbed)
    a, b = text.split("，")[:2]
    swapped = text.replace(f"{a}，{b}", f"{b}，{a}")  # the two sentences reordered: the placeholders swap people
    assert swapped.startswith("保證人") and swapped.count("〔") == 2
    with transaction(scrubbed):
        new = create_version(scrubbed, rid, swapped, stage="annotation", run_id="r", action="proofread_fix")
    vault = VaultReview(load_key())
    # the types and the count still match, but nothing says which placeholder is whose: nothing is revealed
    assert vault.masked(scrubbed, [(new, swapped)]) == {}
    assert vault.originals(scrubbed, new, swapped) is None


@pytest.fixture
def pseudonymised(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    con = db.connect(db_path)
    add_source(con, "s")
    add_record(con, TEXT, source_id="s", locator="case/1", pii_state=None)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1", "--set", "mode=pseudonym")
    assert code == 0, err
    con = db.connect(db_path)
    yield con
    con.close()


def test_rewritten_version_with_pseudonyms_reveals_each_value_where_it_moved(pseudonymised):
    # a keyed pseudonym (〔電話#3fa2c1〕) names its own value: moved by a proofreader, it still says whose it is
    rid, text = _active(pseudonymised)
    assert text.count("〔電話#") == 2
    a, b = text.split("，")[:2]
    swapped = text.replace(f"{a}，{b}", f"{b}，{a}")
    with transaction(pseudonymised):
        new = create_version(pseudonymised, rid, swapped, stage="annotation", run_id="r", action="proofread_fix")
    vault = VaultReview(load_key())
    masks = vault.masked(pseudonymised, [(new, swapped)])[new]
    assert masks[0].startswith("0933") and masks[1].startswith("0912")  # 保證人's phone beside 保證人
    assert [v for _, v in vault.originals(pseudonymised, new, swapped)] == ["0933-222-111", "0912-345-678"]


@pytest.mark.parametrize("edit", ["forged", "plain"])
def test_rewritten_version_with_a_placeholder_naming_no_value_reveals_nothing(pseudonymised, edit):
    rid, text = _active(pseudonymised)
    first = re.search("〔電話#[0-9a-f]+〕", text).group()
    # a pseudonym typed by hand names none of the values; a plain placeholder typed by hand names nobody's
    changed = text.replace(first, "〔電話#0123ab〕" if edit == "forged" else "〔電話〕", 1)
    with transaction(pseudonymised):
        new = create_version(pseudonymised, rid, changed, stage="annotation", run_id="r", action="proofread_fix")
    vault = VaultReview(load_key())
    assert vault.masked(pseudonymised, [(new, changed)]) == {}
    assert vault.originals(pseudonymised, new, changed) is None
