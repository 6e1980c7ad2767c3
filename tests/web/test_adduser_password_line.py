"""`curate serve adduser --password-stdin` fed a line with a CRLF (a password file saved on Windows, `type pw.txt |`).

The line's CR was kept in the password: the steward's user could not log in with the password they had typed (a
browser form sends no CR), and nothing said why.
"""

from __future__ import annotations

import os
import subprocess
import sys

from curate.web.auth import UserStore

_CURATE = [sys.executable, "-c", "import sys; from curate.cli import main; sys.exit(main())"]


def test_a_crlf_line_is_the_password_without_its_cr(tmp_path):
    users = tmp_path / "users.json"
    proc = subprocess.run(
        [*_CURATE, "serve", "adduser", "alice", "--role", "auditor", "--users", str(users), "--password-stdin"],
        input=b"correct horse battery\r\n",
        capture_output=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    store = UserStore(users)
    assert store.authenticate("alice", "correct horse battery") is not None
    assert store.authenticate("alice", "correct horse battery\r") is None


def test_a_password_file_saved_with_a_byte_order_mark(tmp_path):
    """The same password file saved by Notepad as "UTF-8" (with a byte-order mark): the mark was kept as the first
    character of the password, so the user could never log in with the password typed in the browser."""
    users = tmp_path / "users.json"
    proc = subprocess.run(
        [*_CURATE, "serve", "adduser", "alice", "--role", "auditor", "--users", str(users), "--password-stdin"],
        input=b"\xef\xbb\xbfcorrect horse battery\r\n",
        capture_output=True,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 0, proc.stderr
    assert UserStore(users).authenticate("alice", "correct horse battery") is not None
