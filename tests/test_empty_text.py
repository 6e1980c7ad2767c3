"""A text hygiene empties (only invisible characters) is never skipped silently by a later stage (review 7, finding 2).

Ingest refuses an empty text, but one made only of zero-width characters passes it, and hygiene leaves an empty
version. Every stage gives that record a result: hygiene counts it `emptied`, the PII stage scrubs its title and
metadata (its `pii_state` advances), normalise gives its verdict, dedup flags it `empty_text` (never clustered:
all empty texts would be one exact duplicate), and an export leaves it out (`empty_text`). Each run's `in`
equals what it decided about.
"""

from __future__ import annotations

import json

import pytest
from catalogue_builder import add_records, add_source

from curate.runner import make_stage, run_stage
from provenance import db, runs
from provenance.export import ExportParams, iter_verdicts

TITLE = "客戶王大明 身分證A123456789 電話0912345678"


@pytest.fixture
def catalogue(db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "et", licence_id="CC0-1.0", pii_expected=True)
    empty, plain = add_records(
        con,
        [
            {
                "source_id": "et",
                "locator": "e1",
                "text": "\u200b\u2060",
                "title": TITLE,
                "metadata": {"email": "wang.daming@example.com"},
                "licence_id": "CC0-1.0",
            },
            {"source_id": "et", "locator": "e2", "text": "本行依銀行法辦理存款業務。", "licence_id": "CC0-1.0"},
        ],
        run_id=run_id,
    )
    runs.finish_run(con, run_id)
    con.close()
    return db_path, empty, plain


def _stats(con, run_id: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for metric, key, value in con.execute(
        "SELECT metric, key, value FROM run_stats WHERE run_id = ?", [run_id]
    ).fetchall():
        out.setdefault(metric, {})[key] = value
    return out


def test_an_emptied_text_goes_through_every_stage_and_stays_out_of_exports(catalogue):
    path, empty, _ = catalogue
    reps = {s: run_stage(path, make_stage(s), workers=1) for s in ("hygiene", "pii", "normalise", "dedup")}
    con = db.connect_readonly(path)
    try:
        (doc_key,) = con.execute("SELECT doc_key FROM records WHERE record_id = ?", [empty]).fetchone()
        head = con.execute(
            "SELECT record_id, text, title, CAST(metadata AS VARCHAR), pii_state FROM records"
            " WHERE doc_key = ? AND status = 'active'",
            [doc_key],
        ).fetchone()
        chain = [r for (r,) in con.execute("SELECT record_id FROM records WHERE doc_key = ?", [doc_key]).fetchall()]
        marked = {
            s
            for (s,) in con.execute(
                f"SELECT DISTINCT stage FROM stage_marks WHERE record_id IN ({', '.join('?' * len(chain))})", chain
            ).fetchall()
        }
        stats = {s: _stats(con, rep.run_id) for s, rep in reps.items()}
        flags = con.execute(
            "SELECT count(*) FROM provenance_events WHERE action = 'empty_text' AND record_id = ?", [head[0]]
        ).fetchone()[0]
        params = ExportParams(purpose="training", audience="public", commercial=True, pii_gate="expected")
        verdicts = {v.record_id: v.verdict for v in iter_verdicts(con, params)}
    finally:
        con.close()
    head_id, text, title, meta, pii_state = head
    assert text == "" and pii_state in ("clean", "scrubbed")
    assert "A123456789" not in title and "0912345678" not in title and "wang.daming" not in meta
    assert marked == {"hygiene", "pii", "normalise", "dedup"}
    assert stats["hygiene"]["outcome"]["emptied"] == 1
    for s, rep in reps.items():  # `in` is what the stage decided about: both records, every time
        assert rep.inputs == 2 and stats[s]["records"]["in"] == 2, s
    assert sum(stats["pii"]["outcome"].values()) == 2
    assert flags == 1 and stats["dedup"]["outcome"]["empty_text"] == 1
    assert not verdicts[head_id].ok and verdicts[head_id].code == "empty_text"
    assert json.loads(meta)  # the metadata is kept, scrubbed


def test_a_text_of_fillers_hygiene_keeps_is_flagged_and_stays_out_of_exports(db_path, monkeypatch):
    """Hangul and braille fillers, a lone combining mark and a variation selector are no zero-width characters to
    hygiene, so the text stays; it shows nothing all the same and was exported (review of the stages fixes, B)."""
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "et", licence_id="CC0-1.0")
    rows = [{"source_id": "et", "locator": "f", "text": "\u3164\u2800\u034f\ufe0f", "licence_id": "CC0-1.0"}]
    rows.append({"source_id": "et", "locator": "p", "text": "本行依銀行法辦理存款業務。", "licence_id": "CC0-1.0"})
    fillers, plain = add_records(con, rows, run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    for s in ("hygiene", "pii", "dedup"):
        run_stage(db_path, make_stage(s), workers=1)
    con = db.connect_readonly(db_path)
    try:
        (doc,) = con.execute("SELECT doc_key FROM records WHERE record_id = ?", [fillers]).fetchone()
        flagged = con.execute(
            "SELECT count(*) FROM provenance_events e JOIN records r USING (record_id)"
            " WHERE e.action = 'empty_text' AND r.doc_key = ?",
            [doc],
        ).fetchone()[0]
        params = ExportParams(purpose="training", audience="public", commercial=True, pii_gate="expected")
        verdicts = [v.verdict for v in iter_verdicts(con, params)]
    finally:
        con.close()
    assert flagged == 1 and {v.code for v in verdicts if not v.ok} == {"empty_text"}
    assert len([v for v in verdicts if v.ok]) == 1
