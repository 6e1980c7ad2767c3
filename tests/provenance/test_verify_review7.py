"""Seventh hostile review (ledger): NULLs, row fields, recorded heads, forged texts and a wrong key that `curate audit verify` and the export must not miss."""

from __future__ import annotations

import json

import duckdb
import pytest

from provenance import ledger
from tests.provenance.test_crosscheck import _one, _sql

#: recreate provenance_events without its NOT NULL constraints, as an insider with the file can
_UNCONSTRAINED = (
    "CREATE TABLE pe2 AS SELECT * FROM provenance_events",
    "DROP TABLE provenance_events",
    "ALTER TABLE pe2 RENAME TO provenance_events",
)


def _verify(cli, *args):
    code, out, err = cli("audit", "verify", *args)
    assert "Traceback" not in out + err, out + err
    return code, out + err


def test_a_null_hash_hides_no_edit(history, db_path, cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    ocw = history["ocw"][0]
    seq = _one(db_path, f"SELECT min(seq) FROM provenance_events WHERE record_id = '{ocw}'")[0]
    _sql(
        db_path,
        *_UNCONSTRAINED,
        f"UPDATE records SET licence_id = 'CC0-1.0' WHERE record_id = '{ocw}'",
        'UPDATE provenance_events SET detail = json_merge_patch(detail, \'{"licence_id": "CC0-1.0"}\'),'
        f" hash = NULL, prev_hash = NULL WHERE seq = {seq}",
    )
    code, out = _verify(cli, "--anchor", str(anchors))
    assert code == 1 and f"BROKEN at event seq {seq} " in out and "hash missing (NULL)" in out, out


@pytest.mark.parametrize("column", ["hash", "prev_hash", "created_at", "action"])
def test_a_null_in_a_column_the_chain_needs_is_named(history, db_path, cli, column):
    _sql(db_path, *_UNCONSTRAINED, f"UPDATE provenance_events SET {column} = NULL WHERE seq = 5")
    code, out = _verify(cli)
    assert code == 1 and "BROKEN at event seq 5 " in out and f"{column} missing (NULL)" in out, out


@pytest.mark.parametrize("which", ["seq = 5", "seq = (SELECT max(seq) FROM provenance_events WHERE action = 'export')"])
def test_an_event_without_a_seq_is_named(history, db_path, cli, which):
    _sql(db_path, *_UNCONSTRAINED, f"UPDATE provenance_events SET seq = NULL WHERE {which}")
    code, out = _verify(cli)
    assert code == 1 and "BROKEN at an event with no seq" in out, out


def test_a_null_run_head_is_named(history, db_path, cli):
    _sql(db_path, "UPDATE runs SET ledger_hash = NULL WHERE ledger_seq > 0")
    code, out = _verify(cli)
    assert code == 1 and "ledger head the chain no longer has" in out, out


def test_an_erased_run_head_is_named(history, db_path, cli):
    _sql(
        db_path,
        "UPDATE runs SET ledger_seq = NULL, ledger_hash = NULL WHERE finished_at = (SELECT max(finished_at) FROM runs)",
    )
    code, out = _verify(cli)
    assert code == 1 and "finished without its ledger head" in out, out


def test_a_null_status_is_named(history, db_path, cli):
    ocw = history["ocw"][0]
    _sql(
        db_path,
        "ALTER TABLE records ALTER status DROP NOT NULL",
        f"UPDATE records SET status = NULL WHERE record_id = '{ocw}'",
    )
    code, out = _verify(cli)
    assert code == 1 and "a column every version needs is NULL" in out and f"{ocw}: status" in out, out


def test_forged_text_with_its_digest_erased_is_named(history, db_path, cli):
    law = history["law"][1]
    _sql(
        db_path,
        f"UPDATE records SET text = '偽造：任何人可商業使用。', content_sha256 = NULL WHERE record_id = '{law}'",
    )
    code, out = _verify(cli)
    assert code == 1 and "content_sha256 removed (NULL)" in out and law in out, out


@pytest.mark.parametrize(
    "edit",
    [
        "UPDATE exports SET out_dir = '/tmp/harmless-folder'",
        "UPDATE exports SET blocked = 0",
        "UPDATE exports SET actor = 'nobody'",
        "UPDATE exports SET counts = '{}'",
        "UPDATE exports SET created_at = created_at - INTERVAL 30 DAY",
    ],
)
def test_export_row_fields_the_recall_lists_print_are_checked(history, db_path, cli, edit):
    _sql(db_path, edit)
    code, out = _verify(cli)
    assert code == 1 and "row does not match the export event" in out, out


@pytest.mark.parametrize(
    "edit",
    [
        # another licence named for the same records (what the report's chart shows)
        "UPDATE exports SET counts = json_object('licences', json_object('CC0-1.0', records),"
        " 'blocked', json_extract(counts, '$.blocked'), 'characters', json_extract(counts, '$.characters'))",
        'UPDATE exports SET counts = json_merge_patch(counts, \'{"licences": {"CC0-1.0": 5}}\')',
        "UPDATE exports SET counts = json_object('blocked', json_extract(counts, '$.blocked'))",
    ],
    ids=["relabelled", "added", "erased"],
)
def test_export_row_counts_by_licence_are_checked(history, db_path, cli, edit):
    """Review 8: `exports.counts.licences` was compared with nothing; an export's items (sealed by its event's
    items_digest) give each record's licence."""
    _sql(db_path, edit)
    code, out = _verify(cli)
    assert code == 1 and "counts.licences" in out, out


@pytest.mark.parametrize(
    "edit",
    ["UPDATE withdrawals SET actor = 'mallory'", "UPDATE withdrawals SET created_at = created_at - INTERVAL 30 DAY"],
)
def test_withdrawal_row_actor_and_time_are_checked(history, db_path, cli, edit):
    _sql(db_path, edit)
    code, out = _verify(cli)
    assert code == 1 and "row does not match the withdrawal event" in out, out


def _rechain(path):
    """Recompute every hash and every run head, as an attacker who knows the format would (exports left alone)."""
    con = duckdb.connect(str(path))
    try:
        v2_from = ledger.format_from(con)
        rows = con.execute(
            "SELECT seq, event_id, run_id, record_id, stage, action, CAST(detail AS VARCHAR), created_at, actor"
            " FROM provenance_events ORDER BY seq"
        ).fetchall()
        prev = ledger.GENESIS
        for r in rows:
            h = ledger.chain_hash(prev, ledger.content_string(*r, fmt=2 if v2_from and r[0] >= v2_from else 1))
            con.execute("UPDATE provenance_events SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, h, r[0]])
            prev = h
        con.execute(
            "UPDATE runs SET ledger_hash = (SELECT hash FROM provenance_events e WHERE e.seq = runs.ledger_seq)"
            " WHERE ledger_seq > 0"
        )
    finally:
        con.close()


def test_a_rewritten_chain_is_named_by_the_state_its_exports_recorded(history, db_path, cli):
    _sql(db_path, "UPDATE provenance_events SET actor = 'mallory' WHERE seq = 3")
    _rechain(db_path)
    code, out = _verify(cli)
    assert code == 1 and "export event names a ledger state" in out, out


def test_a_broken_chain_is_not_anchored(history, db_path, cli, tmp_path):
    _sql(db_path, "UPDATE provenance_events SET actor = 'mallory' WHERE seq = 3")
    anchors = tmp_path / "a.jsonl"
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 1 and "broken at event seq 3" in err and "Traceback" not in err, out + err
    assert not anchors.exists()


@pytest.mark.parametrize(
    "line, why",
    [
        ('{"seq": 1.5, "hash": "%s"}', "seq 1.5"),
        ('{"seq": true, "hash": "%s"}', "seq True"),
        ('{"seq": -1, "hash": "%s"}', "seq -1"),
        ('{"seq": 1, "hash": null}', "hash None"),
        ('{"seq": 1, "hash": "aa"}', "hash 'aa'"),
    ],
)
def test_an_anchor_line_that_is_no_anchor_is_refused(history, cli, tmp_path, line, why):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(line.replace("%s", "a" * 64) + "\n")
    code, out = _verify(cli, "--anchor", str(bad))
    assert code == 2 and "line 1 is not an anchor" in out and why in out, out


def test_an_anchor_of_an_erased_head_is_named_not_a_crash(history, db_path, cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    seq = json.loads(anchors.read_text())["seq"]
    _sql(db_path, *_UNCONSTRAINED, f"UPDATE provenance_events SET hash = NULL WHERE seq = {seq}")
    code, out = _verify(cli, "--anchor", str(anchors))
    assert code == 1 and "has hash none (NULL)" in out, out


@pytest.mark.parametrize(
    "text,digest",
    [
        ("'偽造：任何人可商業使用。'", "NULL"),
        ("'偽造：任何人可商業使用。'", "content_sha256"),
        ("NULL", "content_sha256"),
    ],
)
def test_the_export_blocks_a_text_that_does_not_hash_to_its_digest(mixed, db_path, cli, tmp_path, text, digest):
    """A blanked text (NULL) shipped as "" with its old digest (review of the fixes, 2)."""
    law = mixed["law"][1]
    _sql(db_path, f"UPDATE records SET text = {text}, content_sha256 = {digest} WHERE record_id = '{law}'")
    out = tmp_path / "x"
    code, _, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--out", str(out),
        "--as-of", "2026-06-01", "--commercial",
    )  # fmt: skip
    assert code == 0, err
    assert law not in (out / "manifest.jsonl").read_text()
    assert f"{law},law_moj,OGDL-Taiwan-1.0,text_digest," in (out / "blocked.csv").read_text()
    assert "偽造" not in "".join(p.read_text(errors="replace") for p in (out / "data").rglob("*") if p.is_file())


def test_a_key_other_than_the_catalogues_is_said_not_a_tampered_text(db_path, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "a", "text": "申請人王小明，身分證字號A123456789。"}\n', encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0")[0] == 0
    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    assert _verify(cli)[0] == 0
    monkeypatch.setenv("CURATE_PII_KEY", "77" * 32)
    code, out = _verify(cli)
    assert "keyed checks NOT DONE: CURATE_PII_KEY is not this catalogue's key" in out, out
    assert "edited in place" not in out and "keyed checks ok" not in out and code == 1, out  # review 17: not 0


def test_another_key_before_anything_is_sealed_is_said_too(db_path, cli, tmp_path, monkeypatch):
    """Before the PII stage no sealed row names the key: the keyed digests of the texts in the clear tell (review of
    the fixes, 1); one text edited in place is still named as such under the right key."""
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    src = tmp_path / "c.jsonl"
    rows = [f'{{"id": "a{i}", "text": "申請人王小明{i}，身分證字號A123456789。"}}\n' for i in range(3)]
    src.write_text("".join(rows), encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", "--pii-expected")[0] == 0
    assert _verify(cli)[0] == 0
    monkeypatch.setenv("CURATE_PII_KEY", "77" * 32)
    code, out = _verify(cli)
    assert "keyed checks NOT DONE: CURATE_PII_KEY is not this catalogue's key" in out, out
    assert "edited in place" not in out and code == 1, out  # review 17: the keyed checks were not made
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = duckdb.connect(str(db_path))
    try:
        con.execute("UPDATE records SET text = text || '改' WHERE record_id = (SELECT min(record_id) FROM records)")
    finally:
        con.close()
    code, out = _verify(cli)
    assert code != 0 and "edited in place" in out and "NOT DONE" not in out, out


@pytest.mark.parametrize(
    "statement,named",
    [
        ("DROP TABLE provenance_events", "table `provenance_events` is missing"),
        ("ALTER TABLE records RENAME TO records_x", "table `records` is missing"),
        ("ALTER TABLE provenance_events ALTER created_at TYPE VARCHAR", "`provenance_events.created_at` is VARCHAR"),
        ("ALTER TABLE withdrawals DROP COLUMN actor", "column `withdrawals.actor` is missing"),
    ],
)
def test_a_dropped_renamed_or_retyped_table_is_named_not_a_traceback(history, db_path, cli, statement, named):
    """Every check failed with a DuckDB binder error and a traceback (ledger review, 7)."""
    assert _verify(cli)[0] == 0
    _sql(db_path, statement)
    code, out = _verify(cli)
    assert code == 1 and named in out and "tables were altered" in out, out


def test_a_correction_ingested_from_a_renamed_file_verifies(db_path, cli, tmp_path):
    """The same rows from a copy of the file under a corrected licence are new ingest versions with their own
    locator (an ingest batch's digest covers it); verify called them edited in place (review of the relicense fix,
    3). A locator edited afterwards is still named."""
    rows = '{"id": "a", "text": "金融科技發展路徑圖。"}\n{"id": "b", "text": "開放銀行第二階段。"}\n'
    (tmp_path / "v1.jsonl").write_text(rows, encoding="utf-8")
    (tmp_path / "v1b.jsonl").write_text(rows, encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(tmp_path / "v1.jsonl"), "--licence", "CC-BY-4.0")[0] == 0
    code, out, err = cli("-q", "ingest", "moda", str(tmp_path / "v1b.jsonl"), "--licence", "CC-BY-NC-4.0")
    assert code == 0 and "2 licence terms changed" in out, out + err
    code, out = _verify(cli)
    assert code == 0, out
    _sql(db_path, "UPDATE records SET locator = 'x.jsonl#line=9' WHERE locator = 'v1b.jsonl#line=1'")
    code, out = _verify(cli)
    assert code == 1 and "ingest batch digest mismatch" in out, out
