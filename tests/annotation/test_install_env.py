"""Installing Label Studio runs pip, which runs the build scripts of what it installs (a third party's code): it ran
them with the whole environment of the command, the PII key, the portal's secret and the API tokens included. It runs
them without those now, as the server itself is started (``tests/annotation/test_server_secrets.py``)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from annotation import server


def test_installing_label_studio_hands_no_secret_to_pip(tmp_path: Path, monkeypatch) -> None:
    seen = tmp_path / "seen.env"
    # the interpreter that makes the virtualenv (LABEL_STUDIO_PYTHON): records what it was given, then fails
    py = tmp_path / "python"
    py.write_text(f"#!/bin/sh\nenv > {seen}\nexit 1\n", encoding="utf-8")
    py.chmod(stat.S_IRWXU)
    monkeypatch.setenv("CURATE_PII_KEY", "7c" * 32)
    monkeypatch.setenv("CURATE_WEB_SECRET", "w" * 40)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY__CTBC", "tok-ctbc-secret")
    # the server's own admin password and Django key (`labelstudio start` installs on its first start): the server
    # needs them, pip's build scripts do not
    monkeypatch.setenv("LABEL_STUDIO_PASSWORD", "ls-admin-password-secret")
    monkeypatch.setenv("SECRET_KEY", "django-secret-key-secret")
    with pytest.raises(server.ServerError, match="installing Label Studio failed"):
        server.install(server.ServerPaths(tmp_path / "cache"), python=str(py), quiet=True)
    env = seen.read_text(encoding="utf-8")
    assert "PATH=" in env and os.environ["PATH"] in env  # the rest of the environment is kept
    assert "7c" * 32 not in env and "w" * 40 not in env and "tok-ctbc-secret" not in env
    assert "ls-admin-password-secret" not in env and "django-secret-key-secret" not in env
    assert "CURATE_PII_KEY" not in env and "CURATE_WEB_" not in env and "LABEL_STUDIO_API_KEY" not in env
