"""Review of the fixes 18 (annot): a correction of a version replaced since by one of the same text is applied to that
current version only while the current version's licence lets the annotator's bank see it."""

from __future__ import annotations

import pytest
from ls_records import one_corrected, relicense

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import derive_key
from curate.pii.review import VaultReview

pytestmark = pytest.mark.labelstudio

KEY = derive_key(b"k" * 32)
OTHER = {"agreement_id": "A1", "licensor": "TABF", "audience": "member:OTHER", "purposes": ["training"]}


NARROW = {"licence_id": "LicenseRef-Written-Agreement", "metadata": {"licence_terms": OTHER}}


def test_a_correction_is_not_applied_to_a_current_version_the_bank_may_no_longer_see(label_studio, db_path, bank):
    con, ids, client, pid, me = one_corrected(label_studio, db_path, bank, "第0條 甲。")
    mid = relicense(con, ids[0], {"licence_id": "CC-BY-SA-4.0"})  # still the bank's
    push(con, client, PushConfig(project="proofread", bank=bank))  # mid's own task; the read one superseded (kept)
    narrowed = relicense(con, mid, NARROW)  # the bank's audience removed
    got = pull(con, client, bank, vault=VaultReview(KEY))
    made = con.execute(
        "SELECT count(*) FROM records WHERE version_of = ? AND status = 'active'", [narrowed]
    ).fetchone()[0]
    assert made == 0 and got.new_versions == 0, got
    (outcome,) = con.execute("SELECT outcome FROM annotations").fetchone()
    assert outcome != "fixed"


def test_not_applied_when_narrowed_before_any_push_of_it(label_studio, db_path, bank):
    con, ids, client, pid, me = one_corrected(label_studio, db_path, bank, "第0條 甲。")
    narrowed = relicense(con, ids[0], NARROW)
    got = pull(con, client, bank, vault=VaultReview(KEY))
    made = con.execute(
        "SELECT count(*) FROM records WHERE version_of = ? AND status = 'active'", [narrowed]
    ).fetchone()[0]
    assert made == 0 and got.new_versions == 0, got
