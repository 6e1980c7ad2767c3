"""A dedup run killed (SIGKILL) before its load and resumed records in ``run_stats`` (``records``/``pii_waiting``)
the records its snapshot left to the PII stage, as the uninterrupted run does: counted when the snapshot was taken,
not when the resumed run loads. A PII run in between (or an ingest) changes what waits now, not what this run left."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from catalogue_builder import add_record, add_source
from killed import run_killed

from provenance import db

from .test_pii_wait_recorded import RAW, _waiting

ROOT = Path(__file__).resolve().parents[2]
KEY = "6a" * 32


def _catalogue(path: Path) -> None:
    con = db.connect(path)
    try:
        add_source(con, "cases", licence_id="CC-BY-4.0", pii_expected=True)
        add_source(con, "reg", licence_id="CC-BY-4.0")
        for loc in ("c/1", "c/2"):
            add_record(con, "cases", loc, RAW, licence_id="CC-BY-4.0")
        add_record(
            con,
            "reg",
            "r/1",
            "本行規定之一般性條款，適用於所有客戶之存款帳戶與相關服務內容說明。",
            licence_id="CC-BY-4.0",
        )
    finally:
        con.close()


def test_a_resumed_dedup_run_records_what_its_snapshot_left_to_the_pii_stage(tmp_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    clean, crashed = tmp_path / "clean.duckdb", tmp_path / "crashed.duckdb"
    for path in (clean, crashed):
        _catalogue(path)
    code, out, _ = cli("-q", "run", "dedup", "--workers", "1", db=clean)
    assert code == 0 and "2 records wait for the PII stage" in out, out
    assert _waiting(clean) == [(2.0,)]

    env = {**os.environ, "CURATE_FAULT": "before_load", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(crashed), "run", "dedup", "--workers", "1"]
    rc = run_killed(cmd, env, tmp_path / "out.log")
    assert rc == -signal.SIGKILL, (tmp_path / "out.log").read_text()
    assert cli("-q", "run", "pii", "--workers", "1", db=crashed)[0] == 0  # the two raw versions checked meanwhile
    code, out, _ = cli("run", "dedup", "--workers", "1", db=crashed)
    assert code == 0 and "resum" in out.lower(), out
    # the resumed run took 1 record and left 2 to the PII stage, as the uninterrupted one did
    assert _waiting(crashed) == [(2.0,)]
