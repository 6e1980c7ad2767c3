"""The report names the runs that did not finish (review 12): a stage run killed half-way (`kill -9`: it cannot
mark itself) or failed left part of its work in the figures, and the report showed them as if it were whole."""

from __future__ import annotations

import re

from catalogue_builder import add_records, add_source, left_by_kill

from provenance import db, runs


def test_report_names_killed_and_failed_runs(db_path, cli, tmp_path):
    con = db.connect(db_path)
    ingest = runs.start_run(con, "ingest moda", "x")
    add_source(con, "moda", kind="moda", licence_id="CC-BY-4.0")
    add_records(con, [{"source_id": "moda", "locator": "a/1", "text": "銀行法第一條。"}], run_id=ingest)
    runs.finish_run(con, ingest)
    killed = runs.start_run(con, "run pii", "x")  # its process is gone: no run lock is held
    failed = runs.start_run(con, "run hygiene", "y")
    runs.finish_run(con, failed, "failed")
    export = runs.start_run(con, "export dataset", "z")  # a failed export discards its files: none of it is here
    runs.finish_run(con, export, "failed", {"error": "No space left on device"})
    rekey = runs.start_run(con, "pii rekey", "rekey")  # killed: its one transaction was rolled back
    redone = runs.start_run(con, "ingest law_moj", "a")  # killed, marked failed by the next ingest, which finished
    runs.finish_run(con, redone, "failed", {"interrupted": True})
    runs.finish_run(con, runs.start_run(con, "ingest law_moj", "a"))
    con.close()
    left_by_kill(db_path, "run pii", killed)
    out = tmp_path / "report.html"
    code, _, err = cli("report", "-o", str(out))
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    section = html[html.index('id="unfinished"') :].split("</table>")[0]
    rows = re.findall(r"<tr><td><code>([^<]+)</code></td><td>([^<]+)</td><td>([^<]+)</td>", section)
    assert rows == [(killed, "run pii", "running (process gone)"), (failed, "run hygiene", "failed")]
    assert ingest not in section  # finished runs are not listed
    assert export not in html and rekey not in html  # nothing of theirs is in the figures
    assert redone not in section


def test_a_failed_export_alone_raises_no_unfinished_warning(db_path, cli, tmp_path):
    """Review 12: an export that failed once (a full disk) listed in 'Unfinished runs', 'the figures above hold
    part of their work', in every report after it; an export that fails writes nothing to the catalogue."""
    con = db.connect(db_path)
    export = runs.start_run(con, "export dataset", "z")
    runs.finish_run(con, export, "failed", {"error": "No space left on device"})
    con.close()
    out = tmp_path / "report.html"
    code, _, err = cli("report", "-o", str(out))
    assert code == 0, err
    assert 'id="unfinished"' not in out.read_text(encoding="utf-8")
