"""The chain check holds little per event (review 12): 200k events verify within a 160 MB DuckDB cap, spilling nothing.

Before, the window that links each event to the one before it carried every column of the event (detail, ids,
actor) to compute its hash after the window: about 1.1 KiB an event (1.16 GiB for 1M events, 3.6 GiB for the
2.7M of the whole-pipeline benchmark), so these 200k events needed about 250 MB. The hash is now compared under
the window, which carries only seq, event_id, the two hashes and each event's own result (130 MB is enough here).
"""

from __future__ import annotations

import duckdb

from provenance import ledger
from provenance.db import connect, connect_readonly, transaction

N = 200_000


def test_chain_of_200k_events_verifies_within_160mb_without_spilling(tmp_path):
    path = tmp_path / "cat.duckdb"
    con = connect(path)
    for start in range(0, N, 50_000):
        with transaction(con):
            ledger.append(
                con,
                (
                    ledger.Event(
                        "hygiene", "rewrite", record_id=f"{i:064x}", run_id="run-1", detail={"n": i, "p": "x" * 80}
                    )
                    for i in range(start, start + 50_000)
                ),
            )
    con.close()

    def verify():
        ro = connect_readonly(path, memory_limit="160MB", spill_limit="0KB")
        try:
            return ledger.verify(ro)
        finally:
            ro.close()

    res = verify()
    assert res.ok and res.checked == N, res
    rw = duckdb.connect(str(path))
    rw.execute("UPDATE provenance_events SET actor = 'mallory' WHERE seq = 123457")
    rw.close()
    res = verify()  # the same cap still finds an edit, where and what
    assert not res.ok and res.first_bad_seq == 123457 and res.reason.startswith("content hash mismatch"), res
