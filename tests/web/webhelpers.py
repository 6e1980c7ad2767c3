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
