"""File names and ids come from third parties (ZIP members, manifests): an auditor's read-only commands print
their control characters (ESC sequences that recolour, retitle or write the clipboard) and bidi controls as
visible escapes, never as themselves (`curate audit record`, `curate status`, `curate runs show`)."""

from __future__ import annotations

from provenance import db

HOSTILE = "f\x1b[31mRED\x1b]0;pwned\x07\u202eflip.jsonl"


def test_control_characters_in_catalogue_values_reach_no_terminal(db_path, cli, tmp_path):
    folder = tmp_path / "esc"
    folder.mkdir()
    (folder / HOSTILE).write_text('{"id": "1", "text": "銀行法第一條。"}\n', encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(folder), "--licence", "OGDL-Taiwan-1.0")[0] == 0
    con = db.connect_readonly(db_path)
    try:
        rid, locator = con.execute("SELECT record_id, locator FROM records").fetchone()
    finally:
        con.close()
    assert "\x1b]0;pwned" in locator  # the catalogue keeps the name as it was
    for args in (
        ("audit", "record", rid),
        ("audit", "record", rid, "--vertical"),
        ("status",),
        ("runs", "show", "latest"),
    ):
        code, out, err = cli(*args)
        assert code == 0, err
        assert not [c for c in ("\x1b", "\x07", "\u202e") if c in out], args
    code, out, _ = cli("audit", "record", rid)
    assert "\\x1b]0;pwned\\x07\\u202eflip.jsonl" in out  # shown, as visible escapes


def test_a_line_break_in_a_file_name_forges_no_header_line(db_path, cli, tmp_path):
    """`audit record` kept line breaks inside single-line values: the file ``a\\nlicence  CC0-1.0: ...`` printed
    a second ``licence`` line of its own. Now each value is escaped on its own line (review round 2, web #6)."""
    folder = tmp_path / "in"
    folder.mkdir()
    name = "a\nlicence  CC0-1.0: every purpose, every audience\t.jsonl"
    (folder / name).write_text('{"id": "1", "text": "銀行法第一條。"}\n', encoding="utf-8")
    assert cli("-q", "ingest", "moda", str(folder), "--licence", "OGDL-Taiwan-1.0")[0] == 0
    con = db.connect_readonly(db_path)
    try:
        rid = con.execute("SELECT record_id FROM records").fetchone()[0]
    finally:
        con.close()
    code, out, err = cli("audit", "record", rid)
    assert code == 0, err
    header = out.split("\n\n")[0].splitlines()
    assert [ln.split()[0] for ln in header] == ["record", "status", "source", "locator", "licence", "sha256"], out
    assert "a\\nlicence  CC0-1.0: every purpose, every audience\\t.jsonl" in out
    code, out, err = cli("runs", "show", "latest")
    assert code == 0 and "CC0-1.0" not in out.splitlines()[0], out
