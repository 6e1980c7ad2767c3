"""Licence holds sit on the file, not on record ids (review of the r4 docs fixes, #1-#5): a stage run's new version,
a withdraw -> dispute -> reinstate, a rewritten hold row, a national id in the file's name and annotation push all
escaped a hold that named the held records' ids."""

from __future__ import annotations

import json

import duckdb
import pytest

from tests.sources.test_licence_disputes import COMMERCIAL, _export
from tests.sources.test_manifest_terms import _blocked_codes, _manifest

LOANS = {"path": "loans.txt", "licence_id": "CC-BY-4.0"}


@pytest.fixture
def books(books):
    # two spaces between CJK characters: the hygiene stage makes a new version of it
    (books / "deposit.txt").write_text("第一章 存款\n銀行應依法辦理存款業務  並保障存款人權益。\n", encoding="utf-8")
    return books


def _dispute(cli, books, *, first=True):
    """Ingest deposit.txt under the commercial agreement (``first``), then add a CC BY-NC-SA row beside it."""
    old = {"path": "deposit.txt", **COMMERCIAL}
    m = _manifest(books, [old, LOANS])
    if first:
        code, out, err = cli("ingest", "textbooks", str(m))
        assert code == 0, out + err
    _manifest(books, [old, {"path": "deposit.txt", "licence_id": "CC-BY-NC-SA-4.0"}, LOANS])
    return m


def _sql(db_path, sql, *, write=False):
    con = duckdb.connect(str(db_path), read_only=not write)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_stage_run_after_the_dispute_keeps_the_file_held(cli, db_path, books):
    m = _dispute(cli, books)
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert code == 3 and "1 records held from export" in out, out
    code, _, err = cli("run", "hygiene")
    assert code == 0, err
    (new_id,) = _sql(
        db_path, "SELECT record_id FROM records WHERE status = 'active' AND container = 'textbooks:deposit.txt'"
    )[0]
    assert _sql(db_path, f"SELECT stage FROM records WHERE record_id = '{new_id}'") == [("hygiene",)]
    res = _export(cli, books.parent / "e1")
    assert res["records"] == 1 and res["blocked_by_code"] == {"licence_disputed": 1}, res
    code, out, _ = cli("audit", "record", new_id)
    assert code == 0 and "held     from export since" in out, out
    assert cli("audit", "verify")[0] == 0


def test_withdraw_dispute_reinstate_keeps_the_file_held(cli, db_path, books):
    m = _dispute(cli, books)
    code, _, err = cli("provenance", "withdraw", "--source", "textbooks", "--reason", "licence review")
    assert code == 0, err
    code, out, _ = cli("ingest", "textbooks", str(m))
    assert code == 3 and "1 records held from export" in out, out  # the withdrawn record's file is held
    code, _, err = cli("provenance", "reinstate", "--source", "textbooks", "--reason", "review done")
    assert code == 0, err
    res = _export(cli, books.parent / "e1")
    assert res["records"] == 1 and res["blocked_by_code"] == {"licence_disputed": 1}, res
    assert _blocked_codes(books.parent / "e1") == ["licence_disputed"]


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE licence_holds SET held_at = held_at - INTERVAL 1 DAY",
        "UPDATE licence_holds SET run_id = 'r-other'",
        "UPDATE licence_holds SET records = records + 1",
        "INSERT INTO licence_holds SELECT * FROM licence_holds",
    ],
)
def test_audit_verify_names_an_altered_hold_row(cli, db_path, books, tamper):
    m = _dispute(cli, books)
    assert cli("ingest", "textbooks", str(m))[0] == 3
    assert cli("audit", "verify")[0] == 0
    _sql(db_path, tamper, write=True)
    code, out, _ = cli("audit", "verify")
    assert code != 0 and "textbooks:deposit.txt: licence_holds row altered" in out, out


def test_audit_verify_names_a_hold_moved_to_another_file(cli, db_path, books):
    m = _dispute(cli, books)
    assert cli("ingest", "textbooks", str(m))[0] == 3
    _sql(db_path, "UPDATE licence_holds SET container = 'textbooks:loans.txt'", write=True)
    code, out, _ = cli("audit", "verify")
    assert code != 0 and "textbooks:deposit.txt: licence hold deleted without" in out, out
    assert "textbooks:loans.txt: held in licence_holds without a standing licence_disputed event" in out, out


def test_a_national_id_in_a_disputed_file_name_is_never_stored_or_shown_in_clear(cli, db_path, books, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "ab" * 32)
    name = "陳大文_F131104093_講義.txt"
    (books / name).write_text("第三章 授信\n授信應審慎評估。\n", encoding="utf-8")
    old = {"path": name, **COMMERCIAL}
    m = _manifest(books, [old, LOANS])
    assert cli("ingest", "textbooks", str(m))[0] == 0
    _manifest(books, [old, {"path": name, "licence_id": "CC-BY-NC-SA-4.0"}, LOANS])
    code, out, err = cli("ingest", "textbooks", str(m))
    assert code == 3 and "1 records held from export" in out and "〔身分證字號#" in out, out
    assert "F131104093" not in out + err
    (detail,) = _sql(db_path, "SELECT detail FROM provenance_events WHERE action = 'licence_disputed'")[0]
    assert "F131104093" not in detail and "〔身分證字號#" in json.loads(detail)["reason"], detail
    counts = _sql(db_path, "SELECT CAST(counts AS VARCHAR) FROM runs WHERE command LIKE 'ingest%'")
    assert counts and not any("F131104093" in c for (c,) in counts)
    assert not any("F131104093" in c for (c,) in _sql(db_path, "SELECT container FROM licence_holds"))


def test_annotation_push_leaves_a_held_file_out(cli, db_path, books, tmp_path):
    from annotation.push import PushConfig, write_tasks_file

    m = _dispute(cli, books)
    assert cli("ingest", "textbooks", str(m))[0] == 3
    _sql(db_path, "UPDATE records SET pii_state = 'clean'", write=True)  # as if the PII stage had passed them
    con = duckdb.connect(str(db_path))
    try:
        rep = write_tasks_file(con, PushConfig(project="topic", bank="CTBC"), tmp_path / "t.json")
        held = con.execute(
            "SELECT record_id FROM records WHERE container = 'textbooks:deposit.txt' AND status = 'active'"
        ).fetchall()
    finally:
        con.close()
    tasks = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert [t["data"]["record_id"] for t in tasks] != [] and held[0][0] not in {t["data"]["record_id"] for t in tasks}
    assert rep.pushed == 1 and [r for r, why in rep.refused_ids if why.startswith("licence_disputed")] == [held[0][0]]


def test_a_run_killed_after_its_first_batch_keeps_the_hold(cli, db_path, books):
    """The dispute's rejected rows were written with the first batch and its hold only at the run's end: a run
    killed between them left the disputed file exportable (review of the holds rework #3). Now both commit together."""
    import os
    import subprocess
    import sys

    old = {"path": "deposit.txt", **COMMERCIAL}
    code, out, err = cli("ingest", "textbooks", str(_manifest(books, [old])))
    assert code == 0, out + err
    # the dispute, and a new file whose batch commits before the kill
    m = _manifest(books, [old, {"path": "deposit.txt", "licence_id": "CC-BY-NC-SA-4.0"}, LOANS])
    env = {**os.environ, "CURATE_FAULT": "ingest_after_batch_1"}
    child = subprocess.run(
        [sys.executable, "-c", "import sys; from curate.cli import main; sys.exit(main())", "--db", str(db_path)]
        + ["ingest", "textbooks", str(m)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.returncode == -9, child.stdout + child.stderr
    assert _sql(db_path, "SELECT count(*) FROM quarantine")[0][0] > 0
    assert _sql(db_path, "SELECT container FROM licence_holds") == [("textbooks:deposit.txt",)]
    res = _export(cli, books.parent / "e-killed")
    assert res["blocked_by_code"] == {"licence_disputed": 1}, res
