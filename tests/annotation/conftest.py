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
    try:
        paths, url, token = server.start_from_template(cache, work, user=user, password=password)
    except server.ServerError as exc:
        pytest.fail(f"cannot start Label Studio for the tests: {exc}")
    return LabelStudioServer(paths=paths, port=int(url.rsplit(":", 1)[1]), url=url, token=token, user=user)


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
    return f"BANK-{uuid.uuid4().hex[:8].upper()}"


@pytest.fixture
def ls_env(label_studio: LabelStudioServer, monkeypatch: pytest.MonkeyPatch) -> LabelStudioServer:
    """Point `curate annotate` (CLI) at the test Label Studio through the environment."""
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    monkeypatch.setenv("LABEL_STUDIO_RETRIES", "1")
    return label_studio
