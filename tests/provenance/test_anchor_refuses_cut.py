"""`curate audit anchor` never anchors a head the catalogue's own rows show to be cut or rewritten (review 12).

An anchor certifies the history up to its head. Taken after the newest events were cut (the runs, exports and
verdict members that point past the head still there), it certified the shortened chain: once the attacker cut
those rows too, nothing was left to show the loss, the anchor file included."""

from __future__ import annotations

import duckdb
import pytest
from prov_helpers import export_public

from curate.ingest import ingest
from curate.runner import make_stage, run_stage
from provenance import db, ledger
from provenance.anchors import current_anchor
from provenance.errors import LedgerError
from sources.base import ErrorPolicy
from sources.law_moj import LawMojSource


def _sql(path, *statements):
    con = duckdb.connect(str(path))
    try:
        for s in statements:
            con.execute(s)
    finally:
        con.close()


def _rehash_from(path, seq):
    """Recompute every hash from ``seq`` on, as an attacker who knows the format would."""
    con = duckdb.connect(str(path))
    try:
        v2_from = ledger.format_from(con)
        prev = con.execute("SELECT hash FROM provenance_events WHERE seq = ?", [seq - 1]).fetchone()[0]
        rows = con.execute(
            "SELECT seq, event_id, run_id, record_id, stage, action, CAST(detail AS VARCHAR), created_at, actor"
            " FROM provenance_events WHERE seq >= ? ORDER BY seq",
            [seq],
        ).fetchall()
        for r in rows:
            h = ledger.chain_hash(prev, ledger.content_string(*r, fmt=2 if r[0] >= v2_from else 1))
            con.execute("UPDATE provenance_events SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, h, r[0]])
            prev = h
    finally:
        con.close()


def _newest_export_cut(path):
    _sql(path, "DELETE FROM provenance_events WHERE seq >= (SELECT max(export_seq) FROM exports)")


def _chain_recomputed(path):
    con = duckdb.connect(str(path), read_only=True)
    seq = con.execute("SELECT min(seq) FROM provenance_events WHERE action = 'withdraw'").fetchone()[0]
    con.close()
    _sql(path, f'UPDATE provenance_events SET detail = \'{{"reason":"forged"}}\' WHERE seq = {seq}')
    _rehash_from(path, seq)


@pytest.mark.parametrize(
    "attack, named",
    [(_newest_export_cut, "export "), (_chain_recomputed, "with a hash the chain no longer has")],
    ids=["newest-events-cut", "chain-recomputed"],
)
def test_anchor_refuses_a_head_the_tables_point_past(history, db_path, cli, tmp_path, attack, named):
    anchors = tmp_path / "anchors.jsonl"
    attack(db_path)
    code, out, err = cli("audit", "verify")
    assert code == 1 and "ledger ok" in out, out + err  # the chain alone is whole: only the tables show the cut
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 1, out + err
    assert "is not anchored" in err and named in err and "Traceback" not in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not anchors.exists()  # nothing appended: the file vouches for nothing it cannot
    assert cli("audit", "anchor")[0] == 1  # printing the head to copy by hand is refused too


def test_anchor_of_a_whole_catalogue_is_still_taken(history, db_path, cli, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 0 and "appended" in out, out + err
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0 and "anchors ok: 1" in out, out + err


def test_anchor_refuses_a_cut_event_whose_seq_later_events_took(history, db_path, cli, tmp_path):
    """The newest withdrawal's event cut (its row left), then a steward's next export appended at its seq: no row
    points past the head, and the export's run recorded the new head, but the withdrawal row's seq holds an export."""
    code, _, err = cli("provenance", "withdraw", "--record", history["ocw"][0], "--reason", "licensor asked")
    assert code == 0, err
    _sql(db_path, "DELETE FROM provenance_events WHERE seq = (SELECT max(withdrawal_seq) FROM withdrawals)")
    export_public(cli, tmp_path / "e3", "--as-of", "2026-06-01", "--commercial")
    code, out, err = cli("audit", "verify")
    assert code == 1 and "ledger ok" in out and "withdrawals: row does not match" in out, out + err
    anchors = tmp_path / "anchors.jsonl"
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 1, out + err
    assert "is not anchored" in err and "which holds no withdrawal event" in err, err
    assert not anchors.exists()


def test_anchor_of_a_catalogue_with_verdict_batches_is_taken(law_fixtures, db_path, monkeypatch):
    """Verdict members name their batch's own event: the check above refuses none of a real run's."""
    monkeypatch.setenv("CURATE_LOAD_BATCH", "7")  # several load batches, so several verdict batches
    ingest(
        db_path, LawMojSource([law_fixtures / "chlaw_json/ch/G0380233.json"], scope="all"), on_error=ErrorPolicy.RAISE
    )
    assert run_stage(db_path, make_stage("normalise"), workers=1).status == "finished"
    con = db.connect_readonly(db_path)
    try:
        assert con.execute("SELECT count(DISTINCT batch_seq) FROM verdict_members").fetchall()[0][0] > 1
        assert current_anchor(con).seq == ledger.head(con)[0]
    finally:
        con.close()
    _sql(  # a member moved off its batch event, NOT NULL dropped: named in the one line, not a TypeError
        db_path,
        "ALTER TABLE verdict_members ALTER COLUMN batch_seq DROP NOT NULL",
        "UPDATE verdict_members SET batch_seq = NULL WHERE record_id = (SELECT min(record_id) FROM verdict_members)",
    )
    con = db.connect_readonly(db_path)
    try:
        with pytest.raises(LedgerError, match="verdict members at seq None, which holds no verdict_batch event"):
            current_anchor(con)
    finally:
        con.close()
