"""The joint PII verdict in a pull against the real Label Studio (review 5, second pass of the annotation fixes):
a skip is no reading (#1), annotations imported before count as imported, not as Label Studio holds them now (#2),
and a later reader's dissent names the earlier version (#3)."""

from __future__ import annotations

import json

import pytest
from test_pii_review import _ls_tasks, _verdicts, scrubbed  # noqa: F401  (scrubbed: a fixture)

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import load_key
from curate.pii.review import VaultReview

pytestmark = pytest.mark.labelstudio

NOT_PII = {0: "非個資", 1: "正確", 2: "正確"}
CONFIRMED = {0: "正確", 1: "正確", 2: "正確"}


def _pushed(label_studio, con, bank, overlap):
    vault = VaultReview(load_key())
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="pii", bank=bank, vault=vault))
    client.update_project(rep.ls_project_id, maximum_annotations=overlap)
    (task,) = _ls_tasks(client, rep.ls_project_id)
    return client, task, vault


def _user(client, name: str) -> int:
    users = {u.email: u.id for u in client.sdk.users.list()}
    return users.get(f"{name}@bank.example") or client.sdk.users.create(email=f"{name}@bank.example", username=name).id


def _name_in_the_clear(con) -> bool:
    texts = [r[0] for r in con.execute("SELECT text FROM records WHERE status = 'active'").fetchall()]
    return any("王小明" in t for t in texts)


def _allowed(con) -> int:
    return con.execute("SELECT count(*) FROM pii_allowlist").fetchone()[0]


def test_a_skip_is_no_reading_of_a_task_that_wants_two(label_studio, scrubbed, bank):  # noqa: F811
    """#1: one 非個資 and one skip (two annotations wanted) restored and allow-listed the name alone."""
    con = scrubbed
    client, task, vault = _pushed(label_studio, con, bank, 2)
    client.create_annotation(task["id"], _verdicts(client, task, NOT_PII), completed_by=client.whoami()["id"])
    client.create_annotation(task["id"], [], completed_by=_user(client, "skipper"), was_cancelled=True)
    got = pull(con, client, bank, vault=vault)
    assert (got.imported, got.waiting, got.new_versions) == (0, 2, 0), got
    assert not _name_in_the_clear(con) and _allowed(con) == 0
    # a second real reading that agrees restores it
    client.create_annotation(task["id"], _verdicts(client, task, NOT_PII), completed_by=_user(client, "second"))
    got = pull(con, client, bank, vault=vault)
    assert (got.imported, got.new_versions) == (3, 1) and got.outcomes["cancelled"] == 1, got
    assert _name_in_the_clear(con) and _allowed(con) == 1


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_an_imported_dissent_changed_in_label_studio_still_keeps_the_name_masked(
    label_studio,
    scrubbed,  # noqa: F811
    bank,
    change,
):
    """#2: B's 正確 against A's 非個資 kept the name masked; B's annotation edited in place to 非個資 (or deleted)
    and a third 非個資 restored it, while the catalogue still holds B's reading as imported."""
    con = scrubbed
    client, task, vault = _pushed(label_studio, con, bank, 1)
    client.create_annotation(task["id"], _verdicts(client, task, NOT_PII), completed_by=client.whoami()["id"])
    b = client.create_annotation(task["id"], _verdicts(client, task, CONFIRMED), completed_by=_user(client, "b"))
    got = pull(con, client, bank, vault=vault)
    assert (got.imported, got.disagreements) == (2, 1), got
    if change == "edit":
        client.sdk.annotations.update(b, result=_verdicts(client, task, NOT_PII))
    else:
        client.sdk.annotations.delete(b)
    client.create_annotation(task["id"], _verdicts(client, task, NOT_PII), completed_by=_user(client, "c"))
    got = pull(con, client, bank, vault=vault)
    assert got.imported == 1 and got.new_versions == 0, got
    assert not _name_in_the_clear(con) and _allowed(con) == 0
    (ev,) = con.execute(
        "SELECT detail FROM provenance_events WHERE action = 'pii_review_disagreement' ORDER BY seq DESC LIMIT 1"
    ).fetchall()
    assert b in json.loads(ev[0])["annotations"]


def test_a_later_dissent_names_the_earlier_version(label_studio, scrubbed, bank):  # noqa: F811
    """#3: A's 非個資 restored the name in one pull; B's 正確 in the next is a disagreement with earlier_version."""
    con = scrubbed
    client, task, vault = _pushed(label_studio, con, bank, 1)
    client.create_annotation(task["id"], _verdicts(client, task, NOT_PII), completed_by=client.whoami()["id"])
    assert pull(con, client, bank, vault=vault).new_versions == 1
    client.create_annotation(task["id"], _verdicts(client, task, CONFIRMED), completed_by=_user(client, "later"))
    got = pull(con, client, bank, vault=vault)
    assert got.disagreements == 1, got
    (ev,) = con.execute("SELECT detail FROM provenance_events WHERE action = 'pii_review_disagreement'").fetchall()
    detail = json.loads(ev[0])
    assert detail["earlier_version"] is True and detail["spans"] == [{"index": 0, "type": "姓名"}], detail


def test_a_full_pull_counts_what_it_imported_before_on_a_task_with_too_few_readings(label_studio, scrubbed, bank):  # noqa: F811
    """Review 8, F3: a task whose only annotation was imported ``invalid`` (no reading) is left for more readings;
    `pull --full` counted its annotation neither ``already`` nor ``waiting``."""
    con = scrubbed
    client, task, vault = _pushed(label_studio, con, bank, 1)
    value = {"start": "2", "end": 5, "text": "王小明", "labels": ["姓名"]}  # an offset that is not a whole number
    bad = [{"id": "r", "from_name": "pii", "to_name": "text", "type": "labels", "value": value}]
    client.create_annotation(task["id"], bad, completed_by=client.whoami()["id"])
    got = pull(con, client, bank, vault=vault)
    assert (got.imported, dict(got.outcomes)) == (1, {"invalid": 1}), got
    got = pull(con, client, bank, vault=vault, full=True)
    assert (got.changed_tasks, got.already, got.imported, got.waiting) == (1, 1, 0, 0), got
