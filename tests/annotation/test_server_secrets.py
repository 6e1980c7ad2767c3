"""The Label Studio admin password never reaches a process command line (issue 12 §6)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotation import server

pytestmark = pytest.mark.labelstudio
PASSWORD = "test-only-password-1"  # tests/annotation/conftest.py starts the session's server with it


def test_admin_password_is_not_on_the_command_line(label_studio) -> None:
    pid = server.read_pid(label_studio.paths)
    assert pid
    # any local user can read /proc/PID/cmdline (and `ps`); the password travels in the environment
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert cmdline and not any(PASSWORD.encode() in part for part in cmdline)
    assert b"--password" not in cmdline
    # and the server took its admin user from the environment (the session's token came from that login)
    assert server.is_up(label_studio.url) and label_studio.token
