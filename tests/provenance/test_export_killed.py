"""An export killed (kill -9, SIGTERM) at any point: ``--out`` never shows an export the catalogue did not record,
an earlier export it was replacing is never hidden, and the next export into ``--out`` settles what was left.

The export once wrote straight into ``--out`` (killed, a folder that looked finished but was never recorded) and
``--overwrite`` first renamed the earlier export to a hidden ``.NAME.previous-PID`` (killed, the catalogue pointed
at a half-written other export). Review 5, export #2 and #3. Each case kills a real ``curate`` process.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import duckdb
import pytest
from killed import run_killed

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ("export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial")
EVALUATION = ("export", "dataset", "--purpose", "evaluation", "--audience", "public", "--non-commercial")


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _curate(db: Path, tmp: Path, *args: str, fault: str = "") -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_FAULT": fault}
    log = tmp / "log.txt"
    rc = run_killed([sys.executable, "-m", "curate.cli", "--db", str(db), *args], env, log)
    return rc, log.read_text(encoding="utf-8")


def _exports(db: Path) -> list[tuple[str, str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT export_id, out_dir FROM exports ORDER BY export_seq").fetchall()
    finally:
        con.close()


def _settled(cli, tmp_path: Path, out: Path) -> None:
    """Nothing left beside --out, and --out is the export the catalogue recorded there last."""
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(f".{out.name}.")) == []
    code, stdout, err = cli("audit", "verify-export", str(out))
    assert code == 0, stdout + err


@pytest.mark.parametrize("overwrite", [False, True])
def test_killed_before_it_was_recorded_leaves_out_as_it_was(mixed, cli, db_path, tmp_path, overwrite):
    out = tmp_path / "a"
    if overwrite:
        assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    before = _tree(out) if overwrite else None
    n_before = len(_exports(db_path))
    extra = ("--overwrite",) if overwrite else ()
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), *extra, fault="export_written")
    assert rc == -signal.SIGKILL, log
    assert (_tree(out) if overwrite else out.exists()) == (before if overwrite else False)
    assert len(_exports(db_path)) == n_before  # nothing recorded, and nothing in --out says otherwise
    assert len(list(tmp_path.glob(".a.staging-*"))) == 1
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), *extra)
    assert rc == 0 and "killed before it was recorded, removed" in log, log
    _settled(cli, tmp_path, out)


@pytest.mark.parametrize("fault", ["export_recorded", "export_moved_aside"])
def test_killed_after_it_was_recorded_is_put_in_place_by_the_next_export(mixed, cli, db_path, tmp_path, fault):
    out = tmp_path / "a"
    assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), "--overwrite", fault=fault)
    assert rc == -signal.SIGKILL, log
    (first, _), (second, where) = _exports(db_path)
    assert where == str(out.resolve()) and second != first
    # the next export into --out finishes the interrupted one, then replaces it as asked
    rc, log = _curate(db_path, tmp_path, *TRAINING, "--out", str(out), "--overwrite")
    assert rc == 0 and "killed after it was recorded is now in place" in log, log
    _settled(cli, tmp_path, out)
    assert _exports(db_path)[-1][0] == first


def test_sigterm_is_a_clean_interrupt(mixed, cli, db_path, tmp_path):
    out = tmp_path / "a"
    assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    before = _tree(out)
    rc, log = _curate(db_path, tmp_path, *EVALUATION, "--out", str(out), "--overwrite", fault="export_written@TERM")
    assert rc == 128 + signal.SIGTERM and "terminated" in log and "Traceback" not in log, log
    assert _tree(out) == before and not list(tmp_path.glob(".a.*"))
    con = duckdb.connect(str(db_path), read_only=True)
    statuses = [r[0] for r in con.execute("SELECT status FROM runs WHERE command = 'export dataset'").fetchall()]
    con.close()
    assert statuses == ["finished", "failed"], statuses
    _settled(cli, tmp_path, out)


def test_an_earlier_export_hidden_by_an_older_version_is_put_back(mixed, cli, db_path, tmp_path):
    """What the old --overwrite left when killed: the recorded export in `.a.previous-PID`, a half-written other one
    in --out. The next export puts the recorded one back (then replaces it as asked); a refusal names the folder."""
    out = tmp_path / "a"
    assert cli("--quiet", *TRAINING, "--out", str(out))[0] == 0
    before = _tree(out)
    aside = tmp_path / ".a.previous-999999999"
    out.rename(aside)
    (out / "data").mkdir(parents=True)
    (out / "manifest.jsonl").write_text('{"record_id": "x"}\n')
    (out / "data" / "train-00000.parquet").write_bytes(b"half")
    code, _, err = cli("--quiet", *TRAINING, "--out", str(out))
    assert code == 2 and "not empty" in err, err  # put back first: the recorded export is what --out holds
    assert _tree(out) == before and not aside.exists()
    _settled(cli, tmp_path, out)
    # a moved-aside folder that is no export of this catalogue is named, not touched
    (tmp_path / ".a.previous-999999998").mkdir()
    (tmp_path / ".a.previous-999999998" / "notes.md").write_text("mine")
    code, _, err = cli("--quiet", *TRAINING, "--out", str(out), "--overwrite")
    assert code == 2 and ".a.previous-999999998" in err and "holds no unchanged export" in err, err
    assert (tmp_path / ".a.previous-999999998" / "notes.md").read_text() == "mine"
