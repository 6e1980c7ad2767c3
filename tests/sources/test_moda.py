"""ModaSource: JSONL/JSON/CSV/Parquet/HF folders via datasets, PDFs, field mapping, bad lines."""

from __future__ import annotations

import json

import pytest

from provenance.errors import ConfigError
from sources.documents import Reason
from sources.moda import ModaReason, ModaSource

ROWS = [
    {
        "id": "a1",
        "title": "數位發展部新聞稿",
        "text": "數位發展部推動臺灣主權AI訓練語料庫。",
        "來源網站": "[https://moda.gov.tw/1]",
        "agency": "數位發展部",
        "tokens": 17,
    },
    {
        "id": "a2",
        "title": "金融科技",
        "text": "金融監督管理委員會發布金融科技發展路徑圖。",
        "來源網站": "[https://fsc.gov.tw/2]",
        "agency": "金管會",
        "tokens": 20,
    },
]


def test_jsonl_bad_line_quarantined_rest_ingested(tmp_path, collect):
    f = tmp_path / "ds1" / "part.jsonl"
    f.parent.mkdir()
    lines = [
        json.dumps(ROWS[0], ensure_ascii=False),
        "{not json",
        "",
        "[1, 2]",
        json.dumps(ROWS[1], ensure_ascii=False),
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    records, rejections, skips = collect(ModaSource([f], licence="OGDL-Taiwan-1.0"))
    assert [(r.locator, r.reason) for r in rejections] == [
        ("part.jsonl#line=2", ModaReason.BAD_JSON_LINE),
        ("part.jsonl#line=4", ModaReason.NOT_AN_OBJECT),
    ]
    assert [r.locator for r in records] == ["part.jsonl#line=1", "part.jsonl#line=5"]
    r = records[0]
    assert r.text == ROWS[0]["text"] and r.title == "數位發展部新聞稿" and r.licence_id == "OGDL-Taiwan-1.0"
    assert r.metadata["url"] == "https://moda.gov.tw/1" and r.metadata["id"] == "a1"
    assert r.metadata["fields"] == {"agency": "數位發展部", "tokens": 17}
    assert r.doc_key == "moda:ds1:id=a1"


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json", "hf_disk"])
def test_structured_formats_via_datasets(tmp_path, fmt, collect):
    import datasets

    rows = [{**r, "內容": r.pop("text") if False else r["text"]} for r in ROWS]
    rows = [{k: v for k, v in r.items() if k != "text"} for r in rows]
    ds = datasets.Dataset.from_list(rows)
    if fmt == "csv":
        path = tmp_path / "x.csv"
        ds.to_csv(str(path), index=False)
    elif fmt == "parquet":
        path = tmp_path / "x.parquet"
        ds.to_parquet(str(path))
    elif fmt == "json":
        path = tmp_path / "x.json"
        path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    else:
        path = tmp_path / "hfds"
        datasets.DatasetDict({"train": ds}).save_to_disk(str(path))
    src = ModaSource([path], licence="LicenseRef-MODA-AI-Training", text_field="內容", url_field="來源網站")
    records, rejections, skips = collect(src)
    assert rejections == [] and skips == []
    assert [r.text for r in records] == [r["內容"] for r in rows]
    assert records[1].metadata["url"] == "https://fsc.gov.tw/2"
    assert records[1].metadata["fields"]["agency"] == "金管會"
    assert all(r.licence_id == "LicenseRef-MODA-AI-Training" for r in records)
    if fmt == "hf_disk":
        assert records[0].locator == "hfds#split=train&row=0"


def test_missing_text_field_and_unknown_licence(tmp_path, collect):
    f = tmp_path / "x.jsonl"
    f.write_text('{"id": 1, "body2": "沒有文字欄位"}\n{"id": 2, "text": "有。"}\n', encoding="utf-8")
    records, rejections, _ = collect(ModaSource([f], licence="OGDL-Taiwan-1.0"))
    assert [r.reason for r in rejections] == [ModaReason.NO_TEXT] and len(records) == 1
    with pytest.raises(ConfigError, match="unknown licence"):
        ModaSource([f], licence="LicenseRef-Nope")
    with pytest.raises(ConfigError, match="needs a licence"):
        ModaSource([f])


def test_folder_with_pdf_and_broken_files(tmp_path, build, cjk_font, collect):
    d = tmp_path / "release"
    d.mkdir()
    build.make_pdf(d / "report.pdf", [["臺灣主權AI語料庫年度報告。"], ["第二頁：資料治理。"]])
    (d / "bad.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    (d / "empty.jsonl").write_bytes(b"")
    (d / "notes.xyz").write_text("?")
    (d / "rows.jsonl").write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    records, rejections, skips = collect(ModaSource([d], licence="OGDL-Taiwan-1.0"))
    assert {(r.locator, r.reason) for r in rejections} == {
        ("release/bad.pdf", Reason.CORRUPT_PDF),
        ("release/empty.jsonl", ModaReason.EMPTY),
    }
    assert [(s.locator, s.reason) for s in skips] == [("release/notes.xyz", ModaReason.UNSUPPORTED)]
    got = {r.locator: r.text for r in records}
    assert got["release/report.pdf#page=2"] == "第二頁：資料治理。"
    assert got["release/rows.jsonl#line=1"] == ROWS[0]["text"]


def test_csv_row_with_wrong_field_count_quarantined_rest_kept(tmp_path, collect):
    f = tmp_path / "ds" / "rows.csv"
    f.parent.mkdir()
    # a row with a field too many (pandas made its 1 an index and shifted 銀行 into `id`), one with a field
    # too few, a blank line; ids are kept as written (007, not 7)
    f.write_text("id,text\n1,銀行,存款業務\n007,正常一\n\n3\n4,正常二\n", encoding="utf-8")
    records, rejections, skips = collect(ModaSource([f], licence="CC0-1.0"))
    assert [(r.locator, r.reason) for r in rejections] == [
        ("rows.csv#row=0", ModaReason.BAD_CSV_ROW),
        ("rows.csv#row=2", ModaReason.BAD_CSV_ROW),
    ]
    assert rejections[0].excerpt.startswith("line 2: row has 3 fields, the header has 2")
    assert rejections[1].excerpt.startswith("line 5: row has 1 fields, the header has 2")
    assert [(r.locator, r.doc_key, r.text) for r in records] == [
        ("rows.csv#row=1", "moda:ds:id=007", "正常一"),
        ("rows.csv#row=3", "moda:ds:id=4", "正常二"),
    ]
    assert skips == []


def test_csv_quote_errors_and_oversized_fields_are_one_row_each(tmp_path, collect, monkeypatch):
    """A stray quote or an oversized field costs its row, not the rest of the file; a quote never closed costs the
    rows after it (one field to the end of the file), named by their lines, and is never read as one long text."""
    monkeypatch.setenv("CURATE_MAX_RECORD_CHARS", "1000")
    f = tmp_path / "ds" / "rows.csv"
    f.parent.mkdir()
    f.write_text(f'id,text\n1,甲\n2,"乙"丙\n3,{"長" * 200_000}\n4,丁\n5,"未關閉\n6,戊\n7,己\n', encoding="utf-8")
    records, rejections, _ = collect(ModaSource([f], licence="CC0-1.0"))
    assert [r.text for r in records] == ["甲", "丁"]
    assert [(r.locator, r.reason) for r in rejections] == [
        ("rows.csv#row=1", ModaReason.BAD_CSV_QUOTING),
        ("rows.csv#row=2", ModaReason.BAD_CSV_QUOTING),
        ("rows.csv#row=4", ModaReason.BAD_CSV_QUOTING),
    ]
    assert "field limit" in rejections[1].excerpt and "CURATE_MAX_RECORD_CHARS" in rejections[1].excerpt
    assert rejections[2].excerpt.startswith("lines 6-8: unexpected end of data"), rejections[2].excerpt


def test_csv_empty_cell_is_missing_and_duplicate_header_refused(tmp_path, collect):
    f = tmp_path / "ds" / "rows.csv"
    f.parent.mkdir()
    f.write_bytes("\ufeffid,title,text\n,,有文字\n".encode())
    records, rejections, _ = collect(ModaSource([f], licence="CC0-1.0"))
    assert rejections == [] and records[0].title is None and records[0].doc_key == "moda:rows.csv#row=0"
    g = tmp_path / "ds" / "twice.csv"
    g.write_text("text,text\n甲,乙\n", encoding="utf-8")
    records, rejections, _ = collect(ModaSource([g], licence="CC0-1.0"))
    assert records == [] and [(r.locator, r.reason) for r in rejections] == [("twice.csv", ModaReason.UNREADABLE)]


def test_repeated_id_in_one_ingest_skipped_first_kept(tmp_path, db_path):
    import duckdb

    from curate.ingest import ingest

    d = tmp_path / "ds"
    d.mkdir()
    rows = [{"id": "same", "text": "甲"}, {"id": "same", "text": "乙"}, {"id": "other", "text": "丁"}]
    (d / "a.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    # the same id in a second file of the same dataset is a repeat too; in another dataset it is not
    (d / "b.csv").write_text("id,text\nsame,丙\n", encoding="utf-8")
    (tmp_path / "ds2").mkdir()
    (tmp_path / "ds2" / "c.jsonl").write_text('{"id": "same", "text": "戊"}\n', encoding="utf-8")
    report = ingest(db_path, ModaSource([d, tmp_path / "ds2"], licence="CC0-1.0"))
    assert report.records_new == 3 and report.versions_new == 0 and report.superseded == 0
    assert report.skipped == {ModaReason.DUPLICATE_ID: 2}
    assert [n["locator"] for n in report.named if n["kind"] == "skipped"] == ["ds/a.jsonl#line=2", "ds/b.csv#row=0"]
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        got = con.execute("SELECT doc_key, text, status FROM records ORDER BY doc_key").fetchall()
    finally:
        con.close()
    assert got == [
        ("moda:ds2:id=same", "戊", "active"),
        ("moda:ds:id=other", "丁", "active"),
        ("moda:ds:id=same", "甲", "active"),
    ]
    # the next ingest of the same input starts afresh: nothing new, the repeats skipped again
    again = ingest(db_path, ModaSource([d, tmp_path / "ds2"], licence="CC0-1.0"))
    assert again.unchanged == 3 and again.skipped == {ModaReason.DUPLICATE_ID: 2}


def _rows(
    db_path, sql="SELECT status, text, json_extract_string(metadata, '$.as_of') FROM records ORDER BY created_at"
):
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize(
    ("old", "new"),
    [("113/2/1", "113/10/1"), ("2024/2/1", "2024/10/1"), ("113/09/30", "2024-10-1"), ("1130201", "1131001")],
)
def test_update_with_unpadded_date_replaces_older_row(tmp_path, db_path, old, new):
    """Versions order by the day the date names, not by its text: '113/10/1' sorted before '113/2/1' and the
    update was filed as history while the old text stayed active (review 6, 3b); ROC ``1130201`` (YYYMMDD) read
    as no date let an older snapshot replace the newer text (review of the fixes, 1)."""
    from curate.ingest import ingest

    for run, (date, text) in enumerate([(old, "舊版：利率百分之一。"), (new, "新版：利率百分之二。")]):
        f = tmp_path / f"v{run}" / "news" / "a.jsonl"
        f.parent.mkdir(parents=True)
        f.write_text(json.dumps({"id": "n1", "日期": date, "text": text}, ensure_ascii=False) + "\n", "utf-8")
        ingest(db_path, ModaSource([f.parent], licence="OGDL-Taiwan-1.0", dataset="新聞"))
    got = _rows(db_path)
    assert [(s, t) for s, t, _ in got] == [("superseded", "舊版：利率百分之一。"), ("active", "新版：利率百分之二。")]
    assert all(a and a[4] == "-" for _, _, a in got)  # ISO dates
    # a row older than both, ingested last, is kept as history: the active text stays the newest
    f = tmp_path / "v2" / "news" / "a.jsonl"
    f.parent.mkdir(parents=True)
    f.write_text(
        json.dumps({"id": "n1", "日期": "民國100年1月5日", "text": "最舊版。"}, ensure_ascii=False) + "\n", "utf-8"
    )
    ingest(db_path, ModaSource([f.parent], licence="OGDL-Taiwan-1.0", dataset="新聞"))
    assert _rows(db_path, "SELECT text FROM records WHERE status = 'active'") == [("新版：利率百分之二。",)]


def test_saved_folder_naming_files_outside_it_or_malformed_is_quarantined(tmp_path, collect):
    """``state.json`` is trusted by ``datasets``: ``../`` (or a symlink) read another dataset's Arrow file under this
    folder's licence, and a ``state.json`` that is no object was a traceback (review 6, finding 4)."""
    import datasets

    datasets.Dataset.from_dict({"id": [1], "text": ["另一資料集的受限文字。"]}).save_to_disk(str(tmp_path / "secret"))
    datasets.Dataset.from_dict({"id": [1], "text": ["公開資料。"]}).save_to_disk(str(tmp_path / "hfe" / "ds"))
    datasets.DatasetDict({"train": datasets.Dataset.from_dict({"text": ["字。"]})}).save_to_disk(str(tmp_path / "dd"))
    state = tmp_path / "hfe" / "ds" / "state.json"
    good = json.loads(state.read_text())
    state.write_text(json.dumps({**good, "_data_files": [{"filename": "../../secret/data-00000-of-00001.arrow"}]}))
    linked = tmp_path / "linked"
    datasets.Dataset.from_dict({"text": ["公開。"]}).save_to_disk(str(linked))
    arrow = linked / "data-00000-of-00001.arrow"
    arrow.unlink()
    arrow.symlink_to(tmp_path / "secret" / "data-00000-of-00001.arrow")
    (tmp_path / "dd" / "dataset_dict.json").write_text('{"splits": ["../secret"]}')
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "dataset_info.json").write_text("{}")
    (broken / "state.json").write_text("[]")
    keyless = tmp_path / "keyless"
    datasets.Dataset.from_dict({"text": ["字。"]}).save_to_disk(str(keyless))
    s = json.loads((keyless / "state.json").read_text())
    (keyless / "state.json").write_text(json.dumps({"_data_files": s["_data_files"]}))  # no _split, _fingerprint
    paths = [tmp_path / "hfe" / "ds", linked, tmp_path / "dd", broken, keyless]
    records, rejections, _ = collect(ModaSource(paths, licence="OGDL-Taiwan-1.0"))
    assert records == []
    assert [(r.locator, r.reason) for r in rejections] == [
        ("ds", ModaReason.OUTSIDE_FOLDER),
        ("linked", ModaReason.OUTSIDE_FOLDER),
        ("dd", ModaReason.OUTSIDE_FOLDER),
        ("broken", ModaReason.UNREADABLE),
        ("keyless", ModaReason.UNREADABLE),
    ]
    assert "../../secret/data-00000-of-00001.arrow" in rejections[0].excerpt


def test_a_folder_file_that_links_out_of_it_is_quarantined_never_read(tmp_path, collect):
    """``ingest moda DIR`` read a symlink to a file elsewhere under the folder's licence and locator (review 8,
    finding 5); a link that stays inside the folder is read as its target."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("外部機密文件：不應被讀取。\n", encoding="utf-8")
    (tmp_path / "outside" / "rows.jsonl").write_text(json.dumps(ROWS[1], ensure_ascii=False) + "\n", "utf-8")
    ds = tmp_path / "ds"
    (ds / "sub").mkdir(parents=True)
    (ds / "a.jsonl").write_text(json.dumps(ROWS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    (ds / "notes.txt").symlink_to(tmp_path / "outside" / "secret.txt")
    (ds / "sub" / "more.jsonl").symlink_to(tmp_path / "outside" / "rows.jsonl")
    (ds / "same.jsonl").symlink_to(ds / "a.jsonl")
    records, rejections, _ = collect(ModaSource([ds], licence="OGDL-Taiwan-1.0"))
    assert [(r.locator, r.reason) for r in rejections] == [
        ("ds/notes.txt", ModaReason.LINK_OUTSIDE),
        ("ds/sub/more.jsonl", ModaReason.LINK_OUTSIDE),
    ]
    assert {r.text for r in records} == {ROWS[0]["text"]}
    assert all("外部" not in r.excerpt for r in rejections)


def test_dataset_key_from_a_folder_name_is_pseudonymised_like_the_doc_key(tmp_path, db_path, monkeypatch):
    """The doc key held the folder's national ID pseudonymised, ``metadata.dataset_key`` raw (review 6, 13)."""
    from curate.ingest import ingest

    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    f = tmp_path / "陳大文A123456789" / "x.jsonl"
    f.parent.mkdir()
    f.write_text('{"id": 1, "text": "存款利率說明。"}\n', encoding="utf-8")
    ingest(db_path, ModaSource([f], licence="OGDL-Taiwan-1.0"))
    doc_key, key = _rows(db_path, "SELECT doc_key, json_extract_string(metadata, '$.dataset_key') FROM records")[0]
    assert "A123456789" not in key and doc_key == f"moda:{key}:id=1" and "身分證字號#" in key


def test_datasets_in_folders_of_the_same_name_never_replace_each_other(tmp_path, db_path, cli):
    """Without --dataset the key was the folder name: hub-style ``dsA/data`` and ``dsB/data`` were both ``data``
    and B's rows superseded A's (in one ingest, B's were skipped as repeats) (review 6, finding 3)."""
    for name, texts in (("dsA", ("甲一。", "甲二。")), ("dsB", ("乙一。", "乙二。"))):
        f = tmp_path / name / "data" / "train.jsonl"
        f.parent.mkdir(parents=True)
        f.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts, 1)), "utf-8")
    a, b = tmp_path / "dsA", tmp_path / "dsB"
    with pytest.raises(ConfigError, match="folder name `data` keys datasets of 2 folders of this ingest"):
        ModaSource([a, b], licence="OGDL-Taiwan-1.0")
    code, out, err = cli("--quiet", "ingest", "moda", str(a), "--licence", "OGDL-Taiwan-1.0")
    assert code == 0, out + err
    code, out, err = cli("--quiet", "ingest", "moda", str(b), "--licence", "OGDL-Taiwan-1.0")
    assert code == 1 and "another folder in the catalogue" in err and "--dataset" in err and "Traceback" not in err
    # the same folder again maps to the same records; the other one under a name of its own is a dataset of its own
    code, out, _ = cli("--quiet", "ingest", "moda", str(a), "--licence", "OGDL-Taiwan-1.0")
    assert code == 0 and "2 unchanged" in out, out
    code, out, _ = cli("--quiet", "ingest", "moda", str(b), "--licence", "OGDL-Taiwan-1.0", "--dataset", "乙集")
    assert code == 0, out
    got = _rows(db_path, "SELECT doc_key, status, text FROM records ORDER BY doc_key")
    assert got == [
        ("moda:data:id=1", "active", "甲一。"),
        ("moda:data:id=2", "active", "甲二。"),
        ("moda:乙集:id=1", "active", "乙一。"),
        ("moda:乙集:id=2", "active", "乙二。"),
    ]


@pytest.mark.parametrize(
    ("stored", "new"), [("2024/02/01", "2024/10/01"), ("1130201", "2024-10-01"), ("113/10/01", "2024/02/01")]
)
def test_dates_stored_as_written_before_iso_order_by_their_day(tmp_path, db_path, stored, new):
    """A catalogue made before as_of was ISO holds it as written; ``2024-10-01`` sorted before ``2024/02/01`` as
    text, so an update was filed as history, and an older snapshot replaced text dated ``113/10/01`` (review of the
    fixes, 2): both sides are read as the day they name."""
    import duckdb

    from curate.ingest import ingest

    later = stored if stored.startswith("113/10") else new
    for run, date in enumerate([stored, new]):
        text = "新版。" if date == later else "舊版。"
        f = tmp_path / f"v{run}" / "news" / "a.jsonl"
        f.parent.mkdir(parents=True)
        f.write_text(json.dumps({"id": "n1", "日期": date, "text": text}, ensure_ascii=False) + "\n", "utf-8")
        ingest(db_path, ModaSource([f.parent], licence="OGDL-Taiwan-1.0", dataset="新聞"))
        if run == 0:  # as the code before the fix stored it
            con = duckdb.connect(str(db_path))
            con.execute("UPDATE records SET metadata = json_merge_patch(metadata, json_object('as_of', ?))", [date])
            con.close()
    assert _rows(db_path, "SELECT text FROM records WHERE status = 'active'") == [("新版。",)]


def _two_datasets(tmp_path, folder="data"):
    for name, texts in (("dsA", ("甲一。", "甲二。")), ("dsB", ("乙一。", "乙二。"))):
        f = tmp_path / name / folder / "train.jsonl"
        f.parent.mkdir(parents=True)
        f.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts, 1)), "utf-8")
    return tmp_path / "dsA", tmp_path / "dsB"


@pytest.mark.parametrize("route", ["before origins", "id number in the name", "--dataset data"])
def test_folder_name_refusal_has_no_way_around(tmp_path, db_path, cli, monkeypatch, route):
    """The refusal of one folder name for two datasets was bypassed by rows of a catalogue made before origins were
    kept, by a folder name holding an ID number (stored pseudonymised, compared raw) and by rows ingested with
    ``--dataset data`` (as the refusal advised): dsB's rows superseded dsA's (review of the fixes, 3)."""
    import duckdb

    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    a, b = _two_datasets(tmp_path, "陳大文A123456789" if route == "id number in the name" else "data")
    first = ["--dataset", "data"] if route == "--dataset data" else []
    code, out, err = cli("--quiet", "ingest", "moda", str(a), "--licence", "OGDL-Taiwan-1.0", *first)
    assert code == 0, out + err
    if route == "before origins":  # as the code before the fix stored them
        con = duckdb.connect(str(db_path))
        con.execute("UPDATE records SET metadata = json(json_merge_patch(metadata, '{\"dataset_origin\": null}'))")
        con.close()
        code, out, err = cli("--quiet", "ingest", "moda", str(a), "--licence", "OGDL-Taiwan-1.0")
        assert code == 0 and "2 unchanged" in out, out + err  # the same files: the same dataset
    code, out, err = cli("--quiet", "ingest", "moda", str(b), "--licence", "OGDL-Taiwan-1.0")
    assert code == 1 and "--dataset" in err and "Traceback" not in err, out + err
    assert _rows(db_path, "SELECT count(*) FROM records WHERE status = 'active' AND text LIKE '甲%'") == [(2,)]
    assert _rows(db_path, "SELECT count(*) FROM records") == [(2,)]


def test_saved_folder_with_odd_state_is_quarantined_and_the_rest_ingested(tmp_path, collect):
    """``_data_files: []`` and a numeric ``_split`` ended in a traceback that lost every input (review of the
    fixes, 4)."""
    import datasets

    paths = []
    for name, change in (("empty", {"_data_files": []}), ("split", {"_split": 5})):
        folder = tmp_path / name
        datasets.Dataset.from_dict({"id": [1], "text": ["公開資料。"]}).save_to_disk(str(folder))
        state = json.loads((folder / "state.json").read_text())
        (folder / "state.json").write_text(json.dumps({**state, **change}))
        paths.append(folder)
    good = tmp_path / "good" / "a.jsonl"
    good.parent.mkdir()
    good.write_text('{"id": 1, "text": "好的資料。"}\n', encoding="utf-8")
    records, rejections, _ = collect(ModaSource([*paths, good], licence="OGDL-Taiwan-1.0"))
    assert [(r.locator, r.reason) for r in rejections] == [
        ("empty", ModaReason.UNREADABLE),
        ("split", ModaReason.UNREADABLE),
    ]
    assert [r.text for r in records] == ["好的資料。"]


def test_as_of_days_in_sql_are_those_of_iso_date():
    """The ``YYYYMMDD`` branch of the SQL that orders versions reads a date as :func:`sources.dates.iso_date` does."""
    import duckdb

    from curate.ingest_rows import as_of_sql, register_as_of
    from sources.dates import iso_date

    values = ["20240101", "20240230", "2024-02-01", "2024/2/1", "1130201", "113/10/1", "下週", "2024", "19991231"]
    con = duckdb.connect()
    register_as_of(con)
    got = [con.execute(f"SELECT {as_of_sql('$v::VARCHAR')}", {"v": v}).fetchone()[0] for v in values]
    assert got == [iso_date(v) or v for v in values]
