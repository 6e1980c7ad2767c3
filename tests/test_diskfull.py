"""A full disk told apart from other errors (`curate/diskfull.py`): a wrong diagnosis is worse than a traceback."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from curate.diskfull import write_failure


def _error(sql: str) -> duckdb.Error:
    con = duckdb.connect()
    try:
        with pytest.raises(duckdb.Error) as raised:
            con.execute(sql)
    finally:
        con.close()
    return raised.value


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 'No space left on device'::INT",  # a value quoted in the message (a record's text)
        "SELECT * FROM read_csv('/nowhere/File too large.csv')",  # a path quoted in the message
        "SELECT * FROM read_csv('/nowhere/Disk quota exceeded/in.csv')",
    ],
    ids=["value", "path", "folder"],
)
def test_the_same_words_elsewhere_in_duckdbs_message_are_no_full_disk(sql: str) -> None:
    """The system's reason was looked for anywhere in the message's first line: a conversion error quoting the text
    `No space left on device`, or a missing file whose path held `File too large`, was called a full disk (the
    one-line error then told to free space and run again, and a stage run was marked failed for it)."""
    assert write_failure(_error(sql)) is None


def test_duckdbs_full_disk_names_the_file(tmp_path: Path) -> None:
    import errno
    import os

    why = os.strerror(errno.ENOSPC)
    exc = duckdb.IOException(f'IO Error: Could not write file "{tmp_path}/c.duckdb.wal": {why}')
    assert write_failure(exc) == (why, f"{tmp_path}/c.duckdb.wal")
