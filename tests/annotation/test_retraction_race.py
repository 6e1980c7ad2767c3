"""Retractions and the annotations around them (review 14, annotation): a task taken out for its licence but kept
because annotated stayed in Label Studio, and a correction made on it (before or after the retraction) became a new
version of a record the bank may no longer work on (now: ``stale``, sealed, ``task_retracted`` in the ledger); a task whose only annotation is a skip counted as unannotated and
was deleted with the skip, which was never imported."""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import derive_key
from curate.pii.review import VaultReview
from provenance.licences import LicenceCatalogue, licence_catalogue_path

pytestmark = pytest.mark.labelstudio


def _ended(tmp_path) -> LicenceCatalogue:
    """The shipped catalogue with CC-BY-4.0 ended long ago."""
    text = licence_catalogue_path().read_text("utf-8")
    ours = tmp_path / "ours.toml"
    ours.write_text(
        text.replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2000-01-01"\n', 1), encoding="utf-8"
    )
    from provenance.export import load_licence_catalogue_for

    return load_licence_catalogue_for(ours)


def _fix(shown: str) -> list[dict]:
    return [
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [shown + "補"]}},
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["fixed"]}},
    ]


def test_a_correction_on_a_task_taken_out_for_its_licence_makes_no_version(label_studio, db_path, bank, tmp_path):
    con, ids = make_catalogue(db_path, 2)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    tasks = {t["data"]["record_id"]: t for t in client.export(pid, all_tasks=True)}
    me = client.whoami()["id"]
    client.create_annotation(tasks[ids[0]]["id"], _fix(tasks[ids[0]]["data"]["text"]), completed_by=me)
    ended = _ended(tmp_path)
    vault = VaultReview(derive_key(b"k" * 32))  # a correction not applied is kept sealed
    rep = pull(con, client, bank, licence_catalogue=ended, vault=vault)  # the licence ended: kept as annotated
    assert (rep.retracted, rep.retracted_kept, rep.new_versions) == (1, 1, 0), rep
    # a second correction saved after the retraction, on the task still shown
    client.create_annotation(tasks[ids[0]]["id"], _fix(tasks[ids[0]]["data"]["text"] + "再"), completed_by=me)
    again = pull(con, client, bank, licence_catalogue=ended, vault=vault)
    assert again.new_versions == 0, again
    assert con.execute("SELECT count(*) FROM records WHERE stage = 'annotation'").fetchone()[0] == 0
    outcomes = con.execute("SELECT outcome, count(*) FROM annotations GROUP BY ALL").fetchall()
    assert outcomes == [("stale", 2)], outcomes  # each imported, with a ledger row, nothing applied
    events = con.execute(
        "SELECT json_extract(detail, '$.task_retracted') FROM provenance_events WHERE action = 'proofread_stale'"
    ).fetchall()
    assert events == [("true",), ("true",)], events
    assert not con.execute("SELECT count(*) FROM provenance_events WHERE action = 'proofread_fix'").fetchone()[0]


def test_a_skipped_task_is_not_deleted_with_its_skip(label_studio, db_path, bank, tmp_path):
    con, ids = make_catalogue(db_path, 1)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    (task,) = client.export(pid, all_tasks=True)
    client.create_annotation(task["id"], [], completed_by=client.whoami()["id"], was_cancelled=True)
    rep = pull(con, client, bank, licence_catalogue=_ended(tmp_path))
    assert (rep.retracted, rep.retracted_kept) == (0, 1), rep
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 1


def test_a_not_pii_verdict_on_a_task_taken_out_for_its_licence_restores_nothing(
    label_studio, db_path, bank, cli, monkeypatch, tmp_path
):
    """Review of the fixes 14: a PII review of a task taken out for its licence was left applied (for its 漏標), so its
    非個資 made a new version with the raw name back in and allow-listed it for a bank no longer allowed the record;
    now that span stays masked, the 漏標 still masks, ``task_retracted`` is in the event."""
    from ls_records import add_record, add_source
    from ls_results import missed_pii

    from curate.pii.keys import load_key
    from provenance import db

    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    con = db.connect(db_path)
    add_source(con, "s")
    add_record(con, "申請人王小明，由承辦人審核。", source_id="s", locator="case/1", pii_state=None)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = db.connect(db_path)
    vault = VaultReview(load_key())
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="pii", bank=bank, vault=vault)).ls_project_id
    (task,) = client.export(pid, all_tasks=True)
    (pred,) = [p.model_dump() for p in client.sdk.predictions.list(task=task["id"])]
    (name,) = pred["result"]
    v = {k: name["value"][k] for k in ("start", "end", "text")}
    not_pii = {**name, "from_name": "verdict", "type": "choices", "value": {**v, "choices": ["非個資"]}}
    result = [name, not_pii, *missed_pii(task["data"]["text"], "承辦人")]
    client.create_annotation(task["id"], result, completed_by=client.whoami()["id"])
    rep = pull(con, client, bank, licence_catalogue=_ended(tmp_path), vault=vault)
    assert (rep.retracted, rep.retracted_kept) == (0, 1), rep
    texts = [r[0] for r in con.execute("SELECT text FROM records WHERE text IS NOT NULL").fetchall()]
    assert not any("王小明" in t for t in texts), texts  # the name stays masked in every version
    assert any("〔姓名〕審核" in t for t in texts), texts  # the 漏標 masked
    assert con.execute("SELECT count(*) FROM pii_allowlist").fetchone()[0] == 0
    (ev,) = con.execute("SELECT detail FROM provenance_events WHERE action = 'pii_review'").fetchall()
    assert '"task_retracted":true' in ev[0].replace(" ", ""), ev


def test_an_annotation_saved_between_the_count_and_the_delete_is_not_deleted_with_its_task(
    label_studio, db_path, bank, tmp_path, monkeypatch
):
    """Review of the fixes 14: a task taken out was counted, then deleted: an annotation saved in between (by someone
    who had the task open) went with it, never imported. Now the task's text is blanked, counted again, and deleted
    only then; this one keeps it (its text put back), and the pull imports the annotation."""
    con, ids = make_catalogue(db_path, 1)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    (task,) = client.export(pid, all_tasks=True)
    me = client.whoami()["id"]
    real_get = client._sdk.tasks.get
    reads = []

    def get(task_id, *a, **kw):  # the first read (the count) sees none; an annotation is saved right after it
        got = real_get(task_id, *a, **kw)
        reads.append(task_id)
        if len(reads) == 1:
            topic = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["市場"]}}]
            client.create_annotation(task["id"], topic, completed_by=me)
        return got

    monkeypatch.setattr(client._sdk.tasks, "get", get)
    rep = pull(con, client, bank, licence_catalogue=_ended(tmp_path))
    assert (rep.retracted, rep.retracted_kept) == (0, 1), rep
    (kept,) = client.export(pid, all_tasks=True)
    assert kept["data"]["text"] == task["data"]["text"]  # put back
    assert con.execute("SELECT outcome FROM annotations").fetchall() == [("labelled",)]


def test_an_unannotated_task_is_still_deleted(label_studio, db_path, bank, tmp_path):
    con, ids = make_catalogue(db_path, 2)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    rep = pull(con, client, bank, licence_catalogue=_ended(tmp_path))
    assert (rep.retracted, rep.retracted_kept) == (2, 0), rep
    assert client.export(pid, all_tasks=True) == []
