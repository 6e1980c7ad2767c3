"""Push and pull against the real Label Studio started by the session fixture."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
from ls_records import add_record, add_source, make_catalogue

from annotation.config import LabelStudioConfig
from annotation.errors import LabelStudioTerminalError, LabelStudioTransientError
from annotation.label_studio import LabelStudioClient
from annotation.offsets import cp_to_utf16
from annotation.projects import email_sha256
from annotation.pull import pull
from annotation.push import PushConfig, push
from provenance.db import connect, transaction
from provenance.errors import KeyRequiredError
from provenance.records import create_version

pytestmark = pytest.mark.labelstudio


def _ls_tasks(client, pid: int) -> list[dict]:
    return client.export(pid, all_tasks=True)


def _utf16_slice(text: str, start: int, end: int) -> str:
    """What JavaScript's text.slice(start, end) returns."""
    return text.encode("utf-16-le")[2 * start : 2 * end].decode("utf-16-le")


def test_push_200_then_again_creates_nothing(label_studio, db_path, bank):
    con, ids = make_catalogue(db_path, 200)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="pii", bank=bank, batch_size=64))
    assert (rep.pushed, rep.already, sum(rep.refused.values())) == (200, 0, 0)
    tasks = _ls_tasks(client, rep.ls_project_id)
    assert len(tasks) == 200
    mapping = dict(con.execute("SELECT ls_task_id, record_id FROM annotation_tasks WHERE bank = ?", [bank]).fetchall())
    assert {t["id"]: t["data"]["record_id"] for t in tasks} == mapping
    assert set(mapping.values()) == set(ids)
    # the task carries what annotators need, not metadata wholesale
    assert set(tasks[0]["data"]) == {"text", "title", "record_id", "source_id", "bank", "pii_spans", "masked"}

    again = push(con, client, PushConfig(project="pii", bank=bank))
    assert (again.pushed, again.already) == (0, 200)
    assert len(_ls_tasks(client, rep.ls_project_id)) == 200
    assert con.execute("SELECT count(*) FROM provenance_events WHERE action = 'push'").fetchone()[0] == 200


def test_records_without_pii_stage_or_licence_are_refused(label_studio, db_path, bank):
    con, ok_ids = make_catalogue(db_path, 2)
    skipped = add_record(con, "客戶王小明電話0912345678", locator="raw1", pii_state=None)
    raw = add_record(con, "客戶李大同電話0912000000", locator="raw2", pii_state="raw")
    add_source(con, "tabf", "LicenseRef-Written-Agreement")
    other_bank = add_record(
        con,
        "講義內容",
        source_id="tabf",
        locator="p1",
        licence_id="LicenseRef-Written-Agreement",
        metadata={
            "licence_terms": {
                "agreement_id": "A1",
                "licensor": "TABF",
                "audience": "member:OTHER",
                "purposes": ["training"],
            }
        },
    )
    no_licence = add_record(con, "無授權文字", locator="nl", licence_id=None)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="topic", bank=bank))
    assert rep.pushed == 2
    refused = dict(rep.refused_ids)
    assert set(refused) == {skipped, raw, other_bank, no_licence}
    assert "PII stage not passed" in refused[skipped] and "PII stage not passed" in refused[raw]
    sent = {t["data"]["record_id"] for t in _ls_tasks(client, rep.ls_project_id)}
    assert sent == set(ok_ids)
    assert not any("0912" in t["data"]["text"] for t in _ls_tasks(client, rep.ls_project_id))


def test_annotation_pull_creates_version_and_event(label_studio, db_path, bank):
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="proofread", bank=bank))
    tasks = {t["data"]["record_id"]: t for t in _ls_tasks(client, rep.ls_project_id)}
    me = client.whoami()
    fixed_text = tasks[ids[0]]["data"]["text"].replace("授信額度", "授信額度與利率")
    client.create_annotation(
        tasks[ids[0]]["id"],
        [
            {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [fixed_text]}},
            {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["fixed"]}},
            {"from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": ["補上利率"]}},
        ],
        completed_by=me["id"],
    )
    client.create_annotation(
        tasks[ids[1]]["id"],
        [{"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["ok"]}}],
        completed_by=me["id"],
    )

    from curate.pii.keyed_ids import annotator_email_digest
    from curate.pii.keys import derive_key
    from curate.pii.review import VaultReview
    from curate.pii.vault import decrypt

    key = derive_key(b"k" * 32)
    keyed = annotator_email_digest(key)
    # the comment is text a person typed: kept only sealed, so without the key nothing is imported
    with pytest.raises(KeyRequiredError, match="CURATE_PII_KEY"):
        pull(con, client, bank, email_digest=keyed)
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
    got = pull(con, client, bank, email_digest=keyed, vault=VaultReview(key))
    assert (got.imported, got.new_versions) == (2, 1)
    stored = con.execute("SELECT result FROM annotations WHERE outcome = 'fixed'").fetchone()[0]
    assert "補上利率" not in stored and "授信額度與利率" not in stored
    (vid,) = json.loads(stored)["sealed"].values()
    nonce, ct = con.execute("SELECT nonce, ciphertext FROM raw_vault WHERE record_id = ?", [vid]).fetchone()
    assert decrypt(key, vid, bytes(nonce), bytes(ct)) == "補上利率"
    new = con.execute(
        "SELECT record_id, text, version_of, stage, status, pii_state FROM records WHERE version_of = ?", [ids[0]]
    ).fetchone()
    assert new[1:] == (fixed_text, ids[0], "annotation", "active", None)
    assert con.execute("SELECT status FROM records WHERE record_id = ?", [ids[0]]).fetchone()[0] == "superseded"
    events = con.execute(
        "SELECT action, actor, detail FROM provenance_events WHERE stage = 'annotation' "
        "AND action LIKE 'proofread%' ORDER BY seq"
    ).fetchall()
    assert [e[0] for e in events] == ["proofread_fix", "proofread_ok"]
    detail = json.loads(events[0][2])
    assert detail["bank"] == bank and detail["annotator_id"] == me["id"]
    # keyed (issue 13): a plain sha256 of a guessable e-mail is never stored
    assert detail["annotator_email_sha256"] == email_sha256(label_studio.user, keyed)
    assert detail["annotator_email_sha256"].startswith("hmac:")
    assert hashlib.sha256(label_studio.user.strip().lower().encode()).hexdigest() not in events[0][2]
    assert detail["new_record_id"] == new[0]
    assert detail["ls_task_id"] == tasks[ids[0]]["id"] and detail["ls_project_id"] == rep.ls_project_id
    assert detail["annotated_at"] and "ls_annotation_id" in detail
    assert events[0][1] == f"{bank}/ls-user:{me['id']}/{detail['annotator_email_sha256']}"
    assert "授信額度與利率" not in events[0][2] and "補上利率" not in events[0][2]  # no text in the ledger

    n_events = con.execute("SELECT count(*) FROM provenance_events WHERE stage <> 'run'").fetchone()[0]
    # incremental: nothing new; only the tasks annotated in the cursor's margin are listed again
    again = pull(con, client, bank)
    assert (again.imported, again.new_versions, again.already) == (0, 0, again.changed_tasks)
    full = pull(con, client, bank, full=True)  # a full export finds both, imported already
    assert (full.imported, full.new_versions, full.already) == (0, 0, 2)
    assert con.execute("SELECT count(*) FROM provenance_events WHERE stage <> 'run'").fetchone()[0] == n_events
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 2


def test_astral_character_before_a_span_keeps_offsets_both_ways(label_studio, db_path, bank, monkeypatch):
    from curate.pii.keys import load_key
    from curate.pii.review import VaultReview

    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)  # a 漏標 seals the version that showed the name
    con = connect(db_path)
    add_source(con)
    text = "客戶𠀋〔姓名〕先生與𠀋𠀋太太，地址〔地址〕。"
    rid = add_record(con, text, locator="astral")
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="pii", bank=bank))
    task = _ls_tasks(client, rep.ls_project_id)[0]
    preds = list(client.sdk.predictions.list(task=task["id"]))
    regions = preds[0].result
    # push: Label Studio gets UTF-16 offsets that select the placeholders in JavaScript terms
    assert [_utf16_slice(text, r["value"]["start"], r["value"]["end"]) for r in regions] == ["〔姓名〕", "〔地址〕"]
    assert regions[0]["value"]["start"] == text.index("〔姓名〕") + 1  # one astral char before it
    assert regions[1]["value"]["start"] == text.index("〔地址〕") + 3
    # pull: an annotator keeps both and marks the missed name 𠀋𠀋 after three astral characters
    cp_start = text.index("𠀋𠀋太太")
    missed = {
        "id": "m1",
        "from_name": "pii",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": cp_to_utf16(text, cp_start),
            "end": cp_to_utf16(text, cp_start + 2),
            "text": "𠀋𠀋",
            "labels": ["姓名"],
        },
    }
    client.create_annotation(task["id"], [*regions, missed], completed_by=client.whoami()["id"])
    got = pull(con, client, bank, vault=VaultReview(load_key()))
    assert got.outcomes == Counter({"reviewed": 1})
    new_text = con.execute("SELECT text FROM records WHERE version_of = ?", [rid]).fetchone()[0]
    assert new_text == "客戶𠀋〔姓名〕先生與〔姓名〕太太，地址〔地址〕。"
    result = json.loads(con.execute("SELECT result FROM annotations").fetchone()[0])
    assert result["added"] == [{"start": cp_start, "end": cp_start + 2, "type": "姓名"}]
    assert [(s["start"], s["end"]) for s in result["confirmed"]] == [
        (text.index("〔姓名〕"), text.index("〔姓名〕") + 4),
        (text.index("〔地址〕"), text.index("〔地址〕") + 4),
    ]
    assert result["rejected"] == []


def test_newer_version_supersedes_its_old_task(label_studio, db_path, bank):
    con, ids = make_catalogue(db_path, 3)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="topic", bank=bank))
    old_task = con.execute("SELECT ls_task_id FROM annotation_tasks WHERE record_id = ?", [ids[0]]).fetchone()[0]
    with transaction(con):
        new_id = create_version(con, ids[0], "第0條 修訂後的條文內容。", stage="hygiene", run_id="test-run")
    again = push(con, client, PushConfig(project="topic", bank=bank))
    assert (again.pushed, again.superseded) == (1, 1)
    data = {t["data"]["record_id"] for t in _ls_tasks(client, rep.ls_project_id)}
    assert data == {new_id, ids[1], ids[2]}  # the unannotated old task was removed
    assert old_task not in {t["id"] for t in _ls_tasks(client, rep.ls_project_id)}
    assert (
        con.execute("SELECT superseded_by FROM annotation_tasks WHERE record_id = ?", [ids[0]]).fetchone()[0] == new_id
    )


def test_label_studio_stopped_mid_push_then_rerun_completes_without_duplicates(label_studio, db_path, bank):
    con, ids = make_catalogue(db_path, 1200)
    client = label_studio.client(retries=2, backoff=0.1)
    batches = []

    def stop_after_first_batch(n: int, total: int) -> None:
        batches.append(n)
        if len(batches) == 1:
            label_studio.stop()

    with pytest.raises(LabelStudioTransientError, match="failed after 3 attempts.*make labelstudio"):
        push(con, client, PushConfig(project="topic", bank=bank, batch_size=400), progress=stop_after_first_batch)
    assert con.execute("SELECT count(*) FROM annotation_tasks").fetchone()[0] == 400
    assert con.execute("SELECT status FROM runs WHERE command = 'annotate push'").fetchone()[0] == "failed"

    label_studio.restart()
    # a batch Label Studio created but the catalogue never recorded (crash between confirm and commit)
    pid = con.execute("SELECT ls_project_id FROM annotation_projects WHERE bank = ?", [bank]).fetchone()[0]
    orphan = ids[500:510]
    con.executemany(
        "INSERT INTO annotation_push_pending VALUES (?, ?, ?, 'topic', ?, 'b-orphan', now()::TIMESTAMP)",
        [[client.config.instance, pid, bank, r] for r in orphan],
    )
    client.import_tasks(
        pid, [{"data": {"text": "x", "title": "", "record_id": r, "source_id": "demo", "bank": bank}} for r in orphan]
    )

    rep = push(con, label_studio.client(), PushConfig(project="topic", bank=bank))
    assert (rep.adopted, rep.pushed, rep.already) == (10, 790, 410)
    tasks = _ls_tasks(client, pid)
    per_record = Counter(t["data"]["record_id"] for t in tasks)
    assert len(tasks) == 1200 and set(per_record) == set(ids) and max(per_record.values()) == 1
    assert con.execute("SELECT count(*) FROM annotation_push_pending").fetchone()[0] == 0


def test_bad_token_is_a_terminal_error(label_studio, db_path, bank):
    con, _ = make_catalogue(db_path, 1)
    client = LabelStudioClient(LabelStudioConfig(url=label_studio.url, api_key="not-a-token", retries=3))
    with pytest.raises(LabelStudioTerminalError, match="HTTP 401"):
        push(con, client, PushConfig(project="topic", bank=bank))


def test_cli_push_and_pull(ls_env, cli, db_path, bank):
    con, _ = make_catalogue(db_path, 5)
    con.close()
    code, out, err = cli("--quiet", "annotate", "push", "--project", "topic", "--bank", bank, "--limit", "3")
    assert code == 0, err
    assert "pushed 3 topic tasks" in out
    code, out, err = cli("--quiet", "annotate", "push", "--project", "topic", "--bank", bank)
    assert code == 0 and "pushed 2 topic tasks" in out and "already there 3" in out
    code, out, err = cli("annotate", "pull", "--bank", bank, "--json")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["imported"] == 0
    code, out, err = cli("annotate", "push", "--project", "topic", "--bank", bank, "--where", "r.nosuchcol = 1")
    assert code == 2 and "--where" in err


def test_rebuilt_catalogue_adopts_existing_tasks_instead_of_duplicating(label_studio, tmp_path, bank):
    first, ids = make_catalogue(tmp_path / "a.duckdb", 5)
    client = label_studio.client()
    rep = push(first, client, PushConfig(project="topic", bank=bank))
    rebuilt, _ = make_catalogue(tmp_path / "b.duckdb", 5)  # same records, no task mapping
    again = push(rebuilt, client, PushConfig(project="topic", bank=bank))
    assert (again.adopted, again.pushed, again.ls_project_id) == (5, 0, rep.ls_project_id)
    assert sorted(t["data"]["record_id"] for t in _ls_tasks(client, rep.ls_project_id)) == sorted(ids)


def test_signup_without_invitation_is_disabled(label_studio):
    import urllib.error
    import urllib.parse
    import urllib.request

    from annotation.server import _cookie, _opener

    opener, jar = _opener()
    opener.open(label_studio.url + "/user/signup/", timeout=30).read()
    form = urllib.parse.urlencode(
        {"email": "intruder@example.com", "password": "whatever-123", "csrfmiddlewaretoken": _cookie(jar, "csrftoken")}
    ).encode()
    req = urllib.request.Request(
        label_studio.url + "/user/signup/",
        data=form,
        method="POST",
        headers={"Referer": label_studio.url + "/user/signup/"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        opener.open(req, timeout=30)
    assert info.value.code == 403


def test_pull_is_incremental(label_studio, db_path, bank):
    con, ids = make_catalogue(db_path, 6)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="topic", bank=bank))
    tasks = {t["data"]["record_id"]: t["id"] for t in _ls_tasks(client, rep.ls_project_id)}
    me = client.whoami()["id"]

    def label(rid, topic):
        client.create_annotation(
            tasks[rid],
            [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": [topic]}}],
            completed_by=me,
        )

    for rid in ids[:3]:
        label(rid, "授信")
    first = pull(con, client, bank)
    assert (first.imported, first.changed_tasks) == (3, 3)
    label(ids[4], "外匯")  # a new task annotated
    label(ids[0], "法規")  # a second annotation on a task pulled before
    second = pull(con, client, bank)
    assert second.imported == 2 and second.changed_tasks >= 2  # the re-annotated task is found by a listing
    assert dict(second.outcomes) == {"labelled": 2}
    assert pull(con, client, bank).imported == 0
    stored = con.execute("SELECT record_id, json_extract_string(result, '$.topic') FROM annotations").fetchall()
    assert sorted(stored) == sorted(
        [(ids[0], "授信"), (ids[1], "授信"), (ids[2], "授信"), (ids[4], "外匯"), (ids[0], "法規")]
    )


def test_incremental_pull_with_more_pending_tasks_than_one_request_holds(label_studio, db_path, bank):
    """Pending task ids go in export requests of at most 500 (Django refuses > 1,000 query fields)."""
    con, ids = make_catalogue(db_path, 1100)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="topic", bank=bank, order="created"))
    task_of = dict(con.execute("SELECT record_id, ls_task_id FROM annotation_tasks WHERE bank = ?", [bank]).fetchall())
    me = client.whoami()["id"]
    choice = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["市場"]}}]
    client.create_annotation(task_of[ids[0]], choice, completed_by=me)
    assert pull(con, client, bank).imported == 1  # first pull: the whole export
    client.create_annotation(task_of[ids[1099]], choice, completed_by=me)  # the last of 1,099 pending tasks
    got = pull(con, client, bank)
    assert (got.imported, got.already) == (1, 0)  # the pending tasks by id; the count says nothing else changed
    assert rep.pushed == 1100
