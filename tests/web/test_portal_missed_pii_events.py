"""A bank user's record page listed another bank's ``missed_pii_sealed`` event (review 11): the pull that seals the
version a 漏標 review read writes it with no bank in its detail and no actor, so the rule that hides another bank's
annotation events let it through. An annotation event's bank is now the one its run names (`annotate pull --bank`),
and one that names none is not shown to a bank."""

from __future__ import annotations

import shutil

import httpx

from provenance import db, ledger, runs

from .webhelpers import LivePortal, first_active, http_login


def test_a_bank_is_not_shown_another_banks_missed_pii_sealed_event(demo_catalogue, tmp_path):
    path = tmp_path / "cat.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    con = db.connect(path)
    try:
        rid = first_active(con, "law_moj")
        pulls = {
            bank: runs.start_run(con, "annotate pull", "x", {"bank": bank, "projects": ["pii"], "instance": "i"})
            for bank in ("CTBC", "ESUN")
        }
        with db.transaction(con):  # as annotation/pull_batch.py _seal_missed writes them: no bank, no actor
            ledger.append(
                con,
                [
                    *(
                        ledger.Event(
                            stage="annotation",
                            action="missed_pii_sealed",
                            record_id=rid,
                            run_id=run_id,
                            detail={"reviewed": rid, "masked_by": f"{bank.lower()}-mask", "key_id": "k1"},
                        )
                        for bank, run_id in pulls.items()
                    ),
                    ledger.Event(
                        stage="annotation",
                        action="missed_pii_sealed",
                        record_id=rid,
                        detail={"reviewed": rid, "masked_by": "unknown-mask", "key_id": "k1"},
                    ),
                ],
            )
    finally:
        con.close()
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            http_login(c, "alice")
            html = c.get(f"/record/{rid}").text
            assert all(m in html for m in ("ctbc-mask", "esun-mask", "unknown-mask"))  # the auditor sees them all
        with httpx.Client(base_url=p.url) as c:
            http_login(c, "esun")
            r = c.get(f"/record/{rid}")
            assert r.status_code == 200 and "esun-mask" in r.text  # its own bank's
            assert "ctbc-mask" not in r.text and "unknown-mask" not in r.text
    finally:
        p.stop()
