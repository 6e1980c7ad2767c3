"""An annotator's correction gets a keyed id and digest whatever its source says (review 15, keyed).

Pull gave the keyed ``hmac:`` content digest and keyed derived id only to corrections of ``pii_expected`` sources.
A correction of any other source (a regulation, a textbook) kept ``records.content_sha256`` and the ledger's
``new_sha256`` as a plain sha256 of the text a person typed, and its id as a plain sha256 of parent + stage + text:
whoever read the earlier version (``curate sql`` shows it) could try each of the ~5e8 checksummed Taiwan ID numbers
(``A123456789``) against ``SELECT content_sha256 FROM records WHERE stage = 'annotation'`` while the text itself was
hidden as unchecked. Now every correction is keyed with the PII key, and a pull that would make one without the key
stops at that project (as for a pii_expected source's correction, or typed text it seals).
"""

from __future__ import annotations

import json

import pytest
from ls_records import proofread_catalogue

from provenance.db import connect
from provenance.records import derived_record_id, sha256_text

pytestmark = pytest.mark.labelstudio

KEY = "6a" * 32
TEXT = "本行依銀行法第四十五條之一辦理內部控制。"
TYPED = f"{TEXT}聯絡人身分證A123456789。"


def _correct(label_studio, db_path, bank: str) -> None:
    con = connect(db_path)
    (pid,) = con.execute("SELECT ls_project_id FROM annotation_projects WHERE bank = ?", [bank]).fetchone()
    con.close()
    client = label_studio.client()
    (task,) = client.export(pid, all_tasks=True)
    result = [
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["已修正"]}},
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [TYPED]}},
    ]
    client.create_annotation(task["id"], result, completed_by=client.whoami()["id"])


def _typed(db_path) -> tuple[str, str, str, str, dict]:
    """(id, parent id, content digest, text, the ledger event that made it) of the correction."""
    con = connect(db_path)
    try:
        rid, parent, sha, text = con.execute(
            "SELECT record_id, version_of, content_sha256, text FROM records WHERE stage = 'annotation'"
        ).fetchone()
        (detail,) = con.execute(
            "SELECT detail FROM provenance_events WHERE stage = 'annotation' AND action = 'proofread_fix'"
        ).fetchone()
    finally:
        con.close()
    return rid, parent, sha, text, json.loads(detail)


def test_a_correction_of_a_source_not_marked_pii_expected_gets_a_keyed_id_and_digest(
    ls_env, cli, db_path, tmp_path, bank, monkeypatch
):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    proofread_catalogue(cli, tmp_path, bank, TEXT)
    _correct(ls_env, db_path, bank)
    code, out, err = cli("-q", "annotate", "pull", "--bank", bank)
    assert code == 0, out + err
    rid, parent, sha, text, detail = _typed(db_path)
    assert text == TYPED
    plain = sha256_text(TYPED)
    assert sha.startswith("hmac:") and detail["new_sha256"] == sha and plain not in json.dumps(detail), detail
    assert rid != derived_record_id(parent, "annotation", TYPED) and detail["new_record_id"] == rid
    (n,) = connect(db_path).execute("SELECT count(*) FROM records WHERE content_sha256 = ?", [plain]).fetchone()
    assert n == 0
    for key in (KEY, None):  # with the key the keyed digest is checked; without, counted as not checked
        if key is None:
            monkeypatch.delenv("CURATE_PII_KEY")
        code, out, err = cli("audit", "verify")
        assert code == 0, out + err
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    code, out, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, out + err
    con = connect(db_path)
    (shown,) = con.execute("SELECT text FROM records WHERE status = 'active'").fetchone()
    con.close()
    assert shown and "A123456789" not in shown
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    code, out, err = cli("-q", "pii", "rekey")
    assert code == 0, out + err
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_a_correction_pulled_without_the_pii_key_stops_that_project(ls_env, cli, db_path, tmp_path, bank, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    proofread_catalogue(cli, tmp_path, bank, TEXT)
    _correct(ls_env, db_path, bank)
    monkeypatch.delenv("CURATE_PII_KEY")
    code, out, err = cli("-q", "annotate", "pull", "--bank", bank)
    assert code != 0 and "CURATE_PII_KEY" in err and "Traceback" not in err, out + err
    assert len(err.strip().splitlines()) == 1, err
    (n,) = connect(db_path).execute("SELECT count(*) FROM records WHERE stage = 'annotation'").fetchone()
    assert n == 0
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    code, out, err = cli("-q", "annotate", "pull", "--bank", bank)
    assert code == 0, out + err
    assert _typed(db_path)[2].startswith("hmac:")
