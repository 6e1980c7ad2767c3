"""FscSource: feed, detail and list pages, CSV; case fields; person names kept out of metadata."""

from __future__ import annotations

import pytest

from sources.fsc import FscReason, FscSource, parse_case_text, parse_date, parse_fines

DETAIL = """<html><head><title>金管會裁罰案件</title>
<link rel="canonical" href="https://www.fsc.gov.tw/ch/home.jsp?id=131&dataserno=202509250001&dtable=Penalty"></head>
<body><nav>首頁 | 裁罰案件</nav><div id="maincontent">
<table><tr><th>發文日期</th><td>中華民國114年9月25日</td></tr>
<tr><th>發文字號</th><td>金管銀法字第1140000001號</td></tr>
<tr><th>受處分人名稱</th><td>甲商業銀行股份有限公司</td></tr>
<tr><th>統一編號</th><td>12345675</td></tr>
<tr><th>代表人或管理人姓名</th><td>王大明</td></tr></table>
<p>主　旨：核處甲商業銀行股份有限公司新臺幣1,200萬元罰鍰，並予以糾正。</p>
<p>事　實：</p><p>一、該行辦理存款業務，未確實執行客戶審查，經本會檢查發現缺失。</p>
<p>理由及法令依據：</p><p>核有違反銀行法第45條之1第1項規定，依同法第129條第7款核處罰鍰。</p>
</div><footer>金融監督管理委員會 版權所有</footer></body></html>"""

PERSON = """<html><body><div class="content">
<p>發文日期：114年10月2日</p><p>受處分人：林小華</p><p>地址：臺北市中正區某路1號</p>
<p>主旨：核處林小華新臺幣60萬元罰鍰。</p><p>事實：林小華擔任業務員期間挪用客戶保費。</p>
<p>理由及法令依據：違反保險法第167條之2規定。</p></div></body></html>"""

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>金管會 裁罰案件</title>
<item><title>丙證券股份有限公司違反證券交易法</title>
<link>https://www.fsc.gov.tw/ch/home.jsp?id=131&amp;dataserno=202508010002&amp;dtable=Penalty</link>
<pubDate>Fri, 01 Aug 2025 10:00:00 +0800</pubDate>
<description><![CDATA[<p>受處分人：丙證券股份有限公司</p><p>主旨：核處新臺幣300萬元罰鍰。</p>
<p>事實：內部控制制度未落實。</p><p>法令依據：證券交易法第178條之1第1項第4款。</p>]]></description></item>
<item><title>同一案件（與詳細頁相同）</title>
<link>https://www.fsc.gov.tw/ch/home.jsp?id=131&amp;dataserno=202509250001&amp;dtable=Penalty</link>
<description><![CDATA[<p>主旨：重複。</p>]]></description></item>
</channel></rss>"""

LIST = """<html><body><table>
<tr><th>序號</th><th>發文日期</th><th>標題</th><th>單位</th></tr>
<tr><td>1</td><td>2025-09-25</td><td><a href="home.jsp?id=131&dataserno=202509250001&dtable=Penalty">甲商業銀行裁罰案</a></td><td>銀行局</td></tr>
<tr><td>2</td><td>2025-07-15</td><td><a href="home.jsp?id=131&dataserno=202507150003&dtable=Penalty">丁產物保險股份有限公司裁罰案</a></td><td>保險局</td></tr>
</table></body></html>"""

CSV = (
    "發文日期,受處分人,主旨,違反事實理由,法令依據,裁罰及處分結果\n"
    '114/06/30,戊人壽保險股份有限公司,核處罰鍰,"未依規定辦理，情節重大。",保險法第171條之1第4項,新臺幣600萬元\n'
)


@pytest.fixture
def batch(tmp_path):
    d = tmp_path / "fsc"
    d.mkdir()
    (d / "case_202509250001.html").write_text(DETAIL, encoding="utf-8")
    (d / "person.htm").write_bytes(PERSON.encode("big5"))
    (d / "feed.xml").write_text(FEED, encoding="utf-8")
    (d / "list.html").write_text(LIST, encoding="utf-8")
    (d / "cases.csv").write_text(CSV, encoding="utf-8")
    (d / "broken.xml").write_text("<rss><channel><item>", encoding="utf-8")
    (d / "empty.csv").write_bytes(b"")
    (d / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    return d


def test_batch_of_every_input_kind(batch, collect):
    src = FscSource([batch])
    assert src.pii_expected and src.source_infos()[0].pii_expected
    records, rejections, skips = collect(src)
    assert {(r.locator, r.reason) for r in rejections} == {
        ("broken.xml", FscReason.BAD_FEED),
        ("empty.csv", FscReason.EMPTY),
    }
    assert {(s.locator, s.reason) for s in skips} == {
        ("photo.jpg", FscReason.UNSUPPORTED),
        ("feed.xml#item=2", FscReason.DUPLICATE),
        ("list.html#row=1", FscReason.DUPLICATE),
    }
    by_loc = {r.locator: r for r in records}
    assert set(by_loc) == {
        "case_202509250001.html",
        "person.htm",
        "feed.xml#item=1",
        "cases.csv#line=2",
        "list.html#row=2",
    }
    assert all(r.licence_id == "LicenseRef-TW-Copyright-Art9" for r in records)

    bank = by_loc["case_202509250001.html"].metadata
    assert bank["date"] == "2025-09-25" and bank["institution"] == "甲商業銀行股份有限公司"
    assert bank["ubn"] == "12345675" and bank["fine_twd_total"] == 12_000_000
    assert "銀行法第45條之1第1項" in bank["legal_basis"]
    assert by_loc["case_202509250001.html"].doc_key == "fsc:202509250001"
    text = by_loc["case_202509250001.html"].text
    assert text[slice(*bank["spans"]["facts"])] == "一、該行辦理存款業務，未確實執行客戶審查，經本會檢查發現缺失。"
    assert "首頁" not in text and "版權所有" not in text

    person = by_loc["person.htm"]
    assert person.metadata["respondent_type"] == "person"
    flat = repr(person.metadata)
    assert "林小華" not in flat and "臺北市" not in flat  # personal data only in the text
    assert "林小華" in person.text and person.metadata["fine_twd_total"] == 600_000

    feed = by_loc["feed.xml#item=1"].metadata
    assert feed["date"] == "2025-08-01" and feed["fines_twd"] == [3_000_000]
    assert feed["legal_basis"] == ["證券交易法第178條之1第1項第4款"]
    csv_case = by_loc["cases.csv#line=2"].metadata
    assert csv_case["date"] == "2025-06-30" and csv_case["institution"] == "戊人壽保險股份有限公司"
    assert csv_case["fine_twd_total"] == 6_000_000
    listed = by_loc["list.html#row=2"]
    assert listed.metadata["kind"] == "list" and listed.metadata["bureau"] == "保險局"
    assert listed.metadata["date"] == "2025-07-15" and listed.doc_key == "fsc:202507150003"


@pytest.mark.parametrize(
    "text,iso",
    [
        ("中華民國114年9月25日", "2025-09-25"),
        ("2024/1/5", "2024-01-05"),
        ("99.12.31", "2010-12-31"),
        ("不是日期", None),
    ],
)
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_parse_fines_units():
    assert parse_fines("新臺幣1.5億元及新台幣300萬元、新臺幣3,000,000元") == [150_000_000, 3_000_000, 3_000_000]


def test_labels_with_spaces_and_values_on_next_line():
    text, spans = parse_case_text(["主　　旨：核處。", "理由及法令依據", "違反銀行法。", "事 實：甲。"])
    assert text[slice(*spans["reasons_legal"])] == "違反銀行法。"
    assert text[slice(*spans["facts"])] == "甲。" and text[slice(*spans["subject"])] == "核處。"


def test_csv_row_with_wrong_field_count_quarantined_rest_kept(tmp_path, collect):
    d = tmp_path / "fsc"
    d.mkdir()
    header, good = CSV.splitlines()
    # a field too many (csv.DictReader put it under a None key: AttributeError, the whole ingest aborted), a
    # blank line, a field too few
    body = [header, good + ",多出的欄位", "", good.replace("戊人壽", "己人壽"), "114/07/01,庚銀行,核處罰鍰"]
    (d / "cases.csv").write_text("\n".join(body) + "\n", encoding="utf-8")
    records, rejections, skips = collect(FscSource([d]))
    assert [(r.locator, r.reason, r.excerpt) for r in rejections] == [
        ("cases.csv#line=2", FscReason.BAD_CSV_ROW, "line 2: row has 7 fields, the header has 6"),
        ("cases.csv#line=4", FscReason.BAD_CSV_ROW, "line 5: row has 3 fields, the header has 6"),
    ]
    assert [(r.locator, r.metadata["institution"]) for r in records] == [("cases.csv#line=3", "己人壽保險股份有限公司")]
    assert skips == []


def test_csv_row_with_extra_fields_through_the_ingest(tmp_path, db_path):
    from curate.ingest import ingest

    header, good = CSV.splitlines()
    f = tmp_path / "cases.csv"
    f.write_text(f"{header}\n{good},多出的欄位\n{good.replace('戊人壽', '己人壽')}\n", encoding="utf-8")
    report = ingest(db_path, FscSource([f]))
    assert report.records_new == 1 and report.quarantine_reasons == {FscReason.BAD_CSV_ROW: 1}


def test_a_csv_quote_never_closed_costs_its_rows_not_the_file(tmp_path):
    """Read strictly: the rows before it are cases, the rest is one rejection naming its lines (not read as one
    long case that swallows them)."""
    from sources.fsc import FscReason, FscSource

    f = tmp_path / "cases.csv"
    f.write_text('案號,內容\nA1,正常案件一\nA2,"未關閉\nA3,正常案件三\n', encoding="utf-8")
    src = FscSource([f])
    out = []
    for raw in src.iter_raw():
        out.extend([raw] if not hasattr(raw, "payload") else src.to_records(raw))
    texts = [getattr(r, "text", None) for r in out if getattr(r, "text", None)]
    rejected = [(r.reason, r.excerpt) for r in out if getattr(r, "reason", None) == FscReason.BAD_CSV_ROW]
    assert len(texts) == 1 and "正常案件一" in texts[0] and "正常案件三" not in texts[0]
    assert rejected == [(FscReason.BAD_CSV_ROW, "lines 3-4: unexpected end of data")]


def _other_case_page(head: str = "") -> str:
    """乙證券's case page, linking to 甲銀行's case (202509250001) in its navigation and related cases (with that
    case's print link: review 6, latest #1)."""
    return f"""{head}<html><head><title>金管會裁罰案件</title></head><body>
<nav><a href="home.jsp?id=131&dataserno=202509250001&dtable=Penalty">上一筆</a></nav>
<div id="maincontent"><p>受處分人：乙證券股份有限公司</p><p>主旨：核處新臺幣240萬元罰鍰。</p>
<p>事實：內部控制制度未落實。</p>
<p>相關案件：<a href="print.jsp?id=131&dataserno=202509250001&dtable=Penalty">列印</a></p></div>
<div class="related"><a href="home.jsp?id=131&dataserno=202509250001&dtable=Penalty">相關案件</a></div>
</body></html>"""


def test_a_case_page_never_takes_another_cases_number_from_its_links(tmp_path, db_path):
    """Keyed by its content, not by the serno of a nav or related-case link: 甲銀行's case stays active, both are
    ingested (the second used to supersede the first, or be skipped as a duplicate of it in one ingest)."""
    from curate.ingest import ingest
    from provenance import db

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "case1.html").write_text(DETAIL, encoding="utf-8")
    (tmp_path / "b" / "case2.html").write_text(_other_case_page(), encoding="utf-8")
    ingest(db_path, FscSource([tmp_path / "a"]))
    report = ingest(db_path, FscSource([tmp_path / "b"]))
    assert report.records_new == 1 and report.versions_new == 0
    con = db.connect_readonly(db_path)
    rows = con.execute("SELECT doc_key, status, text LIKE '%甲商業銀行%' FROM records ORDER BY created_at").fetchall()
    con.close()
    assert rows[0] == ("fsc:202509250001", "active", True)
    assert rows[1][0] != "fsc:202509250001" and rows[1][1] == "active"


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:url" content="https://www.fsc.gov.tw/ch/home.jsp?id=131&dataserno=202510010007">',
        "<!-- saved from url=(0072)https://www.fsc.gov.tw/ch/home.jsp?id=131&dataserno=202510010007 -->",
    ],
)
def test_a_case_page_number_from_its_own_address(tmp_path, collect, head):
    page = _other_case_page()
    page = page.replace("<head>", "<head>" + head) if head.startswith("<meta") else head + page
    (tmp_path / "case.html").write_text(page, encoding="utf-8")
    records, rejections, _ = collect(FscSource([tmp_path]))
    assert rejections == [] and [r.doc_key for r in records] == ["fsc:202510010007"]


def test_a_case_page_whose_own_addresses_disagree_is_quarantined(tmp_path, collect):
    page = DETAIL.replace(
        "<title>", '<meta property="og:url" content="https://www.fsc.gov.tw/ch/home.jsp?dataserno=202510010007"><title>'
    )
    (tmp_path / "case.html").write_text(page, encoding="utf-8")
    records, rejections, _ = collect(FscSource([tmp_path]))
    assert records == [] and [(r.locator, r.reason) for r in rejections] == [("case.html", FscReason.TWO_ADDRESSES)]


def test_a_list_row_never_replaces_a_case_held_in_full_across_ingests(tmp_path, db_path, cli):
    """A later ingest of a list page: the row of a case held in full is skipped, counted and named (it used to become
    a new version, the one-line title superseding the 裁處書); a row of a case not held is ingested."""
    from provenance import db

    (tmp_path / "run1").mkdir()
    (tmp_path / "run2").mkdir()
    (tmp_path / "run1" / "detail.html").write_text(DETAIL, encoding="utf-8")
    (tmp_path / "run2" / "list.html").write_text(LIST, encoding="utf-8")
    assert cli("ingest", "fsc", str(tmp_path / "run1"))[0] == 0
    code, out, _ = cli("ingest", "fsc", str(tmp_path / "run2"))
    assert code == 0 and "1 new, 0 new versions" in out and "1 skipped" in out
    assert FscReason.HELD_IN_FULL in out and "list.html#row=1" in out
    con = db.connect_readonly(db_path)
    rows = con.execute(
        "SELECT doc_key, status, json_extract_string(metadata, '$.kind') FROM records ORDER BY doc_key"
    ).fetchall()
    con.close()
    assert rows == [("fsc:202507150003", "active", "list"), ("fsc:202509250001", "active", "detail")]
    # a later full text of a listed case still replaces its list row
    (tmp_path / "run3").mkdir()
    (tmp_path / "run3" / "c.html").write_text(DETAIL.replace("202509250001", "202507150003"), encoding="utf-8")
    code, out, _ = cli("ingest", "fsc", str(tmp_path / "run3"))
    assert code == 0 and "1 new versions" in out


def test_the_ingest_reads_the_cases_held_in_full_for_library_callers_too(tmp_path, db_path, cli):
    """The CLI and pipelines once read them themselves, so a library caller's list page replaced full cases."""
    from curate.ingest import ingest

    (tmp_path / "detail.html").write_text(DETAIL, encoding="utf-8")
    assert cli("ingest", "fsc", str(tmp_path / "detail.html"))[0] == 0
    (tmp_path / "list.html").write_text(LIST, encoding="utf-8")
    source = FscSource([tmp_path / "list.html"])
    assert source.known_full_cases == frozenset()
    rep = ingest(db_path, source)
    assert source.known_full_cases == {"202509250001"} and "known_full_cases" not in source.config()
    assert rep.skipped.get(FscReason.HELD_IN_FULL) == 1, rep.skipped  # its list row is skipped, not stored over it
    given = FscSource([tmp_path / "list.html"], known_full_cases=["x"])  # a caller's own list wins
    ingest(db_path, given)
    assert given.known_full_cases == {"x"}


@pytest.mark.parametrize(
    "text,fines",
    [
        ("核處新臺幣1億2,000萬元罰鍰，並處新臺幣60萬元", [120_000_000, 600_000]),
        ("新臺幣３億５，０００萬元", [350_000_000]),  # full-width digits and comma
        ("新臺幣一億二千萬元", [120_000_000]),
        ("新臺幣1千2百萬元", [12_000_000]),
        ("新臺幣1億零5萬元", [100_050_000]),
        ("新臺幣十五萬元", [150_000]),
        ("新臺幣300萬餘元", [3_000_000]),
        ("新臺幣2萬1億元", []),  # not read whole: left out, never a wrong number
    ],
)
def test_parse_fines_mixed_units_and_digits(text, fines):
    assert parse_fines(text) == fines


def test_a_fine_of_yi_and_wan_totals_right(tmp_path, collect):
    header = "發文日期,受處分人,主旨,裁罰及處分結果\n"
    row = '114/06/30,甲商業銀行股份有限公司,核處罰鍰,"核處新臺幣1億2,000萬元罰鍰，並處新臺幣60萬元"\n'
    (tmp_path / "c.csv").write_text(header + row, encoding="utf-8")
    records, _, _ = collect(FscSource([tmp_path]))
    assert records[0].metadata["fines_twd"] == [120_000_000, 600_000]
    assert records[0].metadata["fine_twd_total"] == 120_600_000


@pytest.mark.parametrize(
    "written", ["114/02/30", "2025-02-30", "中華民國113年13月1日", "0000-01-01", "0800-09-25", "00/06/30"]
)
def test_a_case_whose_date_does_not_exist_is_quarantined(tmp_path, collect, written):
    """Not stored as an ISO date (it orders versions and is shown as one): quarantined, naming it."""
    assert parse_date(written) is None
    header, good = CSV.splitlines()
    (tmp_path / "c.csv").write_text(f"{header}\n{good.replace('114/06/30', written)}\n", encoding="utf-8")
    records, rejections, _ = collect(FscSource([tmp_path]))
    assert records == [] and [(r.locator, r.reason) for r in rejections] == [("c.csv#line=2", FscReason.BAD_DATE)]
    assert "is not a date" in rejections[0].excerpt and "fix the date" in rejections[0].excerpt


@pytest.mark.parametrize("year", ["2025", "99999999999", "-5"])
def test_a_feed_date_that_does_not_exist_is_quarantined(tmp_path, collect, year):
    """A year past the machine's integers was an OverflowError traceback that lost the whole ingest (review of the
    fixes, 5); a year of ``-5`` was stored as 0800-09-25 (``email.utils`` reads it as 800: no date of this corpus)."""
    feed = FEED.replace("Fri, 01 Aug 2025", f"Sun, 31 Aug {year}").replace(
        "31 Aug", "31 Sep" if year == "2025" else "25 Sep"
    )
    (tmp_path / "feed.xml").write_text(feed)
    records, rejections, _ = collect(FscSource([tmp_path]))
    assert [(r.locator, r.reason) for r in rejections] == [("feed.xml#item=1", FscReason.BAD_DATE)]
    assert len(records) == 1  # the feed's other item is read


_RELATED = """<table><tr><th>相關案件</th></tr>
<tr><td><a href="home.jsp?id=131&dataserno=202312010001&dtable=Penalty">乙銀行裁罰案</a></td><td>112-12-01</td></tr>
<tr><td><a href="home.jsp?id=131&dataserno=202311010001&dtable=Penalty">丙銀行裁罰案</a></td><td>112-11-01</td></tr>
</table></div>"""


@pytest.mark.parametrize("own_address", [True, False], ids=["canonical", "no_address"])
def test_a_case_page_with_a_related_cases_table_is_its_case_not_a_list(tmp_path, collect, own_address):
    """A saved case page (Big5) whose related-cases table links to two other cases was read as a list page: its
    own case (甲商業銀行, NT$12 million) was lost without a quarantine row or a skip, exit 0, and two one-line
    records of the other cases were ingested instead. A page with its own case number or a case's own sections
    beside those rows is its case."""
    page = DETAIL.replace("</div>", _RELATED, 1)
    if not own_address:
        page = page.replace('<link rel="canonical"', '<link rel="alternate"')
    (tmp_path / "case.html").write_bytes(page.encode("cp950"))
    records, rejections, skips = collect(FscSource([tmp_path]))
    assert rejections == [] and skips == []
    assert len(records) == 1 and "甲商業銀行" in records[0].text and "違反銀行法第45條之1" in records[0].text
    assert (records[0].doc_key == "fsc:202509250001") is own_address


def test_a_list_page_is_still_read_as_list_rows(tmp_path, collect):
    (tmp_path / "list.html").write_text(LIST, encoding="utf-8")
    records, rejections, _ = collect(FscSource([tmp_path]))
    assert rejections == [] and sorted(r.doc_key for r in records) == ["fsc:202507150003", "fsc:202509250001"]


_ROW = '<tr><td>{n}</td><td><a href="home.jsp?id=131&dataserno={s}&dtable=Penalty">{t}裁罰案</a></td><td>違反銀行法</td></tr>'
_ROWS = _ROW.format(n=1, s="202509250001", t="甲銀行") + _ROW.format(n=2, s="202507150003", t="丁產物保險")


@pytest.mark.parametrize(
    "table",
    [
        f"<table><tr><th>序號</th><th>受處分人</th><th>案由</th></tr>{_ROWS}</table>",
        "<table>"
        + _ROWS.replace("</tr>", "</tr><tr><td colspan=3>受處分人：某股份有限公司 核處罰鍰</td></tr>")
        + "</table>",
    ],
    ids=["respondent_column", "summary_rows"],
)
def test_a_list_page_whose_table_names_a_section_is_still_a_list(tmp_path, collect, table):
    """A list whose header names a 受處分人 column (beside a column that is no section label), or with a summary
    row under each link, is a list: its header and summaries are no case's sections. It was read as one case keyed
    by its content (the whole list as its text) and the rows were lost, exit 0 (review 9)."""
    (tmp_path / "list.html").write_text(f"<html><body>{table}<p>共 2 筆</p></body></html>", encoding="utf-8")
    records, rejections, _ = collect(FscSource([tmp_path]))
    assert rejections == [] and sorted(r.doc_key for r in records) == ["fsc:202507150003", "fsc:202509250001"]


def test_a_case_page_in_a_layout_table_keeps_its_case_and_not_the_related_titles(tmp_path, collect):
    """A case page laid out in one table (its cell holds the sections and the related-cases table) is its case;
    the related cases' titles are not its text (a law they name is not its legal basis)."""
    body = DETAIL.split('<div id="maincontent">')[1].split("</div>")[0]
    related = _RELATED.replace("乙銀行裁罰案", "乙銀行違反洗錢防制法第7條裁罰案").replace("</div>", "")
    page = f"<html><body><table><tr><td>{body}{related}</td></tr></table></body></html>"
    (tmp_path / "case.html").write_text(page, encoding="utf-8")
    records, rejections, _ = collect(FscSource([tmp_path]))
    assert rejections == [] and len(records) == 1 and "甲商業銀行" in records[0].text
    assert "乙銀行" not in records[0].text and "洗錢防制法第7條" not in records[0].metadata["legal_basis"]


def test_a_case_page_linking_one_other_case_twice_keeps_its_text(tmp_path, collect):
    """Rows that link to one other case only made no list before review 9: the page's text stays as it was read
    (its record id, so a re-ingest is no new version)."""
    one = _RELATED.replace("202311010001", "202312010001")
    (tmp_path / "case.html").write_text(DETAIL.replace("</div>", one, 1), encoding="utf-8")
    records, _, _ = collect(FscSource([tmp_path]))
    assert len(records) == 1 and "乙銀行裁罰案" in records[0].text and "丙銀行裁罰案" in records[0].text
