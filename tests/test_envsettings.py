"""Tuning settings from the environment: a bad value is one clear line before anything changes, never a
traceback, a silent fallback or SQL of its own (`provenance/envsettings.py`)."""

from __future__ import annotations

import pytest

from provenance import db
from provenance.envsettings import env_bytes, env_int, env_seconds, env_size, env_switch
from provenance.errors import ConfigError

LAW = "chlaw_json/ch/G0380177.json"


@pytest.mark.parametrize("value", ["128MB", "1.5GB", "512 MiB", "64kb", "2TB"])
def test_sizes_duckdb_takes_are_accepted(monkeypatch, value):
    monkeypatch.setenv("CURATE_X", value)
    assert env_size("CURATE_X", "1GB") == value.strip()


@pytest.mark.parametrize("value", ["lots", "128", "MB", "-1GB", "1GB'; COPY records TO '/tmp/x.csv'; --", "1 G B"])
def test_bad_sizes_name_the_variable(monkeypatch, value):
    monkeypatch.setenv("CURATE_X", value)
    with pytest.raises(ConfigError, match=r"CURATE_X must be a size with a unit"):
        env_size("CURATE_X", "1GB")


def test_numbers(monkeypatch):
    monkeypatch.setenv("CURATE_X", " 25_000 ")
    assert env_int("CURATE_X", 1) == 25_000
    for bad in ("0", "-3", "2.5", "many"):
        monkeypatch.setenv("CURATE_X", bad)
        with pytest.raises(ConfigError, match=r"CURATE_X must be a whole number of rows of at least 1"):
            env_int("CURATE_X", 1, unit="rows")
    monkeypatch.setenv("CURATE_X", "")
    assert env_int("CURATE_X", 7) == 7 and env_seconds("CURATE_X", 2.5) == 2.5
    for bad in ("soon", "-1", "nan", "inf"):
        monkeypatch.setenv("CURATE_X", bad)
        with pytest.raises(ConfigError, match=r"CURATE_X must be a number of seconds"):
            env_seconds("CURATE_X", 10.0)


def test_sizes_in_bytes_take_a_unit_and_switches_are_checked(monkeypatch):
    """Review readme F6: CURATE_INGEST_BULK_MIN_BYTES refused `1MB` (a size without a unit was the only form), and
    CURATE_INGEST_FAST took any value (`off` left it on)."""
    from curate.ingest_fast import enabled
    from sources.law_moj_bulk import bulk_min_bytes

    for value, want in (("1MB", 10**6), ("1MiB", 1 << 20), ("512 KiB", 512 << 10), ("0", 0), ("2_048", 2048)):
        monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", value)
        assert bulk_min_bytes() == want
    for bad in ("lots", "-1MB", "1 G B", "1PB"):
        monkeypatch.setenv("CURATE_X", bad)
        with pytest.raises(ConfigError, match=r"CURATE_X must be a size such as 1MB"):
            env_bytes("CURATE_X", 1)
    for value, want in (("off", False), ("0", False), ("No", False), ("on", True), ("TRUE", True), ("1", True)):
        monkeypatch.setenv("CURATE_INGEST_FAST", value)
        assert enabled() is want
    monkeypatch.setenv("CURATE_INGEST_FAST", "banana")
    with pytest.raises(ConfigError, match=r"CURATE_INGEST_FAST must be 1 or 0"):
        enabled()
    monkeypatch.delenv("CURATE_X")
    assert env_switch("CURATE_X", False) is False


def _counts(path):
    con = db.connect_readonly(path)
    try:
        return con.execute("SELECT (SELECT count(*) FROM runs), (SELECT count(*) FROM records)").fetchone()
    finally:
        con.close()


@pytest.mark.parametrize(
    "name",
    ["CURATE_DUCKDB_MEMORY", "CURATE_CHECKPOINT_THRESHOLD", "CURATE_SNAPSHOT_MEMORY", "CURATE_LOAD_BATCH"],
)
def test_a_stage_run_with_a_bad_setting_stops_before_it_starts(cli, db_path, law_fixtures, monkeypatch, name):
    code, _, err = cli("ingest", "law-moj", str(law_fixtures / LAW))
    assert code == 0, err
    before = _counts(db_path)
    monkeypatch.setenv(name, "lots")
    code, out, err = cli("run", "hygiene")
    assert code == 1 and "Traceback" not in err and f"{name} must be" in err, err
    assert _counts(db_path) == before  # no run row, nothing written


def test_dedup_scratch_setting_is_checked_up_front(cli, db_path, law_fixtures, monkeypatch):
    assert cli("ingest", "law-moj", str(law_fixtures / LAW))[0] == 0
    before = _counts(db_path)
    monkeypatch.setenv("CURATE_DEDUP_MEMORY", "1GB' OR 1=1")
    code, _, err = cli("run", "dedup")
    assert code == 1 and "CURATE_DEDUP_MEMORY must be a size" in err and "Traceback" not in err, err
    assert _counts(db_path) == before


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CURATE_INGEST_MEMORY", "lots"),
        ("CURATE_INGEST_BULK_BATCH", "lots"),
        ("CURATE_INGEST_THREADS", "two"),
        ("CURATE_MAX_RECORD_CHARS", "many"),  # was silently the default
        ("CURATE_LOCK_WAIT", "soon"),
        ("CURATE_INGEST_FAST", "banana"),  # was taken as on
    ],
)
def test_an_ingest_with_a_bad_setting_changes_nothing(cli, db_path, law_fixtures, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    code, _, err = cli("ingest", "law-moj", str(law_fixtures / LAW))
    assert code == 1 and f"{name} must be" in err and "Traceback" not in err, err
    assert not db_path.exists() or _counts(db_path) == (0, 0)


def test_a_memory_cap_too_small_to_open_the_catalogue_is_one_line_naming_the_setting(
    cli, db_path, monkeypatch, tmp_path
):
    """Review readme F9: CURATE_SQL_MEMORY=1KB gave DuckDB's 8-line error and its `SET ...` advice."""
    assert cli("init")[0] == 0
    monkeypatch.setenv("CURATE_SQL_MEMORY", "1KB")
    code, _, err = cli("sql", "SELECT count(*) FROM records")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "raise CURATE_SQL_MEMORY" in err, err
    monkeypatch.delenv("CURATE_SQL_MEMORY")
    monkeypatch.setenv("CURATE_INGEST_MEMORY", "1KB")
    f = tmp_path / "m.jsonl"
    f.write_text('{"id": "a", "text": "x"}\n', encoding="utf-8")
    code, _, err = cli("ingest", "moda", str(f), "--licence", "CC0-1.0")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "CURATE_INGEST_MEMORY" in err, err
