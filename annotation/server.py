"""Manage a local Label Studio: install, start, wait, obtain a Personal Access Token, stop.

Standard library only, so it runs under any Python 3.11 (``annotation/labelstudio.sh`` and the
test suite's session fixture both use it). Label Studio is installed pinned into its own
virtualenv because its pinned dependencies clash with the workbench's.

Layout under ``<cache>`` (default ``<project>/.cache/labelstudio``)::

    venv/        Label Studio's own virtualenv
    data/        its data directory (SQLite database, secret key, media)
    token        the admin's Personal Access Token (mode 0600)
    env          LABEL_STUDIO_URL=... and LABEL_STUDIO_API_KEY_FILE=... read by `curate annotate`
    server.pid   the server process id
    server.log   its output

Development defaults (override with the environment): ``LABEL_STUDIO_PORT`` 8080,
``LABEL_STUDIO_USERNAME`` ``admin@finllm.local``, ``LABEL_STUDIO_PASSWORD`` ``finllm-dev-only``.
Label Studio 1.20+ disables legacy API tokens; this module logs in and calls ``POST /api/token/``
to create a Personal Access Token (a JWT refresh token the SDK exchanges for access tokens),
leaving the organisation's token settings untouched.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
LABEL_STUDIO_VERSION = "1.23.2"
DEFAULT_PORT = 8080
DEFAULT_USERNAME = "admin@finllm.local"
DEFAULT_PASSWORD = "finllm-dev-only"  # development default only; set LABEL_STUDIO_PASSWORD
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class ServerError(RuntimeError):
    """Label Studio could not be installed, started or logged into."""


@dataclass(frozen=True, slots=True)
class ServerPaths:
    """Files of one local Label Studio."""

    cache: Path
    #: Label Studio's virtualenv; default ``$LABEL_STUDIO_VENV`` or ``<cache>/venv``
    venv_dir: Path | None = None

    @property
    def venv(self) -> Path:
        """Label Studio's own virtualenv (shared by `make labelstudio` and the tests)."""
        if self.venv_dir is not None:
            return self.venv_dir
        return Path(os.environ.get("LABEL_STUDIO_VENV", self.cache / "venv"))

    @property
    def data(self) -> Path:
        return self.cache / "data"

    @property
    def token(self) -> Path:
        return self.cache / "token"

    @property
    def env(self) -> Path:
        return self.cache / "env"

    @property
    def pid(self) -> Path:
        return self.cache / "server.pid"

    @property
    def log(self) -> Path:
        return self.cache / "server.log"


def default_cache() -> Path:
    """``$LABEL_STUDIO_CACHE`` or ``<project>/.cache/labelstudio``."""
    return Path(os.environ.get("LABEL_STUDIO_CACHE", PROJECT_ROOT / ".cache" / "labelstudio"))


def executable(paths: ServerPaths) -> Path:
    return paths.venv / "bin" / "label-studio"


def install(paths: ServerPaths, *, python: str | None = None, quiet: bool = False) -> Path:
    """Install Label Studio (pinned) into its own virtualenv unless it is there already."""
    exe = executable(paths)
    if exe.exists():
        return exe
    py = python or os.environ.get("LABEL_STUDIO_PYTHON") or sys.executable
    paths.venv.parent.mkdir(parents=True, exist_ok=True)
    out = subprocess.DEVNULL if quiet else None
    pip = [str(paths.venv / "bin" / "python"), "-m", "pip", "install", "--progress-bar", "on"]
    steps = [
        [py, "-m", "venv", str(paths.venv)],
        [*pip, *(["-q"] if quiet else []), f"label-studio=={LABEL_STUDIO_VERSION}"],
    ]
    for i, cmd in enumerate(steps, 1):
        if not quiet:
            what = (
                "creating its virtualenv" if i == 1 else f"pip install label-studio=={LABEL_STUDIO_VERSION} (minutes)"
            )
            print(f"[{i}/{len(steps)}] {what} in {paths.venv}", flush=True)
        # pip runs the build scripts of what it installs (a third party's code): not with the workbench's secrets
        rc = subprocess.call(cmd, stdout=out, env=without_secrets(os.environ, _NOT_FOR_PIP))
        if rc != 0:
            raise ServerError(
                f"installing Label Studio failed ({' '.join(cmd)} exited {rc}); "
                f"check network access to the package index"
            )
    return exe


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 (local URL)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def is_up(url: str) -> bool:
    """True if a Label Studio answers ``/health`` at ``url``."""
    try:
        return _get(url.rstrip("/") + "/health", timeout=3.0) == 200
    except (OSError, urllib.error.URLError):
        return False


def wait_until_up(
    url: str, *, timeout: float = 300.0, proc: subprocess.Popen | None = None, log: Path | None = None
) -> None:
    """Poll ``/health`` until Label Studio answers; fail early if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if is_up(url):
            return
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise ServerError(f"Label Studio exited with code {proc.returncode} while starting:\n{tail}")
        time.sleep(1.0)
    raise ServerError(f"Label Studio did not answer at {url} within {timeout:.0f}s; see {log}")


#: prefixes of the variables the Label Studio server is not handed: the PII key, the portal's session secret and
#: users, and the URL and token (each bank's too) of the instance ``curate annotate`` talks to
_NOT_FOR_THE_SERVER = ("CURATE_PII_KEY", "CURATE_WEB_", "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")


#: and what pip (the build scripts of what it installs) is not handed either: the server's own admin password and
#: Django key (they sign its API tokens), which the server needs and an installer does not
_NOT_FOR_PIP = (*_NOT_FOR_THE_SERVER, "LABEL_STUDIO_PASSWORD", "LABEL_STUDIO_USER_TOKEN", "SECRET_KEY")


def without_secrets(env: Mapping[str, str], names: tuple[str, ...] = _NOT_FOR_THE_SERVER) -> dict[str, str]:
    """``env`` without the workbench's own secrets (``names``: prefixes, :data:`_NOT_FOR_THE_SERVER` by default), for
    a third party's process.

    >>> without_secrets({"PATH": "/bin", "CURATE_PII_KEY_FILE": "k", "LABEL_STUDIO_API_KEY__CTBC": "t"})
    {'PATH': '/bin'}
    >>> without_secrets({"PATH": "/bin", "LABEL_STUDIO_PASSWORD": "p", "SECRET_KEY": "s"}, _NOT_FOR_PIP)
    {'PATH': '/bin'}
    """
    return {k: v for k, v in env.items() if not k.startswith(names)}


def start(paths: ServerPaths, *, port: int, username: str, password: str, timeout: float = 300.0) -> tuple[str, int]:
    """Start Label Studio in the background on 127.0.0.1:``port``; returns (url, pid).

    Reuses a server already running from the same cache (pid file alive and answering).
    """
    url = f"http://127.0.0.1:{port}"
    pid = read_pid(paths)
    if pid and is_up(url):
        return url, pid
    exe = install(paths)
    paths.data.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = ensure_secret_key(paths.data)
    env.update(
        {
            "LABEL_STUDIO_BASE_DATA_DIR": str(paths.data),
            "LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK": "true",
            "LABEL_STUDIO_USERNAME": username,
            "LABEL_STUDIO_PASSWORD": password,
            "COLLECT_ANALYTICS": "false",
            "LABEL_STUDIO_COLLECT_ANALYTICS": "false",
            "SENTRY_DSN": "",
            "FRONTEND_SENTRY_DSN": "",
            "LATEST_VERSION_CHECK": "false",
            "DATA_UPLOAD_MAX_NUMBER_FILES": "100",
        }
    )
    # the workbench's own secrets: the server (a third party's web application that annotators of every bank
    # reach) got the PII key, the portal's secret and the API tokens of other instances in its environment
    env = without_secrets(env)
    cmd = [
        str(exe),
        "start",
        "--no-browser",
        "--internal-host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(paths.data),
        # the admin user comes from LABEL_STUDIO_USERNAME / LABEL_STUDIO_PASSWORD in the child's
        # environment: never on the command line, which any local user can read (ps, /proc/PID/cmdline)
        "--log-level",
        "WARNING",
    ]
    log = open(paths.log, "ab")  # noqa: SIM115 (kept open by the child)
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=str(paths.cache),
        start_new_session=True,
    )
    log.close()
    paths.pid.write_text(str(proc.pid))
    try:
        wait_until_up(url, timeout=timeout, proc=proc, log=paths.log)
    except ServerError:
        stop(paths)
        raise
    return url, proc.pid


def ensure_secret_key(data: Path) -> str:
    """The data directory's Django ``SECRET_KEY`` (it also signs the API tokens), made sound; returns it.

    Label Studio keeps the key in ``<data>/.env`` and draws it, at first start, from an alphabet that has
    ``$``. django-environ reads a value that starts with ``$`` as the name of another variable, finds none,
    and Label Studio then draws a new key on every start: one data directory in fifty lost every token at
    each restart (seen in CI as "Token is invalid" after a restart). The key kept here is drawn without
    ``$`` and handed to the server in its environment; a key that reads back sound is kept as it is, so
    tokens it signed stay valid. Written atomically with mode 0600; the other lines of ``.env`` are kept.
    """
    import secrets

    env_file = data / ".env"
    try:
        lines = env_file.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        lines = []
    keys = [line.split("=", 1)[1].strip() for line in lines if line.strip().startswith("SECRET_KEY=")]
    # django-environ keeps the first value it reads (later lines were appended by restarts that lost it);
    # a quoted value is unquoted by it, a value read as a variable's name is lost
    sound = keys[0] if keys and keys[0] and not keys[0].startswith(("$", "'", '"')) else ""
    if sound and len(keys) == 1:
        return sound
    key = sound or secrets.token_urlsafe(50)
    kept = [line for line in lines if not line.strip().startswith("SECRET_KEY=") and line.strip()]
    tmp = env_file.with_name(f".env.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write("\n".join([*kept, f"SECRET_KEY={key}"]) + "\n")
    os.replace(tmp, env_file)
    return key


def read_pid(paths: ServerPaths) -> int | None:
    """The recorded server pid if that process is alive."""
    try:
        pid = int(paths.pid.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # our own child that exited: reap it (not a zombie)
            return None
    except ChildProcessError:
        pass  # not our child
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    return pid


def stop(paths: ServerPaths, *, timeout: float = 30.0) -> bool:
    """Stop the server started from this cache (its whole process group); True if one was running."""
    pid = read_pid(paths)
    if pid is None:
        paths.pid.unlink(missing_ok=True)
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except OSError:
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and read_pid(paths):
        time.sleep(0.3)
    if read_pid(paths):
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    paths.pid.unlink(missing_ok=True)
    return True


def _opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar)), jar


def _cookie(jar: http.cookiejar.CookieJar, name: str) -> str:
    for c in jar:
        if c.name == name:
            return c.value
    return ""


def token_is_valid(url: str, token: str, *, attempts: int = 5) -> bool:
    """True if ``token`` (a Personal Access Token) can be refreshed into an access token.

    Only a refusal (HTTP 4xx) makes it invalid: a server error or a timeout (a server still warming up, a
    loaded machine) is asked again, since taking the token for invalid would create a second one, which
    Label Studio refuses (HTTP 409: a user holds one)."""
    import time

    req = urllib.request.Request(
        url.rstrip("/") + "/api/token/refresh/",
        method="POST",
        data=json.dumps({"refresh": token}).encode(),
        headers={"Content-Type": "application/json"},
    )
    for attempt in range(1, attempts + 1):
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310
                return resp.status == 200
        except urllib.error.HTTPError as exc:
            if exc.code < 500 or attempt == attempts:
                return False
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            if attempt == attempts:
                return False
        time.sleep(attempt)
    return False


def create_token(url: str, username: str, password: str) -> str:
    """Log in as ``username`` and create a Personal Access Token with ``POST /api/token/``."""
    base = url.rstrip("/")
    opener, jar = _opener()
    opener.open(base + "/user/login/", timeout=30).read()
    form = urllib.parse.urlencode(
        {"email": username, "password": password, "csrfmiddlewaretoken": _cookie(jar, "csrftoken")}
    ).encode()
    req = urllib.request.Request(
        base + "/user/login/",
        data=form,
        method="POST",
        headers={"Referer": base + "/user/login/", "Content-Type": "application/x-www-form-urlencoded"},
    )
    opener.open(req, timeout=30).read()
    if not _cookie(jar, "sessionid"):
        raise ServerError(
            f"logging into Label Studio at {url} as {username} failed; check "
            "LABEL_STUDIO_USERNAME / LABEL_STUDIO_PASSWORD"
        )
    req = urllib.request.Request(
        base + "/api/token/",
        data=b"{}",
        method="POST",
        headers={"Content-Type": "application/json", "Referer": base + "/", "X-CSRFToken": _cookie(jar, "csrftoken")},
    )
    try:
        with opener.open(req, timeout=30) as resp:
            body = json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        raise ServerError(
            f"creating a Personal Access Token failed (HTTP {exc.code}: {detail}); a user can hold one "
            f"token: revoke it under Account & Settings or delete {url}'s data dir"
        ) from exc
    token = body.get("token")
    if not token:
        raise ServerError(f"unexpected answer from POST /api/token/: keys {sorted(body)}")
    return token


def ensure_token(paths: ServerPaths, url: str, username: str, password: str) -> str:
    """Reuse the stored token if still valid, else create one; stored with mode 0600."""
    if paths.token.exists():
        token = paths.token.read_text().strip()
        if token and token_is_valid(url, token):
            return token
    token = create_token(url, username, password)
    paths.token.touch(mode=0o600, exist_ok=True)
    paths.token.write_text(token + "\n")
    os.chmod(paths.token, 0o600)
    return token


def write_env(paths: ServerPaths, url: str) -> None:
    """Write ``env``: what `curate annotate` reads when LABEL_STUDIO_URL / _API_KEY are unset."""
    paths.env.write_text(f"LABEL_STUDIO_URL={url}\nLABEL_STUDIO_API_KEY_FILE={paths.token}\n")


def up(paths: ServerPaths, *, port: int, username: str, password: str) -> tuple[str, str]:
    """Install if needed, start, wait, obtain a token, write ``env``; returns (url, token)."""
    paths.cache.mkdir(parents=True, exist_ok=True)
    url, _ = start(paths, port=port, username=username, password=password)
    token = ensure_token(paths, url, username, password)
    write_env(paths, url)
    return url, token


def save_template(paths: ServerPaths, template: Path) -> None:
    """Copy a just-migrated data directory and its token (SQLite through its backup API: the server runs)."""
    import shutil
    import sqlite3

    tmp = template.with_name(template.name + f".tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(paths.data, tmp / "data", ignore=shutil.ignore_patterns("*.sqlite3*", "export", "media"))
    for db in paths.data.glob("*.sqlite3"):
        src, dst = sqlite3.connect(db), sqlite3.connect(tmp / "data" / db.name)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
    shutil.copy2(paths.token, tmp / "token")
    try:
        tmp.rename(template)
    except OSError:  # another session saved one first
        shutil.rmtree(tmp, ignore_errors=True)


def start_from_template(
    cache: Path, work: Path, *, user: str, password: str, venv: Path | None = None
) -> tuple[ServerPaths, str, str]:
    """Start a throw-away Label Studio (tests, benchmarks) with its data in ``work``; returns (paths, url, token).

    Label Studio comes from ``<cache>/venv`` (installed if missing). The first start leaves its freshly
    migrated data directory and the user's token in ``<cache>/test-template/<user>``; later starts copy
    it and skip Label Studio's database migrations (most of the start-up time).
    """
    import shutil

    venv = venv or Path(os.environ.get("LABEL_STUDIO_VENV", cache / "venv"))
    paths = ServerPaths(work, venv_dir=venv)
    install(paths)
    template = cache / "test-template" / user
    fresh = not (template / "token").exists()
    if not fresh:
        shutil.copytree(template / "data", paths.data)
        shutil.copy2(template / "token", paths.token)
    url, _ = start(paths, port=free_port(), username=user, password=password)
    if not fresh and not token_is_valid(url, paths.token.read_text().strip()):
        # a template whose token its own data refuses (seen once in CI: HTTP 401, then 409 on creating one):
        # not reusable; start from an empty data directory and save a new template
        log.warning("Label Studio test template %s: its token is refused; rebuilding it", template)
        stop(paths)
        shutil.rmtree(template, ignore_errors=True)
        shutil.rmtree(paths.data, ignore_errors=True)
        paths.token.unlink(missing_ok=True)
        fresh = True
        url, _ = start(paths, port=free_port(), username=user, password=password)
    try:
        token = ensure_token(paths, url, user, password)
        if fresh:
            save_template(paths, template)
    except BaseException:
        stop(paths)
        raise
    return paths, url, token


def main(argv: list[str] | None = None) -> int:
    """``python -m annotation.server install|start|stop|status``."""
    p = argparse.ArgumentParser(prog="labelstudio", description=__doc__.splitlines()[0])
    p.add_argument("action", choices=["install", "start", "stop", "status"])
    p.add_argument("--cache", type=Path, default=default_cache())
    p.add_argument("--port", type=int, default=int(os.environ.get("LABEL_STUDIO_PORT", DEFAULT_PORT)))
    args = p.parse_args(argv)
    paths = ServerPaths(args.cache.resolve())
    user = os.environ.get("LABEL_STUDIO_USERNAME", DEFAULT_USERNAME)
    password = os.environ.get("LABEL_STUDIO_PASSWORD", DEFAULT_PASSWORD)
    try:
        if args.action == "install":
            print(f"Label Studio {LABEL_STUDIO_VERSION} installed in {install(paths).parent.parent}")
        elif args.action == "start":
            print(
                f"starting Label Studio {LABEL_STUDIO_VERSION} on 127.0.0.1:{args.port} (first start takes a while)",
                flush=True,
            )
            url, _ = up(paths, port=args.port, username=user, password=password)
            print(
                f"Label Studio is up at {url} (log in as {user}); token in {paths.token}; "
                f"`curate annotate` reads {paths.env}"
            )
        elif args.action == "stop":
            print("Label Studio stopped" if stop(paths) else "Label Studio was not running")
        else:
            pid = read_pid(paths)
            print(f"running, pid {pid}" if pid else "not running")
            return 0 if pid else 1
    except ServerError as exc:
        print(f"labelstudio: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
