"""Read a catalogue file in a test: one read-only connection per query, closed before the next step writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb


def query(path: Path, sql: str, params: Any = None) -> list[tuple]:
    """Rows of ``sql`` on the catalogue at ``path``, opened read-only and closed again."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
