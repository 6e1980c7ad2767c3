"""Issue 14: `run normalise` stores the detected script in place (no new version), with a
`script_detected` verdict (a member of its load batch's verdict batch) that the ledger cross-check covers
(real law fixture)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from provenance import db
from provenance.crosscheck import crosscheck
from provenance.verdicts import VERDICT_BATCH, members_as_events
from sources.base import ErrorPolicy
from sources.law_moj import LawMojSource


def test_script_is_stored_in_place_and_cross_checked(law_fixtures: Path, db_path: Path, cli) -> None:
    rep = ingest(
        db_path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380233.json"], scope="all"), on_error=ErrorPolicy.RAISE
    )
    n = rep.records_new
    assert run_stage(db_path, make_stage("normalise"), workers=1).status == "finished"
    con = db.connect_readonly(db_path)
    try:
        scripts = con.execute("SELECT script, count(*) FROM records GROUP BY ALL").fetchall()
        n_records = con.execute("SELECT count(*) FROM records").fetchone()[0]
        n_events = con.execute(
            f"SELECT count(*) FROM ({members_as_events()}) WHERE action = 'script_detected'"
            " AND verdict = 'traditional' AND json_extract_string(detail, '$.script') = 'traditional'"
        ).fetchone()[0]
        # one ledger event for the load batch's verdicts, none per record
        per_record = con.execute("SELECT count(*) FROM provenance_events WHERE action = 'script_detected'").fetchone()
        batches = con.execute(f"SELECT count(*) FROM provenance_events WHERE action = '{VERDICT_BATCH}'").fetchone()
        assert crosscheck(con).ok
    finally:
        con.close()
    assert n_records == n  # traditional law text: no new versions
    assert dict(scripts) == {"traditional": n} and n_events == n
    assert per_record == (0,) and batches == (1,)
    code, out, _ = cli("status")
    assert code == 0 and " - " not in out.split("runs:")[0].split("records:")[1]
    # an in-place edit of the derived column is found
    con = duckdb.connect(str(db_path))
    try:
        con.execute("UPDATE records SET script = 'simplified' WHERE record_id = (SELECT min(record_id) FROM records)")
        res = crosscheck(con)
    finally:
        con.close()
    assert not res.ok and any("script_detected" in p for p in res.problems)
