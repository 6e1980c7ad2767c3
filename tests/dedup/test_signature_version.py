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


def test_a_key_review_16_rewrote_has_its_signature_signed_again(tmp_path, monkeypatch):
    """Review 16's one-off pass rewrote a stale key under the current version and left its signature as it stood:
    such a row's key reads current, so only a version that changed with review 17 finds its stale signature."""
    import hashlib
    import unicodedata

    import curate.dedup.exact as exact
    import curate.dedup.keys as keys

    inc = tmp_path / "inc.duckdb"
    add_records(inc, [*FIRST, *OLD], run_id="ingest-0")
    keep, fmap = keys._tables()
    before = fmap.copy()
    before[ord("書")] = ord("書")
    with monkeypatch.context() as m:
        m.setattr(keys, "_tables", lambda: (keep, before))
        m.setattr(exact, "exact_key_version", lambda: "0" * 8)
        assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    # what review 16 left: the key computed again under the fold as it is now, tagged with its version then (rules 1)
    blob = f"exact|1|{unicodedata.unidata_version}|{keys._opencc_version()}|{keys._TABLES_VERSION}"
    v16 = hashlib.sha256(blob.encode()).hexdigest()[:8]
    con = db.connect(inc)
    try:
        texts = dict(con.execute("SELECT record_id, text FROM records").fetchall())
        for rid, text in texts.items():
            digest = keys.exact_key(keys.normalise_codepoints(text))
            con.execute("UPDATE dedup_signatures SET exact_key = ? WHERE record_id = ?", [f"{v16}:{digest}", rid])
        con.execute("CHECKPOINT")
    finally:
        con.close()
    add_records(inc, NEW, run_id="ingest-1")
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    one = tmp_path / "one.duckdb"
    add_records(one, [*FIRST, *OLD, *NEW])
    assert run_stage(one, DedupStage(), workers=1).status == "finished"
    assert _state(inc) == _state(one)
    assert _signatures(inc) == _signatures(one)
