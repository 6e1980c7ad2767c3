"""Where a read-only connection spills what does not fit its memory cap: a folder of this process's own."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

#: the spill folders' names: ``curate-spill-<pid>-<random>``
PREFIX = "curate-spill-"


@lru_cache(maxsize=1)
def private_spill_dir() -> str:
    """This process's own folder for what a read-only connection spills past its memory cap (removed at exit).

    DuckDB's default is ``<catalogue>.tmp`` beside the catalogue, shared by every process: two auditors' queries
    over their caps wrote the same ``duckdb_temp_storage_*.tmp`` names there and both failed ("Corrupt temporary
    file"). One folder per process, not per connection: DuckDB refuses a second connection to a database it has
    open under another configuration."""
    import atexit
    import os
    import shutil
    import tempfile

    _sweep(Path(tempfile.gettempdir()))
    folder = tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _sweep(tmp: Path) -> None:
    """Remove the spill folders of this user's processes that are gone: ``atexit`` never runs after a kill -9 or
    the out-of-memory killer, and a killed query left up to the temporary folder's size behind (its folder
    name holds its process id)."""
    import os
    import shutil

    for folder in tmp.glob(f"{PREFIX}*-*"):
        pid = folder.name[len(PREFIX) :].split("-", 1)[0]
        try:
            if not pid.isdigit() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # alive under another user (EPERM), or the folder went meanwhile
