"""Where a read-only connection spills what does not fit its memory cap: a folder of this process's own."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def private_spill_dir() -> str:
    """This process's own folder for what a read-only connection spills past its memory cap (removed at exit).

    DuckDB's default is ``<catalogue>.tmp`` beside the catalogue, shared by every process: two auditors' queries
    over their caps wrote the same ``duckdb_temp_storage_*.tmp`` names there and both failed ("Corrupt temporary
    file"). One folder per process, not per connection: DuckDB refuses a second connection to a database it has
    open under another configuration."""
    import atexit
    import shutil
    import tempfile

    folder = tempfile.mkdtemp(prefix="curate-spill-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder
