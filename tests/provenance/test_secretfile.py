"""One reader for every secret file (``provenance/secretfile.py``): the PII key file, a Label Studio token file and the
portal's session secret follow the same rules (review 14). Each had its own copy of them, and the copies had drifted:

* a FIFO that no process writes to (``mkfifo``, a secret agent not started yet) was opened blocking, and every
  command that reads a secret waited for ever, with nothing said; it is refused in one line;
* a token or portal secret given through a pipe (``LABEL_STUDIO_API_KEY_FILE=<(cat FILE)``, the way on the
  refusals name for a mounted secret) was read again by each look-up in a process and found empty the second time
  (``is empty``, ``too short``), as the PII key had been before it kept what its pipe held.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "tok-" + "9" * 40
SECRET = "s" * 64

#: each reader, called in a child process (a reader that waits for ever would hang the test run itself)
READERS = {
    "pii key": (
        "CURATE_PII_KEY_FILE",
        "from curate.pii.keys import load_key; load_key()",
    ),
    "label studio token": (
        "LABEL_STUDIO_API_KEY_FILE",
        "from annotation.config import resolve; resolve('ctbc')",
    ),
    "portal secret": (
        "CURATE_WEB_SECRET_FILE",
        "from pathlib import Path; from curate.web.auth import load_secret; load_secret(Path('unused.key'))",
    ),
}

_CALL = """
import sys
from provenance.errors import ConfigError
try:
    {call}
except ConfigError as exc:
    print(exc)
    sys.exit(1)
"""


def _child_env(tmp_path: Path, variable: str, value: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CURATE_PII_KEY", "CURATE_WEB_", "LABEL_STUDIO"))}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "LABEL_STUDIO_URL": "http://127.0.0.1:9",
            "LABEL_STUDIO_CACHE": str(tmp_path / "no-cache"),
            variable: value,
        }
    )
    return env


@pytest.mark.parametrize("reader", list(READERS), ids=list(READERS))
def test_a_fifo_no_process_writes_to_is_refused_in_one_line(tmp_path, reader):
    variable, call = READERS[reader]
    fifo = tmp_path / "secret.fifo"
    os.mkfifo(fifo, 0o600)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CALL.format(call=call)],
            env=_child_env(tmp_path, variable, str(fifo)),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,  # not a timing threshold: without the fix the child never returns
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the {reader} reader waited for ever on a FIFO that no process writes to")
    assert done.returncode == 1, done.stdout + done.stderr
    assert str(fifo) in done.stdout and "pipe that gave nothing" in done.stdout and "Traceback" not in done.stderr


def _pipe(data: bytes) -> tuple[int, str]:
    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    return r, f"/dev/fd/{r}"


def test_a_token_pipe_is_read_once_per_process(tmp_path):
    """Two look-ups of the same bank (or of two banks that share the token) in one command, the second read the
    drained pipe."""
    from annotation.config import resolve

    r, path = _pipe(TOKEN.encode() + b"\n")
    env = {"LABEL_STUDIO_URL": "http://127.0.0.1:9", "LABEL_STUDIO_API_KEY_FILE": path}
    try:
        first = resolve("ctbc", env=env, cwd=tmp_path)
        second = resolve("esun", env=env, cwd=tmp_path)
    finally:
        os.close(r)
    assert first.api_key == second.api_key == TOKEN


def test_a_portal_secret_pipe_is_read_once_per_process(tmp_path, monkeypatch):
    from curate.web.auth import load_secret

    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    r, path = _pipe(SECRET.encode() + b"\n")
    monkeypatch.setenv("CURATE_WEB_SECRET_FILE", path)
    try:
        assert load_secret(tmp_path / "unused.key") == load_secret(tmp_path / "unused.key") == SECRET
    finally:
        os.close(r)


def test_every_refusal_names_both_ways_on_and_none_quotes_the_secret(tmp_path, monkeypatch):
    """A shared (0644) secret file: each reader's refusal names the file, `chmod 600`, a private copy
    (`install -m 600`) and a pipe in its own variable; the portal's named no private copy, the PII key's neither."""
    from annotation.config import resolve
    from curate.pii.keys import load_key
    from curate.web.auth import load_secret
    from provenance.errors import ConfigError

    f = tmp_path / "shared.secret"
    f.write_text(SECRET + "\n", encoding="utf-8")
    f.chmod(0o644)
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY_FILE", str(f))
    monkeypatch.setenv("CURATE_WEB_SECRET_FILE", str(f))
    calls = {
        "CURATE_PII_KEY_FILE": load_key,
        "CURATE_WEB_SECRET_FILE": lambda: load_secret(tmp_path / "unused.key"),
        "LABEL_STUDIO_API_KEY_FILE__CTBC": lambda: resolve(
            "ctbc", env={"LABEL_STUDIO_URL__CTBC": "http://h", "LABEL_STUDIO_API_KEY_FILE__CTBC": str(f)}, cwd=tmp_path
        ),
    }
    for variable, call in calls.items():
        with pytest.raises(ConfigError) as got:
            call()
        message = str(got.value)
        assert str(f) in message and "chmod 600" in message and "\n" not in message, message
        assert f"install -m 600 {f} COPY" in message and f"{variable}=<(cat {f})" in message, message
        assert SECRET not in message and SECRET[:8] not in message


def test_a_folder_is_refused_by_every_reader(tmp_path, monkeypatch):
    from annotation.config import resolve
    from curate.web.auth import load_secret
    from provenance.errors import ConfigError

    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    monkeypatch.setenv("CURATE_WEB_SECRET_FILE", str(tmp_path))
    with pytest.raises(ConfigError, match="is a folder"):
        load_secret(tmp_path / "unused.key")
    with pytest.raises(ConfigError, match="is a folder"):
        resolve("ctbc", env={"LABEL_STUDIO_URL": "http://h", "LABEL_STUDIO_API_KEY_FILE": str(tmp_path)}, cwd=tmp_path)


def test_a_portal_secret_file_that_names_nothing_is_refused_not_created(tmp_path, monkeypatch):
    """`CURATE_WEB_SECRET_FILE` mistyped (or a pipe after an `export`, closed by then) was created with a new secret in
    silence: the portal started, signing with another secret than the one meant (two portals behind one address)."""
    from curate.web.auth import load_secret
    from provenance.errors import ConfigError

    monkeypatch.delenv("CURATE_WEB_SECRET", raising=False)
    typo = tmp_path / "secrets" / "portal.kye"
    monkeypatch.setenv("CURATE_WEB_SECRET_FILE", str(typo))
    with pytest.raises(ConfigError, match="No such file") as got:
        load_secret(tmp_path / "default.key")
    assert str(typo) in str(got.value) and "\n" not in str(got.value)
    # the way on: the file made (privately), or the variable unset
    assert f"> {typo})" in str(got.value) and "umask 077" in str(got.value) and "unset the variable" in str(got.value)
    assert not typo.exists() and not typo.parent.exists() and not (tmp_path / "default.key").exists()
    monkeypatch.delenv("CURATE_WEB_SECRET_FILE")  # the default key file is still made once beside the users file
    assert load_secret(tmp_path / "default.key") == load_secret(tmp_path / "default.key")
