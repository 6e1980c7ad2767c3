"""``annotate pull`` killed with SIGKILL at several points, then run again, leaves the catalogue an uninterrupted
pull leaves (the same versions, annotations, allow-list and ledger decisions), and a further pull imports nothing."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from killed import run_killed
from ls_records import proofread_catalogue

from provenance.db import connect

pytestmark = pytest.mark.labelstudio

KEY = "6a" * 32
TEXT = "本行依銀行法第四十五條之一辦理內部控制。"
ROOT = Path(__file__).resolve().parents[2]


def _pull(db: Path, bank: str, fault: str | None, log: Path) -> int:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_PII_KEY": KEY}
    env.pop("CURATE_FAULT", None)
    if fault:
        env["CURATE_FAULT"] = fault
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(db), "-q", "annotate", "pull", "--bank", bank]
    return run_killed(cmd, env, log)


def _state(db: Path) -> dict:
    con = connect(db)
    try:
        q = {
            "records": "SELECT record_id, version_of, stage, status, content_sha256, text FROM records ORDER BY 1",
            "annotations": "SELECT ls_annotation_id, outcome, record_id, new_record_id, result FROM annotations"
            " ORDER BY 1",
            "decisions": "SELECT stage, action, record_id, count(*) FROM provenance_events"
            " WHERE stage = 'annotation' GROUP BY ALL ORDER BY ALL",
            "cursor": "SELECT count(*) FROM annotation_pull_cursor",
        }
        return {k: con.execute(v).fetchall() for k, v in q.items()}
    finally:
        con.close()


@pytest.mark.parametrize("fault", ["annotate_pull_batch", "annotate_pull_imported"])
def test_a_pull_killed_then_run_again_gives_the_uninterrupted_catalogue(
    ls_env, cli, db_path, tmp_path, bank, monkeypatch, fault
):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    proofread_catalogue(cli, tmp_path, bank, TEXT)
    con = connect(db_path)
    (pid,) = con.execute("SELECT ls_project_id FROM annotation_projects WHERE bank = ?", [bank]).fetchone()
    con.close()
    client = ls_env.client()
    (task,) = client.export(pid, all_tasks=True)
    result = [
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["已修正"]}},
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [TEXT + "（修正）"]}},
        {"from_name": "comment", "to_name": "text", "type": "textarea", "value": {"text": ["第二句有誤"]}},
    ]
    client.create_annotation(task["id"], result, completed_by=client.whoami()["id"])
    reference = tmp_path / "reference.duckdb"
    shutil.copy(db_path, reference)
    assert _pull(reference, bank, None, tmp_path / "ref.log") == 0, (tmp_path / "ref.log").read_text()
    assert _pull(db_path, bank, fault, tmp_path / "killed.log") == -9, (tmp_path / "killed.log").read_text()
    assert _pull(db_path, bank, None, tmp_path / "again.log") == 0, (tmp_path / "again.log").read_text()
    got, want = _state(db_path), _state(reference)
    assert want["annotations"] and got == want, json.dumps({"got": got, "want": want}, default=str)[:3000]
    code, out, err = cli("-q", "annotate", "pull", "--bank", bank, "--json")
    assert code == 0, out + err
    assert _state(db_path) == want
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    # the killed pull's run is no pull still running: the next pull (which holds the catalogue) ends it as failed
    con = connect(db_path)
    try:
        pulls = con.execute(
            "SELECT status, count(*) FROM runs WHERE command = 'annotate pull' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    assert pulls == [("failed", 1), ("finished", 2)], pulls
    code, out, err = cli("runs", "list", "--json")
    assert code == 0 and '"running' not in out, out
