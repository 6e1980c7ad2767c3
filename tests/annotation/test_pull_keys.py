"""`curate annotate pull` and the PII key (review r2_annot2 #1, #2): another key than the catalogue's is refused before
anything is written, and a pull that seals what a person typed names its key id in the ledger, so `audit verify`
trusts the vault row."""

from __future__ import annotations

import pytest
from ls_records import proofread_catalogue

from curate.pii.keys import load_key
from provenance.db import connect

pytestmark = pytest.mark.labelstudio

KEY, OTHER = "ab" * 32, "cd" * 32
COMMENT = "承辦人林小華 0912888777"


def _annotate(label_studio, db_path, bank: str) -> None:
    con = connect(db_path)
    (pid,) = con.execute("SELECT ls_project_id FROM annotation_projects WHERE bank = ?", [bank]).fetchone()
    con.close()
    client = label_studio.client()
    (task,) = client.export(pid, all_tasks=True)
    result = [
        {
            "id": "t",
            "from_name": "corrected",
            "to_name": "text",
            "type": "textarea",
            "value": {"text": [task["data"]["text"]]},
        },
        {"id": "v", "from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["正確"]}},
        {"id": "c", "from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": [COMMENT]}},
    ]
    client.create_annotation(task["id"], result, completed_by=client.whoami()["id"])


def _counts(db_path) -> tuple:
    con = connect(db_path)
    try:
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("annotations", "raw_vault", "provenance_events")
        )
    finally:
        con.close()


def test_pull_with_another_key_is_refused_before_anything_is_written(ls_env, cli, db_path, tmp_path, bank, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    proofread_catalogue(cli, tmp_path, bank, "客戶王小明於本行開戶，聯絡電話0912345678。")
    _annotate(ls_env, db_path, bank)
    before = _counts(db_path)
    monkeypatch.setenv("CURATE_PII_KEY", OTHER)
    for args in (("annotate", "pull", "--bank", bank), ("annotate", "push", "--project", "pii", "--bank", bank)):
        code, out, err = cli("-q", *args)
        assert code == 2 and "keyed under another PII key" in err and "nothing was written" in err, (args, out, err)
        assert "Traceback" not in err
    assert _counts(db_path) == before
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    code, out, err = cli("-q", "annotate", "pull", "--bank", bank)
    assert code == 0, out + err
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_pull_that_seals_typed_text_names_its_key_id(ls_env, cli, db_path, tmp_path, bank, monkeypatch):
    """A catalogue where the PII stage sealed nothing: no ledger event named the key before the pull."""
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    proofread_catalogue(cli, tmp_path, bank, "本行依銀行法規定辦理內部控制。")
    _annotate(ls_env, db_path, bank)
    code, out, err = cli("-q", "annotate", "pull", "--bank", bank)
    assert code == 0, out + err
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    con = connect(db_path)
    rows = con.execute(
        "SELECT action, json_extract_string(detail, '$.key_id') FROM provenance_events"
        " WHERE json_extract(detail, '$.ls_annotation_id') IS NOT NULL"
    ).fetchall()
    con.close()
    assert rows == [("proofread_ok", load_key(required=True).key_id)]


def test_pull_without_the_key_says_what_was_and_was_not_imported(label_studio, db_path, bank):
    """Each project commits on its own: the no-key message named none of it (review r2_annot2 #5)."""
    from ls_records import make_catalogue

    from annotation.pull import pull
    from annotation.push import PushConfig, push
    from provenance.errors import KeyRequiredError

    con, ids = make_catalogue(db_path, 1)
    client = label_studio.client()
    me = client.whoami()["id"]
    for project in ("proofread", "topic"):
        pid = push(con, client, PushConfig(project=project, bank=bank)).ls_project_id
        (task,) = client.export(pid, all_tasks=True)
        if project == "proofread":
            result = [
                {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["正確"]}},
                {"from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": [COMMENT]}},
            ]
        else:
            result = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["授信"]}}]
        client.create_annotation(task["id"], result, completed_by=me)
    with pytest.raises(KeyRequiredError) as info:
        pull(con, client, bank)
    assert "(project proofread: nothing imported; not reached: topic)" in str(info.value)
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
    got = pull(con, client, bank, projects=("topic",))
    assert dict(got.outcomes) == {"labelled": 1}
