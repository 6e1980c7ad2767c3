"""Screenshots of each project's labelling screen, as a bank's annotator sees it (headless chromium).

Used by the guide (``make guide-screenshots`` writes ``docs/img/ls-<project>.png``) and by a test that
checks what the page shows. Playwright drives Debian's chromium (``/usr/bin/chromium``; Playwright's own
browser download is never used).

    PYTHONPATH=. LABEL_STUDIO_CACHE=... .venv/bin/python tests/annotation/screens.py docs/img
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SAMPLE = {
    "proofread": "第一條 为加强银行授信管理，特订定本办法。客戶〔姓名〕之授信額度依規定辦理。",
    "pii": "申請人王小明，身分證字號A123456789，手機0912-345-678，帳號12345678901234，由承辦人審核。",
    "topic": "銀行辦理授信，應審慎評估借款人之還款能力，並依本法第三十二條規定辦理。",
}


TITLES = {"proofread": "範例：校對", "pii": "範例：個資審查", "topic": "範例：主題分類"}


def login(page, url: str, user: str, password: str) -> None:
    page.goto(url.rstrip("/") + "/user/login/")
    page.fill("input[name=email]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_load_state("networkidle")


def shoot(url: str, user: str, password: str, targets: dict[str, tuple[int, int]], out: Path) -> dict[str, str]:
    """Screenshot task ``tid`` of project ``pid`` for each project name in ``targets``; returns the page texts."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    texts = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-TW")
            login(page, url, user, password)
            for name, (pid, tid) in targets.items():
                page.goto(f"{url.rstrip('/')}/projects/{pid}/data?task={tid}")
                page.wait_for_selector(".lsf-main-view, .lsf-editor, [class*=main-view]", timeout=60000)
                page.wait_for_timeout(1500)
                if name == "pii":  # select the first detected span so its verdict choices show
                    try:
                        page.locator("[class*=region-item], [class*=outliner-item]").first.click(timeout=5000)
                        page.wait_for_timeout(800)
                    except Exception:  # noqa: BLE001 (the screenshot is still useful without it)
                        pass
                page.screenshot(path=str(out / f"ls-{name}.png"), full_page=False)
                texts[name] = page.inner_text("body")
        finally:
            browser.close()
    return texts


def main(out: Path) -> dict[str, str]:
    """Start a throw-away Label Studio, push one sample task per project (PII masked), screenshot them."""
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    sys.path.insert(0, str(Path(__file__).parents[1] / "helpers"))
    from ls_records import add_record, add_source

    from annotation import server
    from annotation.config import LabelStudioConfig
    from annotation.label_studio import LabelStudioClient
    from annotation.push import PushConfig, push
    from curate.pii.keys import load_key
    from curate.pii.review import VaultReview
    from curate.runner import make_stage, run_stage
    from provenance.db import connect

    os.environ.setdefault("CURATE_PII_KEY", "6b" * 32)
    from conftest import PASSWORD, USER

    user, password = USER, PASSWORD  # the test user: its migrated template is cached
    with tempfile.TemporaryDirectory(prefix="ls-guide-") as tmp:
        tmp = Path(tmp)
        paths, url, token = server.start_from_template(server.default_cache(), tmp / "ls", user=user, password=password)
        try:
            client = LabelStudioClient(LabelStudioConfig(url=url, api_key=token, origin="guide"))
            targets = {}
            for name, text in SAMPLE.items():
                db = tmp / f"{name}.duckdb"
                con = connect(db)
                add_source(con)
                add_record(con, text, locator=name, title=TITLES[name], pii_state=None if name == "pii" else "scrubbed")
                vault = None
                if name == "proofread":  # the real normalise stage writes the edits and flags shown as notes
                    con.close()
                    run_stage(db, make_stage("normalise"), workers=1)
                    con = connect(db)
                if name == "pii":  # the real PII stage seals the raw text; the review task shows it masked
                    con.close()
                    run_stage(db, make_stage("pii"), workers=1)
                    con = connect(db)
                    vault = VaultReview(load_key())
                rep = push(con, client, PushConfig(project=name, bank="DEMO", vault=vault))
                tid = con.execute("SELECT ls_task_id FROM annotation_tasks").fetchone()[0]
                targets[name] = (rep.ls_project_id, tid)
                con.close()
            return shoot(url, user, password, targets, out)
        finally:
            server.stop(paths)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/img"))
