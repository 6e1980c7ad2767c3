"""A real Label Studio for the annotation tests, and small catalogues to push from.

The session fixture installs Label Studio (pinned) into ``$LABEL_STUDIO_CACHE/venv`` (default
``<project>/.cache/labelstudio``, the cache `make labelstudio` uses) if it is not there (a few minutes,
once), starts it on 127.0.0.1 on a free port with a temporary data directory, obtains a Personal Access
Token, and stops it at the end. The first session also leaves a freshly migrated data directory with
its test user and token in ``$LABEL_STUDIO_CACHE/test-template``; later sessions start from a copy of
it and skip Label Studio's database migrations.
"""

from __future__ import annotations

import sys as _sys
from pathlib import Path as _Path

# importlib import mode puts no test folder on sys.path: make ls_records importable
_sys.path.insert(0, str(_Path(__file__).parent))

import os
import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotation import server
from annotation.config import LabelStudioConfig
from annotation.label_studio import LabelStudioClient

USER = "tester@finllm.local"
PASSWORD = "test-only-password-1"


@dataclass
class LabelStudioServer:
    """A running Label Studio started by the test session."""

    paths: server.ServerPaths
    port: int
    url: str
    token: str
    user: str = USER

    def config(self, **kw) -> LabelStudioConfig:
        kw.setdefault("retries", 2)
        kw.setdefault("backoff", 0.2)
        return LabelStudioConfig(url=self.url, api_key=self.token, origin="test fixture", **kw)

    def client(self, **kw) -> LabelStudioClient:
        return LabelStudioClient(self.config(**kw))

    def stop(self) -> None:
        server.stop(self.paths)

    def restart(self) -> None:
        server.stop(self.paths)
        server.start(self.paths, port=self.port, username=USER, password=PASSWORD)


def start_server(cache: Path, work: Path, *, user: str = USER, password: str = PASSWORD) -> LabelStudioServer:
    """Install if needed and start a Label Studio with its data in ``work`` (from the cached template)."""
    venv = Path(os.environ.get("LABEL_STUDIO_VENV", cache / "venv"))
    paths = server.ServerPaths(work, venv_dir=venv)
    try:
        server.install(paths)
    except server.ServerError as exc:
        pytest.fail(f"cannot install Label Studio for the tests: {exc}")
    template = cache / "test-template" / user
    fresh = not (template / "token").exists()
    if not fresh:
        shutil.copytree(template / "data", paths.data)
        shutil.copy2(template / "token", paths.token)
    port = server.free_port()
    url, _ = server.start(paths, port=port, username=user, password=password)
    try:
        token = server.ensure_token(paths, url, user, password)
        if fresh:
            save_template(paths, template)
    except BaseException:
        server.stop(paths)
        raise
    return LabelStudioServer(paths=paths, port=port, url=url, token=token, user=user)


def save_template(paths: server.ServerPaths, template: Path) -> None:
    """Copy a just-migrated data directory (SQLite through its backup API: the server is running)."""
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


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> LabelStudioServer:
    srv = start_server(server.default_cache(), tmp_path_factory.mktemp("labelstudio"))
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def bank() -> str:
    """A bank code unique to the test, so tests sharing the Label Studio do not see each other's projects."""
    return f"bank-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def ls_env(label_studio: LabelStudioServer, monkeypatch: pytest.MonkeyPatch) -> LabelStudioServer:
    """Point `curate annotate` (CLI) at the test Label Studio through the environment."""
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    monkeypatch.setenv("LABEL_STUDIO_RETRIES", "1")
    return label_studio
