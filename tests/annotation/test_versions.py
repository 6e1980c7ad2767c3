"""Bulk version creation matches provenance.records.create_version row for row and event for event."""

from __future__ import annotations

import json

from ls_records import add_record, add_source

from annotation.versions import NewVersion, create_versions
from provenance.db import connect, transaction
from provenance.records import create_version

COLS = (
    "record_id, doc_key, source_id, locator, title, text, lang, script, licence_id, version_of, status, run_id, "
    "metadata, stage, content_sha256, pii_state, container"
)


def _catalogue(path):
    con = connect(path)
    add_source(con)
    ids = [add_record(con, f"第{i}條 內容", locator=f"l{i}", metadata={"k": i}) for i in range(3)]
    return con, ids


def test_bulk_equals_create_version(tmp_path):
    a, ids = _catalogue(tmp_path / "a.duckdb")
    b, _ = _catalogue(tmp_path / "b.duckdb")
    specs = [(ids[0], "新文字一", None), (ids[2], "新文字三", "scrubbed")]
    with transaction(a):
        one = [
            create_version(
                a,
                p,
                t,
                stage="annotation",
                run_id="r1",
                action="proofread_fix",
                detail={"x": 1},
                fields={"pii_state": s} if s else None,
                actor="bank/ls-user:1/h",
            )
            for p, t, s in specs
        ]
    with transaction(b):
        bulk = create_versions(
            b,
            [NewVersion(p, t, "proofread_fix", {"x": 1}, "bank/ls-user:1/h", s) for p, t, s in specs],
            stage="annotation",
            run_id="r1",
        )
    assert one == bulk
    q = f"SELECT {COLS} FROM records ORDER BY record_id"
    assert a.execute(q).fetchall() == b.execute(q).fetchall()
    e = "SELECT seq, run_id, record_id, stage, action, detail, actor FROM provenance_events ORDER BY seq"
    # each catalogue's versions were written at its own time: their row seals (new_row_sha256 covers created_at)
    # differ, and each must seal its own rows
    from provenance.records import version_row_sql

    def events(con):
        return [(*r[:5], json.loads(r[5]), r[6]) for r in con.execute(e).fetchall()]

    for con in (a, b):
        rows = dict(con.execute(f"SELECT record_id, sha256({version_row_sql('r')}) FROM records r").fetchall())
        assert all(ev[5]["new_row_sha256"] == rows[ev[5]["new_record_id"]] for ev in events(con))
    strip = [(*ev[:5], {k: v for k, v in ev[5].items() if k != "new_row_sha256"}, ev[6]) for ev in events(a)]
    assert strip == [(*ev[:5], {k: v for k, v in ev[5].items() if k != "new_row_sha256"}, ev[6]) for ev in events(b)]
    assert json.loads(b.execute(e).fetchall()[0][5])["new_record_id"] == bulk[0]
    with transaction(b):  # the same version again is a no-op
        assert create_versions(
            b, [NewVersion(ids[0], "新文字一", "proofread_fix")], stage="annotation", run_id="r2"
        ) == [None]
