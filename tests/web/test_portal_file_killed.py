"""`curate serve adduser` killed while it wrote the users file (review 13, crash).

The temporary file it writes before renaming it into place held every user's password hash: a kill left it beside
the users file for good, and each later kill another. A writer holds the file's lock, so a temporary file there is
a dead writer's: the next one removes it. The file is synced before the rename (a power cut left it empty)."""

from __future__ import annotations

import os
import subprocess
import sys

from curate.web.auth import UserStore

_CURATE = [sys.executable, "-c", "import sys; from curate.cli import main; sys.exit(main())"]


def _adduser(users, name: str, fault: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_CURATE, "serve", "adduser", name, "--role", "auditor", "--users", str(users), "--password-stdin"],
        input=b"correct horse battery\n",
        capture_output=True,
        timeout=120,
        env={**os.environ, "CURATE_FAULT": fault},
    )


def test_a_killed_adduser_leaves_no_copy_of_the_hashes_behind(tmp_path):
    users = tmp_path / "users.json"
    assert _adduser(users, "alice").returncode == 0
    proc = _adduser(users, "bob", fault="portal_file_written")
    assert proc.returncode == -9, proc.stderr
    (left,) = tmp_path.glob(".users.json.*.tmp")
    assert "bob" in left.read_text(encoding="utf-8")
    mine = tmp_path / ".users.json.backup.tmp"  # not a name the writer makes: never removed
    mine.write_text("{}", encoding="utf-8")
    assert UserStore(users).names() == ["alice"]
    assert _adduser(users, "carol").returncode == 0
    assert list(tmp_path.glob(".users.json.*.tmp")) == [mine]
    assert UserStore(users).names() == ["alice", "carol"]
