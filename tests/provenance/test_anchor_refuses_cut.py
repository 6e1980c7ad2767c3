"""`curate audit anchor` never anchors a head the catalogue's own rows show to be cut or rewritten (review 12).

An anchor certifies the history up to its head. Taken after the newest events were cut (the runs, exports and
verdict members that point past the head still there), it certified the shortened chain: once the attacker cut
those rows too, nothing was left to show the loss, the anchor file included."""

from __future__ import annotations

import duckdb
import pytest

from provenance import ledger


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
