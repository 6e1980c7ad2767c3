"""A PII review that found missed personal data (漏標) seals the version the reviewer read and every earlier version
on its chain that still shows text (:meth:`curate.pii.review.VaultReview.seal_versions`). The walk was cut at depth
64: on a longer chain, an old ``clean`` or ``scrubbed`` version holding the name stayed readable in the clear (the
vault seal's own walk only reaches versions without a PII state)."""

from __future__ import annotations

from pathlib import Path

import pytest

from curate.pii.keys import load_key
from curate.pii.review import VaultReview
from curate.pii.vault import read_raw
from provenance import db

DEEP = 70
TEXT = "客戶陳𠀋文協商還款。"


@pytest.mark.parametrize("state", ["clean", "scrubbed", None])
def test_a_reviewed_version_70_deep_seals_its_whole_chain(tmp_path: Path, monkeypatch, state) -> None:
    monkeypatch.setenv("CURATE_PII_KEY", "5d" * 32)
    key = load_key()
    con = db.connect(tmp_path / "cat.duckdb")
    # v0 (ingested) <- v1 <- ... <- v70 (the version the reviewer read) <- v71 (the new, masked version: active)
    con.execute(
        "INSERT INTO records (record_id, doc_key, source_id, locator, version_of, status, run_id, created_at, stage,"
        " text, pii_state)"
        " SELECT 'v' || i, 'd', 's', 'l', CASE WHEN i > 0 THEN 'v' || (i - 1) END,"
        f" CASE WHEN i = {DEEP + 1} THEN 'active' ELSE 'superseded' END, 'r', now(), 'normalise',"
        f" CASE WHEN i = {DEEP + 1} THEN '客戶〔姓名〕協商還款。' ELSE ? END, ? FROM range({DEEP + 2}) t(i)",
        [TEXT, state],
    )
    sealed = VaultReview(key).seal_versions(con, [f"v{DEEP}"], run_id="r")
    shown = con.execute("SELECT record_id FROM records WHERE text LIKE '%陳𠀋文%'").fetchall()
    assert shown == [], "every version on the chain is sealed"
    # one missed_pii_sealed event each (the caller writes them from this list), the deepest too
    assert sorted(sealed) == sorted((f"v{i}", f"v{DEEP}") for i in range(DEEP + 1))
    assert read_raw(con, "v0", key) == TEXT
    con.close()
