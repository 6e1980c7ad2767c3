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


def test_the_workbench_secrets_are_not_in_the_server_environment(label_studio) -> None:
    """The server inherited the whole environment of the command that started it: the PII key (the tests' conftest
    sets one) sat in the environment of a third party's web application that annotators of every bank reach."""
    import os

    pid = server.read_pid(label_studio.paths)
    assert pid and os.environ.get("CURATE_PII_KEY")
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    names = {part.split(b"=", 1)[0] for part in environ}
    assert not any(n.startswith((b"CURATE_PII_KEY", b"CURATE_WEB_", b"LABEL_STUDIO_API_KEY")) for n in names)
    assert not any(os.environ["CURATE_PII_KEY"].encode() in part for part in environ)


def test_secret_key_read_as_a_variable_name_is_replaced_once_and_kept(tmp_path: Path) -> None:
    # Label Studio draws its key from an alphabet with '$'; django-environ reads "$..." as another variable's
    # name, so such a data directory got a new key (and lost every token) at each start
    data = tmp_path / "data"
    data.mkdir()
    (data / ".env").write_text("\nOTHER=1\nSECRET_KEY=$k3y(-x\nSECRET_KEY=drawn-at-a-restart\n")
    key = server.ensure_secret_key(data)
    assert key and not key.startswith("$") and key != "drawn-at-a-restart"
    text = (data / ".env").read_text()
    assert text.count("SECRET_KEY=") == 1 and "OTHER=1" in text
    assert (data / ".env").stat().st_mode & 0o777 == 0o600
    assert server.ensure_secret_key(data) == key  # stable: the next start signs with the same key
    # a sound key is kept as it is (the tokens it signed stay valid); a missing file gets a new one
    (data / ".env").write_text("SECRET_KEY=abc$def%^&*\n")
    assert server.ensure_secret_key(data) == "abc$def%^&*"
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    assert server.ensure_secret_key(fresh) == server.ensure_secret_key(fresh)


def test_restarted_server_keeps_its_key_and_token(label_studio, tmp_path: Path) -> None:
    # a real server whose data directory holds a key Label Studio cannot read back: restarted twice, it
    # signs with one key (the .env is not appended to at each start) and its token keeps working
    user, pw = label_studio.user, PASSWORD
    paths, url, token = server.start_from_template(server.default_cache(), tmp_path, user=user, password=pw)
    try:
        env_file = paths.data / ".env"
        assert env_file.read_text().count("SECRET_KEY=") == 1
        port = int(url.rsplit(":", 1)[1])
        for _ in range(2):
            server.stop(paths)
            server.start(paths, port=port, username=user, password=pw)
            assert server.token_is_valid(url, token)
        assert env_file.read_text().count("SECRET_KEY=") == 1
        server.stop(paths)
        env_file.write_text("SECRET_KEY=$unreadable\n")  # what one Label Studio data directory in fifty holds
        for _ in range(2):
            server.start(paths, port=port, username=user, password=pw)
            server.stop(paths)
        lines = [ln for ln in env_file.read_text().splitlines() if ln.startswith("SECRET_KEY=")]
        assert len(lines) == 1 and not lines[0].startswith("SECRET_KEY=$")
    finally:
        server.stop(paths)
