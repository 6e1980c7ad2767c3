"""Constants and helpers shared by the report and portal tests."""

from __future__ import annotations

SECRETS = ("王小明", "A123456789", "0912345678")
ESUN_TERMS = {
    "agreement_id": "TABF-TEST-1",
    "licensor": "台灣金融研訓院（測試）",
    "audience": ["member:ESUN"],
    "purposes": ["training"],
    "expiry": "2099-12-31",
    "attribution": "© 台灣金融研訓院（測試）",
}
LAW = "第 3 條\r\n銀行經營之業務如左：一、收受支票存款。二、收受其他各種存款。三、受託經理信託資金。"


class PageWatch:
    """Console errors and every request of a page that leaves ``allowed`` (an origin prefix)."""

    def __init__(self, page, allowed: str) -> None:
        self.errors: list[str] = []
        self.external: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on(
            "request",
            lambda r: None if r.url.startswith(allowed) or r.url.startswith("data:") else self.external.append(r.url),
        )


USERS = {
    "alice": ("auditor", "alice-audit-pw-1"),
    "esun": ("bank:ESUN", "esun-bank-pw-1"),
    "ctbc": ("bank:CTBC", "ctbc-bank-pw-1"),
}


class LivePortal:
    """The real portal application served by uvicorn on 127.0.0.1 in a background thread."""

    def __init__(self, db_path, folder, *, refresh_interval: float = 0.5, licence_catalogue=None) -> None:
        import socket
        import threading
        import time

        import uvicorn

        from curate.web.app import PortalConfig, create_app
        from curate.web.auth import UserStore

        users = folder / "users.json"
        store = UserStore(users)
        for name, (role, pw) in USERS.items():
            store.add(name, role, pw)
        cfg = PortalConfig(
            db_path=db_path,
            users_file=users,
            secret="t" * 48,
            snapshot_dir=folder / "snapshots",
            refresh_interval=refresh_interval,
            licence_catalogue=licence_catalogue,
        )
        self.app = create_app(cfg)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("portal did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.state.view.close()


def login(page, base: str, name: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", USERS[name][1])
    page.click("#login")
    page.wait_for_load_state()


def http_login(client, name: str, password: str | None = None):
    """Log ``client`` (httpx) in through the real form; returns the final response."""
    import re

    r = client.get("/login")
    tok = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    return client.post(
        "/login", data={"csrf": tok, "username": name, "password": password or USERS[name][1], "next": "/"}
    )


def csrf_of(html: str) -> str:
    import re

    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def first_active(con, source_id: str) -> str:
    """The first active record of ``source_id`` (by id) in the catalogue ``con`` reads."""
    return con.execute(
        "SELECT record_id FROM records WHERE source_id = ? AND status = 'active' ORDER BY record_id LIMIT 1",
        [source_id],
    ).fetchone()[0]
