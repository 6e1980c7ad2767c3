"""One small real catalogue for the report and portal tests: records of four sources (one with
personal data, one licensed to a single bank), the real stages (hygiene, pii, normalise, dedup)
on datatrove, and one export."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from catalogue_builder import add_records, add_source

from .webhelpers import ESUN_TERMS, LAW, SECRETS


@pytest.fixture(scope="session")
def demo_catalogue(tmp_path_factory) -> dict:
    from curate.runner import make_stage, run_stage
    from provenance import db, runs
    from provenance.export import ExportParams, export_dataset

    root = tmp_path_factory.mktemp("webcat")
    path = root / "cat.duckdb"
    old_key = os.environ.get("CURATE_PII_KEY")
    os.environ["CURATE_PII_KEY"] = "5e" * 32
    try:
        con = db.connect(path)
        run_id = runs.start_run(con, "ingest test", "x")
        law_meta = {"provider": "法務部"}  # OGDL's statement names the providing agency (else the record is blocked)
        add_source(
            con, "law_moj", kind="law_moj", licence_id="OGDL-Taiwan-1.0", title="全國法規資料庫", metadata=law_meta
        )
        fsc_meta = {"provider": "金融監督管理委員會"}
        add_source(con, "fsc", kind="fsc", licence_id="OGDL-Taiwan-1.0", pii_expected=True, metadata=fsc_meta)
        add_source(con, "tabf:esun", kind="tabf", licence_id="LicenseRef-Written-Agreement")
        add_source(con, "moda", kind="moda", licence_id="CC-BY-4.0", title="MODA <script>alert(1)</script>")
        ids = add_records(
            con,
            [
                {
                    "source_id": "law_moj",
                    "locator": "A0030001/3",
                    "text": LAW,
                    "title": "銀行法 第 3 條",
                    "licence_id": "OGDL-Taiwan-1.0",
                    "doc_key": "law:A0030001:3",
                },
                {
                    "source_id": "law_moj",
                    "locator": "A0030001/4",
                    "text": "第 4 條  本法稱銀行業務。",
                    "title": "銀行法 第 4 條",
                    "licence_id": "OGDL-Taiwan-1.0",
                    "doc_key": "law:A0030001:4",
                },
                {
                    "source_id": "fsc",
                    "locator": "case/1",
                    "licence_id": "OGDL-Taiwan-1.0",
                    "title": "裁罰案件",
                    "text": f"申請人{SECRETS[0]}，身分證字號{SECRETS[1]}，手機{SECRETS[2]}，違反銀行法。",
                },
                {
                    "source_id": "tabf:esun",
                    "locator": "h/1",
                    "licence_id": "LicenseRef-Written-Agreement",
                    "text": "授信實務講義：徵信與擔保品評估。",
                    "title": "授信實務講義",
                    "metadata": {"licence_terms": ESUN_TERMS},
                },
                {
                    "source_id": "moda",
                    "locator": "c/1",
                    "licence_id": "CC-BY-4.0",
                    "text": "银行经营之业务如左：一、收受支票存款。二、收受其他各种存款。三、受托经理信托资金。",
                },
            ],
            run_id=run_id,
        )
        con.execute(
            "INSERT INTO quarantine (run_id, source_id, locator, reason, stage, created_at)"
            " VALUES (?, 'moda', 'corpus.jsonl:7', 'JSONL line is not JSON </script><b>x</b>', 'ingest', now())",
            [run_id],
        )
        runs.finish_run(con, run_id)
        con.close()
        for stage in ("hygiene", "pii", "normalise", "dedup"):
            rep = run_stage(path, make_stage(stage), workers=1)
            assert rep.status == "finished"
        con = db.connect(path)
        res = export_dataset(
            con, root / "export", ExportParams(purpose="training", audience="consortium", commercial=False)
        )
        con.close()
    finally:
        if old_key is None:
            os.environ.pop("CURATE_PII_KEY", None)
        else:
            os.environ["CURATE_PII_KEY"] = old_key
    return {"path": path, "root": root, "ids": ids, "export_id": res.export_id, "export_dir": root / "export"}


@pytest.fixture(scope="session")
def artefacts() -> Path:
    """Where browser tests leave screenshots (committed copies live in docs/img/)."""
    out = Path(os.environ.get("CURATE_TEST_ARTEFACTS", Path(__file__).resolve().parents[2] / "test-artefacts"))
    out.mkdir(parents=True, exist_ok=True)
    return out


CHROMIUM = Path(os.environ.get("CURATE_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (Playwright's own browser download is never used)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found; `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def watched_page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(180_000)  # a shared, loaded machine: generous, never a timing assertion
    try:
        yield page
    finally:
        ctx.close()


@pytest.fixture
def empty_portal(tmp_path):
    """A live portal over a new, empty catalogue (sessions, Host checks: nothing of a record is needed)."""
    from provenance import db

    from .webhelpers import LivePortal

    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    p = LivePortal(path, tmp_path / "portal")
    try:
        yield p
    finally:
        p.stop()
