"""An annotator's correction waits for the PII stage before another stage derives a version from it (review 15).

A correction becomes the active version with ``pii_state`` NULL (stage ``annotation``), hidden from every reader
until ``curate run pii`` has checked it (:mod:`provenance.pii_rule`). ``curate run hygiene`` (or normalise, or a
pipeline stopped before the PII stage) took it as input and wrote a ``hygiene`` version carrying the NULL
``pii_state`` under its own stage, which no reader hid: the ID number an annotator typed was read through
``curate sql`` again. Such a version is now the PII stage's input alone; once checked, hygiene takes it as usual.
"""

from __future__ import annotations

from catalogue_builder import add_record, add_source

from provenance import db

TYPED = "A123456789"
CORRECTION = f"本行規定，聯絡人身分證{TYPED}。\r\n\r\n\r\n\r\n備註   \t "


def _rows(db_path) -> list[tuple]:
    return db.run_readonly_sql(db_path, "SELECT stage, pii_state, text FROM records WHERE status = 'active'")[1]


def test_hygiene_leaves_an_unchecked_correction_to_the_pii_stage(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "6a" * 32)
    con = db.connect(db_path)
    add_source(con, "reg", licence_id="CC-BY-4.0")  # not marked pii_expected
    add_record(con, "reg", "a/1", CORRECTION, stage="annotation", licence_id="CC-BY-4.0")
    con.close()
    assert _rows(db_path) == [("annotation", None, None)]

    for stage in ("normalise", "hygiene"):
        assert cli("-q", "run", stage, "--workers", "1")[0] == 0
    assert _rows(db_path) == [("annotation", None, None)]  # untouched, still hidden

    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    assert cli("-q", "run", "hygiene", "--workers", "1")[0] == 0
    ((stage, state, text),) = _rows(db_path)
    assert (stage, state) == ("hygiene", "scrubbed") and TYPED not in text and "\r" not in text, text


def test_dedup_leaves_an_unchecked_correction_to_the_pii_stage(db_path, cli, monkeypatch):
    """Dedup wrote no version, so it took a correction before the PII stage: the index kept its unkeyed digests
    (``exact_key``, ``strict_key``, read by ``curate sql``: a guessed ID number is checked against them) and it
    marked one of two copies a duplicate of the other on text nobody had checked."""
    monkeypatch.setenv("CURATE_PII_KEY", "6a" * 32)
    con = db.connect(db_path)
    add_source(con, "reg", licence_id="CC-BY-4.0")  # not marked pii_expected
    for loc in ("a/1", "a/2"):
        add_record(con, "reg", loc, CORRECTION, stage="annotation", licence_id="CC-BY-4.0")
    con.close()

    assert cli("-q", "run", "dedup", "--workers", "1")[0] == 0
    (keys,) = db.run_readonly_sql(db_path, "SELECT count(*) FROM dedup_signatures")[1]
    assert keys == (0,)
    assert _rows(db_path) == [("annotation", None, None)] * 2  # both still active and hidden

    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    assert cli("-q", "run", "dedup", "--workers", "1")[0] == 0
    sql = "SELECT r.stage, r.status FROM records r JOIN dedup_signatures s USING (record_id) ORDER BY r.status"
    assert db.run_readonly_sql(db_path, sql)[1] == [("pii", "active"), ("pii", "duplicate")]


def test_dedup_leaves_a_raw_version_of_a_pii_expected_source_to_the_pii_stage(db_path, cli, monkeypatch):
    """``curate run dedup`` before ``curate run pii`` took raw versions of a ``pii_expected`` source: its index kept
    unkeyed digests of the raw text (``exact_key``, ``strict_key``) and one copy was marked a duplicate of the other.
    Now it leaves them, and says how many wait for the PII stage."""
    monkeypatch.setenv("CURATE_PII_KEY", "6a" * 32)
    raw = f"客戶王小明，身分證字號{TYPED}，電話0912345678，於本行開戶。這是一段足夠長的文字用於去重測試。"
    con = db.connect(db_path)
    add_source(con, "cases", licence_id="CC-BY-4.0", pii_expected=True)
    for loc in ("c/1", "c/2"):
        add_record(con, "cases", loc, raw, licence_id="CC-BY-4.0")
    con.close()

    code, out, _ = cli("-q", "run", "dedup", "--workers", "1")
    assert code == 0 and "2 records wait for the PII stage" in out, out
    (keys,) = db.run_readonly_sql(db_path, "SELECT count(*) FROM dedup_signatures")[1]
    assert keys == (0,)
    statuses = db.run_readonly_sql(db_path, "SELECT status FROM records")[1]
    assert statuses == [("active",)] * 2

    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    code, out, _ = cli("-q", "run", "dedup", "--workers", "1")
    assert code == 0 and "wait for the PII stage" not in out, out
    sql = "SELECT r.pii_state, r.status FROM records r JOIN dedup_signatures s USING (record_id) ORDER BY r.status"
    assert db.run_readonly_sql(db_path, sql)[1] == [("scrubbed", "active"), ("scrubbed", "duplicate")]


def test_the_pii_stage_drops_the_dedup_index_rows_of_the_raw_versions_it_seals(db_path, cli, monkeypatch):
    """A catalogue from before review 15 holds raw versions of a ``pii_expected`` source that a dedup run before
    ``curate run pii`` indexed. Once the PII stage scrubbed and sealed them, their index rows kept unkeyed digests of
    the raw text (``exact_key``: a guess of the ID number checked offline), readable by ``curate sql``: their content
    digests were keyed already, so the keying of sealed digests (which drops them for other sources) passed them by."""
    import curate.snapshot

    monkeypatch.setenv("CURATE_PII_KEY", "6a" * 32)
    raw = f"客戶王小明，身分證字號{TYPED}，電話0912345678，於本行開戶。這是一段足夠長的文字用於去重測試。"
    con = db.connect(db_path)
    add_source(con, "cases", licence_id="CC-BY-4.0", pii_expected=True)
    for loc in ("c/1", "c/2"):
        add_record(con, "cases", loc, raw, licence_id="CC-BY-4.0")
    con.close()
    with monkeypatch.context() as m:  # dedup as before review 15: it took the raw versions
        m.setattr(curate.snapshot, "pii_wait_sql", lambda stage: "")
        assert cli("-q", "run", "dedup", "--workers", "1")[0] == 0
    assert db.run_readonly_sql(db_path, "SELECT count(*) FROM dedup_signatures")[1] == [(2,)]

    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    sql = "SELECT count(*) FROM records r JOIN {t} s USING (record_id) WHERE r.pii_state = 'raw'"
    for t in ("dedup_signatures", "dedup_buckets"):
        assert db.run_readonly_sql(db_path, sql.format(t=t))[1] == [(0,)], t
    assert cli("-q", "run", "dedup", "--workers", "1")[0] == 0
    sql = "SELECT r.pii_state, r.status FROM records r JOIN dedup_signatures s USING (record_id) ORDER BY r.status"
    assert db.run_readonly_sql(db_path, sql)[1] == [("scrubbed", "active"), ("scrubbed", "duplicate")]
