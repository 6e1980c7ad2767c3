"""`audit verify` proves every version's PII pass (the export and annotation gates read ``pii_state``).

A version is ``clean`` only with a ``pii_checked`` event, ``scrubbed`` only as a version the PII stage (or a PII
review) created, or with the state of a passed parent it inherited (same text, or a stage whose texts need no new
check). An in-place ``pii_state`` edit that would let an unchecked text through the gate is named, on a catalogue
made by the real runner (PII, then normalise: its versions inherit the state)."""

from __future__ import annotations

import duckdb
import pytest

from provenance import db, runs
from provenance.crosscheck import crosscheck
from provenance.records import create_version

RECORDS = {
    "loan/1": "申請人王小明，身分證字號A123456789，手機0912345678。",
    "loan/2": "本行依銀行法第45條之1規定辦理，客服專線0800-123-456。",
    "kyc/3": "客户欧阳娜娜的账号为63344351679986，电子邮件nana.ouyang@example.com。",
    "rule/4": "银行应当建立内部控制制度。",  # Simplified, no personal data: normalise makes a clean version
    "loan/5": "借款人王小明的贷款申请已经核准，银行应当通知借款人并办理拨款手续。",  # a scrubbed one
}
PROBLEM = "claims a PII pass"


@pytest.fixture
def catalogue(builder, db_path, monkeypatch, cli):
    """Ingested (with ingest events), then the real `run pii` and `run normalise`, then one more record ingested."""
    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    builder.source("s", "CC-BY-4.0", pii_expected=True)
    for loc, text in RECORDS.items():
        builder.record("s", loc, text, pii_state=None)
    builder.close()
    for stage in ("pii", "normalise"):
        code, _, err = cli("-q", "run", stage, "--workers", "1", db=db_path)
        assert code == 0, err
    builder.con = db.connect(db_path)
    # an ingest after runs were sealed is a run of its own (its events under the builder's ended run would be an
    # edit `audit verify` names since review 18's run seals)
    builder.run_id = runs.start_run(builder.con, "ingest", "x")
    builder.record("s", "late/9", "後來收錄、尚未經個資檢查的文字。", pii_state=None)
    runs.finish_run(builder.con, builder.run_id)
    builder.close()
    return db_path


def _problems(path) -> list[str]:
    """Each problem of the cross-check with the ids it names: ``"<problem> <id>"``."""
    con = duckdb.connect(str(path))
    try:
        res = crosscheck(con)
    finally:
        con.close()
    return [f"{f.problem} {f.subject}" for f in res.findings] + [p for p in res.problems if not res.findings]


def _ids(path, where: str) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [r[0] for r in con.execute(f"SELECT record_id FROM records WHERE {where}").fetchall()]
    finally:
        con.close()


def _sql(path, sql: str, params=None) -> None:
    con = duckdb.connect(str(path))
    try:
        con.execute(sql, params)
    finally:
        con.close()


def test_the_real_pipeline_verifies(catalogue, cli):
    states = dict(
        duckdb.connect(str(catalogue), read_only=True)
        .execute("SELECT stage || '/' || coalesce(pii_state, '-'), count(*) FROM records GROUP BY ALL")
        .fetchall()
    )
    # every way to a passed state is in the catalogue: checked in place, scrubbed by the stage, inherited
    assert states.get("normalise/clean") and states.get("normalise/scrubbed") and states.get("pii/scrubbed"), states
    assert states.get("ingest/clean") and states.get("ingest/raw") and states.get("ingest/-"), states
    assert _problems(catalogue) == []
    code, out, err = cli("audit", "verify", db=catalogue)
    assert code == 0 and "cross-checks ok" in out, out + err


@pytest.mark.parametrize(
    "where, edit",
    [
        ("pii_state IS NULL", "pii_state = 'clean'"),  # never checked
        ("pii_state IS NULL", "pii_state = 'scrubbed'"),
        ("pii_state IS NULL", "pii_state = 'scrubbed', stage = 'pii'"),  # posing as the stage's version
        ("pii_state = 'raw'", "pii_state = 'clean'"),  # the sealed input the stage scrubbed
        ("stage = 'pii'", "pii_state = 'clean'"),  # a scrubbed version was never checked clean
    ],
)
def test_a_forged_pass_is_named(catalogue, cli, where, edit):
    rid = _ids(catalogue, where)[0]
    _sql(catalogue, f"UPDATE records SET {edit} WHERE record_id = ?", [rid])
    problems = _problems(catalogue)
    assert any(PROBLEM in p and rid in p for p in problems), problems
    code, out, err = cli("audit", "verify", db=catalogue)
    assert code == 1 and PROBLEM in out, out + err


def test_a_forged_parent_does_not_pass_its_children(catalogue):
    """The unchecked record gets a hygiene version (inherits NULL); forging the parent names both."""
    parent = _ids(catalogue, "pii_state IS NULL")[0]
    con = db.connect(catalogue)
    run_id = runs.start_run(con, "test-hygiene", "z")
    with db.transaction(con):
        child = create_version(con, parent, "後來收錄、尚未經個資檢查的文字", stage="hygiene", run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    assert _problems(catalogue) == []
    _sql(catalogue, "UPDATE records SET pii_state = 'clean' WHERE record_id IN (?, ?)", [parent, child])
    problems = " ".join(_problems(catalogue))
    assert parent in problems and child in problems


def test_a_forged_lineage_does_not_inherit(catalogue):
    """Inheritance follows the creating events: an unchecked record re-parented in place under a clean one, posing
    as its hygiene version, is still named."""
    rid = _ids(catalogue, "pii_state IS NULL")[0]
    parent = _ids(catalogue, "pii_state = 'clean' AND stage = 'ingest'")[0]
    _sql(
        catalogue,
        "UPDATE records SET version_of = ?, stage = 'hygiene', pii_state = 'clean' WHERE record_id = ?",
        [parent, rid],
    )
    assert any(PROBLEM in p and rid in p for p in _problems(catalogue))


@pytest.mark.parametrize(
    "stage, same_text, earned",
    [
        ("hygiene", False, True),  # a stage's rewrite of a passed text keeps its state
        ("ingest", True, True),  # a licence-terms version: the same text
        ("ingest", False, False),  # a new text from the source must be checked
        ("annotation", False, False),  # typed by a person (`annotate pull` resets it to NULL): checked again
    ],
)
def test_inherited_states(catalogue, stage, same_text, earned):
    parent = _ids(catalogue, "pii_state = 'clean' AND status = 'active' AND stage = 'ingest'")[0]
    con = db.connect(catalogue)
    text = con.execute("SELECT text FROM records WHERE record_id = ?", [parent]).fetchone()[0]
    run_id = runs.start_run(con, f"test-{stage}", "z")
    with db.transaction(con):
        child = create_version(con, parent, text if same_text else text + "（修訂）", stage=stage, run_id=run_id)
    runs.finish_run(con, run_id)
    state = con.execute("SELECT pii_state FROM records WHERE record_id = ?", [child]).fetchone()[0]
    con.close()
    assert state == "clean"  # inherited from the parent by the one version writer
    problems = _problems(catalogue)
    if earned:
        assert problems == []
    else:
        assert any(PROBLEM in p and child in p for p in problems), problems
        _sql(catalogue, "UPDATE records SET pii_state = NULL WHERE record_id = ?", [child])  # what the writer must do
        assert _problems(catalogue) == []


# ---------------------------------------------------------------- the source rows the gates read


@pytest.fixture
def expected_source(db_path, tmp_path, cli, monkeypatch):
    """A real ingest of a source marked pii_expected (keyed ids), before any PII run."""
    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    f = tmp_path / "corpus.jsonl"
    f.write_text('{"id": "1", "text": "申請人王小明，手機0912345678。", "agency": "金管會"}\n', encoding="utf-8")
    args = ("--quiet", "ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0", "--pii-expected")
    code, out, err = cli(*args)
    assert code == 0, out + err
    code, out, err = cli(*args)  # the same source again: nothing changed, no second event
    assert code == 0, out + err
    return db_path


def _registered(path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT json_extract_string(detail, '$.source_id'), json_extract_string(detail, '$.licence_id'),"
            " CAST(json_extract(detail, '$.pii_expected') AS BOOLEAN) FROM provenance_events"
            " WHERE action = 'source_registered' ORDER BY seq"
        ).fetchall()
    finally:
        con.close()


def _exported(path, cli, out) -> int:
    """Records in a public training export made now with the looser PII gate (``expected``: only records of sources
    marked pii_expected must have passed the PII stage; the auditor portal shows texts by the same rule)."""
    code, stdout, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--non-commercial",
        "--pii-gate",
        "expected",
        "--out",
        str(out),
    )
    assert code == 0, stdout + err
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute("SELECT records FROM exports ORDER BY created_at DESC LIMIT 1").fetchone()[0]
    finally:
        con.close()


def test_a_source_row_is_registered_once(expected_source, cli, tmp_path):
    assert _registered(expected_source) == [("moda", "OGDL-Taiwan-1.0", True)]
    assert _problems(expected_source) == []
    # why it matters: the record has not passed the PII stage; the gate holds it back only while the flag stands
    assert _exported(expected_source, cli, tmp_path / "e1") == 0
    _sql(expected_source, "UPDATE sources SET pii_expected = FALSE")
    assert _exported(expected_source, cli, tmp_path / "e2") == 1
    assert any("source_registered" in p for p in _problems(expected_source))


@pytest.mark.parametrize(
    "edit, problem",
    [
        ("UPDATE sources SET pii_expected = FALSE", "differs from its newest source_registered event"),
        ("UPDATE sources SET licence_id = 'CC0-1.0'", "differs from its newest source_registered event"),
        ("DELETE FROM sources", "has no sources row"),
    ],
)
def test_a_forged_source_row_is_named(expected_source, cli, edit, problem):
    _sql(expected_source, edit)
    problems = _problems(expected_source)
    assert any(problem in p and "moda" in p for p in problems), problems
    code, out, err = cli("audit", "verify")
    assert code == 1 and problem in out, out + err


def test_keyed_records_prove_pii_expected_without_the_event(db_path, cli):
    """Catalogues from before the event: a source whose texts carry keyed digests was marked pii_expected."""
    from catalogue_builder import add_records, add_source

    con = db.connect(db_path)
    for src, expected in (("old_expected", True), ("old_cleared", False)):
        add_source(con, src, pii_expected=expected)
        add_records(
            con, [{"source_id": src, "locator": "1", "text": "受處分人：王小明。", "content_sha256": "hmac:00"}]
        )
    con.close()
    problems = [p for p in _problems(db_path) if "keyed ids" in p]
    assert len(problems) == 1 and "old_cleared" in problems[0], problems
