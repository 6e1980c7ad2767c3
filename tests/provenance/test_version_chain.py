"""provenance/version_chain.py: the walks of ``records.version_of`` on a real catalogue file (branches, cycles a
tampered table may hold, versions whose parent is missing, a 10,000-deep chain)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from provenance import db
from provenance.version_chain import ancestor_chain_cte, ancestors_cte, descendants_cte

#: record id -> version_of: r0 <- r1 <- r3 and r0 <- r2 (a branch), b1 <- b2 whose parent b0 is not in the table,
#: and the cycle c1 <- c2 <- c1 (an edited table: migration 0101 dropped the key and nothing forbids it)
TREE = {"r0": None, "r1": "r0", "r2": "r0", "r3": "r1", "b1": "b0", "b2": "b1", "c1": "c2", "c2": "c1"}


def _catalogue(path: Path, parents: dict[str, str | None]) -> duckdb.DuckDBPyConnection:
    con = db.connect(path)
    con.executemany(
        "INSERT INTO records (record_id, doc_key, source_id, locator, version_of, status, run_id, created_at, stage)"
        " VALUES (?, 'd', 's', 'l', ?, 'superseded', 'r', now(), 'ingest')",
        list(parents.items()),
    )
    return con


@pytest.fixture
def tree(tmp_path: Path):
    con = _catalogue(tmp_path / "cat.duckdb", TREE)
    yield con
    con.close()


def _ids(values: list[str]) -> str:
    return "SELECT unnest([" + ", ".join(f"'{v}'" for v in values) + "])"


def _ancestors(con: duckdb.DuckDBPyConnection, seeds: list[str]) -> set[str]:
    rows = con.execute(f"WITH RECURSIVE {ancestors_cte('up', _ids(seeds))} SELECT record_id FROM up").fetchall()
    assert len(rows) == len({r[0] for r in rows}), "each version once"
    return {r[0] for r in rows}


def _descendants(con: duckdb.DuckDBPyConnection, seeds: list[str]) -> set[str]:
    rows = con.execute(f"WITH RECURSIVE {descendants_cte('down', _ids(seeds))} SELECT record_id FROM down").fetchall()
    assert len(rows) == len({r[0] for r in rows}), "each version once"
    return {r[0] for r in rows}


@pytest.mark.parametrize(
    ("seeds", "expected"),
    [
        (["r3"], {"r3", "r1", "r0"}),
        (["r3", "r2"], {"r3", "r2", "r1", "r0"}),
        (["r0"], {"r0"}),
        (["b2"], {"b2", "b1", "b0"}),  # a missing parent's id is named (nothing above it)
        (["nope"], {"nope"}),  # a start not in the table is itself, and nothing more
        (["c1"], {"c1", "c2"}),  # a cycle ends
        ([], set()),
    ],
    ids=["leaf", "branches", "root", "parent-missing", "start-missing", "cycle", "none"],
)
def test_ancestors(tree, seeds, expected) -> None:
    assert _ancestors(tree, seeds) == expected


@pytest.mark.parametrize(
    ("seeds", "expected"),
    [
        (["r0"], {"r0", "r1", "r2", "r3"}),
        (["r1"], {"r1", "r3"}),
        (["r3"], {"r3"}),
        (["b0"], {"b0", "b1", "b2"}),  # from a missing root: what names it
        (["nope"], {"nope"}),
        (["c2"], {"c1", "c2"}),
    ],
    ids=["root-branches", "inner", "leaf", "root-missing", "start-missing", "cycle"],
)
def test_descendants(tree, seeds, expected) -> None:
    assert _descendants(tree, seeds) == expected


def test_descendants_keep_their_start(tree) -> None:
    """Tagged, a version reached from two starts is listed under each; a start reached from another start too."""
    seeds = "SELECT s, s FROM (SELECT unnest(['r0', 'r1', 'c1']) AS s)"
    rows = tree.execute(
        f"WITH RECURSIVE {descendants_cte('down', seeds, start='exported_id')} SELECT exported_id, record_id FROM down"
    ).fetchall()
    assert sorted(rows) == sorted(
        [("r0", "r0"), ("r0", "r1"), ("r0", "r2"), ("r0", "r3"), ("r1", "r1"), ("r1", "r3"), ("c1", "c1"), ("c1", "c2")]
    )


def _chain(con: duckdb.DuckDBPyConnection, seeds: str, max_depth: int | None) -> list[tuple]:
    sql = f"WITH RECURSIVE {ancestor_chain_cte('chain', seeds, max_depth=max_depth)} SELECT * FROM chain"
    rows = con.execute(sql).fetchall()
    assert len(rows) == len({(r[0], r[1]) for r in rows}), "each version once per start"
    return sorted(rows, key=lambda r: (r[0], r[2]))


def test_ancestor_chain_from_self_and_from_parent(tree) -> None:
    self_seeds = "SELECT record_id, record_id FROM records WHERE record_id IN ('r3', 'r2', 'b2')"
    assert _chain(tree, self_seeds, 32) == [
        ("b2", "b2", 0),
        ("b2", "b1", 1),
        ("b2", "b0", 2),
        ("r2", "r2", 0),
        ("r2", "r0", 1),
        ("r3", "r3", 0),
        ("r3", "r1", 1),
        ("r3", "r0", 2),
    ]
    parent_seeds = "SELECT record_id, version_of FROM records WHERE record_id IN ('r3', 'r0')"
    # a root's parent is NULL: one row that reaches nothing
    assert _chain(tree, parent_seeds, 32) == [("r0", None, 0), ("r3", "r1", 0), ("r3", "r0", 1)]


@pytest.mark.parametrize("max_depth", [5, 64, None])
def test_ancestor_chain_lists_each_version_of_a_cycle_once(tree, max_depth) -> None:
    """Cut or not, a cycle ends the walk; each version is listed once, at its smallest depth (before: c1, c2, c1, ...
    up to the cut)."""
    rows = _chain(tree, "SELECT 'c1', 'c1'", max_depth)
    assert [(rid, depth) for _, rid, depth in rows] == [("c1", 0), ("c2", 1)]


@pytest.mark.parametrize("max_depth", [16, 32, 64, None])
def test_a_duplicated_id_on_a_cycle_does_not_grow_the_walk(tmp_path: Path, max_depth) -> None:
    """A tampered table holding 'a' twice, once its own parent and once b's, with b's parent 'a': each step of the
    walk doubled its rows (6,763 at depth 16; the cuts 32 and 64 of push and PII review never came back)."""
    con = db.connect(tmp_path / "cat.duckdb")
    con.executemany(
        "INSERT INTO records (record_id, doc_key, source_id, locator, version_of, status, run_id, created_at, stage)"
        " VALUES (?, 'd', 's', 'l', ?, 'superseded', 'r', now(), 'ingest')",
        [("a", "a"), ("a", "b"), ("b", "a")],
    )
    try:
        assert _chain(con, "SELECT 'a', 'a'", max_depth) == [("a", "a", 0), ("a", "b", 1)]
        parents = "SELECT record_id, version_of FROM records WHERE record_id = 'b'"
        assert _chain(con, parents, max_depth) == [("b", "a", 0), ("b", "b", 1)]
    finally:
        con.close()


def test_ancestor_chain_without_a_cut_walks_the_whole_chain(tmp_path: Path) -> None:
    """No ``max_depth``: a 100-deep chain to its root (seeds with a parameter, read once), and a start of no chain."""
    con = db.connect(tmp_path / "cat.duckdb")
    con.execute(
        "INSERT INTO records (record_id, doc_key, source_id, locator, version_of, status, run_id, created_at, stage)"
        " SELECT 'v' || i, 'd', 's', 'l', CASE WHEN i > 0 THEN 'v' || (i - 1) END, 'superseded', 'r', now(), 'ingest'"
        " FROM range(101) t(i)"
    )
    seeds = "SELECT record_id, record_id FROM records WHERE record_id IN (SELECT unnest(?::VARCHAR[]))"
    sql = f"WITH RECURSIVE {ancestor_chain_cte('chain', seeds)} SELECT * FROM chain ORDER BY start_id, depth"
    try:
        rows = con.execute(sql, [["v100", "v3", "nope"]]).fetchall()
    finally:
        con.close()
    assert rows == [("v100", f"v{100 - d}", d) for d in range(101)] + [("v3", f"v{3 - d}", d) for d in range(4)]


def test_ancestor_chain_names_its_start_column(tree) -> None:
    cte = ancestor_chain_cte("chain", "SELECT 'r1', 'r1'", max_depth=3, start="reviewed")
    assert tree.execute(f"WITH RECURSIVE {cte} SELECT reviewed, rid FROM chain ORDER BY depth").fetchall() == [
        ("r1", "r1"),
        ("r1", "r0"),
    ]


DEEP = 10_000


def test_a_10000_deep_chain(tmp_path: Path) -> None:
    """Every walk reaches the far end of a long chain (sets: each version once), the depth-cut one stops at its
    depth."""
    con = db.connect(tmp_path / "deep.duckdb")
    con.execute(
        "INSERT INTO records (record_id, doc_key, source_id, locator, version_of, status, run_id, created_at, stage)"
        " SELECT 'v' || i, 'd', 's', 'l', CASE WHEN i > 0 THEN 'v' || (i - 1) END, 'superseded', 'r', now(), 'ingest'"
        f" FROM range({DEEP + 1}) t(i)"
    )
    try:
        assert _ancestors(con, [f"v{DEEP}"]) == {f"v{i}" for i in range(DEEP + 1)}
        assert _descendants(con, ["v0"]) == {f"v{i}" for i in range(DEEP + 1)}
        rows = _chain(con, f"SELECT 'v{DEEP}', 'v{DEEP}'", 32)
        assert [(rid, depth) for _, rid, depth in rows] == [(f"v{DEEP - d}", d) for d in range(33)]
    finally:
        con.close()
