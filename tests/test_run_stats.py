"""Stage statistics in `run_stats`: filled by the runner, consistent with the ledger, shown by `curate runs`."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from catalogue_builder import add_records, add_source

from curate.runner import make_stage, run_stage
from provenance import db, runs

TEXTS = {
    "a/1": "第 1 條\r\n本法稱銀行，謂依本法組織登記，經營銀行業務之機構。\u200b",
    "a/2": "第 2 條  銀行 業務\t\t如左。",
    "a/3": "已經乾淨的一段文字。",
    "b/1": "申請人王小明，身分證字號A123456789，手機0912345678。",
    "b/2": "客服專線0800-123-456，本行依銀行法辦理。",
}


@pytest.fixture
def catalogue(db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "law")
    add_source(con, "cases")
    add_records(
        con,
        [
            {"source_id": loc.startswith("a") and "law" or "cases", "locator": loc, "text": t, "doc_key": loc}
            for loc, t in TEXTS.items()
        ],
        run_id=run_id,
    )
    runs.finish_run(con, run_id)
    con.close()
    return db_path


def _stats(path, run_id):
    con = db.connect_readonly(path)
    try:
        rows = con.execute("SELECT stage, metric, key, value FROM run_stats WHERE run_id = ?", [run_id]).fetchall()
        events = [
            (a, json.loads(d))
            for a, d in con.execute(
                "SELECT action, detail FROM provenance_events WHERE run_id = ?", [run_id]
            ).fetchall()
        ]
        n_versions = con.execute("SELECT count(*) FROM records WHERE run_id = ?", [run_id]).fetchone()[0]
        in_bytes = sum(len(t.encode()) for t in TEXTS.values())
    finally:
        con.close()
    out: dict[str, dict[str, float]] = {}
    for stage, metric, key, value in rows:
        assert stage in ("hygiene", "pii")
        out.setdefault(metric, {})[key] = value
    return out, events, n_versions, in_bytes


def test_hygiene_stats_agree_with_ledger(catalogue):
    rep = run_stage(catalogue, make_stage("hygiene"), workers=1)
    st, events, n_versions, in_bytes = _stats(catalogue, rep.run_id)
    assert st["records"]["in"] == len(TEXTS) == rep.inputs
    assert st["records"]["rewritten"] == n_versions == rep.counts["new_versions"] > 0
    assert st["records"]["dropped"] == 0 and st["records"]["out"] == len(TEXTS)
    assert st["bytes"]["in"] == in_bytes and 0 < st["bytes"]["out"] < in_bytes
    # changes by kind equal the sum over the ledger's rewrite events
    want = Counter()
    for action, detail in events:
        if action == "rewrite":
            want.update(detail["changes"])
    assert want and st["change"] == {k: float(v) for k, v in want.items()}
    assert {"snapshot", "execute", "load", "total"} <= set(st["seconds"])


def test_pii_entities_by_type_and_source(catalogue):
    rep = run_stage(catalogue, make_stage("pii"), workers=1)
    st, events, _, _ = _stats(catalogue, rep.run_id)
    want = Counter()
    for action, detail in events:
        if action == "pii_scrubbed":
            want.update(detail["entities"])
    assert want and st["entity"] == {k: float(v) for k, v in want.items()}
    # all personal data was in the `cases` source
    assert st["entity_by_source"] == {f"cases {k}": float(v) for k, v in want.items()}
    assert st["pii_state"]["raw"] >= 1


def test_runs_show_and_list(catalogue, cli):
    code, out, err = cli("run", "hygiene", "--workers", "1")
    assert code == 0, err
    assert "in 5" in out and "change:" in out  # the summary printed at the end of the run
    con = db.connect_readonly(catalogue)
    run_id = con.execute("SELECT run_id FROM runs WHERE command = 'run hygiene'").fetchone()[0]
    con.close()
    code, out, err = cli("runs", "show", run_id[:-2])  # a prefix (the ingest of the fixture may share the second)
    assert code == 0, err
    assert run_id in out and "run hygiene" in out and "change:" in out and "rewritten" in out
    code, out, err = cli("runs", "show", "latest", "--json")
    assert code == 0 and json.loads(out)["stats"]["records"]["in"] == 5
    code, out, err = cli("runs", "list")
    assert code == 0 and "rewritten" in out and run_id in out
    code, out, err = cli("runs", "show", "1999")
    assert code == 2 and "not found" in err and "Traceback" not in err


def _run_on_tty(args: list[str]) -> str:
    """Run the CLI with stderr on a pseudo-terminal; returns what it wrote there."""
    import os
    import pty
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # a real terminal has a size
    env = {**os.environ, "PYTHONPATH": str(root), "CURATE_PII_KEY": "5e" * 32, "COLUMNS": "120"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "curate.cli", *args], stderr=slave, stdout=subprocess.DEVNULL, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=300)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only(catalogue):
    err = _run_on_tty(["--db", str(catalogue), "run", "hygiene", "--workers", "2"])
    assert "hygiene" in err and "100%" in err and "5/5" in err  # tqdm: total over both workers, rate, ETA
    err = _run_on_tty(["--db", str(catalogue), "--quiet", "run", "normalise", "--workers", "1"])
    assert "100%" not in err and "rec/s" not in err


def test_pii_stats_count_the_source_wide_name_pass(db_path, tmp_path, cli, monkeypatch):
    """A name labelled in one record (受處分人：) is scrubbed across its source after the batches: the run's counts,
    `runs show` and the report's "Stage runs" row count those versions and entities too (review 5, finding 3)."""
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    rows = [
        {"id": "L", "title": "a", "text": "受處分人：歐陽靖。本會依法核處罰鍰新臺幣一百萬元。"},
        {"id": "r1", "title": "t", "text": "查歐陽靖未依規定辦理內部控制制度，核有違失。"},
        {"id": "r2", "title": "t", "text": "銀行應依本法規定辦理存款業務並建立內部控制制度。"},
    ]
    src = tmp_path / "p.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    code, _, err = cli("-q", "ingest", "moda", "--licence", "OGDL-Taiwan-1.0", "--dataset", "d", str(src))
    assert code == 0, err
    code, out, err = cli("run", "pii", "--workers", "1")
    assert code == 0, err
    assert "2 new versions" in out
    con = db.connect_readonly(db_path)
    try:
        run_id = con.execute("SELECT run_id FROM runs WHERE command = 'run pii'").fetchone()[0]
        versions = con.execute("SELECT count(*) FROM records WHERE run_id = ?", [run_id]).fetchone()[0]
        states = dict(
            con.execute("SELECT pii_state, count(*) FROM records WHERE status = 'active' GROUP BY 1").fetchall()
        )
        persons = sum(
            json.loads(d)["entities"].get("PERSON", 0)
            for (d,) in con.execute(
                "SELECT detail FROM provenance_events WHERE action = 'pii_scrubbed' AND run_id = ?", [run_id]
            ).fetchall()
        )
    finally:
        con.close()
    assert versions == 2 and states == {"scrubbed": 2, "clean": 1} and persons == 2
    st, _, _, _ = _stats(db_path, run_id)
    assert st["records"]["rewritten"] == versions
    assert st["entity"]["PERSON"] == persons and st["entity_by_source"]["moda PERSON"] == persons
    assert st["outcome"] == {"scrubbed": 2.0, "clean": 1.0}
    assert st["pii_state"] == {"raw": 2.0, "clean": 1.0}
    assert st["name_pass"] == {"versions": 1.0}
    code, out, _ = cli("runs", "show", run_id, "--json")
    assert json.loads(out)["stats"]["records"]["rewritten"] == versions
