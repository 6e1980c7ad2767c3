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
    keys = ["record", "status", "source", "locator", "licence", "sha256", "rules"]
    assert [ln.split()[0] for ln in header] == keys, out
    assert "a\\nlicence  CC0-1.0: every purpose, every audience\\t.jsonl" in out
    code, out, err = cli("runs", "show", "latest")
    assert code == 0 and "CC0-1.0" not in out.splitlines()[0], out


C1_BIDI = "a\x9b2J\u202eflip\u2066.jsonl"  # a C1 CSI (clears the screen) and bidi controls, valid UTF-8 in a file name


def test_json_and_statistics_of_runs_show_and_pii_scan_drive_no_terminal(db_path, cli, tmp_path, monkeypatch):
    """Review 12: `runs show --json` and `pii scan` (text and --json) printed a file's name as it was: json.dumps
    escapes C0 only, so a C1 CSI and bidi controls reached the terminal (`a<U+202E>lmth.jsonl` reads as another
    file in a leak finding). Every JSON a command prints now escapes them as ``\\uXXXX``, the lines as ``printable``."""
    import json

    from catalogue_builder import add_records, add_source

    from provenance import runs

    folder = tmp_path / "c1"
    folder.mkdir()
    (folder / C1_BIDI).write_text("not json\n", encoding="utf-8")  # quarantined with its file's name
    assert cli("-q", "ingest", "moda", str(folder), "--licence", "OGDL-Taiwan-1.0")[0] == 3
    code, out, err = cli("runs", "show", "latest", "--json")
    assert code == 0, err
    assert not [c for c in ("\x9b", "\u202e", "\u2066") if c in out], out
    assert any(C1_BIDI in q["locator"] for q in json.loads(out)["quarantine"])  # the same value to a JSON reader

    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", pii_expected=True)
    add_records(con, [{"source_id": "fsc", "locator": "case/1", "text": "核處林志明，手機0912345678。"}], run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    leak = tmp_path / "leak"
    leak.mkdir()
    (leak / C1_BIDI).write_text('{"text": "手機0912345678"}\n', encoding="utf-8")
    for args in (
        ("pii", "scan", "--no-label-studio", "--path", str(leak)),
        ("pii", "scan", "--json", "--path", str(leak), "--no-label-studio"),
    ):
        code, out, err = cli(*args)
        assert code == 1, err
        assert not [c for c in ("\x9b", "\u202e", "\u2066") if c in out], (args, out)
    assert any(f["where"].endswith(C1_BIDI) for f in json.loads(out)["findings"])
    code, out, _ = cli("pii", "scan", "--no-label-studio", "--path", str(leak))
    assert "a\\x9b2J\\u202eflip\\u2066.jsonl" in out  # named, as visible escapes


def test_allowlist_list_drives_no_terminal_with_an_annotators_name(db_path, cli):
    """Review 12: `annotate allowlist list` printed the annotator's name (Label Studio's, a third party's) and, with
    --json, plain json.dumps: a C1 CSI and bidi controls reached the terminal raw. Both go through the escaping
    helpers now (as `pii detect` and `pii rekey` --json do)."""
    import json

    con = db.connect(db_path)
    con.execute(
        "INSERT INTO pii_allowlist (entry_id, source_id, entity_type, digest, key_id, bank, annotator, record_id,"
        " created_at) VALUES ('e1234567890', 'fsc', 'PERSON', 'ab12', 'k', 'bank-a', ?, 'r1', now()::TIMESTAMP)",
        [C1_BIDI],
    )
    con.close()
    for args in (("annotate", "allowlist", "list"), ("annotate", "allowlist", "list", "--json")):
        code, out, err = cli(*args)
        assert code == 0, err
        assert not [c for c in ("\x9b", "\u202e", "\u2066") if c in out], (args, out)
    assert json.loads(out)["annotator"] == C1_BIDI  # the same value to a JSON reader


def test_pii_scan_of_a_file_whose_name_is_not_utf8_reports_its_leak(db_path, cli, tmp_path, monkeypatch):
    """Review 12: a file name in Big5 (a Windows share's) comes as lone surrogates; `pii scan` (text and --json)
    crashed writing it (UnicodeEncodeError), so the leak it had found was never reported. Such a name is now
    shown as escapes, and in JSON as ``\\udcXX`` (the same value to Python's JSON reader); non-BMP text as itself."""
    import json
    import os

    from catalogue_builder import add_records, add_source

    from provenance import runs

    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", pii_expected=True)
    add_records(con, [{"source_id": "fsc", "locator": "case/1", "text": "核處林志明，手機0912345678。"}], run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    leak = tmp_path / "leak"
    leak.mkdir()
    big5 = b"\xb0\xd3\xb7\x7e\xa4\xe5\xa5\xf3\xf0\x9f\x98\x80.jsonl"  # 商業文件 in Big5, then an emoji in UTF-8
    with open(os.path.join(os.fsencode(leak), big5), "w", encoding="utf-8") as f:
        f.write('{"text": "手機0912345678"}\n')
    code, out, err = cli("pii", "scan", "--no-label-studio", "--path", str(leak))
    assert code == 1, err
    assert "LEAK file" in out and "\\udcb0" in out and "😀" in out, out
    code, out, err = cli("pii", "scan", "--json", "--path", str(leak), "--no-label-studio")
    assert code == 1, err
    assert any(f["where"].endswith(os.fsdecode(big5)) for f in json.loads(out)["findings"])


def test_the_ingest_summary_names_a_hostile_file_on_one_line(db_path, cli, tmp_path):
    """The ingest's own summary named a quarantined or skipped item as it was: a file named
    ``b\\nrun X: 999 items read ...`` printed a forged summary line, and a cell's ESC sequence (the JSON error's
    excerpt) reached the terminal; export --out refuses such a name (review 17) but an input folder's files come
    from third parties. Each item is now escaped on its one line (`curate.textchars.printable`), as `status` does."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"id": "1", "text": "銀行法第一條。"}\n', encoding="utf-8")
    (folder / "b\nrun X: 999 items read, 0 quarantined.jsonl").write_text("garbage{\n", encoding="utf-8")
    (folder / "c\u202e.jsonl").write_text("\x1b]0;pwned\x07{\n", encoding="utf-8")
    code, out, err = cli("ingest", "moda", str(folder), "--licence", "OGDL-Taiwan-1.0")
    assert code == 3, err
    assert not [c for c in ("\x1b", "\x07", "\u202e") if c in out + err]
    assert not [line for line in out.splitlines() if line.startswith("run X")], out
    assert "b\\nrun X: 999 items read" in out  # named, visibly
