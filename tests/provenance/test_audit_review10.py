"""`curate audit verify` and `audit verify-export` against what a tamperer can put in the catalogue or the folder
(review 10): what they print cannot drive the auditor's terminal, and nothing in a folder is passed over."""

from __future__ import annotations

import json
import os

import duckdb
from click.testing import CliRunner
from prov_helpers import export_public

from curate import cli as cli_mod
from provenance.db import connect

#: a record id that, printed raw on a terminal, moves up two lines, erases them and writes its own verdict
FORGED_ID = "zz\x1b[2A\x1b[2K\rcross-checks ok"


def _on_a_terminal(db_path, *args: str) -> tuple[int, str]:
    """The CLI with colour on, as on a terminal: click keeps ESC sequences it would strip from a pipe."""
    with CliRunner().isolation(color=True) as streams:
        code = cli_mod.run(["--db", str(db_path), *args])
        return code, streams[0].getvalue().decode("utf-8", "replace")


def test_verify_prints_a_forged_record_id_as_escapes_not_terminal_controls(history, db_path):
    con = duckdb.connect(str(db_path))
    con.execute("INSERT INTO records SELECT * REPLACE (? AS record_id) FROM records LIMIT 1", [FORGED_ID])
    con.close()
    code, out = _on_a_terminal(db_path, "audit", "verify")
    assert code == 1 and "cross-checks FAILED" in out, out
    assert "\x1b" not in out and "\r" not in out, out
    assert "zz\\x1b[2A\\x1b[2K\\rcross-checks ok: no creating event in the ledger" in out, out


def test_verify_export_names_links_and_fifos_in_the_folder(mixed, cli, tmp_path):
    out = tmp_path / "exp"
    res = json.loads(export_public(cli, out, "--non-commercial", "--as-of", "2026-06-01", "--json"))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "more.jsonl").write_text('{"record_id": "x", "text": "王小明 A123456789"}\n')
    (out / "data" / "more").symlink_to(elsewhere, target_is_directory=True)
    (out / "gone").symlink_to(tmp_path / "nothing-here")
    os.mkfifo(out / "pipe")
    shard = next(p.relative_to(out).as_posix() for p in out.rglob("*.parquet"))
    (tmp_path / "copy.parquet").write_bytes((out / shard).read_bytes())
    (out / shard).unlink()
    (out / shard).symlink_to(tmp_path / "copy.parquet")  # the same bytes, through a link the export never writes
    code, text, err = cli("audit", "verify-export", str(out), "--export", res["export_id"])
    assert code == 1, text + err
    assert "extra entry: data/more (a symbolic link, not followed)" in text, text
    assert "extra entry: gone (a symbolic link, not followed)" in text, text
    assert "extra entry: pipe (a FIFO)" in text, text
    assert f"not a regular file: {shard} (a symbolic link, not followed)" in text, text
    assert "missing file" not in text, text


def test_verify_with_an_empty_anchor_file_is_not_ok(history, cli, tmp_path):
    empty = tmp_path / "anchors.jsonl"
    empty.write_text("\n")
    code, out, err = cli("audit", "verify", "--anchor", str(empty))
    assert code == 1, out + err
    assert "anchors FAILED" in out and "holds no anchor" in out, out
    assert "anchors ok" not in out, out


def test_an_error_quoting_forged_record_ids_prints_them_as_escapes(mixed, db_path):
    # review 10 (r): the fix escaped verify's lines, but an error line quotes catalogue values too: the candidates
    # of an ambiguous record id prefix went to the terminal raw
    con = duckdb.connect(str(db_path))
    for forged in ("abcdef01" + FORGED_ID, "abcdef01b"):
        con.execute("INSERT INTO records SELECT * REPLACE (? AS record_id) FROM records LIMIT 1", [forged])
    con.close()
    with CliRunner().isolation(color=True) as streams:
        code = cli_mod.run(["--db", str(db_path), "audit", "record", "abcdef01"])
        err = streams[1].getvalue().decode("utf-8", "replace")
    assert code != 0 and "ambiguous" in err, err
    assert "\x1b" not in err and "\r" not in err, err
    assert "abcdef01zz\\x1b[2A\\x1b[2K\\rcross-checks ok" in err, err


def test_verify_export_names_a_folder_it_cannot_read(mixed, cli, tmp_path, monkeypatch):
    # review 10 (r): os.walk passes over a folder it cannot list (no permission, as for any recipient but root),
    # so an extra folder's files were never named and the folder verified ok
    out = tmp_path / "exp"
    res = json.loads(export_public(cli, out, "--non-commercial", "--as-of", "2026-06-01", "--json"))
    (out / "data" / "hidden").mkdir()
    (out / "data" / "hidden" / "more.jsonl").write_text('{"record_id": "x", "text": "王小明 A123456789"}\n')
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("hidden"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    code, text, err = cli("audit", "verify-export", str(out), "--export", res["export_id"])
    assert code == 1, text + err
    assert "extra entry: data/hidden (a folder that could not be read" in text, text


def test_an_anchor_file_of_only_the_genesis_head_is_not_ok(history, cli, tmp_path):
    """Review 14: an anchor of seq 0 (the genesis hash, what `audit anchor` gives an empty ledger) is in every chain,
    a ledger emptied or rewritten from its first event too: a file holding only such anchors vouched for nothing
    yet read 'anchors ok: 1 anchored heads still in the chain', where an emptied file fails."""
    genesis = tmp_path / "anchors.jsonl"
    genesis.write_text(json.dumps({"seq": 0, "hash": "0" * 64, "count": 0}) + "\n")
    code, out, err = cli("audit", "verify", "--anchor", str(genesis))
    assert code == 1, out + err
    assert "anchors FAILED" in out and "only the empty ledger's head" in out, out
    assert "anchors ok" not in out, out
    # beside a real anchor it is harmless: the real one vouches
    code, out, err = cli("audit", "anchor", "--append", str(genesis))
    assert code == 0, err
    code, out, err = cli("audit", "verify", "--anchor", str(genesis))
    assert code == 0 and "anchors ok: 2 anchored heads" in out, out + err


def test_a_new_catalogues_genesis_anchor_verifies_until_events_come(cli, builder, tmp_path):
    """Review 14b: an auditor who anchors a new catalogue (`audit anchor --append` on an empty ledger, which says
    it appended) and verifies at once got 'anchors FAILED ... was it overwritten?', exit 1, on an untouched
    catalogue. While the ledger is empty its genesis is the whole chain; once it has events a genesis-only file
    fails (it vouches for none), and `audit anchor` said nothing of that when it appended."""
    builder.close()
    anchors = tmp_path / "anchors.jsonl"
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 0 and "appended" in out and "vouches for none" in err, out + err
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0 and "anchors ok: 1 anchored heads" in out, out + err
    b, b.con = builder, connect(builder.path)
    b.source("law_moj", "OGDL-Taiwan-1.0", title="全國法規資料庫")
    b.record("law_moj", "G0380001/第 1 條", "銀行法第1條。")
    b.close()
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 1 and "only the empty ledger's head" in out and "anchored only before the first event" in out, out
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 0 and "vouches for none" not in err, out + err
    code, out, err = cli("audit", "verify", "--anchor", str(anchors))
    assert code == 0 and "anchors ok: 2 anchored heads" in out, out + err


def test_a_forged_genesis_anchor_is_named_as_such(history, cli, tmp_path):
    """A seq-0 line whose hash is not the genesis is an edited anchor file, not the 'only the genesis' case."""
    forged = tmp_path / "anchors.jsonl"
    forged.write_text(json.dumps({"seq": 0, "hash": "f" * 64, "count": 0}) + "\n")
    code, out, err = cli("audit", "verify", "--anchor", str(forged))
    assert code == 1 and "not the genesis hash" in out, out + err
