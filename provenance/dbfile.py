"""A catalogue path on disk before DuckDB opens it: a 0-byte file (``touch``, ``mktemp``) is made like a new path;
a path DuckDB cannot open well is refused (:func:`refuse_unopenable`)."""

from __future__ import annotations

import os
from pathlib import Path

from provenance.errors import UsageError


def zero_bytes(path: Path) -> bool:
    """A regular file of 0 bytes without a WAL beside it (a WAL could hold what was never checkpointed)."""
    return path.is_file() and not path.is_symlink() and not path.stat().st_size and not Path(f"{path}.wal").exists()


def remove_empty(path: Path) -> None:
    """Remove the 0-byte file at ``path`` under a lock on it, only if the path still names that file and it is
    still empty: two writers on one touched file both unlinked it (the second one's traceback), and one could
    have removed the catalogue the other had just created in its place."""
    import fcntl
    import os

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return  # gone already (another writer), or not a plain file: DuckDB's own open says what it is
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held = os.fstat(fd)
        try:
            now = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            return
        if (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino) and zero_bytes(path):
            path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def refuse_unopenable(path: str | Path) -> None:
    """:class:`UsageError` for a catalogue ``path`` DuckDB cannot open well, read as DuckDB opens it: absolute, links
    resolved (a relative --db run in such a folder, review 15 integ; a link to one: `link/cat.duckdb` logged to
    `Q&A.wal?/cat.duckdb`, post-review)."""
    full = os.path.realpath(str(path))
    # bytes that are not UTF-8 (a Big5 folder name): a traceback; in the path as given too (DuckDB opens that one),
    # a link so named to a catalogue whose own path is UTF-8 passed the resolved check (review 17)
    for named in (str(path), full):
        if any("\udc80" <= c <= "\udcff" for c in named):
            shown = named.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise UsageError(
                f"catalogue `{shown}`: its path is not UTF-8 text, which DuckDB cannot open; move or rename it"
            )
    if "?" in full:  # DuckDB names the WAL by cutting at `?`: `a.wal?b/c.duckdb` (no commit), `c.wal?d.duckdb`
        raise UsageError(f"catalogue `{full}`: DuckDB misplaces the log of a catalogue whose path holds `?`; rename it")
