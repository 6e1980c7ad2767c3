"""`curate serve adduser` and `curate serve` start-up checks (no server is started here)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from curate import cli as cli_mod


def _run(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    with CliRunner().isolation(input=stdin) as streams:
        code = cli_mod.run(args)
        return code, streams[0].getvalue().decode(), streams[1].getvalue().decode()


def test_adduser_stores_only_an_argon2_hash(demo_catalogue, tmp_path):
    users = tmp_path / "users.json"
    code, out, err = _run(
        [
            "--db",
            str(demo_catalogue["path"]),
            "serve",
            "adduser",
            "alice",
            "--role",
            "auditor",
            "--users",
            str(users),
            "--password-stdin",
        ],
        "correct horse battery\n",
    )
    assert code == 0, err
    data = json.loads(users.read_text())
    assert data["users"]["alice"]["role"] == "auditor"
    assert data["users"]["alice"]["hash"].startswith("$argon2id$")
    assert "correct horse" not in users.read_text()
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    for role, pw, msg in (("admin", "long enough pw", "unknown role"), ("bank:CTBC", "short", "at least 10")):
        code, out, err = _run(
            ["serve", "adduser", "bob", "--role", role, "--users", str(users), "--password-stdin"], pw + "\n"
        )
        assert code != 0 and msg in err and "Traceback" not in err


def test_adduser_warns_of_a_bank_code_not_in_capitals(tmp_path):
    """`bank:esun` was saved without a word, and its user saw nothing licensed to `member:ESUN` (codes compared
    exactly; review 13's portal review). It is still saved as given (a catalogue may name a bank so), with a
    warning; `bank:ESUN` and `auditor` get none."""
    users = tmp_path / "users.json"
    args = ["serve", "adduser", "--users", str(users), "--password-stdin"]
    code, _, err = _run([*args, "esun", "--role", "bank:esun"], "long enough pw\n")
    assert code == 0 and "warning" in err and "member:ESUN" in err and "bank:ESUN" in err, err
    assert json.loads(users.read_text())["users"]["esun"]["role"] == "bank:esun"
    for name, role in (("esun2", "bank:ESUN"), ("alice", "auditor"), ("sk", "bank:SK_BANK.2")):
        code, _, err = _run([*args, name, "--role", role], "long enough pw\n")
        assert code == 0 and "warning" not in err, err


_CURATE = [sys.executable, "-c", "import sys; from curate.cli import main; sys.exit(main())"]


@pytest.mark.skipif(os.name != "posix", reason="a process without a controlling terminal (setsid)")
def test_adduser_without_a_terminal_says_to_use_password_stdin(tmp_path):
    """A steward scripting users (`echo PW | curate serve adduser alice --role auditor`, no --password-stdin, from
    cron or CI: no terminal at all) got click's prompt on the pipe: "Warning: Password input may be echoed", the
    confirmation read end of file, and "curate: aborted", exit 1, which says neither what went wrong nor how to fix
    it. It is one line naming --password-stdin now (exit 2), and no user is written. A new session: no controlling
    terminal, even when the tests run at one."""
    users = tmp_path / "users.json"
    proc = subprocess.run(
        [*_CURATE, "serve", "adduser", "alice", "--role", "auditor", "--users", str(users)],
        input="correct horse battery\n",
        capture_output=True,
        text=True,
        start_new_session=True,
        timeout=120,
    )
    code, out, err = proc.returncode, proc.stdout, proc.stderr
    assert code == 2, (code, out, err)
    assert "--password-stdin" in err and "aborted" not in err and "echoed" not in err + out
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not users.exists()


@pytest.mark.skipif(os.name != "posix", reason="pty")
def test_adduser_at_a_terminal_with_stdin_redirected_still_prompts_there(tmp_path):
    """`while read NAME ROLE; do curate serve adduser "$NAME" --role "$ROLE"; done < users.txt` at a terminal:
    standard input is the file, but the hidden prompt asks on the terminal (getpass reads /dev/tty), and each user
    was saved. Review 11's first fix looked at standard input alone and refused every one of them."""
    import pty
    import select
    import time

    users = tmp_path / "users.json"
    pid, master = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal, standard input is not
        try:
            fd = os.open(os.devnull, os.O_RDONLY)
            os.dup2(fd, 0)
            os.execv(
                sys.executable, [*_CURATE, "serve", "adduser", "alice", "--role", "auditor", "--users", str(users)]
            )
        finally:
            os._exit(127)
    seen, answered, deadline = b"", 0, time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if not select.select([master], [], [], 1)[0]:
                continue
            try:
                chunk = os.read(master, 1024)
            except OSError:  # the child ended: the pty is closed
                break
            if not chunk:
                break
            seen += chunk
            if seen.count(b"password") + seen.count(b"confirmation") > answered:
                os.write(master, b"correct horse battery\n")
                answered += 1
    finally:
        os.close(master)
        _, status = os.waitpid(pid, 0)
    text = seen.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "saved" in text and "--password-stdin" not in text
    assert json.loads(users.read_text())


def test_serve_refuses_to_start_without_users(demo_catalogue, tmp_path):
    code, out, err = _run(["--db", str(demo_catalogue["path"]), "serve", "--users", str(tmp_path / "none.json")])
    assert code != 0 and "curate serve adduser" in err


def test_users_added_at_the_same_time_are_all_kept(tmp_path):
    """Six `curate serve adduser` run at once (a steward scripting the banks' users) each said "saved", and the file
    kept two of them: each read the file, hashed (argon2, ~0.1 s), and wrote its own copy back over the others,
    through one shared users.tmp. The file is now changed under a lock (review 9, web #4). Threads stand in for the
    processes: the lock is an flock on the file's own descriptor, which threads contend for as processes do."""
    import threading

    from curate.web.auth import UserStore

    users = tmp_path / "users.json"
    names = [f"bank{i}" for i in range(6)]
    ready = threading.Barrier(len(names))
    errors: list[BaseException] = []

    def add(i: int) -> None:
        ready.wait()
        try:
            UserStore(users).add(names[i], f"bank:B{i}", "pw-long-enough-1")
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(len(names))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stored = json.loads(users.read_text(encoding="utf-8"))["users"]
    assert sorted(stored) == names
    assert stat.S_IMODE(users.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["users.json", "users.json.lock"]  # no temporary file left


def test_a_users_file_of_the_wrong_shape_is_one_line(demo_catalogue, tmp_path):
    """A hand-edited users file whose "users" is a number ended `curate serve` and `serve adduser` in a TypeError
    traceback, and one whose "users" is a list of pairs was read as users (dict() of pairs) and rewritten by adduser;
    both are now the one-line error a file that is not JSON gets (review 9, web #8)."""
    users = tmp_path / "users.json"
    users.touch(mode=0o600)  # (one every user may read or write is refused: test_a_users_file_others_may_write)
    for text in ('{"users": 3}', '{"users": [["alice", "auditor"]]}', '[{"users": {}}]'):
        users.write_text(text, encoding="utf-8")
        code, out, err = _run(
            ["serve", "adduser", "bob", "--role", "auditor", "--users", str(users), "--password-stdin"],
            "long enough pw\n",
        )
        assert code != 0 and f"cannot read the portal users file `{users}`" in err and "Traceback" not in err, err
        assert users.read_text(encoding="utf-8") == text  # not rewritten
    users.write_text('{"users": 3}', encoding="utf-8")
    code, out, err = _run(["--db", str(demo_catalogue["path"]), "serve", "--users", str(users)])
    assert code != 0 and "cannot read the portal users file" in err and "Traceback" not in err, err


def test_a_users_file_others_may_write_is_refused(demo_catalogue, tmp_path):
    """The users file was read whatever its mode: one every user of the machine may write (a copy made 0666, a
    shared folder) let anyone add an auditor of their own, and one they may read gave them the argon2 hashes to
    crack offline. It is refused as the portal secret is, in one line, and nothing is written."""
    users = tmp_path / "users.json"
    code, _, err = _run(
        ["serve", "adduser", "alice", "--role", "auditor", "--users", str(users), "--password-stdin"],
        "long enough pw\n",
    )
    assert code == 0 and (users.stat().st_mode & 0o777) == 0o600, err
    before = users.read_bytes()
    for mode in (0o666, 0o644):
        users.chmod(mode)
        code, _, err = _run(
            ["serve", "adduser", "mallory", "--role", "auditor", "--users", str(users), "--password-stdin"],
            "long enough pw\n",
        )
        assert code != 0 and len(err.strip().splitlines()) == 1 and "chmod 600" in err and str(users) in err, err
        assert users.read_bytes() == before
        code, _, err = _run(["--db", str(demo_catalogue["path"]), "serve", "--users", str(users)])
        assert code != 0 and "every user of this machine" in err and "Traceback" not in err, err
        # a mounted users file (a Docker secret 0444, a Kubernetes secret volume 0644): chmod does nothing there
        assert f"install -m 600 {users} COPY" in err and "--users COPY" in err, err


def test_serving_beyond_loopback_warns_to_put_a_reverse_proxy_in_front(demo_catalogue, tmp_path, monkeypatch):
    """uvicorn has no timeout for a request's headers: a client that sends them a byte at a time holds its connection
    as long as it likes, and many such (slow-loris) use up the portal's. `--host 0.0.0.0` said nothing of it; it now
    says to put a reverse proxy in front (review 12, second look). Loopback, the default, says nothing."""
    import uvicorn

    monkeypatch.setattr(uvicorn.Server, "run", lambda self, *a, **k: None)  # no server is started here
    users = tmp_path / "users.json"
    code, _, err = _run(
        ["serve", "adduser", "alice", "--role", "auditor", "--users", str(users), "--password-stdin"],
        "correct horse battery\n",
    )
    assert code == 0, err
    for host, warned in (("0.0.0.0", True), ("10.1.2.3", True), ("127.0.0.1", False), ("::1", False)):
        argv = ["--db", str(demo_catalogue["path"]), "serve", "--users", str(users), "--host", host, "--port", "1"]
        code, out, err = _run(argv)
        assert code == 0, err
        if warned:
            assert "reverse proxy" in err and "slow clients" in err, host
        else:
            assert "warning" not in err, host
