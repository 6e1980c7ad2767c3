"""`curate export dataset --overwrite` on a full disk as it begins (review 17, crash).

The staging folder was made and its marker could not be written: the folder was left inside the earlier export, whose
`audit verify-export` then failed (an extra file) until another export into the folder settled it, and the error
read `File too large: `None``, choose a writable folder. The half-made staging folder is now removed, the error says
to free space; the disk is filled for real (a file-size limit on the exporting process)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

from .prov_helpers import export_public


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_a_full_disk_leaves_the_earlier_export_verifying(history, db_path, cli, tmp_path):
    out = tmp_path / "e1"
    before = _files(out)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    args = [
        "--purpose",
        "training",
        "--audience",
        "public",
        "--out",
        str(out),
        "--as-of",
        "2026-06-01",
        "--non-commercial",
    ]
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "curate.cli",
            "--db",
            str(db_path),
            "--quiet",
            "export",
            "dataset",
            *args,
            "--overwrite",
        ],
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=cap,
        timeout=300,
    )
    assert res.returncode == 2, res.stdout + res.stderr
    err = res.stderr.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1 and "None" not in err, err
    assert "free space" in err, err
    assert _files(out) == before and not [p for p in out.iterdir() if p.name.startswith(".curate")]
    code, text, err = cli("audit", "verify-export", str(out))
    assert code == 0, text + err
    shutil.rmtree(out)  # room again: the export goes through
    export_public(cli, out, "--as-of", "2026-06-01", "--non-commercial")


def test_a_full_disk_leaves_no_new_out_folder(history, db_path, cli, tmp_path):
    """A new --out on a full disk: the error said the export left nothing there, and the folder it made stayed
    (README: `--out` is left as it was); its new parent folders too (review 17)."""
    out = tmp_path / "new" / "deeper"

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    argv = [sys.executable, "-m", "curate.cli", "--db", str(db_path), "--quiet", "export", "dataset"]
    argv += ["--purpose", "training", "--audience", "public", "--out", str(out), "--as-of", "2026-06-01"]
    res = subprocess.run(
        [*argv, "--non-commercial"], env=env, capture_output=True, text=True, preexec_fn=cap, timeout=300
    )
    assert res.returncode == 2 and "free space" in res.stderr, res.stdout + res.stderr
    assert not (tmp_path / "new").exists()
    export_public(cli, out, "--as-of", "2026-06-01", "--non-commercial")  # room again
