"""An error DuckDB meets after the first rows of an auditor query (review 17).

The rows come as an Arrow stream (`provenance/sqlrun.py`), which carries DuckDB's errors as pyarrow's
``OSError``: a conversion error in a later chunk, or a result type Arrow cannot hold (``VARIANT``), was a Python
traceback of `curate sql` and `curate audit sql` instead of DuckDB's one line.
"""

from __future__ import annotations

import pytest

LATE_ERROR = "SELECT CASE WHEN x > 250000 THEN ('a' || x)::INT ELSE x END AS y FROM range(500000) t(x)"


@pytest.mark.parametrize("command", ["sql", "audit sql"])
@pytest.mark.parametrize(
    "query, said",
    [
        (LATE_ERROR, "Could not convert string 'a250001' to INT32"),
        ("SELECT 1::VARIANT AS v", "CAST(column AS VARCHAR) can"),
    ],
)
def test_error_in_the_stream_is_one_line(mixed, cli, command, query, said):
    code, out, err = cli(*command.split(), query)
    lines = err.strip().splitlines()
    assert code == 1 and len(lines) == 1, err
    assert lines[0].startswith("curate: error: query failed:") and said in lines[0], err
    assert "Traceback" not in out + err and out == ""
