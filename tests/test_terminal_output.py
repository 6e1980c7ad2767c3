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
