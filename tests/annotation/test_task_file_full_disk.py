"""`annotate push --output` on a full disk (review 14, crash): the half-written `<file>.part`, a copy of the tasks'
texts, stayed beside the output (on the disk that was full, and never checked by `curate pii scan`), and the error
named no file. Now it is removed, the error names --output, and the push run again writes the file. The full disk
is real: the push runs under a file-size limit (``ulimit -f``)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from catalogue_query import query as _q
from ls_records import make_catalogue

ROOT = Path(__file__).resolve().parents[2]


def _push(db: Path, out: Path, limit: int | None = None) -> subprocess.CompletedProcess:
    def limited() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CURATE_FAULT", None)
    argv = [sys.executable, "-m", "curate.cli", "--db", str(db), "annotate", "push", "--project", "topic"]
    return subprocess.run(
        [*argv, "--bank", "CTBC", "--output", str(out)], env=env, capture_output=True, text=True, preexec_fn=limited
    )


def test_a_task_file_that_does_not_fit_leaves_nothing_and_is_named(tmp_path: Path) -> None:
    db, out = tmp_path / "c.duckdb", tmp_path / "tasks" / "t.json"
    con, ids = make_catalogue(db, 200)
    con.close()
    done = _push(db, out, limit=16 * 1024)
    err = done.stderr.strip()
    assert done.returncode == 1 and "Traceback" not in err and len(err.splitlines()) == 1, err
    assert f"--output `{out}`" in err and "could not be written" in err and "File too large" in err, err
    assert sorted(p.name for p in out.parent.iterdir()) == []  # no half-written `t.json.part`
    assert _q(db, "SELECT count(*) FROM annotation_task_files") == [(0,)]
    done = _push(db, out)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(out.read_text("utf-8"))) == len(ids)
    assert sorted(p.name for p in out.parent.iterdir()) == ["t.json"]
    assert _q(db, "SELECT path, tasks FROM annotation_task_files") == [(str(out.resolve()), len(ids))]


def test_a_link_named_like_the_part_file_is_neither_written_through_nor_removed(tmp_path: Path) -> None:
    """A `<file>.part` this push did not make (a link to another file, one to nowhere) was written through (the tasks'
    texts went where it led) or, when it could not be opened, deleted by the cleanup (review 14 of the fixes)."""
    db, out = tmp_path / "c.duckdb", tmp_path / "tasks" / "t.json"
    con, _ = make_catalogue(db, 5)
    con.close()
    out.parent.mkdir()
    victim = tmp_path / "notes.txt"
    victim.write_text("mine", "utf-8")
    for target in (victim, tmp_path / "gone" / "x"):
        part = out.with_name("t.json.part")
        part.symlink_to(target)
        done = _push(db, out)
        err = done.stderr.strip()
        assert done.returncode == 1 and len(err.splitlines()) == 1 and "Traceback" not in err, err
        assert f"--output `{out}`" in err and str(part) in err, err
        assert part.is_symlink() and os.readlink(part) == str(target)  # not ours: left as it was
        assert victim.read_text("utf-8") == "mine" and not out.exists()
        part.unlink()
    assert _q(db, "SELECT count(*) FROM annotation_task_files") == [(0,)]
