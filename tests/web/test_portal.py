"""The auditor portal in a real browser (Debian chromium via Playwright) and over real HTTP:
login, refusals, bank scoping, record page, injection, CSRF, rate limit, no external requests,
and a steward's run going on while the portal serves pages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from provenance import db

from .webhelpers import SECRETS, USERS, LivePortal, PageWatch, csrf_of, http_login, login

ROOT = Path(__file__).resolve().parents[2]
DOCS_IMG = ROOT / "docs" / "img"


@pytest.fixture(scope="module")
def portal(demo_catalogue, tmp_path_factory):
    p = LivePortal(demo_catalogue["path"], tmp_path_factory.mktemp("portal"))
    try:
        yield p
    finally:
        p.stop()


def _ids(demo_catalogue) -> dict[str, str]:
    """Active record ids by source (the newest version of each seeded record)."""
    con = db.connect_readonly(demo_catalogue["path"])
    try:
        rows = con.execute(
            "SELECT source_id, locator, record_id FROM records WHERE status = 'active' ORDER BY 1, 2"
        ).fetchall()
    finally:
        con.close()
    return {f"{s}:{loc}": rid for s, loc, rid in rows}


def test_every_page_needs_a_login(portal, demo_catalogue):
    rid = _ids(demo_catalogue)["law_moj:A0030001/3"]
    with httpx.Client(base_url=portal.url) as c:
        for path in ("/", f"/record/{rid}", "/exports", "/ledger", "/report", "/withdrawals", "/licences"):
            r = c.get(path)
            assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
            assert rid not in r.text
        r = c.post(f"/exports/{demo_catalogue['export_id']}/verify", data={"csrf": "x"})
        assert r.status_code == 400


def test_login_in_browser_and_record_page(portal, demo_catalogue, watched_page, artefacts):
    page = watched_page
    watch = PageWatch(page, portal.url)
    rid = _ids(demo_catalogue)["law_moj:A0030001/3"]
    page.goto(f"{portal.url}/record/{rid}")
    assert "/login" in page.url  # refused without a login, sent to the form
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", USERS["alice"][1])
    page.click("#login")
    page.wait_for_selector("#record-id")
    assert page.inner_text("#record-id") == rid  # back where the user wanted to go
    assert page.inner_text("#licence-id") == "OGDL-Taiwan-1.0"
    versions = page.locator("#versions .version")
    assert versions.count() >= 2  # ingest + hygiene (CRLF removed)
    assert page.locator("#versions del, #versions ins").count() >= 1  # the hygiene diff
    assert "rewrite" in page.inner_text("#events") and "line_breaks_normalised" in page.inner_text("#events")
    assert "允許 allowed" in page.inner_text("#permits")
    shot = artefacts / "record.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("CURATE_UPDATE_DOCS_IMG"):
        shutil.copyfile(shot, DOCS_IMG / "record.png")
    # every other page renders, with no console error and no request leaving the portal
    for path in ("/exports", f"/exports/{demo_catalogue['export_id']}", "/withdrawals", "/ledger", "/licences"):
        resp = page.goto(portal.url + path)
        assert resp.status == 200, path
    page.goto(f"{portal.url}/report")
    page.wait_for_selector("#fig-funnel .main-svg")
    page.goto(f"{portal.url}/?q=銀行法 第 3 條")
    assert rid[:16] in page.inner_text("#results")
    assert watch.errors == [] and watch.external == []


def test_personal_data_is_never_shown(portal, demo_catalogue):
    ids = _ids(demo_catalogue)
    with httpx.Client(base_url=portal.url) as c:
        assert http_login(c, "alice").status_code in (200, 303)
        html = c.get(f"/record/{ids['fsc:case/1']}").text
        assert "〔" in html  # the scrubbed text, with typed placeholders
        for s in SECRETS:
            assert s not in html
        for q in SECRETS:  # searching for personal data finds nothing (raw text is sealed, never matched)
            page = c.get("/", params={"q": q}).text
            assert 'id="no-results"' in page


def test_bank_user_sees_only_its_licences(portal, demo_catalogue, watched_page):
    ids = _ids(demo_catalogue)
    esun_only = ids["tabf:esun:h/1"]
    with httpx.Client(base_url=portal.url) as c:
        http_login(c, "ctbc")
        r = c.get(f"/record/{esun_only}")
        assert r.status_code == 404 and "member:CTBC" in r.text and "授信實務講義：" not in r.text
        assert esun_only[:16] not in c.get("/", params={"q": "授信"}).text  # not even listed
        assert c.get("/ledger").status_code == 403  # auditor pages are not for banks
        assert c.get(f"/record/{ids['law_moj:A0030001/3']}").status_code == 200  # open data is
    login(watched_page, portal.url, "esun")
    resp = watched_page.goto(f"{portal.url}/record/{esun_only}")
    assert resp.status == 200 and watched_page.inner_text("#licence-id") == "LicenseRef-Written-Agreement"
    # purpose switch: the agreement allows training only
    resp = watched_page.goto(f"{portal.url}/record/{esun_only}?purpose=evaluation")
    assert resp.status == 404


def test_search_injection_is_harmless(portal, demo_catalogue, watched_page):
    con = db.connect_readonly(demo_catalogue["path"])
    before = con.execute("SELECT count(*), max(seq) FROM records, provenance_events").fetchone()
    con.close()
    page = watched_page
    watch = PageWatch(page, portal.url)
    login(page, portal.url, "alice")
    for q in (
        "' OR 1=1 --",
        "'); DROP TABLE records; --",
        "<script>window.__pwned=1</script>",
        "%' UNION SELECT * FROM raw_vault --",
    ):
        page.goto(f"{portal.url}/")
        page.fill("#q", q)
        page.click("#search")
        page.wait_for_load_state()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.locator("#no-results").count() == 1  # nothing matches, nothing breaks
        assert page.input_value("#q") == q  # echoed back as text
    assert watch.errors == [] and watch.external == []
    con = db.connect_readonly(demo_catalogue["path"])
    assert con.execute("SELECT count(*), max(seq) FROM records, provenance_events").fetchone() == before
    con.close()


def test_csrf_and_failed_login_limit(portal, demo_catalogue):
    with httpx.Client(base_url=portal.url) as c:
        http_login(c, "alice")
        eid = demo_catalogue["export_id"]
        assert c.post(f"/exports/{eid}/verify", data={"csrf": "forged"}).status_code == 400
        r = c.post(f"/exports/{eid}/verify", data={"csrf": csrf_of(c.get(f"/exports/{eid}").text)})
        assert r.status_code == 200 and 'id="verify-result" class="ok"' in r.text
        notice = demo_catalogue["export_dir"] / "NOTICE.md"
        original = notice.read_bytes()
        try:  # a changed file in the folder is named
            notice.write_bytes(original + b"\nedited afterwards\n")
            r = c.post(f"/exports/{eid}/verify", data={"csrf": csrf_of(c.get(f"/exports/{eid}").text)})
            assert 'id="verify-result" class="bad"' in r.text and "changed file: NOTICE.md" in r.text
        finally:
            notice.write_bytes(original)
        c.post("/logout", data={"csrf": "forged"})
        assert c.get("/exports").status_code == 200  # a forged logout does nothing
        cookie = c.cookies.get("curate_portal")
        assert cookie
    with httpx.Client(base_url=portal.url) as c:
        r = c.get("/login")
        assert "httponly" in r.headers["set-cookie"].lower() and "samesite=strict" in r.headers["set-cookie"].lower()
        assert "default-src 'none'" in r.headers["content-security-policy"]
        try:
            codes = [http_login(c, "esun", "wrong-password").status_code for _ in range(6)]
            assert codes[:5] == [401] * 5 and codes[5] == 429
            assert http_login(c, "esun").status_code == 429  # even the right password waits out the window
        finally:  # the lock holds for this client address too: free it for the module's other tests
            from curate.web.auth import LoginLimiter

            portal.app.state.limiter = LoginLimiter()


def test_a_run_goes_on_while_the_portal_serves(demo_catalogue, tmp_path):
    """The portal reads a snapshot copy: a steward's stage run is never blocked and the portal
    keeps answering; after the run the snapshot is refreshed and shows it."""
    path = tmp_path / "live.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    p = LivePortal(path, tmp_path / "portal", refresh_interval=0.2)
    try:
        with httpx.Client(base_url=p.url, timeout=30) as c:
            http_login(c, "alice")
            head0 = c.get("/ledger").text
            env = {**os.environ, "PYTHONPATH": str(ROOT), "CURATE_PII_KEY": "5e" * 32}
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "curate.cli",
                    "--db",
                    str(path),
                    "-q",
                    "run",
                    "hygiene",
                    "--workers",
                    "1",
                    "--set",
                    "keep_indentation=true",
                ],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            served = 0
            while proc.poll() is None:
                assert c.get("/ledger").status_code == 200
                assert c.get("/", params={"q": "銀行法"}).status_code == 200
                served += 1
            out, err = proc.communicate()
            assert proc.returncode == 0, err
            assert served >= 1
            deadline = time.monotonic() + 30
            while c.get("/ledger").text == head0 and time.monotonic() < deadline:
                time.sleep(0.3)
            assert c.get("/ledger").text != head0  # the new snapshot shows the run's events
    finally:
        p.stop()


def test_ledger_page_checks_anchors_and_export_heads(portal, demo_catalogue, cli, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    code, out, err = cli("audit", "anchor", "--append", str(anchors), db=demo_catalogue["path"])
    assert code == 0, err
    portal.app.state.anchor_file = anchors
    try:
        with httpx.Client(base_url=portal.url) as c:
            http_login(c, "alice")
            html = c.get("/ledger").text
            assert "every anchored head is in the chain" in html
            assert demo_catalogue["export_id"] in html.split('id="anchors"')[1]
            # an anchor the chain does not hold (a forged or cut-off head) is named
            anchors.write_text(anchors.read_text().replace('"hash": "', '"hash": "0', 1)[:-1] + "\n")
            assert "every anchored head is in the chain" not in c.get("/ledger").text
    finally:
        portal.app.state.anchor_file = None


def test_record_pages_of_a_real_ingest(tmp_path, cli):
    """Records written by the real ingest (one `ingested_batch` event per batch, no record id on it) have
    working record pages: the page once failed on every such record (500)."""
    src = tmp_path / "corpus.jsonl"
    src.write_text(
        "".join(f'{{"id": "c{i}", "text": "第{i}條 銀行經營之業務。"}}\n' for i in range(3)), encoding="utf-8"
    )
    path = tmp_path / "real.duckdb"
    code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", db=path)
    assert code == 0, err
    con = db.connect_readonly(path)
    try:
        ids = [r[0] for r in con.execute("SELECT record_id FROM records ORDER BY 1").fetchall()]
        assert con.execute(
            "SELECT count(*) FROM provenance_events WHERE record_id IS NULL AND action = 'ingested_batch'"
        ).fetchone()[0]
    finally:
        con.close()
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            assert http_login(c, "alice").status_code in (200, 303)
            for rid in ids:
                r = c.get(f"/record/{rid}")
                assert r.status_code == 200, r.text[:300]
                assert "ingested_batch" in r.text and rid[:16] in r.text
    finally:
        p.stop()
