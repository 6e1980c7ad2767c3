"""The ledger notices truncation and edits outside the chain (issue 12 §2), tried through plain DuckDB."""

from __future__ import annotations

import hashlib
import json

import duckdb
import pytest
from prov_helpers import export_public

from provenance import ledger


def _sql(path, *statements):
    con = duckdb.connect(str(path))
    try:
        for s in statements:
            con.execute(s)
    finally:
        con.close()


def _one(path, sql):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchone()
    finally:
        con.close()


def _rehash_from(path, seq):
    """Recompute every hash from ``seq`` on, as an attacker who knows the format would."""
    con = duckdb.connect(str(path))
    try:
        v2_from = ledger.format_from(con)
        prev = con.execute("SELECT hash FROM provenance_events WHERE seq = ?", [seq - 1]).fetchone()
        prev = prev[0] if prev else ledger.GENESIS
        rows = con.execute(
            "SELECT seq, event_id, run_id, record_id, stage, action, CAST(detail AS VARCHAR), created_at, actor"
            " FROM provenance_events WHERE seq >= ? ORDER BY seq",
            [seq],
        ).fetchall()
        for r in rows:
            fmt = 2 if v2_from is not None and r[0] >= v2_from else 1
            h = ledger.chain_hash(prev, ledger.content_string(*r, fmt=fmt))
            con.execute("UPDATE provenance_events SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, h, r[0]])
            prev = h
    finally:
        con.close()


def _verify(cli, *args):
    code, out, err = cli("audit", "verify", *args)
    return code, out + err


@pytest.mark.parametrize(
    "attack",
    ["newest", "newest-10", "all", "export-events", "withdrawal-event"],
)
def test_deleted_events_are_detected(history, db_path, cli, attack):
    n = _one(db_path, "SELECT max(seq) FROM provenance_events")[0]
    where = {
        "newest": f"seq = {n}",
        "newest-10": f"seq > {n - 10}",
        "all": "true",
        "export-events": "stage = 'export'",
        "withdrawal-event": "action = 'withdrawal'",
    }[attack]
    _sql(db_path, f"DELETE FROM provenance_events WHERE {where}")
    code, out = _verify(cli)
    assert code == 1, out
    assert "FAILED" in out or "BROKEN" in out


def test_truncation_with_matching_table_cuts_needs_the_anchor(history, db_path, cli, tmp_path):
    """Cut the last events *and* every row pointing at them: only the external anchor proves it."""
    anchors = tmp_path / "anchors.jsonl"
    code, out, _ = cli("audit", "anchor", "--append", str(anchors))
    assert code == 0 and "appended" in out
    head = json.loads(anchors.read_text().splitlines()[-1])
    last_withdrawal = _one(db_path, "SELECT min(seq) FROM provenance_events WHERE stage = 'provenance'")[0]
    _sql(
        db_path,
        f"DELETE FROM provenance_events WHERE seq >= {last_withdrawal}",
        f"DELETE FROM exports WHERE export_seq >= {last_withdrawal}",
        f"DELETE FROM withdrawals WHERE withdrawal_seq >= {last_withdrawal}",
        f"DELETE FROM runs WHERE ledger_seq >= {last_withdrawal}",
        "UPDATE records SET status = 'active' WHERE status = 'withdrawn'",
        "DELETE FROM export_items WHERE export_id NOT IN (SELECT export_id FROM exports)",
    )
    code, out = _verify(cli)
    assert code == 0, out  # what the tables alone cannot prove (documented in the README)
    assert "no --anchor" in out
    code, out = _verify(cli, "--anchor", str(anchors))
    assert code == 1 and f"seq {head['seq']}" in out and "truncation" in out, out


def test_recomputed_chain_after_an_edit_is_detected(history, db_path, cli, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    ocw = history["ocw"][0]
    seq = _one(db_path, f"SELECT min(seq) FROM provenance_events WHERE record_id = '{ocw}'")[0]
    # forge the licence in the record *and* in its creating event, then recompute every hash after it
    _sql(
        db_path,
        f"UPDATE records SET licence_id = 'CC0-1.0' WHERE record_id = '{ocw}'",
        'UPDATE provenance_events SET detail = json_merge_patch(detail, \'{"licence_id": "CC0-1.0"}\')'
        f" WHERE seq = {seq}",
    )
    _rehash_from(db_path, seq)
    code, out = _verify(cli)
    assert code == 1 and "ledger head the chain no longer has" in out, out  # runs remember the old heads
    # the attacker fixes the runs too: the anchor kept outside still catches it
    con = duckdb.connect(str(db_path))
    con.execute(
        "UPDATE runs SET ledger_hash = (SELECT hash FROM provenance_events e WHERE e.seq = runs.ledger_seq)"
        " WHERE ledger_seq > 0"
    )
    con.close()
    code, out = _verify(cli)
    assert code == 1 and "export event names a ledger state" in out, out  # the exports recorded the old state
    # the attacker rewrites the exports' recorded states too (and the exports rows): only the anchor is left
    ro = duckdb.connect(str(db_path), read_only=True)
    exports = ro.execute("SELECT seq FROM provenance_events WHERE action = 'export' ORDER BY seq").fetchall()
    ro.close()
    for (seq,) in exports:  # one at a time: each rewrite changes the hashes the next export recorded
        _sql(
            db_path,
            "UPDATE provenance_events SET detail = json_merge_patch(detail, json_object('state_hash', (SELECT s.hash"
            " FROM provenance_events s WHERE s.seq = CAST(provenance_events.detail->>'$.state_seq' AS BIGINT))))"
            f" WHERE seq = {seq}",
        )
        _rehash_from(db_path, seq)
    con = duckdb.connect(str(db_path))
    con.execute(
        "UPDATE runs SET ledger_hash = (SELECT hash FROM provenance_events e WHERE e.seq = runs.ledger_seq)"
        " WHERE ledger_seq > 0"
    )
    con.execute(
        "UPDATE exports SET state_hash = (SELECT e.detail->>'$.state_hash' FROM provenance_events e"
        " WHERE e.seq = exports.export_seq)"
    )
    con.close()
    code, out = _verify(cli)
    assert code == 0, out
    code, out = _verify(cli, "--anchor", str(anchors))
    assert code == 1 and "rewritten" in out, out


@pytest.mark.parametrize(
    "edit, problem",
    [
        ("UPDATE records SET licence_id = 'CC0-1.0' WHERE record_id = '{ocw}'", "licence_id differs"),
        ("UPDATE records SET text = '偽造的講義。' WHERE record_id = '{ocw}'", "does not hash"),
        (
            "UPDATE records SET text = '偽造的講義。', content_sha256 = sha256('偽造的講義。') WHERE record_id = '{ocw}'",
            "content_sha256 differs",
        ),
        ("UPDATE records SET text = NULL WHERE record_id = '{ocw}'", "text removed (NULL)"),
        ("UPDATE records SET status = 'active' WHERE status = 'withdrawn'", "never reinstated"),
        ("UPDATE records SET status = 'withdrawn' WHERE record_id = '{ocw}'", "withdrawn without"),
        ("UPDATE records SET status = 'duplicate' WHERE record_id = '{ocw}'", "duplicate without"),
        ("UPDATE records SET status = 'active' WHERE status = 'superseded'", "newer version replaced it"),
        # records has no primary key (migration 0101): a second row under an existing id is found by verify
        ("INSERT INTO records SELECT * FROM records WHERE record_id = '{ocw}'", "record_id on more than one row"),
        ("DELETE FROM withdrawals", "withdrawal event has no withdrawals row"),
        ("UPDATE withdrawals SET reason = 'routine'", "does not match the withdrawal event"),
        ("UPDATE exports SET records = records + 1", "does not match the export event"),
        ("DELETE FROM exports", "export event has no exports row"),
        ("UPDATE exports SET audience = 'member:evilbank'", "does not match the export event"),
        ("UPDATE exports SET purpose = 'evaluation'", "does not match the export event"),
        ("UPDATE exports SET commercial = NOT commercial", "does not match the export event"),
        ("UPDATE exports SET as_of = DATE '2020-01-01'", "does not match the export event"),
        ("DELETE FROM export_items WHERE record_id = '{law}'", "fewer or more items"),
        (
            "DELETE FROM export_items WHERE export_id = (SELECT export_id FROM exports WHERE records > 0"
            " ORDER BY export_seq DESC LIMIT 1)",
            "fewer or more items",
        ),
        ("UPDATE export_items SET content_sha256 = sha256('x') WHERE record_id = '{law}'", "no longer matches"),
        # the items sealed in the export event: a licence edited, an item swapped for another record, count kept
        ("UPDATE export_items SET licence_id = 'CC0-1.0' WHERE record_id = '{law}'", "items differ from what"),
        (
            "CREATE TEMP TABLE x AS SELECT export_id FROM export_items WHERE record_id = '{law}' LIMIT 1;"
            " DELETE FROM export_items WHERE record_id = '{law}' AND export_id = (SELECT export_id FROM x);"
            " INSERT INTO export_items SELECT (SELECT export_id FROM x), record_id, content_sha256, licence_id"
            " FROM records WHERE record_id NOT IN (SELECT record_id FROM export_items"
            " WHERE export_id = (SELECT export_id FROM x)) AND record_id <> '{law}' LIMIT 1",
            "items differ from what",
        ),
        # export_items has no primary key (migration 0102): a second row for an item is found by verify
        ("INSERT INTO export_items SELECT * FROM export_items WHERE record_id = '{law}'", "export item on more than"),
        ("DELETE FROM runs", "has no runs row"),
    ],
    ids=lambda v: v[:40],
)
def test_edits_outside_the_chain_are_named(history, db_path, cli, edit, problem):
    _sql(db_path, edit.format(ocw=history["ocw"][0], law=history["law"][0]))
    code, out = _verify(cli)
    assert code == 1 and problem in out, out
    code, out, _ = cli("audit", "verify", "--json")
    rep = json.loads(out)
    assert code == 1 and not rep["ok"] and any(problem in p for p in rep["crosscheck"]["problems"])


def test_actor_null_and_empty_hash_differently(history, db_path, cli):
    seq = _one(db_path, "SELECT min(seq) FROM provenance_events WHERE actor IS NULL")[0]
    _sql(db_path, f"UPDATE provenance_events SET actor = '' WHERE seq = {seq}")
    code, out = _verify(cli)
    assert code == 1 and f"seq {seq}" in out and "modified" in out, out


def test_ledger_format_row_cannot_be_moved(history, db_path, cli):
    _sql(db_path, "UPDATE ledger_format SET from_seq = 1000000")
    code, out = _verify(cli)
    assert code == 1 and "BROKEN" in out


def test_forged_licence_does_not_survive_verify_end_to_end(history, db_path, cli, tmp_path):
    """§1 + §2: the SQL surface cannot forge a licence; a direct edit of the file is named by verify."""
    ocw = history["ocw"][0]
    for attack in (
        f"UPDATE records SET licence_id = 'CC0-1.0' WHERE record_id = '{ocw}'",
        f"/**/ COPY (SELECT 'CC0-1.0' AS licence_id) TO '{tmp_path}/forge.parquet' (FORMAT parquet)",
    ):
        code, _, err = cli("sql", attack)
        assert code == 2, err
    assert _one(db_path, f"SELECT licence_id FROM records WHERE record_id = '{ocw}'")[0] == "CC-BY-NC-4.0"
    out = export_public(cli, tmp_path / "pub", "--as-of", "2026-06-01", "--commercial")
    assert ocw not in (tmp_path / "pub" / "manifest.jsonl").read_text() and out is not None
    # someone with write access to the file forges it anyway: verify names the record
    _sql(db_path, f"UPDATE records SET licence_id = 'CC0-1.0' WHERE record_id = '{ocw}'")
    code, out = _verify(cli)
    assert code == 1 and ocw in out and "licence_id differs" in out


def test_anchor_prints_head_and_verify_passes_with_it(history, db_path, cli, tmp_path):
    code, out, _ = cli("audit", "anchor", "--json")
    a = json.loads(out)
    seq, h = _one(db_path, "SELECT seq, hash FROM provenance_events ORDER BY seq DESC LIMIT 1")
    assert code == 0 and (a["seq"], a["hash"], a["count"]) == (seq, h, seq)
    anchors = tmp_path / "a.jsonl"
    anchors.write_text(json.dumps(a) + "\n")
    code, out, _ = cli("provenance", "withdraw", "--source", "ocw", "--reason", "licence ended")
    assert code == 0
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    code, out = _verify(cli, "--anchor", str(anchors))
    assert code == 0 and "anchors ok: 2" in out, out
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    code, out = _verify(cli, "--anchor", str(bad))
    assert code == 2 and "line 1" in out
    code, out = _verify(cli, "--anchor", str(tmp_path / "missing.jsonl"))
    assert code == 2 and "does not exist" in out
    binary = tmp_path / "garbage.bin"
    binary.write_bytes(b"\x1f\x8b\x08\x00\xff\xfe" + bytes(range(256)))
    code, out = _verify(cli, "--anchor", str(binary))
    assert code == 2 and "is not UTF-8 text" in out and "Traceback" not in out, out
    assert hashlib.sha256(db_path.read_bytes()).hexdigest()  # the catalogue is still readable


def test_audit_export_flags_overrides(mixed, cli, tmp_path):
    from provenance.licences import licence_catalogue_path

    custom = tmp_path / "custom.toml"
    custom.write_text(licence_catalogue_path().read_text(encoding="utf-8") + "\n# local edit\n", encoding="utf-8")
    plain = json.loads(export_public(cli, tmp_path / "a", "--non-commercial", "--json"))
    code, out, _ = cli("audit", "export", plain["export_id"], "--json")
    assert code == 0 and json.loads(out)["overrides"] == []
    past = json.loads(
        export_public(
            cli, tmp_path / "b", "--non-commercial", "--as-of", "2020-01-01", "--catalogue", str(custom), "--json"
        )
    )
    code, out, _ = cli("audit", "export", past["export_id"], "--json")
    overrides = json.loads(out)["overrides"]
    assert any("--as-of 2020-01-01" in o for o in overrides)
    # the option `export dataset` takes (review licences #4: it was named `--licence-catalogue`, which none has)
    assert any(o.startswith("--catalogue: a custom licence catalogue") for o in overrides), overrides
    code, out, _ = cli("audit", "export", past["export_id"])
    assert code == 0 and out.count("OVERRIDE:") == 2


def test_verify_export_names_changed_missing_and_extra_files(mixed, cli, tmp_path):
    out = tmp_path / "exp"
    res = json.loads(export_public(cli, out, "--non-commercial", "--as-of", "2026-06-01", "--json"))
    code, text, err = cli("audit", "verify-export", str(out))
    assert code == 0 and "ok" in text and res["export_id"] in text, text + err
    assert "state seq" in (out / "README.md").read_text() or "ledger seq" in (out / "README.md").read_text()
    shard = next(p for p in out.rglob("*.parquet"))
    shard.write_bytes(shard.read_bytes() + b"x")
    (out / "blocked.csv").unlink()
    (out / "smuggled.parquet").write_bytes(b"PAR1")
    code, text, err = cli("audit", "verify-export", str(out), "--export", res["export_id"])
    assert code == 1, text + err
    assert f"changed file: {shard.relative_to(out).as_posix()}" in text and "missing file: blocked.csv" in text
    assert "extra file: smuggled.parquet" in text
    lines = (out / "manifest.jsonl").read_text().splitlines()
    (out / "manifest.jsonl").write_text("\n".join(lines[1:]) + "\n")
    code, text, _ = cli("audit", "verify-export", str(out), "--export", res["export_id"], "--json")
    rep = json.loads(text)
    assert code == 1 and any("export_items disagree on 1 records" in p for p in rep["problems"])


def test_a_duplicate_made_active_again_is_named(db_path, cli, tmp_path):
    """A duplicate set back to active by hand would be exported again: verify names it."""
    src = tmp_path / "c.jsonl"
    text = "銀行經營之業務如左：一、收受支票存款。二、收受其他各種存款。三、受託經理信託資金。"
    src.write_text(f'{{"id": "a", "text": "{text}"}}\n{{"id": "b", "text": "{text}"}}\n', encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0")[0] == 0
    assert cli("-q", "run", "dedup", "--workers", "1")[0] == 0
    assert _one(db_path, "SELECT count(*) FROM records WHERE status = 'duplicate'")[0] == 1
    code, out = _verify(cli)
    assert code == 0, out
    _sql(db_path, "UPDATE records SET status = 'active' WHERE status = 'duplicate'")
    code, out = _verify(cli)
    assert code == 1 and "active although a duplicate_of" in out, out


def _sealed(db_path, cli, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "a", "text": "申請人王小明，身分證字號A123456789。"}\n', encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0")[0] == 0
    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    assert _one(db_path, "SELECT count(*) FROM raw_vault")[0] >= 1
    code, out = _verify(cli)
    assert code == 0, out


def test_a_relabelled_vault_row_is_named(db_path, cli, tmp_path, monkeypatch):
    """A vault row whose key id is changed would be skipped by the keyed checks ("sealed under another key"):
    its key id must be one the ledger recorded, checked with or without the key."""
    _sealed(db_path, cli, tmp_path, monkeypatch)
    _sql(db_path, "UPDATE raw_vault SET key_id = '000000000000', ciphertext = '\\x00\\x01'::BLOB")
    code, out = _verify(cli)
    assert code == 1 and "sealed under a key id that no ledger event names" in out, out
    monkeypatch.delenv("CURATE_PII_KEY")
    code, out = _verify(cli)
    assert code == 1 and "sealed under a key id that no ledger event names" in out, out


def test_a_deleted_vault_row_is_named(db_path, cli, tmp_path, monkeypatch):
    """Sealed raw versions keep their ciphertext in raw_vault: a deleted row is named, with or without the key."""
    _sealed(db_path, cli, tmp_path, monkeypatch)
    _sql(db_path, "DELETE FROM raw_vault")
    code, out = _verify(cli)
    assert code == 1 and "without its raw_vault row" in out, out
    monkeypatch.delenv("CURATE_PII_KEY")
    code, out = _verify(cli)
    assert code == 1 and "without its raw_vault row" in out, out
