"""An anchor file of many heads is checked in one query (review 16, ledger).

`check_anchors` ran two queries per anchor (its hash, then a count of the events up to it): an hourly anchoring
job's file of 5,000 heads added 20 s to `verify --anchor` on a 1M-event ledger, and the portal's ledger page paid
it again per snapshot. The heads are now looked up together; each problem is still named per anchor."""

from __future__ import annotations

import json

from provenance import ledger
from provenance.anchors import check_anchors, read_anchors
from provenance.db import connect, connect_readonly, transaction


class _Counting:
    """A real DuckDB connection that counts the statements run through it."""

    def __init__(self, con):
        self.con, self.statements = con, 0

    def execute(self, *args, **kwargs):
        self.statements += 1
        return self.con.execute(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.con, name)


def _ledger(path, n):
    con = connect(path)
    with transaction(con):
        ledger.append(con, (ledger.Event("hygiene", "rewrite", record_id=f"r{i}", detail={"n": i}) for i in range(n)))
    heads = con.execute("SELECT seq, hash FROM provenance_events ORDER BY seq").fetchall()
    con.close()
    return heads


def test_a_thousand_anchors_take_a_few_queries_and_each_problem_is_named(tmp_path):
    path = tmp_path / "cat.duckdb"
    heads = _ledger(path, 1200)
    lines = [{"seq": s, "hash": h, "count": s} for s, h in heads[::1][:1000]]
    lines[10]["count"] = 5  # altered count
    lines[20]["hash"] = "f" * 64  # rewritten chain
    lines.append({"seq": 5000, "hash": "a" * 64})  # past the head: truncation
    lines.append({"seq": 2**70, "hash": "a" * 64})  # past what any ledger holds
    lines.append({"seq": 0, "hash": ledger.GENESIS})
    anchor_file = tmp_path / "a.jsonl"
    anchor_file.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    anchors = read_anchors(anchor_file)
    con = connect_readonly(path)
    try:
        counting = _Counting(con)
        problems = check_anchors(counting, anchors)
    finally:
        con.close()
    assert counting.statements <= 5, counting.statements
    assert len(problems) == 4, problems
    assert "anchor seq 11 " in problems[0] and "says 5 events, the ledger holds 11" in problems[0]
    assert "anchored head seq 21 " in problems[1] and "the chain up to it was rewritten" in problems[1]
    assert "seq 5000 " in problems[2] and "truncation" in problems[2] and "has 1200 events" in problems[2]
    assert f"seq {2**70} " in problems[3] and "truncation" in problems[3]
