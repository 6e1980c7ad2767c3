"""`audit anchor --append` to an anchor file whose heads this catalogue's chain does not hold (review 17): another
catalogue's anchor file named by mistake, or this catalogue's own file after its chain was cut or rewritten. It
appended the head anyway: the other catalogue's file then failed `verify --anchor` for a head it never had, and a cut
chain got a fresh anchor beside the ones that prove the cut. It is refused (exit 1), the file left as it was."""

from __future__ import annotations

import duckdb


def _other_catalogue(cli, tmp_path):
    other = tmp_path / "other.duckdb"
    src = tmp_path / "o.jsonl"
    src.write_text('{"id": "o1", "text": "數位發展部公告：資料開放平臺維護。"}\n', encoding="utf-8")
    code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", db=other)
    assert code == 0, err
    return other


def test_appending_to_another_catalogues_anchor_file_is_refused(history, cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    before = anchors.read_bytes()
    other = _other_catalogue(cli, tmp_path)
    code, out, err = cli("audit", "anchor", "--append", str(anchors), db=other)
    assert code == 1, out + err
    assert "not in this catalogue's chain" in err and "Traceback" not in err, err
    assert anchors.read_bytes() == before
    assert cli("audit", "verify", "--anchor", str(anchors))[0] == 0
    # its own file, and a new one, still take the other catalogue's head
    own = tmp_path / "own.jsonl"
    assert cli("audit", "anchor", "--append", str(own), db=other)[0] == 0
    assert cli("audit", "anchor", "--append", str(own), db=other)[0] == 0
    assert cli("audit", "verify", "--anchor", str(own), db=other)[0] == 0


def test_a_cut_chain_gets_no_new_anchor_beside_the_ones_that_prove_the_cut(history, cli, db_path, tmp_path):
    anchors = tmp_path / "a.jsonl"
    assert cli("audit", "anchor", "--append", str(anchors))[0] == 0
    before = anchors.read_bytes()
    con = duckdb.connect(str(db_path))
    try:  # the newest event cut off, and the rows that point at it with it
        seq = con.execute("SELECT max(seq) FROM provenance_events").fetchall()[0][0]
        for table, col in (("runs", "ledger_seq"), ("exports", "export_seq")):
            con.execute(f"DELETE FROM {table} WHERE {col} >= {seq}")
        con.execute(f"DELETE FROM provenance_events WHERE seq = {seq}")
    finally:
        con.close()
    code, out, err = cli("audit", "anchor", "--append", str(anchors))
    assert code == 1, out + err
    assert f"seq {seq}" in err and "not in this catalogue's chain" in err, err
    assert anchors.read_bytes() == before


def test_a_file_holding_only_the_empty_ledgers_head_takes_the_first_real_one(cli, tmp_path):
    anchors = tmp_path / "a.jsonl"
    other = tmp_path / "fresh.duckdb"
    assert cli("init", db=other)[0] == 0
    assert cli("audit", "anchor", "--append", str(anchors), db=other)[0] == 0
    src = tmp_path / "o.jsonl"
    src.write_text('{"id": "o1", "text": "數位發展部公告：資料開放平臺維護。"}\n', encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", db=other)[0] == 0
    assert cli("audit", "anchor", "--append", str(anchors), db=other)[0] == 0
    assert cli("audit", "verify", "--anchor", str(anchors), db=other)[0] == 0


def test_the_anchor_names_the_catalogue_by_its_absolute_path(history, cli, db_path, tmp_path, monkeypatch):
    """`catalogue` was the path as typed (`--db cat.duckdb`): the auditor's file said which catalogue only relative to
    a working folder nobody recorded. It is the absolute path, links resolved."""
    import json

    monkeypatch.chdir(db_path.parent)
    anchors = tmp_path / "rel.jsonl"
    code, _, err = cli("audit", "anchor", "--append", str(anchors), db=db_path.name)
    assert code == 0, err
    assert json.loads(anchors.read_text(encoding="utf-8"))["catalogue"] == str(db_path.resolve())
