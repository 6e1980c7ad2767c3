"""An auditor query's one huge cell is refused without walking all of it (review 13, `provenance/sqlrun.py`).

`SELECT list(x) FROM range(10000000) t(x)` under a small `$CURATE_SQL_RESULT` was counted value by value in Python
(32 s) before its refusal, a walk that `$CURATE_SQL_TIMEOUT` cannot interrupt; counting stops once past the budget.
"""

from __future__ import annotations

import duckdb
import pytest

from provenance.errors import ReadOnlyError
from provenance.sqlrun import _cell_size, fetch_bounded


def test_counting_a_cell_stops_past_the_budget():
    big = list(range(1_000_000))
    assert _cell_size(big) == 8 + 8 * len(big)
    counted = _cell_size(big, limit=1_000)
    assert 1_000 < counted < 1_100  # stopped a value or two past the limit, not at 8 MB


def test_a_row_of_nested_values_stops_too():
    row = ("a" * 10, [["x" * 5] * 1000] * 1000, {"k": list(range(1000))})
    full = sum(_cell_size(v) for v in row)
    assert full > 1_000_000
    assert _cell_size(row[1], limit=500) < 600


def test_a_huge_cell_from_duckdb_is_refused_in_one_line():
    cur = duckdb.connect().execute("SELECT list(x) AS l FROM range(2000000) t(x)")
    with pytest.raises(ReadOnlyError, match="CURATE_SQL_RESULT") as exc:
        fetch_bounded(cur, 10_000)
    assert "\n" not in str(exc.value)


def test_rows_within_the_budget_are_all_returned():
    cur = duckdb.connect().execute("SELECT x, [x, x] AS l, repeat('銀', 3) AS s FROM range(500) t(x) ORDER BY x")
    rows = fetch_bounded(cur, 10**6)
    assert len(rows) == 500 and rows[-1] == (499, [499, 499], "銀銀銀")
