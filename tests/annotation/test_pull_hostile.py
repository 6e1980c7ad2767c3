"""Hostile and odd annotations against the real Label Studio (review round 3, annot): what a person typed is
sealed, a pii_expected source's correction is keyed, one malformed annotation does not block the project, a
redone annotation is found by an incremental pull, an oversized correction is refused."""

from __future__ import annotations

import hashlib
import json

import catalogue_builder
import pytest
from ls_records import add_record, make_catalogue

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import derive_key
from curate.pii.review import VaultReview
from curate.pii.vault import decrypt
from provenance.db import connect, transaction
from provenance.records import create_version, derived_record_id

pytestmark = pytest.mark.labelstudio

KEY = derive_key(b"k" * 32)
COMMENT = "原文姓名為李大同，身分證A123456789，電話0912345678"
SECRETS = ("李大同", "A123456789", "0912345678")


def _tasks(client, pid: int) -> dict[str, int]:
    return {t["data"]["record_id"]: t["id"] for t in client.export(pid, all_tasks=True)}


def _proofread(corrected, verdict="已修正", comment=None) -> list[dict]:
    out = [
        {"id": "t", "from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": corrected}},
        {"id": "v", "from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": [verdict]}},
    ]
    if comment:
        out.append(
            {"id": "c", "from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": [comment]}}
        )
    return out


def _dump(con) -> str:
    rows = con.execute("SELECT result FROM annotations").fetchall()
    events = con.execute("SELECT detail FROM provenance_events").fetchall()
    return json.dumps([rows, events], ensure_ascii=False, default=str)


def test_typed_personal_data_is_sealed_and_malformed_annotations_are_quarantined(label_studio, db_path, bank):
    con, ids = make_catalogue(db_path, 5)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="proofread", bank=bank))
    tasks, me = _tasks(client, rep.ls_project_id), client.whoami()["id"]
    fixed = "理財專員李大同挪用客戶款項，經查屬實。"
    client.create_annotation(tasks[ids[0]], _proofread([fixed], comment=COMMENT), completed_by=me)
    client.create_annotation(tasks[ids[1]], _proofread([123, None]), completed_by=me)  # Label Studio accepts it
    client.create_annotation(tasks[ids[2]], _proofread(["x"], verdict="王小明A123456789"), completed_by=me)
    bad_verdict = [
        {"id": "v", "from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": "正確"}}
    ]
    client.create_annotation(tasks[ids[3]], bad_verdict, completed_by=me)
    # a correction of a record that moved on since: stale, and the correction is kept only sealed
    with transaction(con):
        create_version(con, ids[4], "第4條 已另行修訂。", stage="hygiene", run_id="test-run")
    client.create_annotation(tasks[ids[4]], _proofread([f"第4條 {COMMENT}"]), completed_by=me)

    got = pull(con, client, bank, vault=VaultReview(KEY))
    assert dict(got.outcomes) == {"fixed": 1, "invalid": 3, "stale": 1} and got.new_versions == 1
    rows = dict(con.execute("SELECT record_id, result FROM annotations").fetchall())
    assert {json.loads(rows[i])["error"] for i in ids[1:4]} == {"text_malformed", "choice_unknown", "choices_malformed"}
    assert con.execute("SELECT count(*) FROM provenance_events WHERE action = 'proofread_invalid'").fetchone()[0] == 3
    blob = _dump(con)
    for secret in (*SECRETS, "王小明"):
        assert secret not in blob, secret  # neither the stored results nor the ledger hold typed text
    sealed = {}
    for rid in (ids[0], ids[4]):
        for name, vid in json.loads(rows[rid])["sealed"].items():
            nonce, ct = con.execute("SELECT nonce, ciphertext FROM raw_vault WHERE record_id = ?", [vid]).fetchone()
            sealed[rid, name] = decrypt(KEY, vid, bytes(nonce), bytes(ct))
    assert sealed == {(ids[0], "comment"): COMMENT, (ids[4], "corrected"): f"第4條 {COMMENT}"}
    # the applied correction lives in its new version only
    assert con.execute(
        "SELECT text FROM records WHERE version_of = ? AND stage = 'annotation'", [ids[0]]
    ).fetchone() == (fixed,)
    again = pull(con, client, bank, vault=VaultReview(KEY))
    assert again.imported == 0 and again.changed_tasks == 0  # nothing changed: nothing exported again


def test_annotation_deleted_and_redone_is_found_by_an_incremental_pull(label_studio, db_path, bank):
    con, ids = make_catalogue(db_path, 2)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="topic", bank=bank))
    tasks, me = _tasks(client, rep.ls_project_id), client.whoami()["id"]

    def label(topic, rating):
        result = [
            {"id": "a", "from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": [topic]}},
            {"id": "b", "from_name": "quality", "to_name": "text", "type": "rating", "value": {"rating": rating}},
        ]
        return client.create_annotation(tasks[ids[0]], result, completed_by=me)

    first = label("授信", 2)
    assert pull(con, client, bank).imported == 1
    client.sdk.annotations.delete(first)  # Label Studio's total stays 1: counts cannot see this
    label("法規", 5)
    got = pull(con, client, bank)
    assert (got.imported, dict(got.outcomes)) == (1, {"labelled": 1})
    stored = con.execute("SELECT json_extract_string(result, '$.topic') FROM annotations ORDER BY ls_annotation_id")
    assert [r[0] for r in stored.fetchall()] == ["授信", "法規"]
    assert pull(con, client, bank).imported == 0


def test_correction_over_the_record_cap_is_refused_and_counted(label_studio, db_path, bank, monkeypatch):
    monkeypatch.setenv("CURATE_MAX_RECORD_CHARS", "1000")
    con, ids = make_catalogue(db_path, 2)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="proofread", bank=bank))
    tasks, me = _tasks(client, rep.ls_project_id), client.whoami()["id"]
    client.create_annotation(tasks[ids[0]], _proofread(["字" * 1500]), completed_by=me)
    client.create_annotation(tasks[ids[1]], _proofread(["短的修正。"]), completed_by=me)
    got = pull(con, client, bank, vault=VaultReview(KEY))  # a correction gets a keyed id and digest
    assert dict(got.outcomes) == {"invalid": 1, "fixed": 1} and got.new_versions == 1
    (result,) = con.execute("SELECT result FROM annotations WHERE outcome = 'invalid'").fetchone()
    assert json.loads(result)["error"] == "too_long" and "字字" not in result
    assert con.execute("SELECT max(length(text)) FROM records").fetchone()[0] < 1000


def test_correction_of_a_pii_expected_source_gets_a_keyed_id_and_digest(label_studio, db_path, bank):
    con = connect(db_path)
    catalogue_builder.add_source(con, "kmoda", licence_id="CC-BY-4.0", pii_expected=True)
    rid = add_record(con, "客戶〔姓名〕於本行開戶，聯絡電話〔電話〕。", source_id="kmoda", locator="k1")
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="proofread", bank=bank))
    raw = "客戶王小明於本行開戶，聯絡電話0912345678。"  # the annotator put the values back
    client.create_annotation(
        _tasks(client, rep.ls_project_id)[rid], _proofread([raw]), completed_by=client.whoami()["id"]
    )
    from provenance.errors import KeyRequiredError

    with pytest.raises(KeyRequiredError, match="CURATE_PII_KEY"):
        pull(con, client, bank)  # without the key nothing is written
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
    got = pull(con, client, bank, vault=VaultReview(KEY))
    assert got.new_versions == 1
    new_id, digest, state = con.execute(
        "SELECT record_id, content_sha256, pii_state FROM records WHERE stage = 'annotation'"
    ).fetchone()
    assert state is None and digest == KEY.content_digest(raw)
    assert new_id == VaultReview(KEY).derived_id(rid, "annotation", raw) != derived_record_id(rid, "annotation", raw)
    plain = hashlib.sha256(raw.encode()).hexdigest()
    assert plain not in _dump(con) and derived_record_id(rid, "annotation", raw) not in _dump(con)
    from provenance.crosscheck import crosscheck

    check = crosscheck(con, keyed_digest=KEY.content_digest)  # the keyed digest is checked with the key
    assert not [p for p in check.problems if "keyed" in p], check.problems
    con.execute("UPDATE records SET text = text || '。' WHERE record_id = ?", [new_id])
    assert any("keyed content digest" in p for p in crosscheck(con, keyed_digest=KEY.content_digest).problems)


def test_two_annotators_per_task_and_a_second_annotation_are_both_pulled(label_studio, db_path, bank):
    """A project that wants two annotations per task (a bank's setting): a task with one of two is not labelled for
    the Data Manager's count, so the count alone let it stand in for a second annotation on a task imported before,
    which was never pulled (review round 3b). The project counters see it."""
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="topic", bank=bank))
    client.update_project(rep.ls_project_id, maximum_annotations=2)
    tasks, me = _tasks(client, rep.ls_project_id), client.whoami()["id"]
    choice = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["市場"]}}]
    client.create_annotation(tasks[ids[0]], choice, completed_by=me)
    assert pull(con, client, bank).imported == 1
    other = client.sdk.users.create(email="second.annotator@bank.example", username="second_annotator").id
    client.create_annotation(tasks[ids[0]], choice, completed_by=other)  # the second annotator on the imported task
    client.create_annotation(tasks[ids[1]], choice, completed_by=me)  # one of two on a pending task
    got = pull(con, client, bank)
    assert got.imported == 2 and got.whole_exports == 1, got  # several annotators per task: the whole export
    assert pull(con, client, bank).imported == 0
    # review round 3c: an annotation deleted and made again while a pending task holds one of two annotations
    mine = next(a["id"] for a in client.export_tasks(rep.ls_project_id, [tasks[ids[0]]])[0]["annotations"]
                if a["completed_by"] == me)  # fmt: skip
    client.sdk.annotations.delete(mine)
    client.create_annotation(tasks[ids[0]], choice, completed_by=me)
    client.create_annotation(tasks[ids[2]], choice, completed_by=me)
    assert pull(con, client, bank).imported == 2
