"""What a killed auditor leaves in the temporary folder, and two writers on one 0-byte catalogue file (review 8)."""

from __future__ import annotations

import os
import subprocess
import sys

from provenance import spill
from provenance.dbfile import remove_empty


def test_a_killed_processs_spill_folder_is_swept_by_the_next_one(tmp_path):
    """``atexit`` never runs after kill -9 or the out-of-memory killer: the next process removes the folders of
    processes that are gone (their pid is in the name) and leaves a living one's alone."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    gone = tmp_path / f"{spill.PREFIX}{int(dead.stdout)}-abc"
    (gone / "sub").mkdir(parents=True)
    (gone / "sub" / "duckdb_temp_storage_DEFAULT-0.tmp").write_bytes(b"x" * 1024)
    alive = tmp_path / f"{spill.PREFIX}{os.getpid()}-def"
    alive.mkdir()
    other = tmp_path / "curate-spill-notapid-x"
    other.mkdir()
    spill._sweep(tmp_path)
    assert not gone.exists()
    assert alive.exists() and other.exists()


def test_an_empty_file_is_removed_only_while_the_path_still_names_it(tmp_path):
    """Two writers on one touched file both unlinked it (the second one's FileNotFoundError traceback), and the
    second could remove the catalogue the first had just created in its place."""
    path = tmp_path / "c.duckdb"
    remove_empty(path)  # gone already: nothing to do, no error
    path.write_bytes(b"")
    remove_empty(path)
    assert not path.exists()
    path.write_bytes(b"DUCK")  # the first writer's new catalogue in its place: not empty, kept
    remove_empty(path)
    assert path.read_bytes() == b"DUCK"


def test_writers_racing_on_one_touched_file_all_open_it(tmp_path):
    path = tmp_path / "z.duckdb"
    code = (
        "import sys; from provenance.db import connect; c = connect(sys.argv[1]);"
        " c.execute('CREATE TABLE IF NOT EXISTS race(tag VARCHAR)'); c.execute('INSERT INTO race VALUES (?)', [sys.argv[2]]);"
        " c.close()"
    )
    for _ in range(3):
        path.unlink(missing_ok=True)
        path.write_bytes(b"")
        procs = [
            subprocess.Popen([sys.executable, "-c", code, str(path), tag], stderr=subprocess.PIPE, text=True)
            for tag in "AB"
        ]
        errs = [p.communicate(timeout=120)[1] for p in procs]
        assert [p.returncode for p in procs] == [0, 0], errs
        import duckdb

        con = duckdb.connect(str(path), read_only=True)
        assert sorted(r[0] for r in con.execute("SELECT tag FROM race").fetchall()) == ["A", "B"]
        con.close()
