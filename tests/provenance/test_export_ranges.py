"""An export selects its candidates range by range (issue 17: memory flat in N): same rows, same order,
same files as one sorted query, whatever the range size."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

from provenance import _selection

sys.path.insert(0, str(Path(__file__).parent))
from test_export import _export  # noqa: E402


def _rows(db_path: Path) -> tuple[list[tuple], list[tuple]]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(_selection.SELECT).fetchall(), [r for b in _selection.candidate_batches(con) for r in b]
    finally:
        con.close()


def _batches(db_path: Path) -> list[list[tuple]]:
    """The batches :func:`provenance._selection.candidate_batches` yields (one per range while ranges are small)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return list(_selection.candidate_batches(con))
    finally:
        con.close()


@pytest.mark.parametrize(("range_rows", "fetch_rows"), [(1, 1), (2, 3), (3, 2), (5, 5000), (10**6, 5000)])
def test_ranges_give_the_rows_of_one_sorted_query(mixed, db_path, monkeypatch, range_rows, fetch_rows):
    con = duckdb.connect(str(db_path))
    try:  # a withdrawn leaf is a candidate, a withdrawn record with a derived version and a superseded one are not
        ids = [r[0] for r in con.execute("SELECT record_id FROM records ORDER BY record_id").fetchall()]
        con.execute("UPDATE records SET status = 'withdrawn' WHERE record_id = ?", [ids[1]])
        con.execute("UPDATE records SET status = 'superseded' WHERE record_id = ?", [ids[-1]])
    finally:
        con.close()
    monkeypatch.setattr(_selection, "RANGE_ROWS", range_rows)
    monkeypatch.setattr(_selection, "FETCH_ROWS", fetch_rows)
    whole, ranged = _rows(db_path)
    assert len(whole) >= 8 and ranged == whole
    assert ids[1] in {r[0] for r in ranged} and ids[-1] not in {r[0] for r in ranged}


def test_export_files_do_not_depend_on_the_range_size(mixed, cli, tmp_path, monkeypatch):
    a = _export(cli, tmp_path / "a")
    monkeypatch.setattr(_selection, "RANGE_ROWS", 2)
    monkeypatch.setattr(_selection, "FETCH_ROWS", 3)
    b = _export(cli, tmp_path / "b")
    assert a["export_id"] == b["export_id"] and a["records"] >= 3
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


@pytest.mark.parametrize("budget", [1, 2_000])
def test_ranges_cut_by_text_bytes_give_the_same_rows(mixed, db_path, monkeypatch, budget):
    """A range also ends where its texts (and 512 bytes a row) reach the byte budget: 1 byte puts every record in a
    range of its own, yet the rows and their order are those of the one sorted query."""
    monkeypatch.setattr(_selection, "range_bytes", lambda con: budget)
    whole, _ = _rows(db_path)
    batches = _batches(db_path)
    assert len(whole) >= 8 and [r for b in batches for r in b] == whole
    if budget == 1:
        assert len(batches) == len(whole)  # one range (one batch) per record


def test_range_bytes_is_a_share_of_the_cap() -> None:
    con = duckdb.connect()
    try:
        con.execute("SET memory_limit = '1GB'")
        one_gb = _selection.range_bytes(con)
        con.execute("SET memory_limit = '128MB'")
        assert _selection.range_bytes(con) * 7 < one_gb < _selection.range_bytes(con) * 9
    finally:
        con.close()


def test_long_titles_count_against_the_budget(mixed, db_path, monkeypatch):
    """Titles are sorted with the texts: 10,000-character titles under a 10,000-byte budget put every record in a
    range of its own (counting texts alone, several shared one: a review ran out of a 48 MB cap with 9 KB titles)."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute("UPDATE records SET title = repeat('題', 3334)")
    finally:
        con.close()
    monkeypatch.setattr(_selection, "range_bytes", lambda con: 10_000)
    whole, _ = _rows(db_path)
    batches = _batches(db_path)
    assert [r for b in batches for r in b] == whole
    assert len(batches) == len(whole)
