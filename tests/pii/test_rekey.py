"""Issue 13, leak 5: `curate pii rekey` of a catalogue made before keyed ids, and keyed digests at sealing.

The old catalogue is built by the code path before keyed ids (``test_keyed_ids._plain_path``), through
the same CLI, with every stage and an export, so ids sit in every table a rekey must rewrite.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from pii_oracle import CASE, KEY, NAME, OTHER, _dump, _oracle_hits, _plain_path

ROOT = Path(__file__).resolve().parents[2]


def _catalogue(cli, db: Path, fsc: Path) -> None:
    code, out, err = cli("-q", "ingest", "fsc", str(fsc), db=db)
    assert code == 0, out + err
    for stage in ("hygiene", "pii", "normalise", "dedup"):
        code, out, err = cli("-q", "run", stage, "--workers", "1", db=db)
        assert code == 0, stage + out + err
    code, out, err = cli(
        "-q", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--commercial",
        "--out", str(db.parent / f"export-{db.stem}"), db=db,
    )  # fmt: skip
    assert code in (0, 3), out + err


def _rows(db: Path) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(
            "SELECT record_id, content_sha256, version_of, stage, pii_state, status FROM records ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture
def old_catalogue(tmp_path, cli, monkeypatch) -> Path:
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    fsc = tmp_path / "fsc"
    fsc.mkdir()
    (fsc / "case.html").write_text(CASE, encoding="utf-8")
    (fsc / "other.html").write_text(OTHER, encoding="utf-8")
    with monkeypatch.context() as m:
        _plain_path(m)
        import curate.pii.rekey

        m.setattr(curate.pii.rekey, "key_sealed_digests", lambda *a, **k: 0)
        import curate.ingest

        m.setattr(curate.ingest, "DIGEST_VERSION", 1)  # its batch digests predate the members' identity too
        old = tmp_path / "old.duckdb"
        _catalogue(cli, old, fsc)
    assert _oracle_hits(old) == {(NAME, "0912345678")}  # the brute force works on it
    return old


def test_rekey_gives_the_ids_of_a_fresh_keyed_catalogue(old_catalogue, tmp_path, cli, monkeypatch):
    fresh = tmp_path / "fresh.duckdb"
    _catalogue(cli, fresh, tmp_path / "fsc")
    before = _rows(old_catalogue)
    assert before != _rows(fresh)

    # an annotation pulled before keyed e-mail digests: plain sha256 of a guessable address
    mail = "lin.pei@bank.example"
    con = duckdb.connect(str(old_catalogue))
    con.execute(
        "INSERT INTO annotations (instance, ls_annotation_id, ls_task_id, ls_project_id, bank, project, record_id,"
        " annotator_id, annotator_email_sha256, outcome, imported_at) VALUES"
        " ('http://ls', 1, 1, 1, 'CTBC', 'proofread', ?, 7, ?, 'ok', now()::TIMESTAMP)",
        [before[0][0], hashlib.sha256(mail.encode()).hexdigest()],
    )
    con.close()

    code, out, err = cli("audit", "verify", db=old_catalogue)
    assert code == 0 and "run `curate pii rekey`" in out, out + err
    code, out, err = cli("pii", "rekey", db=old_catalogue)
    assert code == 0 and "rekeyed" in out, out + err
    assert _rows(old_catalogue) == _rows(fresh)  # deterministic: the same ids and digests as a keyed ingest
    from curate.pii.keyed_ids import annotator_email_digest
    from curate.pii.keys import load_key

    con = duckdb.connect(str(old_catalogue), read_only=True)
    rid, digest = con.execute("SELECT record_id, annotator_email_sha256 FROM annotations").fetchone()
    con.close()
    assert digest == annotator_email_digest(load_key())(mail)  # what a pull with the key stores now
    assert rid in {r[0] for r in _rows(old_catalogue)} and rid != before[0][0]
    # the PII stage's `clean` verdicts named old ids: their batches were re-declared over the new ones
    con = duckdb.connect(str(old_catalogue), read_only=True)
    redeclared = con.execute("SELECT count(*) FROM provenance_events WHERE action = 'verdict_batch_rekeyed'").fetchone()
    con.close()
    assert redeclared[0] > 0
    code, out, _ = cli("pii", "rekey", db=old_catalogue)
    assert "nothing to rekey" in out

    # verification keeps working: with the key everything is checked, without it it says what was not
    code, out, err = cli("audit", "verify", db=old_catalogue)
    assert code == 0 and "cross-checks ok" in out and "keyed checks ok" in out, out + err
    assert "run `curate pii rekey`" not in out
    code, out, err = cli("audit", "verify-export", str(tmp_path / "export-old"), db=old_catalogue)
    assert code == 0, out + err
    monkeypatch.delenv("CURATE_PII_KEY")
    code, out, _ = cli("audit", "verify", db=old_catalogue)
    assert code == 0 and "not checked without the key" in out and "FAILED" not in out, out
    new_id = _rows(old_catalogue)[0][0]
    code, out, _ = cli("audit", "record", new_id, db=old_catalogue)
    assert code == 0 and "record_rekeyed" in out and "before `curate pii rekey`" in out, out

    # the old ids are gone from every table but the ledger rows written before the rekey (never rewritten)
    con = duckdb.connect(str(old_catalogue), read_only=True)
    rekey_seq = con.execute("SELECT min(seq) FROM provenance_events WHERE action = 'record_rekeyed'").fetchone()[0]
    tables = [t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall()]
    events = con.execute("SELECT record_id, detail FROM provenance_events WHERE seq >= ?", [rekey_seq]).fetchall()
    con.close()
    old_ids = {r[0] for r in before}
    for t in tables:
        if t in ("provenance_events", "pii_rekey_map"):
            continue
        con = duckdb.connect(str(old_catalogue), read_only=True)
        text = repr(con.execute(f'SELECT * FROM "{t}"').fetchall())
        con.close()
        assert not [i for i in old_ids if i in text], t
    assert not [i for i in old_ids if i in repr(events)]  # the mapping events hold keyed digests only
    # the brute force finds nothing outside the ledger rows written before the rekey, which keep the old
    # plain ids (the chain is never rewritten: documented in the README's security model)
    assert _oracle_hits(old_catalogue, skip=("provenance_events", "pii_rekey_map")) == set()
    assert _oracle_hits(old_catalogue) == {(NAME, "0912345678")}
    # auditors cannot map old ids to new ones: the map is sealed
    code, out, err = cli("sql", "SELECT * FROM pii_rekey_map", db=old_catalogue)
    assert code == 2 and "pii_rekey_map" in err


def test_keyed_ingest_into_an_old_catalogue_asks_for_a_rekey(old_catalogue, tmp_path, cli):
    before = _rows(old_catalogue)
    code, out, err = cli("ingest", "fsc", str(tmp_path / "fsc"), db=old_catalogue)
    assert code == 2 and "curate pii rekey" in err and "Traceback" not in err
    assert _rows(old_catalogue) == before
    code, out, err = cli("pii", "rekey", db=old_catalogue)
    assert code == 0, out + err
    code, out, err = cli("ingest", "fsc", str(tmp_path / "fsc"), db=old_catalogue)
    assert code == 0 and "0 new" in out and _rows(old_catalogue) != before, out + err


def test_rekey_refuses_without_the_key(old_catalogue, cli, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    before = _rows(old_catalogue)
    code, out, err = cli("pii", "rekey", db=old_catalogue)
    assert code == 2 and "CURATE_PII_KEY" in err and "Traceback" not in err
    assert _rows(old_catalogue) == before


@pytest.mark.parametrize("how", ["", "@TERMLOST"])
def test_kill_during_rekey_leaves_the_old_catalogue(old_catalogue, cli, how):
    """``@TERMLOST``: a SIGTERM whose exception DuckDB swallowed while the rekey rewrote was ignored, the rekey
    committed and exit 0 (review 13, crash): now nothing is committed, as with any SIGTERM then."""
    before = _rows(old_catalogue)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_PII_KEY": KEY, "CURATE_FAULT": f"rekey_before_commit{how}"}
    proc = subprocess.run(
        [sys.executable, "-m", "curate.cli", "--db", str(old_catalogue), "pii", "rekey"],
        env=env,
        capture_output=True,
        cwd=ROOT,
    )
    assert proc.returncode == (143 if how else -9), proc.stderr
    assert _rows(old_catalogue) == before  # one transaction: all or nothing
    code, out, err = cli("audit", "verify", db=old_catalogue)
    assert code == 0, out + err
    code, out, err = cli("pii", "rekey", db=old_catalogue)
    assert code == 0 and _rows(old_catalogue) != before
    code, out, err = cli("audit", "verify", db=old_catalogue)
    assert code == 0, out + err
    con = duckdb.connect(str(old_catalogue), read_only=True)
    states = con.execute("SELECT status FROM runs WHERE command = 'pii rekey' ORDER BY started_at").fetchall()
    con.close()
    assert states == [("failed",), ("finished",)]  # the killed run is marked failed by the next one


def test_sealing_keys_the_digest_of_a_plain_source(tmp_path, cli, db_path, monkeypatch):
    """A source not marked pii_expected keeps plain ids, but a sealed raw version's digest becomes keyed."""
    from catalogue_builder import add_records, add_source

    from provenance import db, runs

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "corpus", pii_expected=False)
    text = f"申訴人{NAME}，電話0912345678，要求更正帳務紀錄。"
    add_records(con, [{"source_id": "corpus", "locator": "c/1", "text": text, "doc_key": "c/1"}], run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    code, out, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    rid, sha = con.execute("SELECT record_id, content_sha256 FROM records WHERE pii_state = 'raw'").fetchone()
    detail = con.execute(
        "SELECT detail FROM provenance_events WHERE action = 'record_rekeyed' AND record_id = ?", [rid]
    ).fetchone()
    con.close()

    # (the creating event written before sealing keeps the plain digest: the ledger is never rewritten)
    assert sha.startswith("hmac:")
    assert hashlib.sha256(text.encode()).hexdigest() not in _dump(db_path, skip=("provenance_events",))
    assert json.loads(detail[0])["new_sha256"] == sha
    code, out, err = cli("audit", "verify")
    assert code == 0 and "keyed checks ok" in out, out + err


def test_rekey_waits_for_an_unfinished_stage_run(old_catalogue, cli, tmp_path):
    """A stage run killed before its load holds results under the old ids; a rekey in between would leave its
    resume checking nothing (review round 3, conc 3). The rekey is refused until the run is finished."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_PII_KEY": KEY, "CURATE_FAULT": "before_load"}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(old_catalogue), "run", "hygiene", "--workers", "1",
           "--set", "normal_form=NFKC"]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, cwd=ROOT)
    assert proc.returncode == -9, proc.stderr
    before = _rows(old_catalogue)
    code, out, err = cli("pii", "rekey", db=old_catalogue)
    assert code == 2 and "unfinished" in err and "runs abandon" in err and "Traceback" not in err, out + err
    assert _rows(old_catalogue) == before
    code, out, err = cli("run", "hygiene", "--workers", "1", "--set", "normal_form=NFKC", db=old_catalogue)
    assert code == 0 and "(resumed)" in out, out + err
    code, out, err = cli("pii", "rekey", db=old_catalogue)
    assert code == 0 and _rows(old_catalogue) != before, out + err
    code, out, err = cli("audit", "verify", db=old_catalogue)
    assert code == 0, out + err


def test_rekey_keys_a_correction_an_older_pull_left_plain(tmp_path, cli, db_path, monkeypatch):
    """A proofreading correction an older pull made on an unchecked record of a keyed pii_expected source had a
    plain derived id and a plain sha256 of its raw text (a brute-force oracle); a rekey keys both (review round 3,
    annot2 3)."""
    from annotation.versions import NewVersion, create_versions
    from provenance import db, runs

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    src = tmp_path / "cust.jsonl"
    src.write_text(
        json.dumps({"id": "c1", "text": f"客戶{NAME}，手機0912345678。"}, ensure_ascii=False) + "\n", "utf-8"
    )
    code, out, err = cli("--quiet", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", "--pii-expected",
                         "--source-id", "cust")  # fmt: skip
    assert code == 0, err
    fixed = f"客戶{NAME}，手機0912-345-678。"
    con = db.connect(db_path)
    try:
        (parent,) = con.execute("SELECT record_id FROM records").fetchone()
        run_id = runs.start_run(con, "annotate pull", "x")
        create_versions(con, [NewVersion(parent, fixed, "proofread_fix")], stage="annotation", run_id=run_id)
        runs.finish_run(con, run_id)
    finally:
        con.close()
    plain = hashlib.sha256(fixed.encode()).hexdigest()
    assert _q_digests(db_path) == [plain]
    code, out, err = cli("pii", "rekey")
    assert code == 0 and "rekeyed 1" in out, out + err
    (digest,) = _q_digests(db_path)
    assert digest != plain
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def _q_digests(path: Path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute("SELECT content_sha256 FROM records WHERE stage = 'annotation'").fetchall()]
    finally:
        con.close()


def test_a_stopped_rekey_says_failed_at_once(old_catalogue, cli):
    """A rekey stopped (SIGTERM, Ctrl-C) or failed (a full disk) rolled its transaction back but left its run
    `running` until the next `pii rekey` (`runs list`, `status` and the report showed one running or gone): the run
    is now marked failed as the command ends, nothing else committed (review 17, crash)."""
    before = _rows(old_catalogue)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_PII_KEY": KEY, "CURATE_FAULT": "rekey_before_commit@TERMLOST"}
    proc = subprocess.run(
        [sys.executable, "-m", "curate.cli", "--db", str(old_catalogue), "pii", "rekey"],
        env=env,
        capture_output=True,
        cwd=ROOT,
    )
    assert proc.returncode == 143, proc.stderr
    assert _rows(old_catalogue) == before
    con = duckdb.connect(str(old_catalogue), read_only=True)
    states = con.execute("SELECT status FROM runs WHERE command = 'pii rekey'").fetchall()
    con.close()
    assert states == [("failed",)]
    code, out, err = cli("audit", "verify", db=old_catalogue)
    assert code == 0, out + err


def test_a_stop_after_the_commit_leaves_the_rekey_finished(old_catalogue, cli):
    """SIGTERM landing once the rekey committed (its run finished in that transaction): the marking of a stopped rekey
    overwrote its run as `failed`, though every record was rekeyed and its `rekey` event recorded (review 17)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_PII_KEY": KEY, "CURATE_FAULT": "rekey_after_commit@TERM"}
    proc = subprocess.run(
        [sys.executable, "-m", "curate.cli", "--db", str(old_catalogue), "pii", "rekey"],
        env=env,
        capture_output=True,
        cwd=ROOT,
    )
    assert proc.returncode == 143, proc.stderr
    con = duckdb.connect(str(old_catalogue), read_only=True)
    states = con.execute("SELECT status FROM runs WHERE command = 'pii rekey'").fetchall()
    events = con.execute("SELECT count(*) FROM provenance_events WHERE action = 'rekey'").fetchone()[0]
    con.close()
    assert (states, events) == ([("finished",)], 1)
