"""The portal's snapshot copies hold the catalogue as it was (personal data from before the PII stage included):
they are written 0600, a generation is deleted as soon as a newer one is current and no request reads it, and
none outlives the portal (its shutdown on SIGTERM included). Its access log names no search term, nor
an id or name typed into the address bar."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import httpx

from curate.web.snapshot import PORTAL_LOCK, CatalogueView
from provenance import db, runs

from .webhelpers import USERS, http_login

ROOT = Path(__file__).resolve().parents[2]


def _catalogue(path: Path) -> Path:
    db.connect(path).close()
    return path


def _change(path: Path) -> None:
    con = db.connect(path)
    try:
        runs.finish_run(con, runs.start_run(con, "test", "x"))
    finally:
        con.close()


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != PORTAL_LOCK)  # the running portal's hold


def test_a_generation_lives_only_while_it_is_read(tmp_path):
    path = _catalogue(tmp_path / "cat.duckdb")
    folder = tmp_path / "snapshots"
    view = CatalogueView(path, folder, interval=0)
    try:
        assert _files(folder) == ["snapshot-1.duckdb"]
        assert stat.S_IMODE((folder / "snapshot-1.duckdb").stat().st_mode) == 0o600
        with view.reading() as old:
            _change(path)
            assert view.refresh() and view.generation == 2
            # a request that began on generation 1 still reads it; the new one is current
            assert old.execute("SELECT count(*) FROM runs").fetchone()[0] == 0
            assert _files(folder) == ["snapshot-1.duckdb", "snapshot-2.duckdb"]
        assert _files(folder) == ["snapshot-2.duckdb"]  # its last reader ended: deleted at once
        _change(path)
        assert view.refresh()
        assert _files(folder) == ["snapshot-3.duckdb"]  # no reader: the previous one goes as the new one comes
        with view.reading() as cur:
            assert cur.execute("SELECT count(*) FROM runs").fetchone()[0] == 2
    finally:
        view.close()
    assert _files(folder) == []
    view.close()  # idempotent


def test_the_served_portal_leaves_no_snapshot_and_logs_no_search(tmp_path):
    from curate.web.auth import UserStore

    path = _catalogue(tmp_path / "cat.duckdb")
    users = tmp_path / "users.json"
    UserStore(users).add("alice", "auditor", USERS["alice"][1])
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_WEB_SECRET": "s" * 48}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(path), "serve", "--port", str(port), "--users", str(users)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    folder = tmp_path / ".curate" / "cat.duckdb" / "portal" / "snapshots"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/login").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stdout.read() if proc.stdout else ""
            time.sleep(0.2)
        assert _files(folder) == ["snapshot-1.duckdb"]
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as c:  # a search names an ID: not for the log
            http_login(c, "alice")
            assert c.get("/", params={"q": "A123456789"}).status_code == 200
            # typed into the address bar instead: a path names them too
            assert c.get("/record/A123456789").status_code == 404
            assert c.get("/record/王小明").status_code == 404
            assert c.get("/exports/0912345678").status_code == 404
            assert c.get("/A123456789").status_code == 404
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    # uvicorn shuts down, then re-raises the signal, which the CLI turns into its clean-up and exit 143 (128 + SIGTERM)
    assert proc.returncode in (0, -signal.SIGTERM, 128 + signal.SIGTERM), out
    assert "Application shutdown complete" in out
    assert '"GET / HTTP/1.1" 200' in out and "A123456789" not in out  # the access log has no query strings
    assert '"GET /record/(typed id not logged) HTTP/1.1" 404' in out  # nor a typed record id, name or number
    assert "%E7%8E%8B" not in out.upper() and "王小明" not in out and "0912345678" not in out
    assert _files(folder) == []
