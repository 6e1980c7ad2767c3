"""A stage's load leaves out results whose record changed after the run's snapshot (review round 3, conc 1-2).

Between a run's snapshot and its load (workers computing, or a killed run resumed later) an ingest or another
stage can replace a record. Loading its result would make a second active version of the document from the old
text, and after the PII stage, bring the raw personal data back in the clear. `audit verify` names two active
versions of one document.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]


def _write(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text(
        "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in rows), encoding="utf-8"
    )
    return path


def _killed_before_load(db: Path, tmp_path: Path, stage: str) -> None:
    from killed import run_killed

    env = {**os.environ, "CURATE_FAULT": "before_load", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(db), "run", stage, "--workers", "1"]
    assert run_killed(cmd, env, tmp_path / f"killed-{stage}.log") == -9


def _active(db: Path) -> dict[str, list[tuple[str, str | None, str | None]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT doc_key, stage, text, pii_state FROM records WHERE status = 'active' ORDER BY doc_key, stage"
        ).fetchall()
    finally:
        con.close()
    out: dict[str, list] = {}
    for key, stage, text, pii in rows:
        out.setdefault(key, []).append((stage, text, pii))
    return out


def _only(db: Path) -> list[tuple[str, str | None, str | None]]:
    (versions,) = _active(db).values()
    return versions


def test_resumed_stage_after_an_ingest_leaves_the_old_text_out(cli, db_path, tmp_path):
    src = tmp_path / "c.jsonl"
    code, out, err = cli("--quiet", "ingest", "moda", str(_write(src, [("a", "第一條　本法  稱銀行\u200b。")])),
                         "--licence", "CC-BY-4.0")  # fmt: skip
    assert code == 0, err
    _killed_before_load(db_path, tmp_path, "hygiene")
    code, out, err = cli("--quiet", "ingest", "moda", str(_write(src, [("a", "第一條　本法稱銀行（新版）\u200b。")])),
                         "--licence", "CC-BY-4.0")  # fmt: skip
    assert code == 0, err
    code, out, err = cli("run", "hygiene", "--workers", "1")  # resumes the killed run's old results
    assert code == 0, out + err
    assert "1 results left out" in out, out
    active = _only(db_path)
    assert len(active) == 1 and "新版" in active[0][1], active
    code, out, err = cli("--quiet", "run", "hygiene", "--workers", "1")  # the next run takes the current version
    assert code == 0, out + err
    active = _only(db_path)
    assert len(active) == 1 and active[0][0] == "hygiene" and "新版" in active[0][1], active
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_resumed_stage_after_the_pii_stage_does_not_bring_raw_text_back(cli, db_path, tmp_path):
    src = _write(tmp_path / "cust.jsonl", [("c1", "客戶王大明，身分證A123456789，手機0912345678，申請房貸\u200b。")])
    code, out, err = cli("--quiet", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", "--pii-expected",
                         "--source-id", "cust")  # fmt: skip
    assert code == 0, err
    _killed_before_load(db_path, tmp_path, "hygiene")
    code, out, err = cli("--quiet", "run", "pii", "--workers", "1")
    assert code == 0, out + err
    code, out, err = cli("--quiet", "run", "hygiene", "--workers", "1")
    assert code == 0, out + err
    (active,) = _active(db_path).values()
    assert len(active) == 1, active
    stage, text, pii = active[0]
    assert stage == "pii" and "A123456789" not in text and "0912345678" not in text, active
    code, out, err = cli("pii", "scan", "--no-label-studio")
    assert code == 0, out + err
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_verify_names_two_active_versions_of_one_document(cli, db_path, tmp_path):
    src = tmp_path / "c.jsonl"
    code, out, err = cli("--quiet", "ingest", "moda", str(_write(src, [("a", "第一版。")])), "--licence", "CC-BY-4.0")
    assert code == 0, err
    code, out, err = cli("--quiet", "ingest", "moda", str(_write(src, [("a", "第二版。")])), "--licence", "CC-BY-4.0")
    assert code == 0, err
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    con = duckdb.connect(str(db_path))
    con.execute("UPDATE records SET status = 'active' WHERE status = 'superseded'")  # as the old load left it
    con.close()
    code, out, err = cli("audit", "verify")
    assert code != 0 and "another active version of the same document" in out + err, out + err


def test_a_record_replaced_then_withdrawn_is_stale_too(cli, db_path, tmp_path):
    """Killed before its load; a new version ingested (the snapshot's record superseded), the source withdrawn
    (both withdrawn), the run resumed, the source reinstated: the new ingest is the active version, not the run's
    version of the old text (review round 3, conc2 2)."""
    src = tmp_path / "c.jsonl"
    code, out, err = cli("--quiet", "ingest", "moda", str(_write(src, [("a", "第一條　本法  稱銀行\u200b。")])),
                         "--licence", "CC-BY-4.0")  # fmt: skip
    assert code == 0, err
    _killed_before_load(db_path, tmp_path, "hygiene")
    code, out, err = cli("--quiet", "ingest", "moda", str(_write(src, [("a", "第一條　本法稱銀行（新版）。")])),
                         "--licence", "CC-BY-4.0")  # fmt: skip
    assert code == 0, err
    code, out, err = cli("provenance", "withdraw", "--source", "moda", "--reason", "T-1")
    assert code == 0, out + err
    code, out, err = cli("run", "hygiene", "--workers", "1")
    assert code == 0 and "1 results left out" in out, out + err
    code, out, err = cli("provenance", "reinstate", "--source", "moda", "--reason", "cleared")
    assert code == 0, out + err
    (version,) = _only(db_path)
    assert version[0] == "ingest" and "新版" in version[1], version
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_a_duplicate_whose_survivor_was_withdrawn_meanwhile_is_left_out(cli, db_path, tmp_path):
    """dedup killed before its load, the survivor's source withdrawn, dedup resumed: the other source's copy stays
    active (the next dedup run chooses again) instead of a duplicate of a withdrawn record (review round 3, conc2 3)."""
    text = "第一條　為健全銀行業務經營，保障存款人權益，特制定本法。"
    for sid, rid in (("srcA", "a1"), ("srcB", "b1")):
        f = _write(tmp_path / f"{sid}.jsonl", [(rid, text)])
        code, out, err = cli("--quiet", "ingest", "moda", str(f), "--licence", "CC-BY-4.0", "--source-id", sid)
        assert code == 0, err
    import shutil

    ref = tmp_path / "ref.duckdb"  # which copy survives: its source is the one withdrawn below
    shutil.copy(db_path, ref)
    code, out, err = cli("--quiet", "run", "dedup", "--workers", "1", db=ref)
    assert code == 0, out + err
    con = duckdb.connect(str(ref), read_only=True)
    (survivor, copy), *_ = con.execute(
        "SELECT max(source_id) FILTER (status = 'active'), max(source_id) FILTER (status = 'duplicate') FROM records"
    ).fetchall()
    con.close()
    _killed_before_load(db_path, tmp_path, "dedup")
    code, out, err = cli("provenance", "withdraw", "--source", survivor, "--reason", "T-1")
    assert code == 0, out + err  # the copy is not a duplicate yet: nothing to release
    code, out, err = cli("run", "dedup", "--workers", "1")
    assert code == 0 and "results left out" in out, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    rows = dict(con.execute("SELECT source_id, status FROM records").fetchall())
    con.close()
    assert rows == {survivor: "withdrawn", copy: "active"}, rows
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_the_run_statistics_count_what_was_loaded_not_the_stale_results(cli, db_path, tmp_path):
    """Review 7, finding 4: `run_stats` (the printed summary, `runs show`) counted the results the load left out as
    stale (outcomes, actions, changes, `in`). They count what was loaded now, and say how many were stale."""
    src = tmp_path / "c.jsonl"
    rows = [("a", "第一條　本法  稱銀行\u200b。"), ("b", "第二條　銀行\u200b業務。")]
    code, out, err = cli("--quiet", "ingest", "moda", str(_write(src, rows)), "--licence", "CC-BY-4.0")
    assert code == 0, err
    _killed_before_load(db_path, tmp_path, "hygiene")
    code, out, err = cli("--quiet", "ingest", "moda", str(_write(src, [("a", "第一條　本法稱銀行（新版）。"), rows[1]])),
                         "--licence", "CC-BY-4.0")  # fmt: skip
    assert code == 0, err
    code, out, err = cli("run", "hygiene", "--workers", "1")  # resumes: a's result is stale, b's loads
    assert code == 0, out + err
    assert "1 results left out" in out and "in 1  out 1" in out and "stale 1" in out, out
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        (run_id,) = con.execute("SELECT run_id FROM runs WHERE command = 'run hygiene'").fetchone()
        stats = {(m, k): v for m, k, v in con.execute(
            "SELECT metric, key, value FROM run_stats WHERE run_id = ?", [run_id]).fetchall()}  # fmt: skip
        left = con.execute("SELECT count(*) FROM run_load_stale_records").fetchone()[0]
    finally:
        con.close()
    assert stats[("records", "in")] == 1 and stats[("records", "stale")] == 1 and stats[("records", "out")] == 1
    assert stats[("outcome", "rewritten")] == 1 and stats[("action", "rewrite")] == 1
    assert stats[("change", "zero_width_chars")] == 1  # b's only: a's change was never applied
    assert left == 0  # the ids go with the run's end
    code, out, err = cli("runs", "show", run_id)
    assert code == 0 and "stale 1" in out, out + err
