"""Tasks that leave Label Studio. Those of records withdrawn after the push (review 5, annotation #2): the next push
or pull of the bank deletes the unannotated ones, keeps the annotated ones, and `curate audit withdrawn` says which.
Those deleted there by hand (#4): the next push sends their records again; a deleted project is forgotten by a
command."""

from __future__ import annotations

import json

import pytest
from ls_records import add_record, add_source, make_catalogue

from annotation.errors import LabelStudioTerminalError
from annotation.projects import forget_project
from annotation.pull import pull
from annotation.push import PushConfig, push
from provenance import db as cdb
from provenance.audit import withdrawn_tasks
from provenance.errors import UsageError
from provenance.withdraw import reinstate, withdraw

pytestmark = pytest.mark.labelstudio

CHOICE = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["市場"]}}]


def _on_server(client, pid: int) -> dict[str, int]:
    return {t["data"]["record_id"]: t["id"] for t in client.export(pid, all_tasks=True)}


@pytest.mark.parametrize("sync", ["pull", "push"])
def test_a_withdrawn_records_unannotated_task_is_deleted_by_the_next_sync(label_studio, db_path, bank, cli, sync):
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    tasks = _on_server(client, pid)
    client.create_annotation(tasks[ids[1]], CHOICE, completed_by=client.whoami()["id"])
    for rid in ids[:2]:  # the withdrawal says how many tasks show the record
        assert withdraw(con, record_id=rid, reason="erasure request ticket-42").label_studio_tasks == 1
    (row,) = withdrawn_tasks(con)
    assert (row["bank"], row["not_taken_out"], row["on_server"]) == (bank, 2, sorted(tasks[r] for r in ids[:2]))

    rep = pull(con, client, bank) if sync == "pull" else push(con, client, PushConfig(project="topic", bank=bank))
    assert (rep.retracted, rep.retracted_kept) == (1, 1), rep
    left = _on_server(client, pid)
    assert ids[0] not in left and ids[1] in left and ids[2] in left
    (row,) = withdrawn_tasks(con)
    assert (row["deleted"], row["kept_annotated"], row["not_taken_out"]) == (1, 1, 0)
    assert row["on_server"] == [tasks[ids[1]]]
    events = con.execute(
        "SELECT record_id, json_extract(detail, '$.task_deleted') FROM provenance_events"
        " WHERE action = 'task_retracted' ORDER BY record_id"
    ).fetchall()
    assert sorted(events) == sorted([(ids[0], "true"), (ids[1], "false")])
    again = push(con, client, PushConfig(project="topic", bank=bank))
    assert (again.retracted, again.retracted_kept, again.pushed) == (0, 0, 0)
    reinstate(con, record_id=ids[0], reason="withdrawn by mistake")  # its deleted task is sent again
    back = push(con, client, PushConfig(project="topic", bank=bank))
    assert (back.missing, back.pushed) == (1, 1) and ids[0] in _on_server(client, pid), back
    assert not [r for r in withdrawn_tasks(con) if r["deleted"]]
    con.close()
    code, out, err = cli("audit", "withdrawn")
    assert code == 0 and "Label Studio tasks of withdrawn records" in out and "kept_annotated" in out, err


def test_a_task_deleted_in_label_studio_is_sent_again_and_a_deleted_project_is_forgotten(
    label_studio, db_path, bank, cli, ls_env
):
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    cfg = PushConfig(project="proofread", bank=bank)
    pid = push(con, client, cfg).ls_project_id
    client.delete_task(_on_server(client, pid)[ids[0]])
    rep = push(con, client, cfg)
    assert (rep.missing, rep.pushed, rep.already) == (1, 1, 2), rep
    assert set(_on_server(client, pid)) == set(ids)
    assert push(con, client, cfg).missing == 0

    with pytest.raises(UsageError, match="still exists"):
        forget_project(con, client, bank, "proofread", "cleanup")
    client.sdk.projects.delete(pid)
    with pytest.raises(LabelStudioTerminalError, match="curate annotate forget-project"):
        push(con, client, cfg)
    con.close()
    code, out, err = cli("annotate", "forget-project", "--bank", bank, "--project", "proofread", "--reason", "reset")
    assert code == 0 and "forgot proofread project" in out and "3 tasks" in out, err
    code, out, err = cli("annotate", "push", "--project", "proofread", "--bank", bank)
    assert code == 0 and "pushed 3 proofread tasks" in out, err


def test_a_pull_that_meets_a_deleted_project_says_on_one_line_what_it_imported(
    label_studio, db_path, bank, cli, ls_env
):
    """Review 5, annotation #5: Label Studio's HTML 404 page was the message, and nothing said that the proofread
    annotation before it was imported and committed."""
    con, ids = make_catalogue(db_path, 2)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    topic = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    ok = [{"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["正確"]}}]
    client.create_annotation(_on_server(client, pid)[ids[0]], ok, completed_by=client.whoami()["id"])
    client.sdk.projects.delete(topic)
    con.close()
    code, _, err = cli("annotate", "pull", "--bank", bank)
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "<html" not in err.lower() and "HTTP 404" in err, err
    assert "imported before it and kept: 1 annotations of proofread" in err and "forget-project" in err, err


AGREEMENT = {
    "agreement_id": "A1",
    "licensor": "TABF",
    "audience": "consortium",
    "purposes": ["training"],
    "expiry": "2099-12-31",
    "attribution": "台灣金融研訓院 授權使用",
}


def _relicense(con, ids: list[str], terms: dict) -> list[str]:
    """A licence correction: new versions of ``ids`` under the written agreement with ``terms``."""
    return _reingest(con, ids, "LicenseRef-Written-Agreement", {"licence_terms": terms})


def _reingest(con, ids: list[str], licence_id: str, metadata: dict) -> list[str]:
    """A correction ingested again: new versions of ``ids`` under ``licence_id`` with ``metadata``."""
    from provenance.db import transaction
    from provenance.records import create_version
    from provenance.runs import finish_run, start_run

    run_id = start_run(con, "test-relicense", {})
    with transaction(con):
        new = [
            create_version(
                con,
                rid,
                con.execute("SELECT text FROM records WHERE record_id = ?", [rid]).fetchone()[0],
                stage="relicense",
                run_id=run_id,
                fields={"licence_id": licence_id, "pii_state": "scrubbed"},
                detail=metadata,
            )
            for rid in ids
        ]
        con.executemany("UPDATE records SET metadata = ? WHERE record_id = ?", [(json.dumps(metadata), r) for r in new])
    finish_run(con, run_id)
    return new


def test_tasks_of_documents_the_licence_no_longer_opens_to_the_bank_leave_and_come_back(label_studio, db_path, bank):
    """A licence correction (a new version whose agreement expired) after the push: the old version's text stayed on
    the bank's Label Studio for ever (review 5, left alone). The next push takes the unannotated task out, keeps the
    annotated one, and a later correction that allows the bank again sends the document back."""
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    tasks = _on_server(client, pid)
    client.create_annotation(tasks[ids[1]], CHOICE, completed_by=client.whoami()["id"])
    expired = _relicense(con, ids[:2], {**AGREEMENT, "expiry": "2020-01-01"})

    rep = push(con, client, PushConfig(project="topic", bank=bank))
    assert (rep.retracted, rep.retracted_kept, rep.pushed) == (1, 1, 0), rep
    left = _on_server(client, pid)
    assert ids[0] not in left and ids[1] in left and ids[2] in left
    because = con.execute(
        "SELECT record_id, json_extract_string(detail, '$.because') FROM provenance_events"
        " WHERE action = 'task_retracted' ORDER BY record_id"
    ).fetchall()
    assert sorted(r for r, _ in because) == sorted(ids[:2]) and all("expired" in why for _, why in because), because
    again = push(con, client, PushConfig(project="topic", bank=bank))
    assert (again.retracted, again.retracted_kept, again.missing, again.pushed) == (0, 0, 0, 0), again

    _relicense(con, expired, AGREEMENT)  # corrected again: the bank may see them
    back = push(con, client, PushConfig(project="topic", bank=bank))
    assert (back.retracted, back.pushed) == (0, 2), back
    assert len(_on_server(client, pid)) == 4  # the two new versions, ids[2], and ids[1]'s annotated task
    (row,) = withdrawn_tasks(con)  # the auditor's list names the annotated task left on the server
    assert (row["deleted"], row["kept_annotated"], row["on_server"]) == (1, 1, [tasks[ids[1]]]), row


def test_a_task_retracted_while_its_record_stays_active_is_sent_again_only_once_allowed(label_studio, db_path, bank):
    """The record itself stays active while its source's agreement expires: its task is taken out, the next pushes
    neither count it missing nor send it, and it goes back once the agreement is renewed."""
    con = cdb.connect(db_path)
    add_source(con, "agr", licence_id="LicenseRef-Written-Agreement", metadata={"licence_terms": AGREEMENT})
    rid = add_record(
        con, "第1條 銀行應依規定辦理存款業務。", source_id="agr", licence_id="LicenseRef-Written-Agreement"
    )
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    expired = json.dumps({"licence_terms": {**AGREEMENT, "expiry": "2020-01-01"}})
    con.execute("UPDATE sources SET metadata = ? WHERE source_id = 'agr'", [expired])  # the agreement's end passed

    rep = push(con, client, PushConfig(project="topic", bank=bank))
    assert (rep.retracted, rep.pushed) == (1, 0) and rid not in _on_server(client, pid), rep
    again = push(con, client, PushConfig(project="topic", bank=bank))
    assert (again.missing, again.pushed, again.retracted) == (0, 0, 0), again
    assert con.execute("SELECT count(*) FROM provenance_events WHERE action = 'task_missing'").fetchone()[0] == 0
    con.execute("UPDATE sources SET metadata = ? WHERE source_id = 'agr'", [json.dumps({"licence_terms": AGREEMENT})])
    back = push(con, client, PushConfig(project="topic", bank=bank))
    assert (back.missing, back.pushed) == (1, 1) and rid in _on_server(client, pid), back


def test_a_kept_annotated_task_is_live_again_once_allowed_or_sent_again_after_a_deletion_by_hand(
    label_studio, db_path, bank
):
    """Review 6 (licences, round 2): an annotated task kept when the agreement expired stayed marked as taken out
    after the renewal (listed for deletion by hand for ever); deleted by hand, it was never sent again (its mapping
    said "already there")."""
    con = cdb.connect(db_path)
    add_source(con, "agr", licence_id="LicenseRef-Written-Agreement", metadata={"licence_terms": AGREEMENT})
    rid = add_record(
        con, "第1條 銀行應依規定辦理存款業務。", source_id="agr", licence_id="LicenseRef-Written-Agreement"
    )
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    tid = _on_server(client, pid)[rid]
    client.create_annotation(tid, CHOICE, completed_by=client.whoami()["id"])
    expired = json.dumps({"licence_terms": {**AGREEMENT, "expiry": "2020-01-01"}})
    renewed = json.dumps({"licence_terms": AGREEMENT})

    def terms(value: str) -> None:
        con.execute("UPDATE sources SET metadata = ? WHERE source_id = 'agr'", [value])

    terms(expired)
    rep = push(con, client, PushConfig(project="topic", bank=bank))
    assert (rep.retracted, rep.retracted_kept) == (0, 1) and [r["on_server"] for r in withdrawn_tasks(con)] == [[tid]]
    terms(renewed)  # left alone on the server: a live task again, not listed for deletion
    again = push(con, client, PushConfig(project="topic", bank=bank))
    assert (again.pushed, again.missing) == (0, 0) and not withdrawn_tasks(con), again
    restored = "SELECT count(*) FROM provenance_events WHERE action = 'task_restored'"
    assert con.execute(restored).fetchone()[0] == 1

    terms(expired)
    assert push(con, client, PushConfig(project="topic", bank=bank)).retracted_kept == 1
    client.delete_task(tid)  # as `audit withdrawn` asks
    terms(renewed)
    back = push(con, client, PushConfig(project="topic", bank=bank))
    assert (back.missing, back.pushed) == (1, 1) and rid in _on_server(client, pid), back
    assert not withdrawn_tasks(con)


def test_a_task_whose_record_can_no_longer_be_credited_is_taken_out_by_the_next_push(label_studio, db_path, bank):
    """Review 6 (licences, round 2, #1): a record under OGDL-Taiwan-1.0 re-ingested with an agency the attribution
    cannot credit (longer than 300 characters) is refused by the export (``licence_terms``), yet its task stayed on
    the bank's Label Studio: the licence gate judged the licence without the record's credit values. The next push
    takes it out with the export's reason."""
    from provenance.export import ExportParams, iter_verdicts

    con = cdb.connect(db_path)
    add_source(con, "moda", licence_id="OGDL-Taiwan-1.0")
    credited = {"dataset": "ds", "fields": {"agency": "銀行公會"}}
    rid = add_record(
        con, "銀行公會發布存款保險說明。", source_id="moda", licence_id="OGDL-Taiwan-1.0", metadata=credited
    )
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    assert rid in _on_server(client, pid)
    (bad,) = _reingest(con, [rid], "OGDL-Taiwan-1.0", {"dataset": "ds", "fields": {"agency": "金管會" * 101}})

    rep = push(con, client, PushConfig(project="topic", bank=bank))
    assert (rep.retracted, rep.pushed) == (1, 0) and not _on_server(client, pid), rep
    params = ExportParams(purpose="training", audience=f"member:{bank}", commercial=False, pii_gate="expected")
    (verdict,) = [v.verdict for v in iter_verdicts(con, params) if v.record_id == bad]
    because = con.execute(
        "SELECT json_extract_string(detail, '$.because') FROM provenance_events WHERE action = 'task_retracted'"
    ).fetchone()[0]
    assert verdict.code == "licence_terms" and because == verdict.reason and "longer than 300 characters" in because
    assert rep.refused == {verdict.reason: 1}, rep  # the new version is not sent either

    # corrected: sent again; the old version's task (deleted above) is not deleted a second time, though Label Studio
    # may give its id to the new task
    _reingest(con, [bad], "OGDL-Taiwan-1.0", credited)
    back = push(con, client, PushConfig(project="topic", bank=bank))
    assert (back.retracted, back.pushed) == (0, 1) and len(_on_server(client, pid)) == 1, back
    assert con.execute("SELECT count(*) FROM annotation_tasks WHERE superseded_by IS NULL").fetchone()[0] == 1
