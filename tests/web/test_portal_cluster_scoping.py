"""A bank's record page lists only the dedup cluster's records that bank may see: the cluster named every other
record (id, rule, match, Jaccard), another bank's licensed records too, while that bank's own pages refuse them;
the rest are counted, not named. An auditor still sees the whole cluster (review 9, web review)."""

from __future__ import annotations

import shutil

import httpx

from provenance import db, ledger

from .webhelpers import LivePortal, first_active, http_login


def test_a_bank_reads_only_the_cluster_records_it_may_see(demo_catalogue, tmp_path):
    path = tmp_path / "cat.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    con = db.connect(path)
    try:
        law = first_active(con, "law_moj")
        esun = first_active(con, "tabf:esun")
        with db.transaction(con):  # what dedup writes for a duplicate: its status and a duplicate_of event
            con.execute("UPDATE records SET status = 'duplicate' WHERE record_id = ?", [esun])
            ledger.append(
                con,
                [
                    ledger.Event(
                        stage="dedup",
                        action="duplicate_of",
                        record_id=esun,
                        run_id=None,
                        actor=None,
                        detail={"survivor": law, "rule": "minhash", "match": "near", "jaccard": 0.9137},
                    )
                ],
            )
    finally:
        con.close()
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            http_login(c, "alice")
            html = c.get(f"/record/{law}").text
            assert esun[:16] in html and "0.9137" in html and 'id="cluster-hidden"' not in html  # the whole cluster
        with httpx.Client(base_url=p.url) as c:
            http_login(c, "ctbc")
            r = c.get(f"/record/{law}")
            assert r.status_code == 200 and law in r.text  # its record, the survivor
            assert esun[:16] not in r.text and "0.9137" not in r.text  # not the ESUN record
            assert 'id="cluster-hidden"' in r.text and "另有 1 筆" in r.text
    finally:
        p.stop()


def test_a_near_duplicates_event_names_its_representative_only_to_a_bank_that_may_see_it(demo_catalogue, tmp_path):
    """A record's near_duplicate_of event names its representative: on a bank's record page, the ledger events named
    another bank's licensed record that the cluster no longer lists (review 9, web-r)."""
    path = tmp_path / "cat.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    con = db.connect(path)
    try:
        law = first_active(con, "law_moj")
        esun = first_active(con, "tabf:esun")
        with db.transaction(con):  # what dedup writes for a near duplicate kept per document
            ledger.append(
                con,
                [
                    ledger.Event(
                        stage="dedup",
                        action="near_duplicate_of",
                        record_id=law,
                        run_id=None,
                        actor=None,
                        detail={"representative": esun, "jaccard": 0.8123, "match": "near", "kept_by": "per_document"},
                    )
                ],
            )
    finally:
        con.close()
    p = LivePortal(path, tmp_path / "portal")
    try:
        for user, shown in (("alice", True), ("esun", True), ("ctbc", False)):
            with httpx.Client(base_url=p.url) as c:
                http_login(c, user)
                r = c.get(f"/record/{law}")
                assert r.status_code == 200 and "0.8123" in r.text, user  # the event itself
                assert (esun in r.text) is shown, user
    finally:
        p.stop()


def test_a_chained_duplicates_event_names_the_member_it_matched_only_to_a_bank_that_may_see_it(
    demo_catalogue, tmp_path
):
    """A duplicate joined to its survivor through a chain (A≈B≈C) names the member it matched (``matched``) in its
    ``duplicate_of`` event, and a chain release (review 14) in its ``duplicate_released``: on a bank's record page
    that id was shown though it is another bank's licensed record, which the cluster and the survivor hide."""
    path = tmp_path / "cat.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    con = db.connect(path)
    try:
        law = first_active(con, "law_moj")
        esun = first_active(con, "tabf:esun")
        chain = {"survivor": law, "rule": "minhash", "match": "near", "jaccard": 0.7011, "matched": esun}
        with db.transaction(con):  # what dedup writes for a chained duplicate, then a chain release of it
            ledger.append(
                con,
                [
                    ledger.Event(stage="dedup", action="duplicate_of", record_id=law, detail=chain),
                    ledger.Event(
                        stage="provenance",
                        action="duplicate_released",
                        record_id=law,
                        detail={"survivor": law, "matched": esun, "previous_status": "duplicate", "reason": "0.7022"},
                    ),
                ],
            )
    finally:
        con.close()
    p = LivePortal(path, tmp_path / "portal")
    try:
        for user, shown in (("alice", True), ("esun", True), ("ctbc", False)):
            with httpx.Client(base_url=p.url) as c:
                http_login(c, user)
                r = c.get(f"/record/{law}")
                assert r.status_code == 200 and "0.7011" in r.text and "0.7022" in r.text, user  # the events
                assert (esun in r.text) is shown, user
    finally:
        p.stop()
