"""Review 18 (annot): a proofreading correction of a version replaced since its push by a licence correction alone
(same text: the text the annotator read is still the document's text) was ``proofread_stale``, and the annotator's
work was lost. It is applied to the document's current version, the one of the same text; a version whose text
changed since stays stale."""

from __future__ import annotations

import pytest
from ls_records import make_catalogue, one_corrected, relicense
from ls_results import correction

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import derive_key
from curate.pii.review import VaultReview
from provenance.db import transaction
from provenance.records import create_version
from provenance.runs import finish_run, start_run

pytestmark = pytest.mark.labelstudio

KEY = derive_key(b"k" * 32)


def test_a_correction_of_a_version_relicensed_since_its_push_is_applied_to_the_current_version(
    label_studio, db_path, bank
):
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    tasks = {t["data"]["record_id"]: t["id"] for t in client.export(pid, all_tasks=True)}
    me = client.whoami()["id"]
    fixes = {rid: f"第{i}條 客戶〔姓名〕於本行開戶，授信額度依規定辦理。" for i, rid in enumerate(ids)}
    for rid in ids:
        client.create_annotation(tasks[rid], correction(fixes[rid]), completed_by=me)
    relicensed = relicense(
        con, ids[0], {"licence_id": "CC-BY-SA-4.0"}
    )  # licence only: the text is the one the annotator read
    twice = relicense(
        con, relicense(con, ids[1], {"licence_id": "CC-BY-SA-4.0"}), {"licence_id": "CC-BY-4.0"}
    )  # two corrections
    run_id = start_run(con, "test-hygiene", {})
    with transaction(con):  # the text changed: the annotator read another text
        moved = create_version(con, ids[2], "第2條 已另行修訂。", stage="hygiene", run_id=run_id)
    finish_run(con, run_id)

    got = pull(con, client, bank, vault=VaultReview(KEY))
    assert dict(got.outcomes) == {"fixed": 2, "stale": 1} and got.new_versions == 2, got
    rows = {r[0]: r[1:] for r in con.execute("SELECT record_id, outcome, new_record_id FROM annotations").fetchall()}
    assert rows[ids[2]] == ("stale", None)
    for read, current, licence in ((ids[0], relicensed, "CC-BY-SA-4.0"), (ids[1], twice, "CC-BY-4.0")):
        outcome, new = rows[read]  # the annotation names the version the annotator read
        assert outcome == "fixed" and new
        parent, text, status, lic = con.execute(
            "SELECT version_of, text, status, licence_id FROM records WHERE record_id = ?", [new]
        ).fetchone()
        assert (parent, text, status, lic) == (current, fixes[read], "active", licence)
        assert con.execute("SELECT status FROM records WHERE record_id = ?", [current]).fetchone()[0] == "superseded"
        (detail,) = con.execute(
            "SELECT json_extract_string(detail, '$.read_record_id') FROM provenance_events"
            " WHERE action = 'proofread_fix' AND record_id = ?",
            [current],
        ).fetchone()
        assert detail == read  # the ledger says which version the annotator read
    assert con.execute("SELECT status FROM records WHERE record_id = ?", [moved]).fetchone()[0] == "active"


def test_corrections_of_the_read_and_the_current_version_in_one_pull_make_one_version(label_studio, db_path, bank):
    """The relicensed version pushed as its own task and corrected there too: one pull applies one correction, the
    other is stale (not two active versions of one document)."""
    con, ids, client, pid, me = one_corrected(label_studio, db_path, bank, "第0條 甲。")
    relicensed = relicense(con, ids[0], {"licence_id": "CC-BY-SA-4.0"})
    push(con, client, PushConfig(project="proofread", bank=bank))
    new_task = {t["data"]["record_id"]: t["id"] for t in client.export(pid, all_tasks=True)}[relicensed]
    client.create_annotation(new_task, correction("第0條 乙。"), completed_by=me)

    got = pull(con, client, bank, vault=VaultReview(KEY))
    assert dict(got.outcomes) == {"fixed": 1, "stale": 1} and got.new_versions == 1, got
    active = con.execute("SELECT version_of FROM records WHERE status = 'active'").fetchall()
    assert active == [(relicensed,)], active
