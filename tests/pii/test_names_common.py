"""Issue 17: a labelled "name" that is common in its source is not scrubbed across the source.

A label followed by an ordinary string (受處分人：金保, read off a table or a garbled line) would otherwise
teach the source a "name" that is in every 基金保管 of every record: the source-wide scrub would rewrite a share of
the source that grows with it. Held names are still scrubbed where they were labelled, and real names, which
occur in a few records, still go everywhere in the source.
"""

import json
import os
import signal
import sys
from pathlib import Path

import pytest
from catalogue_builder import add_source, ingest_run
from catalogue_query import ledger_events
from catalogue_query import query as _q
from killed import run_killed

from curate.stages.base import config_hash
from curate.stages.config import PiiConfig
from provenance import db, ledger

ROOT = Path(__file__).resolve().parents[2]
COMMON = "基金保管機構應依第{}條規定辦理。"


@pytest.fixture
def catalogue(db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    add_source(con, "fsc", pii_expected=True)
    rows = [
        {"source_id": "fsc", "locator": "case/1", "text": "受處分人：金保\n經查林志明於任職期間挪用客戶款項。"},
        {"source_id": "fsc", "locator": "case/2", "text": "受處分人：林志明\n核處罰鍰。"},
        {"source_id": "fsc", "locator": "case/3", "text": "本會前於113年核處林志明，該員已離職。"},
    ]
    rows += [{"source_id": "fsc", "locator": f"rule/{i}", "text": COMMON.format(i)} for i in range(150)]
    ingest_run(con, rows)
    con.close()
    return db_path


def _texts(con) -> dict[str, str]:
    return dict(con.execute("SELECT locator, text FROM records WHERE status = 'active'").fetchall())


FLOOR = ("--set", "names_common_min=100")  # the default floor is 1,000 records; this source has 153


def test_a_common_string_after_a_label_is_not_scrubbed_across_the_source(catalogue, cli):
    code, _, err = cli("-q", "run", "pii", "--workers", "1", *FLOOR, db=catalogue)
    assert code == 0, err
    con = db.connect(catalogue)
    texts = _texts(con)
    assert all(texts[f"rule/{i}"] == COMMON.format(i) for i in range(150))  # 基金保管 kept
    assert "金保" not in texts["case/1"]  # scrubbed where it was labelled
    assert "林志明" not in texts["case/3"]  # a real name still goes across the source
    (detail,) = con.execute("SELECT detail FROM provenance_events WHERE action = 'pii_names_held'").fetchone()
    held = json.loads(detail)
    assert held["source_id"] == "fsc" and [n["records"] for n in held["names"]] == [150]
    ledger = con.execute("SELECT string_agg(CAST(detail AS VARCHAR), '') FROM provenance_events").fetchone()[0]
    assert "金保" not in ledger and "林志明" not in ledger
    stats = con.execute("SELECT CAST(value AS VARCHAR) FROM run_stats WHERE metric = 'names_held'").fetchall()
    assert stats, "the run's statistics count the held names"
    con.close()


def test_the_check_can_be_turned_off(catalogue, cli):
    code, _, err = cli("-q", "run", "pii", "--workers", "1", *FLOOR, "--set", "names_common_share=1.0", db=catalogue)
    assert code == 0, err
    con = db.connect(catalogue)
    texts = _texts(con)
    assert not any("金保" in texts[f"rule/{i}"] for i in range(150))  # scrubbed across the source
    assert con.execute("SELECT count(*) FROM provenance_events WHERE action = 'pii_names_held'").fetchone()[0] == 0
    con.close()


def test_the_default_floor_lets_a_name_of_150_records_through(catalogue, cli):
    """A person named in fewer than 1,000 records is scrubbed across the source whatever their share."""
    code, _, err = cli("-q", "run", "pii", "--workers", "1", db=catalogue)
    assert code == 0, err
    con = db.connect(catalogue)
    assert not any("金保" in t for loc, t in _texts(con).items() if loc.startswith("rule/"))
    con.close()


def test_the_options_do_not_change_the_stage_marks():
    """The source-wide scrub does not go by the marks, so its options leave the config hash (and the default's
    hash is the one catalogues already carry)."""
    assert config_hash(PiiConfig(names_common_share=1.0, names_common_min=7)) == config_hash(PiiConfig())
    assert config_hash(PiiConfig()) == "770f814a49af6b5f"
    assert config_hash(PiiConfig(mode="pseudonym")) != config_hash(PiiConfig())


def test_the_scan_reports_held_names_apart_and_still_finds_real_ones(catalogue, cli):
    assert cli("-q", "run", "pii", "--workers", "1", *FLOOR, db=catalogue)[0] == 0
    code, out, err = cli("pii", "scan", "--json", db=catalogue)
    report = json.loads(out)
    assert code == 0 and report["findings"] == [], (out, err)
    assert list(report["held_names"]) == ["fsc"] and len(report["held_names"]["fsc"]) == 1
    con = db.connect(catalogue)
    con.execute("UPDATE records SET title = '林志明' WHERE locator = 'rule/3' AND status = 'active'")  # a real leak
    con.close()
    code, out, _ = cli("pii", "scan", "--json", db=catalogue)
    assert code == 1 and {f["where"].split(".")[0] for f in json.loads(out)["findings"]} == {"records"}


def test_names_are_counted_as_the_scrub_finds_them(db_path):
    """The count follows find_values: an ASCII name inside a longer ASCII word is not an occurrence, and a record
    counts once however often it holds the name."""
    from curate.pii.source_names import common_names

    con = db.connect(db_path)
    add_source(con, "fsc", pii_expected=True)
    rows = [{"source_id": "fsc", "locator": f"a/{i}", "text": f"Lincoln Line 第{i}條 Lin2 _Lin"} for i in range(150)]
    rows += [{"source_id": "fsc", "locator": f"b/{i}", "text": f"經理 Lin 與 Lin 會同 第{i}條"} for i in range(120)]
    rows += [{"source_id": "fsc", "locator": f"c/{i}", "text": f"基金保管第{i}條"} for i in range(99)]
    ingest_run(con, rows)
    con.execute("UPDATE records SET pii_state = 'clean'")
    assert common_names(con, "fsc", ["Lin", "金保"], 0.005, 100) == {"Lin": 120}
    assert common_names(con, "fsc", ["Lin", "金保"], 0.005, 99) == {"Lin": 120, "金保": 99}
    assert common_names(con, "fsc", ["Lin"], 0.5, 100) == {}  # 120 of 369 records: under half
    assert common_names(con, "fsc", ["Lin"], 1.0, 1) == {}  # turned off
    con.close()


def test_a_later_run_holds_the_name_again_for_its_own_records(catalogue, cli):
    """A run that searches only its own records for the source's known names counts the names they hold."""
    assert cli("-q", "run", "pii", "--workers", "1", *FLOOR, db=catalogue)[0] == 0
    con = db.connect(catalogue)
    rows = [
        {"source_id": "fsc", "locator": "rule/new", "text": COMMON.format(999)},
        {"source_id": "fsc", "locator": "case/4", "text": "林志明另案經查屬實。"},
    ]
    ingest_run(con, rows, "y")
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1", *FLOOR, db=catalogue)[0] == 0
    con = db.connect(catalogue)
    texts = _texts(con)
    assert texts["rule/new"] == COMMON.format(999) and "林志明" not in texts["case/4"]
    events = con.execute("SELECT run_id FROM provenance_events WHERE action = 'pii_names_held'").fetchall()
    assert len(events) == 2 and events[0] != events[1]
    # a run none of whose records holds the name neither counts nor holds it
    ingest_run(con, [{"source_id": "fsc", "locator": "case/5", "text": "本案無涉個人。"}], "z")
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1", *FLOOR, db=catalogue)[0] == 0
    con = db.connect(catalogue)
    assert con.execute("SELECT count(*) FROM provenance_events WHERE action = 'pii_names_held'").fetchone()[0] == 2
    con.close()


def _state(path):
    return (
        _q(path, "SELECT record_id, status, pii_state, text, title FROM records ORDER BY record_id"),
        ledger_events(path, "stage = 'pii'", "record_id, action"),  # less the row seals (each catalogue's own times)
        _q(path, "SELECT record_id FROM raw_vault ORDER BY ALL"),
    )


@pytest.mark.parametrize("fault", ["before_last_transaction", "during_load"])
def test_a_run_killed_at_its_end_logs_the_held_names_once(catalogue, cli, tmp_path, fault):
    """kill -9 after the name scrub (names held, nothing logged yet) or inside the last transaction (the event
    written, rolled back): the resumed run ends with the catalogue of an uninterrupted one, one event."""
    import shutil

    clean = tmp_path / "clean.duckdb"
    shutil.copy(catalogue, clean)
    assert cli("-q", "run", "pii", "--workers", "1", *FLOOR, db=clean)[0] == 0
    code = (
        "from curate.cli import main\n"
        f"main(['--db', {str(catalogue)!r}, '-q', 'run', 'pii', '--workers', '1', *{FLOOR!r}])\n"
    )
    env = {**os.environ, "CURATE_FAULT": fault, "PYTHONPATH": str(ROOT)}
    assert run_killed([sys.executable, "-c", code], env, tmp_path / "out.log") == -signal.SIGKILL
    assert _q(catalogue, "SELECT count(*) FROM provenance_events WHERE action = 'pii_names_held'") == [(0,)]
    assert cli("-q", "run", "pii", "--workers", "1", *FLOOR, db=catalogue)[0] == 0  # resumes the run
    assert _state(catalogue) == _state(clean)
    assert _q(catalogue, "SELECT count(*) FROM provenance_events WHERE action = 'pii_names_held'") == [(1,)]
    con = db.connect_readonly(catalogue)
    try:
        assert ledger.verify(con).ok
    finally:
        con.close()


@pytest.mark.parametrize("option", ["names_common_share=0", "names_common_share=1.5", "names_common_min=0"])
def test_an_option_out_of_range_is_refused_with_a_hint(catalogue, cli, option):
    code, out, err = cli("-q", "run", "pii", "--workers", "1", "--set", option, db=catalogue)
    assert code != 0 and "Traceback" not in err
    assert option.split("=")[0] in err and ("(0, 1]" in err or "1 or more" in err), err
    assert _q(catalogue, "SELECT count(*) FROM records WHERE stage = 'pii'") == [(0,)]  # nothing ran
