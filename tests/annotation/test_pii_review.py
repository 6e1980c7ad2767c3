"""Masked PII review against the real Label Studio, after the real PII stage sealed the raw text."""

from __future__ import annotations

import json

import pytest
from ls_records import add_record, add_source

from annotation.offsets import cp_to_utf16
from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import load_key
from curate.pii.review import VaultReview
from provenance import db
from provenance.errors import ConfigError

pytestmark = pytest.mark.labelstudio

TEXT = "申請人王小明，身分證字號A123456789，手機0912-345-678，由承辦人審核。"
SECRETS = ["王小明", "A123456789", "0912-345-678", "345-678", "23456789"]


@pytest.fixture
def scrubbed(db_path, cli, monkeypatch):
    """A record with personal data, through `curate run pii` (raw text sealed in the vault)."""
    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    con = db.connect(db_path)
    add_source(con, "s")
    add_source(con, "t")
    add_record(con, TEXT, source_id="s", locator="case/1", pii_state=None)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = db.connect(db_path)
    yield con
    con.close()


def _ls_tasks(client, pid):
    return client.export(pid, all_tasks=True)


def test_masked_review_round_trip(label_studio, scrubbed, bank, cli, db_path):
    con = scrubbed
    key = load_key()
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="pii", bank=bank, vault=VaultReview(key)))
    assert rep.pushed == 1
    (task,) = _ls_tasks(client, rep.ls_project_id)
    preds = [p.model_dump() for p in client.sdk.predictions.list(task=task["id"])]
    task["predictions"] = preds
    everything = json.dumps([task, preds], ensure_ascii=False, default=str)
    for secret in SECRETS:  # no full value anywhere in what Label Studio holds
        assert secret not in everything, secret
    shown = task["data"]["text"]
    assert task["data"]["masked"] is True
    assert "王○明" in shown and "A12****789" in shown and "0912-***-678" in shown
    assert [r["value"]["text"] for r in preds[0]["result"]] == ["王○明", "A12****789", "0912-***-678"]

    # the reviewer: the name is not personal data here, the ID is right, the phone has the wrong type,
    # and 承辦人 was missed (marked with the span tool)
    name, ident, phone = preds[0]["result"]
    me = client.whoami()["id"]
    start = shown.index("承辦人")
    missed = {
        "id": "m1",
        "from_name": "pii",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": cp_to_utf16(shown, start),
            "end": cp_to_utf16(shown, start + 3),
            "text": "承辦人",
            "labels": ["姓名"],
        },
    }
    phone_retyped = {**phone, "value": {**phone["value"], "labels": ["其他"]}}

    def verdict(region, choice):
        v = {k: region["value"][k] for k in ("start", "end", "text")}
        return {
            "id": region["id"],
            "from_name": "verdict",
            "to_name": "text",
            "type": "choices",
            "value": {**v, "choices": [choice]},
        }

    result = [
        name,
        verdict(name, "非個資"),
        ident,
        verdict(ident, "正確"),
        phone_retyped,
        verdict(phone, "類型錯誤"),
        missed,
        verdict(missed, "漏標"),
    ]
    client.create_annotation(task["id"], result, completed_by=me)

    # without the key a 非個資 verdict cannot be restored: nothing is imported
    with pytest.raises(ConfigError, match="CURATE_PII_KEY"):
        pull(con, client, bank)
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0

    got = pull(con, client, bank, vault=VaultReview(key))
    assert (got.imported, got.new_versions) == (1, 1)
    parent = task["data"]["record_id"]
    new_text, state = con.execute(
        "SELECT text, pii_state FROM records WHERE version_of = ? AND status = 'active'", [parent]
    ).fetchone()
    assert new_text == "申請人王小明，身分證字號〔身分證字號〕，手機〔其他〕，由〔姓名〕審核。"
    assert state == "scrubbed"
    # the ledger and the stored result hold offsets, types and digests, never the values
    ev = con.execute(
        "SELECT detail FROM provenance_events WHERE action = 'pii_review' AND record_id = ?", [parent]
    ).fetchone()[0]
    stored = con.execute("SELECT result FROM annotations").fetchone()[0]
    for text in (ev, stored):
        for secret in SECRETS:
            assert secret not in text
    detail = json.loads(ev)
    assert detail["restored"] == [{"index": 0, "type": "PERSON", "digest": key.digest("PERSON", "王小明")}]
    assert [s["new_type"] for s in detail["wrong_type"]] == ["其他"] and len(detail["added"]) == 1

    # the allow-list: a keyed digest per source with the verdict's bank and annotator, listed and revocable
    rows = con.execute("SELECT source_id, entity_type, digest, bank, annotator FROM pii_allowlist").fetchall()
    assert rows == [("s", "PERSON", key.digest("PERSON", "王小明"), bank, detail_actor(con, parent))]
    con.close()
    code, out, _ = cli("annotate", "allowlist", "list")
    assert code == 0 and "PERSON" in out and "王小明" not in out and bank in out
    entry = out.split()[0]

    # future runs: the same name in the same source is left alone, in another source it is masked
    _add_and_scrub(cli, db_path, "s", "case/2", "申請人王小明另案申請。")
    _add_and_scrub(cli, db_path, "t", "case/3", "申請人王小明另案申請。")
    con = db.connect(db_path)
    texts = dict(con.execute("SELECT locator, text FROM records WHERE status = 'active'").fetchall())
    assert texts["case/2"] == "申請人王小明另案申請。"
    assert "王小明" not in texts["case/3"]
    con.close()

    code, out, err = cli("annotate", "allowlist", "revoke", entry, "--reason", "judged wrongly", "--by", "steward")
    assert code == 0, err
    _add_and_scrub(cli, db_path, "s", "case/4", "申請人王小明第三案。")
    con = db.connect(db_path)
    texts = dict(con.execute("SELECT locator, text FROM records WHERE status = 'active'").fetchall())
    assert "王小明" not in texts["case/4"]
    assert con.execute("SELECT count(*) FROM provenance_events WHERE action = 'allowlist_revoked'").fetchone()[0] == 1
    assert _allowlist_problems(con) == {}
    # the reviewed version's `scrubbed` state is earned by its pii_review event (audit verify)
    from provenance.crosscheck import crosscheck

    assert not any("PII pass" in p for p in crosscheck(con).problems), crosscheck(con).problems
    # the allow-list is checked against the ledger: an entry back in force, an entry no review allowed
    con.execute("UPDATE pii_allowlist SET revoked_at = NULL")
    assert list(_allowlist_problems(con).values()) == [1]
    con.execute("UPDATE pii_allowlist SET revoked_at = now()::TIMESTAMP")
    con.execute(
        "INSERT INTO pii_allowlist (entry_id, source_id, entity_type, digest, key_id, bank, annotator, record_id,"
        " created_at) SELECT 'forged', 't', entity_type, ?, key_id, bank, annotator, record_id, now()::TIMESTAMP"
        " FROM pii_allowlist",
        [key.digest("PERSON", "陳大文")],
    )
    problems = _allowlist_problems(con)
    assert len(problems) == 1 and "no PII review allowed" in next(iter(problems)), problems
    con.close()


def _allowlist_problems(con):
    from provenance.crosscheck import crosscheck

    return {p: n for p, n in crosscheck(con).problems.items() if p.startswith("allowlist")}


def detail_actor(con, parent):
    return con.execute(
        "SELECT actor FROM provenance_events WHERE action = 'pii_review' AND record_id = ?", [parent]
    ).fetchone()[0]


def _add_and_scrub(cli, db_path, source, locator, text):
    con = db.connect(db_path)
    add_record(con, text, source_id=source, locator=locator, pii_state=None)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err


def test_contradictory_verdicts_restore_nothing_and_missed_parts_are_masked(label_studio, scrubbed, bank):
    """One span judged 非個資 and 類型錯誤 at once, and a 漏標 region reaching into it: the span stays masked, the
    allow-list gets nothing, the missed character beside it is masked (review round 3, annot 3 and 8)."""
    con = scrubbed
    key = load_key()
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="pii", bank=bank, vault=VaultReview(key)))
    (task,) = _ls_tasks(client, rep.ls_project_id)
    shown = task["data"]["text"]
    name = [p.model_dump() for p in client.sdk.predictions.list(task=task["id"])][0]["result"][0]
    retyped = {**name, "id": "r2", "value": {**name["value"], "labels": ["其他"]}}
    a = shown.index("人王○")
    missed = {
        "id": "m1",
        "from_name": "pii",
        "to_name": "text",
        "type": "labels",
        "value": {
            "start": cp_to_utf16(shown, a),
            "end": cp_to_utf16(shown, a + 3),
            "text": "人王○",
            "labels": ["姓名"],
        },
    }

    def verdict(region, choice):
        return {
            "id": region["id"],
            "from_name": "verdict",
            "to_name": "text",
            "type": "choices",
            "value": {"choices": [choice]},
        }

    result = [name, verdict(name, "非個資"), retyped, verdict(retyped, "類型錯誤"), missed, verdict(missed, "漏標")]
    client.create_annotation(task["id"], result, completed_by=client.whoami()["id"])
    got = pull(con, client, bank, vault=VaultReview(key))
    assert (got.imported, got.new_versions) == (1, 1)
    new_text, state = con.execute(
        "SELECT text, pii_state FROM records WHERE version_of = ? AND status = 'active'", [task["data"]["record_id"]]
    ).fetchone()
    assert state == "scrubbed" and "王小明" not in new_text and "人" not in new_text.split("，")[0]
    assert new_text.startswith("申請〔姓名〕〔姓名〕，")
    assert con.execute("SELECT count(*) FROM pii_allowlist").fetchone()[0] == 0
    ev = json.loads(con.execute("SELECT detail FROM provenance_events WHERE action = 'pii_review'").fetchone()[0])
    assert "restored" not in ev and [c["index"] for c in ev["conflicts"]] == [0]


def _verdicts(client, task, choices: dict[int, str | None]) -> list[dict]:
    """The task's predicted regions, each with the verdict given by its index (None: no verdict)."""
    regions = [p.model_dump() for p in client.sdk.predictions.list(task=task["id"])][0]["result"]
    out = []
    for k, region in enumerate(regions):
        out.append(region)
        if choices.get(k):
            choice = {"choices": [choices[k]]}
            out.append(
                {"id": region["id"], "from_name": "verdict", "to_name": "text", "type": "choices", "value": choice}
            )
    return out


@pytest.mark.parametrize("overlap", [1, 2])
def test_two_annotators_disagreeing_keep_the_name_masked(label_studio, scrubbed, bank, overlap):
    """Annotator A: the name is 非個資; annotator B: the name is 正確 and 承辦人 was missed (review 5, annotation
    #1: A's verdict unmasked the name in an active version and allow-listed it, B's was filed as stale). Judged
    together: the name stays masked, B's 漏標 is applied, nothing is allow-listed, the disagreement is an event.
    With two annotations wanted per task, one alone waits for the other."""
    con = scrubbed
    key = load_key()
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="pii", bank=bank, vault=VaultReview(key)))
    client.update_project(rep.ls_project_id, maximum_annotations=overlap)
    (task,) = _ls_tasks(client, rep.ls_project_id)
    shown = task["data"]["text"]
    me = client.whoami()["id"]
    users = {u.email: u.id for u in client.sdk.users.list()}
    other = (
        users.get("joint.reviewer@bank.example")
        or client.sdk.users.create(email="joint.reviewer@bank.example", username="joint_reviewer").id
    )
    client.create_annotation(task["id"], _verdicts(client, task, {0: "非個資", 1: "正確", 2: "正確"}), completed_by=me)
    if overlap == 2:
        got = pull(con, client, bank, vault=VaultReview(key))
        assert got.imported == 0 and got.as_dict()["waiting"] == 1, got
    start = shown.index("承辦人")
    missed = {
        "id": "m1",
        "from_name": "pii",
        "to_name": "text",
        "type": "labels",
        "value": {"start": cp_to_utf16(shown, start), "end": cp_to_utf16(shown, start + 3), "labels": ["姓名"]},
    }
    second = _verdicts(client, task, {0: "正確", 1: "正確", 2: "正確"}) + [
        missed,
        {"id": "m1", "from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["漏標"]}},
    ]
    client.create_annotation(task["id"], second, completed_by=other)
    got = pull(con, client, bank, vault=VaultReview(key))
    new_text, state = con.execute(
        "SELECT text, pii_state FROM records WHERE version_of = ? AND status = 'active'", [task["data"]["record_id"]]
    ).fetchone()
    assert new_text == "申請人〔姓名〕，身分證字號〔身分證字號〕，手機〔電話〕，由〔姓名〕審核。", new_text
    assert state == "scrubbed"
    assert con.execute("SELECT count(*) FROM pii_allowlist").fetchone()[0] == 0
    assert (got.imported, got.new_versions, got.disagreements) == (2, 1, 1), got
    assert got.outcomes == {"reviewed": 2}, got
    (ev,) = con.execute("SELECT detail FROM provenance_events WHERE action = 'pii_review_disagreement'").fetchall()
    detail = json.loads(ev[0])
    assert detail["spans"] == [{"index": 0, "type": "姓名"}] and len(detail["annotations"]) == 2
    assert "王小明" not in ev[0]
    assert pull(con, client, bank, vault=VaultReview(key)).imported == 0
    from provenance.crosscheck import crosscheck

    # (the fixture's record names a run it never wrote: `runs` is the fixture's)
    problems = {p: n for p, n in crosscheck(con).problems.items() if not p.startswith("runs:")}
    assert not problems, problems
