"""Issue 17: the source-name scrub reads and writes a chunk by its row positions, and never loses a row by them.

A chunk's records are read, and its parents superseded, within the row positions (``rowid``) of its first
and last candidate, so a step touches the row groups that hold the chunk instead of every row group; the
new versions' seals are read from the rows appended after the count before the insert. Positions are a
bound only: the ids stay the filter, and a bound that misses a row (a position that moved) falls back to
the read or update by id alone. These tests hand each function wrong positions on purpose.
"""

from __future__ import annotations

from catalogue_builder import add_records, add_source

from curate.pii.source_names import _read_chunk, _write
from provenance import db, ledger
from provenance.records import derived_record_id, version_seals


def _catalogue(tmp_path, n=30):
    con = db.connect(tmp_path / "c.duckdb")
    add_source(con, "fsc", pii_expected=True)
    ids = add_records(con, [{"source_id": "fsc", "locator": f"case/{i}", "text": f"第{i}案：林志明"} for i in range(n)])
    pos = dict(con.execute("SELECT record_id, rowid FROM records").fetchall())
    return con, ids, pos


def _texts(con, ids):
    return con.execute(
        "SELECT record_id, text, title, metadata FROM records WHERE record_id IN (SELECT unnest($i)) ORDER BY record_id",
        {"i": ids},
    ).fetchall()


def test_a_chunk_is_read_within_its_positions_and_in_full_when_they_are_wrong(tmp_path):
    con, ids, pos = _catalogue(tmp_path)
    part = sorted((pos[i], i) for i in ids[5:12])
    assert _read_chunk(con, part) == _texts(con, ids[5:12])
    # positions that hold none of the chunk (as if its rows had moved): still every row, by id
    wrong = [(p + 100, i) for p, i in part]
    assert _read_chunk(con, wrong) == _texts(con, ids[5:12])
    # a bound that covers only part of the chunk
    half = [(part[0][0], i) for _, i in part]
    assert _read_chunk(con, half) == _texts(con, ids[5:12])


def _versions(ids):
    return [
        {
            "record_id": derived_record_id(i, "pii", "第案：[PERSON]"),
            "parent_id": i,
            "text": "第案：[PERSON]",
            "title": None,
            "metadata": None,
            "pii_state": "scrubbed",
        }
        for i in ids
    ]


def _events(rows):
    return [
        ledger.Event(
            stage="pii",
            action="pii_scrubbed",
            record_id=r["parent_id"],
            run_id="r1",
            detail={"new_record_id": r["record_id"]},
        )
        for r in rows
    ]


def _check_written(con, rows):
    parents = [r["parent_id"] for r in rows]
    states = con.execute(
        "SELECT DISTINCT status, pii_state FROM records WHERE record_id IN (SELECT unnest($i))", {"i": parents}
    ).fetchall()
    assert states == [("superseded", "raw")]
    details = con.execute("SELECT detail FROM provenance_events WHERE action = 'pii_scrubbed'").fetchall()
    assert len(details) == len(rows)
    assert all('"new_sha256":"' in d[0] for d in details), "every event carries its version's seal"


def test_parents_are_superseded_when_the_bound_misses_them(tmp_path):
    con, ids, pos = _catalogue(tmp_path)
    rows = _versions(ids[3:9])
    with db.transaction(con):
        assert _write(con, "r1", rows, _events(rows), (10_000, 10_001)) == len(rows)
    _check_written(con, rows)


def test_parents_are_superseded_within_the_right_bound(tmp_path):
    con, ids, pos = _catalogue(tmp_path)
    rows = _versions(ids[3:9])
    with db.transaction(con):
        assert _write(con, "r1", rows, _events(rows), (pos[ids[3]], pos[ids[8]])) == len(rows)
    _check_written(con, rows)
    untouched = con.execute("SELECT count(*) FROM records WHERE status = 'active' AND stage = 'ingest'").fetchone()[0]
    assert untouched == len(ids) - len(rows)


def test_seals_are_found_past_a_wrong_start(tmp_path):
    con, ids, _ = _catalogue(tmp_path)
    expected = version_seals(con, ids)
    assert len(expected) == len(ids)
    assert version_seals(con, ids, from_row=len(ids)) == expected  # nothing after the start: by id alone
    assert version_seals(con, ids, from_row=10) == expected  # part after it
    assert version_seals(con, ids[20:], from_row=20) == {i: expected[i] for i in ids[20:]}


def _insert(con, rows, within):
    import pyarrow as pa

    from provenance.records import insert_versions

    cols = ("record_id", "parent_id", "text", "pii_state")
    db.arrow_temp_table(con, "_v", pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in cols}))
    n = insert_versions(con, "_v", run_id="r1", stage="pii", parents_within=within)
    con.execute("DROP TABLE _v")
    return n


def _written(con, rows):
    return con.execute(
        "SELECT record_id, version_of, doc_key, source_id, locator, licence_id FROM records"
        " WHERE record_id IN (SELECT unnest($i)) ORDER BY record_id",
        {"i": [r["record_id"] for r in rows]},
    ).fetchall()


def test_versions_take_their_parents_columns_with_or_without_a_right_bound(tmp_path):
    con, ids, pos = _catalogue(tmp_path)
    rows = _versions(ids[3:9])
    assert _insert(con, rows, (pos[ids[3]], pos[ids[8]])) == len(rows)
    right = _written(con, rows)
    assert [r[1] for r in right] == [r["parent_id"] for r in sorted(rows, key=lambda r: r["record_id"])]
    assert all(r[2] and r[3] == "fsc" and r[4] for r in right), "columns copied from the parents"
    con.close()
    for n, bound in enumerate([(10_000, 10_001), (pos[ids[3]], pos[ids[3]])]):  # none / one parent inside
        other, ids2, _ = _catalogue(tmp_path / str(n))
        assert ids2 == ids
        assert _insert(other, rows, bound) == len(rows), "a bound that misses parents must not drop versions"
        assert _written(other, rows) == right
