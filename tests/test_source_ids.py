"""A source id (`--source-id`, pipeline files) is shown by every report, portal page and terminal table: one
outside the documented form (letters of any script, digits, `_ . : -`, 1 to 64) is refused before anything is
written, in one line that shows its control characters escaped."""

from __future__ import annotations

import pytest

from provenance import db


@pytest.mark.parametrize(
    "source_id",
    [
        '<a href="https://evil.example/phish">verify ledger here</a>',
        "esc\x1b[32mSRC",
        "title\x1b]0;pwned\x07",
        "rtl\u202eflip",
        "two words",
        "x" * 65,
    ],
    ids=["markup", "csi", "osc", "bidi", "space", "too-long"],
)
def test_a_hostile_source_id_is_refused_before_anything_is_written(db_path, cli, tmp_path, source_id):
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "1", "text": "銀行法第一條。"}\n', encoding="utf-8")
    assert cli("init")[0] == 0
    code, out, err = cli("ingest", "moda", str(src), "--licence", "CC-BY-4.0", "--source-id", source_id)
    assert code == 2 and "is not allowed" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "\x1b" not in err and "\u202e" not in err
    con = db.connect_readonly(db_path)
    try:
        assert con.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM records").fetchone()[0] == 0
    finally:
        con.close()


def test_ids_of_any_script_are_accepted(db_path, cli, tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "1", "text": "銀行法第一條。"}\n', encoding="utf-8")
    for sid in ("moda:corpus-2025.v1", "金融研訓院_講義"):
        code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", "--source-id", sid)
        assert code == 0, err


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--source-id", "H162271790"),  # a national ID
        ("--source-id", "cust-0933185246"),  # a mobile number
        ("--dataset", "陳建宏-E216085070"),  # a name and a national ID
        ("--dataset", "wang@example.com"),
    ],
    ids=["id-nid", "id-phone", "dataset-name-nid", "dataset-email"],
)
def test_personal_data_in_a_source_id_or_dataset_is_refused(db_path, cli, tmp_path, option, value):
    """Both are stored as given (the ledger's source_registered, records, export manifests and NOTICE): refused as
    --reason is, without echoing the value (review 5, F6)."""
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "1", "text": "銀行法第一條。"}\n', encoding="utf-8")
    assert cli("init")[0] == 0
    code, out, err = cli("ingest", "moda", str(src), "--licence", "CC-BY-4.0", option, value)
    assert code == 2 and "holds personal data" in err and option in err and "Traceback" not in err, out + err
    assert value not in out + err
    con = db.connect_readonly(db_path)
    try:
        assert con.execute("SELECT count(*) FROM sources").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM provenance_events").fetchone()[0] == 0
    finally:
        con.close()


def test_a_pipeline_file_with_a_personal_source_id_is_refused(db_path, cli, tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "1", "text": "銀行法第一條。"}\n', encoding="utf-8")
    assert cli("init")[0] == 0
    pipe = tmp_path / "p.toml"
    pipe.write_text(
        f'[[ingest]]\nsource = "moda"\npaths = ["{src}"]\noptions = {{ licence = "CC-BY-4.0", source_id = "H162271790" }}\n',
        encoding="utf-8",
    )
    code, out, err = cli("pipeline", "run", str(pipe))
    assert code == 2 and "holds personal data" in err and "H162271790" not in out + err, out + err
