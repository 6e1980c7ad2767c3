"""漏標 (review 10, annotation): a PII reviewer marks a name the PII stage missed. The new version masks it, and the
version the reviewer read, which holds the name in the clear, is sealed as the PII stage seals raw text. Before, it
stayed in ``records.text``, superseded but readable by every auditor through `curate sql` and the portal."""

from __future__ import annotations

import pytest
from ls_records import add_record, add_source
from ls_results import missed_pii

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import load_key
from curate.pii.review import VaultReview
from curate.pii.vault import read_raw
from provenance import db
from provenance.errors import KeyRequiredError

pytestmark = pytest.mark.labelstudio

MISSED = "陳𠀋文"
TEXT = f"客戶〔姓名〕與{MISSED}協商還款，電話〔電話〕。"


def test_the_version_a_reviewer_found_missed_personal_data_in_is_sealed(label_studio, db_path, bank, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    con = db.connect(db_path)
    add_source(con)
    rid = add_record(con, TEXT)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="pii", bank=bank)).ls_project_id
    (task,) = client.export(pid, all_tasks=True)
    client.create_annotation(task["id"], missed_pii(task["data"]["text"], MISSED), completed_by=client.whoami()["id"])

    with pytest.raises(KeyRequiredError, match="漏標.*CURATE_PII_KEY"):  # sealing needs the key: nothing written
        pull(con, client, bank)
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0

    key = load_key()
    rep = pull(con, client, bank, vault=VaultReview(key))
    assert (rep.imported, rep.new_versions) == (1, 1)
    new = con.execute("SELECT text FROM records WHERE version_of = ? AND status = 'active'", [rid]).fetchone()[0]
    assert new == "客戶〔姓名〕與〔姓名〕協商還款，電話〔電話〕。"
    # the reviewed version: sealed, its text in the vault alone
    assert con.execute("SELECT pii_state, text FROM records WHERE record_id = ?", [rid]).fetchone() == ("raw", None)
    assert read_raw(con, rid, key) == TEXT
    (event,) = con.execute(
        "SELECT json_extract_string(detail, '$.key_id'), json_extract_string(detail, '$.bank'), actor"
        " FROM provenance_events WHERE action = 'missed_pii_sealed' AND record_id = ?",
        [rid],
    ).fetchall()
    assert event == (key.key_id, bank, bank)  # the bank: its portal page is not shown to another bank
    con.close()
    code, out, err = cli("sql", "SELECT string_agg(coalesce(text, ''), '|') FROM records")
    assert code == 0 and MISSED not in out, out + err
    # audit verify: the sealed text decrypts to its digest; no vault, text or pii_state check names it (the fixture's
    # records have no ingest events, which verify names too)
    code, out, err = cli("audit", "verify")
    assert "keyed checks ok: 1 sealed texts" in out, out + err
    for said in ("raw_vault", "text removed", "pii_state", "key id"):
        assert said not in out + err, out + err


def test_a_stale_missed_pii_review_seals_the_version_the_reviewer_read(label_studio, db_path, bank, cli, monkeypatch):
    """The record was replaced before the 漏標 was pulled (a proofreading correction pulled first): the review is
    ``stale``, but the version it read shows the name all the same. Before, it stayed in ``records.text``; it is
    sealed too, and a pull without the key stops before writing. The correction kept the name: the marked value is
    masked in it too (a new version; integration review 10), and the correction sealed."""
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    con = db.connect(db_path)
    add_source(con)
    rid = add_record(con, TEXT)
    client = label_studio.client()
    tasks = {}
    for project in ("pii", "proofread"):
        pid = push(con, client, PushConfig(project=project, bank=bank)).ls_project_id
        (tasks[project],) = client.export(pid, all_tasks=True)
    me = client.whoami()["id"]
    fixed = [
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["已修正"]}},
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [TEXT + "（完）"]}},
    ]
    client.create_annotation(tasks["proofread"]["id"], fixed, completed_by=me)
    assert pull(con, client, bank, projects=("proofread",), vault=VaultReview(load_key())).new_versions == 1
    client.create_annotation(tasks["pii"]["id"], missed_pii(tasks["pii"]["data"]["text"], MISSED), completed_by=me)

    with pytest.raises(KeyRequiredError, match="漏標"):
        pull(con, client, bank, projects=("pii",))
    assert con.execute("SELECT count(*) FROM annotations WHERE project = 'pii'").fetchone()[0] == 0

    key = load_key()
    rep = pull(con, client, bank, projects=("pii",), vault=VaultReview(key))
    assert dict(rep.outcomes) == {"stale": 1} and rep.new_versions == 1
    assert con.execute("SELECT pii_state, text FROM records WHERE record_id = ?", [rid]).fetchone() == ("raw", None)
    assert read_raw(con, rid, key) == TEXT
    (detail,) = con.execute(
        "SELECT CAST(detail AS VARCHAR) FROM provenance_events WHERE action = 'missed_pii_sealed' AND record_id = ?",
        [rid],
    ).fetchone()
    assert key.key_id in detail
    # integration review 10: the correction kept the name, and was left active showing it; it is masked now
    (current,) = con.execute("SELECT text FROM records WHERE status = 'active'").fetchone()
    assert current == "客戶〔姓名〕與〔姓名〕協商還款，電話〔電話〕。（完）"
    dump = con.execute("SELECT string_agg(coalesce(text, ''), '|') FROM records").fetchone()[0]
    assert MISSED not in dump
    con.close()
    code, out, err = cli("audit", "verify")
    assert "keyed checks ok: 2 sealed texts" in out, out + err
    for said in ("raw_vault", "text removed", "pii_state", "key id"):
        assert said not in out + err, out + err


def test_a_missed_pii_review_of_a_withdrawn_record_is_applied_before_a_reinstatement(
    label_studio, db_path, bank, cli, monkeypatch
):
    """Integration review 10: the record was withdrawn between push and pull. The 漏標 was stale and nothing was
    sealed, so `curate provenance reinstate` brought the record back active showing (and exporting) the name the
    reviewer marked, the annotation never read again. The masked version is now written, held withdrawn with its
    record, and the version read sealed; a reinstatement brings back the masked one."""
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    con = db.connect(db_path)
    add_source(con)
    rid = add_record(con, TEXT)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="pii", bank=bank)).ls_project_id
    (task,) = client.export(pid, all_tasks=True)
    client.create_annotation(task["id"], missed_pii(task["data"]["text"], MISSED), completed_by=client.whoami()["id"])
    con.close()
    assert cli("provenance", "withdraw", "--record", rid, "--reason", "客戶申訴")[0] == 0

    con = db.connect(db_path)
    rep = pull(con, client, bank, vault=VaultReview(load_key()))
    assert dict(rep.outcomes) == {"reviewed": 1} and rep.new_versions == 1
    assert con.execute("SELECT pii_state, text FROM records WHERE record_id = ?", [rid]).fetchone() == ("raw", None)
    assert con.execute("SELECT count(*) FROM records WHERE status = 'active'").fetchone()[0] == 0
    con.close()

    assert cli("provenance", "reinstate", "--record", rid, "--reason", "申訴撤回")[0] == 0
    code, out, err = cli("sql", "SELECT status, coalesce(text, '') FROM records ORDER BY status")
    assert code == 0 and MISSED not in out, out + err
    con = db.connect(db_path)
    (active,) = con.execute("SELECT text FROM records WHERE status = 'active'").fetchall()
    assert active == ("客戶〔姓名〕與〔姓名〕協商還款，電話〔電話〕。",)
    con.close()


def test_a_stale_missed_pii_review_masks_a_correction_withdrawn_since(label_studio, db_path, bank, cli, monkeypatch):
    """Review of integration review 10: the correction that kept the name was withdrawn before the 漏標 was pulled.
    Only active versions were masked, so `curate provenance reinstate` brought the correction back active showing
    (and exporting) the name the reviewer marked. Its masked version is now written, held withdrawn with it, and the
    correction sealed; a reinstatement brings back the masked one."""
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    con = db.connect(db_path)
    add_source(con)
    rid = add_record(con, TEXT)
    client = label_studio.client()
    tasks = {}
    for project in ("pii", "proofread"):
        pid = push(con, client, PushConfig(project=project, bank=bank)).ls_project_id
        (tasks[project],) = client.export(pid, all_tasks=True)
    me = client.whoami()["id"]
    fixed = [
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["已修正"]}},
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [TEXT + "（完）"]}},
    ]
    client.create_annotation(tasks["proofread"]["id"], fixed, completed_by=me)
    assert pull(con, client, bank, projects=("proofread",), vault=VaultReview(load_key())).new_versions == 1
    (cid,) = con.execute("SELECT record_id FROM records WHERE status = 'active'").fetchone()
    client.create_annotation(tasks["pii"]["id"], missed_pii(tasks["pii"]["data"]["text"], MISSED), completed_by=me)
    con.close()
    assert cli("provenance", "withdraw", "--record", cid, "--reason", "客戶申訴")[0] == 0

    con = db.connect(db_path)
    rep = pull(con, client, bank, projects=("pii",), vault=VaultReview(load_key()))
    assert dict(rep.outcomes) == {"stale": 1} and rep.new_versions == 1
    assert con.execute("SELECT count(*) FROM records WHERE status = 'active'").fetchone()[0] == 0
    for sealed in (rid, cid):
        assert con.execute("SELECT pii_state, text FROM records WHERE record_id = ?", [sealed]).fetchone() == (
            "raw",
            None,
        )
    con.close()

    assert cli("provenance", "reinstate", "--record", cid, "--reason", "申訴撤回")[0] == 0
    code, out, err = cli("sql", "SELECT status, coalesce(text, '') FROM records ORDER BY status")
    assert code == 0 and MISSED not in out, out + err
    con = db.connect(db_path)
    (active,) = con.execute("SELECT text FROM records WHERE status = 'active'").fetchall()
    assert active == ("客戶〔姓名〕與〔姓名〕協商還款，電話〔電話〕。（完）",)
    con.close()
    code, out, err = cli("audit", "verify")
    assert "keyed checks ok: 2 sealed texts" in out, out + err
