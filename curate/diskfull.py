"""A file that could not be written because the disk is full (or a file-size limit or quota was reached): told apart
from other errors, so that the one-line error says so instead of "a bug" or a traceback. No heavy imports: the CLI
reads it on its error path."""

from __future__ import annotations

import errno
import os
import re

#: what the system says when a file cannot grow: a full disk, a file-size limit (``ulimit -f``), a quota
_FULL = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
_REASONS = "|".join(re.escape(os.strerror(code)) for code in sorted(_FULL))
#: DuckDB's message for a file it could not open, write, sync or grow: ``Could not write file "PATH": REASON``
_DUCKDB = re.compile(rf'file "([^"]+)": ({_REASONS})')


def write_failure(exc: BaseException) -> tuple[str, str] | None:
    """``(why, file)`` when ``exc`` is a file that could not be written because the disk is full (or a file-size
    limit or quota was reached): an ``OSError`` of the run's own files (``file`` may be empty), or DuckDB's
    ``IOException`` or failed commit that names the file and then the system's reason. None for any other error.

    >>> write_failure(OSError(errno.ENOSPC, "No space left on device", "/w/00000.parquet"))
    ('No space left on device', '/w/00000.parquet')
    >>> write_failure(ValueError("x")) is None
    True
    >>> write_failure(OSError(errno.EACCES, "Permission denied", "/w/00000.parquet")) is None
    True
    >>> _DUCKDB.search('IO Error: Could not write file "/w/c.duckdb.wal": No space left on device').groups()
    ('/w/c.duckdb.wal', 'No space left on device')
    >>> _DUCKDB.search('IO Error: No files found that match the pattern "/in/File too large.csv"') is None
    True
    """
    if isinstance(exc, OSError) and exc.errno in _FULL:
        return os.strerror(exc.errno), str(exc.filename or "")
    if "duckdb" not in (type(exc).__module__ or ""):
        return None
    first = str(exc).splitlines()[0] if str(exc) else ""
    # the system's reason after the file DuckDB names (`Could not write file "PATH": REASON`), never the same words
    # elsewhere: in a path (`No files found that match the pattern "/in/File too large.csv"`) or a value
    # (`Could not convert string 'No space left on device' to INT32`)
    found = _DUCKDB.search(first)
    return (found.group(2), found.group(1)) if found else None
