"""A catalogue path on disk before DuckDB opens it: a 0-byte file (``touch``, ``mktemp``) is made like a new path."""

from __future__ import annotations

from pathlib import Path


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
