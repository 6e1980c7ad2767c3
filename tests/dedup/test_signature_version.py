"""An index row's MinHash signature and LSH buckets are computed over the folded text, as its exact key is: after an
upgrade that changes the fold (OpenCC's table, the Unicode database) they are stale too. Review 16 computed a stale
exact key again from the text but compared the stale signature as it stood, so a near copy arriving after the upgrade
missed the earlier record it copies (no shared bucket: every shingle holding a character the fold now changes
differed) and stayed active beside it, where one run over both drops it. The first run under the new version signs
every stale row again with its key (curate/dedup/exact.py), and the load stores them."""

from __future__ import annotations

from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db

from .test_exact_key_version import FIRST, add_records
from .test_incremental_equals_one_shot import _state

#: 書 in nearly every shingle: the fold before the upgrade left it alone, the current one folds it
BOOK = (
    "本行受理存款證明書、授信契約書、保證書、委託書、同意書及切結書之申請，申請人應填具申請書並附身分證明文書，"
    "經審核後發給證明書，遺失證明書者應填具掛失申請書。"
)
OLD = [("tabf", "book-0", BOOK)]
NEW = [("moda", "book-1", BOOK.replace("經審核後", "經本行審核後"))]


def _signatures(path) -> dict[str, bytes]:
    con = db.connect_readonly(path)
    try:
        return dict(con.execute("SELECT record_id, signature FROM dedup_signatures").fetchall())
    finally:
        con.close()


def test_a_stale_signature_is_computed_again_with_its_key(tmp_path, monkeypatch):
    import curate.dedup.exact as exact
    import curate.dedup.keys as keys

    inc = tmp_path / "inc.duckdb"
    add_records(inc, [*FIRST, *OLD], run_id="ingest-0")
    keep, fmap = keys._tables()
    assert fmap[ord("書")] != ord("書")
    before = fmap.copy()
    before[ord("書")] = ord("書")
    with monkeypatch.context() as m:
        m.setattr(keys, "_tables", lambda: (keep, before))
        m.setattr(exact, "exact_key_version", lambda: "0" * 8)
        assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    add_records(inc, NEW, run_id="ingest-1")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    one = tmp_path / "one.duckdb"
    add_records(one, [*FIRST, *OLD, *NEW])
    assert run_stage(one, DedupStage(), workers=1).status == "finished"
    assert _state(inc) == _state(one)  # the near copy a duplicate, as one run decides
    assert _signatures(inc) == _signatures(one)  # every stale row signed again (and stored) under the current fold
