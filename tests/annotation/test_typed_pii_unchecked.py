"""An annotator's correction is text a person typed: hidden until the PII stage has checked it (review 15).

Pull makes a correction the active version with ``pii_state`` NULL so that ``curate run pii`` checks it, but every
reader hid unchecked text only for sources marked ``pii_expected``: for any other source an ID number an annotator
typed (or pasted) into the correction box was read at once through ``curate sql``, the portal (record page and
search) and shipped by ``export --pii-gate expected``. One rule (:mod:`provenance.pii_rule`) now treats a version
the annotation stage made and the PII stage has not checked as unchecked; once ``curate run pii`` has checked it,
the masked text is shown and exported as usual.
"""

from __future__ import annotations

import pytest
from ls_records import add_record, add_source

from annotation.pull import pull
from annotation.push import PushConfig, push
from curate.pii.keys import load_key
from curate.pii.review import VaultReview
from curate.web import data as web
from provenance import db
from provenance.export import ExportParams, iter_verdicts
from provenance.licences import default_licence_catalogue

pytestmark = pytest.mark.labelstudio

KEY = "6a" * 32
TYPED = "A123456789"
TEXT = "本行依銀行法第四十五條之一辦理內部控制。"


def _fixed(text: str) -> list[dict]:
    return [
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["已修正"]}},
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [text]}},
    ]


def _active(con) -> str:
    return con.execute("SELECT record_id FROM records WHERE status = 'active'").fetchone()[0]


def _shown(db_path, rid: str) -> tuple[object, object, list, str]:
    """What an auditor reads of ``rid``: ``curate sql``, the portal's record page and search, the export gate."""
    (sql,) = db.run_readonly_sql(db_path, f"SELECT text FROM records WHERE record_id = '{rid}'")[1]
    con = db.connect_readonly(db_path)
    try:
        cat = default_licence_catalogue()
        page = {v["record_id"]: v["text"] for v in web.record_page(con, rid, cat)["versions"]}[rid]
        found = [r["record_id"] for r in web.search(con, TYPED)]
        params = ExportParams(purpose="training", audience="public", commercial=False, pii_gate="expected")
        (verdict,) = iter_verdicts(con, params, licence_catalogue=cat, record_ids=[rid])
    finally:
        con.close()
    return sql[0], page, found, verdict.verdict.code or "ok"


def test_a_typed_id_number_in_a_correction_stays_hidden_until_the_pii_stage_checks_it(
    label_studio, db_path, cli, bank, monkeypatch
):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    con = db.connect(db_path)
    add_source(con)  # not marked pii_expected: a regulation, say
    rid = add_record(con, TEXT, pii_state="clean")
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    (task,) = client.export(pid, all_tasks=True)
    client.create_annotation(task["id"], _fixed(f"{TEXT}聯絡人身分證{TYPED}。"), completed_by=client.whoami()["id"])
    assert pull(con, client, bank, vault=VaultReview(load_key())).new_versions == 1
    typed = _active(con)
    assert typed != rid
    con.close()

    sql, page, found, code = _shown(db_path, typed)
    assert sql is None and page is None and found == [] and code == "pii_unchecked"

    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    con = db.connect(db_path)
    checked = _active(con)
    (state,) = con.execute("SELECT pii_state FROM records WHERE record_id = ?", [checked]).fetchone()
    con.close()
    assert state in ("clean", "scrubbed")
    sql, page, found, code = _shown(db_path, checked)
    assert sql and page == sql and TYPED not in sql and code == "ok", (sql, code)
    assert found == []  # the typed number is masked: nothing finds it
