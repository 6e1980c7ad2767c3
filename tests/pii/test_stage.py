"""`curate run pii` on a real DuckDB catalogue with the real datatrove runner."""

import json

import pytest
from catalogue_builder import add_record, add_records, add_source

from provenance import db, runs
from provenance.verdicts import VERDICT_BATCH, members_as_events

RECORDS = {
    "loan/1": "申請人王小明，身分證字號A123456789，手機0912345678，住臺北市大安區忠孝東路四段100號5樓。",
    "loan/2": "本行依銀行法第45條之1規定辦理，客服專線0800-123-456。",
    "kyc/3": "客户欧阳娜娜的账号为63344351679986，电子邮件nana.ouyang@example.com。",
}
SECRETS = ["王小明", "A123456789", "0912345678", "忠孝東路", "欧阳娜娜", "63344351679986", "nana.ouyang"]


@pytest.fixture
def catalogue(db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "s")
    add_records(
        con,
        [{"source_id": "s", "locator": loc, "text": text, "doc_key": loc} for loc, text in RECORDS.items()],
        run_id=run_id,
    )
    # an earlier version with the same personal data (as hygiene would leave it): must be sealed too
    from provenance.db import transaction
    from provenance.records import create_version

    old_text = RECORDS["loan/1"] + "  "
    old_id = add_record(con, "s", "loan/0", old_text, doc_key="loan/0", run_id=run_id)
    with transaction(con):
        create_version(con, old_id, RECORDS["loan/1"] + "。", stage="hygiene", run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    return db_path


def test_run_pii(catalogue, cli):
    from curate.pii.keys import load_key
    from curate.pii.vault import read_raw
    from provenance import ledger

    code, out, err = cli("-q", "run", "pii", "--workers", "1", db=catalogue)
    assert code == 0, err
    con = db.connect(catalogue)
    rows = con.execute("SELECT locator, status, pii_state, text FROM records ORDER BY locator, pii_state").fetchall()
    by = {(loc, state): (status, text) for loc, status, state, text in rows}
    assert by[("loan/2", "clean")] == ("active", RECORDS["loan/2"])
    chain = {
        stage: (status, state, text)
        for stage, status, state, text in con.execute(
            "SELECT stage, status, pii_state, text FROM records WHERE locator = 'loan/0'"
        ).fetchall()
    }
    # the ingest ancestor and the hygiene version carry the same personal data: both sealed
    assert chain["ingest"] == ("superseded", "raw", None) and chain["hygiene"] == ("superseded", "raw", None)
    assert chain["pii"][:2] == ("active", "scrubbed") and "〔姓名〕" in chain["pii"][2]
    for loc in ("loan/1", "kyc/3"):
        assert by[(loc, "raw")] == ("superseded", None)  # raw text no longer in clear
        status, scrubbed = by[(loc, "scrubbed")]
        assert status == "active" and "〔姓名〕" in scrubbed
    assert "〔身分證字號〕" in by[("loan/1", "scrubbed")][1]
    # the pipeline can still read the raw text with the key
    raw_id = con.execute("SELECT record_id FROM records WHERE locator='loan/1' AND pii_state='raw'").fetchone()[0]
    assert read_raw(con, raw_id, load_key()) == RECORDS["loan/1"]
    # the ledger proves what was removed without keeping it
    # issue 13: sealed raw versions of a source not marked pii_expected get keyed digests (record_rekeyed)
    raw = con.execute("SELECT count(*) FROM records WHERE pii_state = 'raw'").fetchone()[0]
    keyed = con.execute(
        "SELECT count(*) FROM provenance_events WHERE action = 'record_rekeyed' AND record_id IN"
        " (SELECT record_id FROM records WHERE pii_state = 'raw' AND starts_with(content_sha256, 'hmac:'))"
    ).fetchone()[0]
    assert raw and keyed == raw
    events = con.execute(
        "SELECT action, detail FROM provenance_events WHERE stage='pii'"
        f" AND action NOT IN ('record_rekeyed', 'batch_rekeyed', '{VERDICT_BATCH}')"
        f" UNION ALL SELECT action, detail FROM ({members_as_events()})"
    ).fetchall()
    assert sorted(a for a, _ in events) == [
        "pii_checked",
        "pii_scrubbed",
        "pii_scrubbed",
        "pii_scrubbed",
        "pii_source_names_stored",
    ]
    blob = json.dumps([json.loads(d) for _, d in events], ensure_ascii=False)
    assert not any(s in blob for s in SECRETS)
    scrub_detail = [json.loads(d) for a, d in events if a == "pii_scrubbed"]
    assert all(all(len(s["hmac"]) == 32 for s in d["spans"]) for d in scrub_detail)
    assert ledger.verify(con).ok
    dump = json.dumps(con.execute("SELECT * FROM records").fetchall(), ensure_ascii=False, default=str)
    assert not any(s in dump for s in SECRETS)
    con.close()
    # auditors cannot reach the vault or raw text through `curate sql`
    code, out, err = cli("sql", "SELECT * FROM raw_vault", db=catalogue)
    assert code != 0
    code, out, err = cli("sql", "--json", "SELECT text FROM records", db=catalogue)
    assert code == 0 and not any(s in out for s in SECRETS)
    # a re-run finds nothing new
    code, out, err = cli("-q", "run", "pii", "--workers", "1", db=catalogue)
    assert code == 0, err


def test_run_pii_without_key_is_clear_error(catalogue, cli, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY")
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    code, out, err = cli("run", "pii", db=catalogue)
    assert code == 1 and "CURATE_PII_KEY" in err and "Traceback" not in err


def test_titles_are_scrubbed_and_raw_titles_sealed(db_path, cli, monkeypatch):
    """A sanction's title can name the person even when the text does not."""
    from curate.pii.keys import load_key
    from curate.pii.vault import read_raw, title_vault_id

    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", kind="fsc")
    title, text = "裁處書：理財專員陳建宏先生違規案", "本會依銀行法第129條處罰鍰新臺幣三百萬元。"
    rid = add_record(con, "fsc", "case/1", text, doc_key="case/1", title=title, run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    code, out, _ = cli("sql", "SELECT title FROM records")
    assert "陳建宏" not in out and "〔姓名〕" in out
    con = db.connect(db_path)
    active = con.execute("SELECT title, text, pii_state FROM records WHERE status = 'active'").fetchall()
    assert active == [("裁處書：理財專員〔姓名〕先生違規案", text, "scrubbed")]
    assert read_raw(con, title_vault_id(rid), load_key()) == title
    events = con.execute("SELECT CAST(detail AS VARCHAR) FROM provenance_events WHERE stage = 'pii'").fetchall()
    assert events and all("陳建宏" not in e[0] for e in events)
    con.close()
