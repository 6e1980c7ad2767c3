"""A customer's name in a file name of a source not marked `pii_expected` (review 9): a TABF case study filed as
`個案_林淑惠_授信審查.docx` kept the name raw in doc_key, locator, container and metadata.file, and so in exports.
A name that fills a whole segment of a file or folder name is pseudonymised at ingest (no label needed); a name
inside a title (`王大明教授講義.pdf`) is not a segment and stays; a role word and a name (`學員陳美玲/`) is one. A catalogue made before keeps its doc keys: an
ingest of a source whose active records hold such a name raw keeps file names as they were (no duplicate documents);
withdrawing those records and ingesting again gives the pseudonymised keys."""

import json
from collections.abc import Iterator

import pytest

from curate.ingest import ingest
from provenance import db
from sources.base import ErrorPolicy, RawItem, Record, Source, SourceInfo

NAME = "林淑惠"


class CaseStudies(Source):
    name = "cases"
    licence_id = "CC-BY-4.0"

    def source_infos(self) -> list[SourceInfo]:
        return [SourceInfo("cases", kind="test", licence_id=self.licence_id)]

    def iter_raw(self) -> Iterator[RawItem]:
        yield RawItem(f"個案_{NAME}_授信審查.docx#page=1", "授信審查個案：說明五P原則。")
        yield RawItem("王大明教授講義.pdf#page=1", "貨幣具有交易媒介功能。")
        yield RawItem("學員陳美玲/期末報告.txt#page=1", "利率風險之管理。")  # a role word and a name: a folder

    def to_records(self, raw: RawItem):
        file = raw.locator.split("#")[0]
        yield Record(
            doc_key=f"cases:{file}",
            locator=raw.locator,
            container=file,
            text=raw.payload,
            source_id="cases",
            metadata={"file": file},
        )


def _rows(db_path):
    con = db.connect(db_path)
    try:
        return con.execute(
            "SELECT doc_key, locator, container, metadata, status FROM records ORDER BY doc_key"
        ).fetchall()
    finally:
        con.close()


@pytest.fixture
def key(monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5d" * 32)


def test_a_name_in_a_file_name_segment_is_pseudonymised(db_path, key):
    ingest(db_path, CaseStudies([]), on_error=ErrorPolicy.RAISE)
    rows = _rows(db_path)
    assert NAME not in json.dumps(rows, ensure_ascii=False) and "陳美玲" not in json.dumps(rows, ensure_ascii=False)
    case = next(r for r in rows if r[0].startswith("cases:個案_"))
    assert case[0].startswith("cases:個案_〔姓名#") and case[0].endswith("〕_授信審查.docx")
    assert any(r[0] == "cases:王大明教授講義.pdf" for r in rows)  # an author's name inside a title stays
    ingest(db_path, CaseStudies([]), on_error=ErrorPolicy.RAISE)  # deterministic: a re-ingest changes nothing
    assert _rows(db_path) == rows


def test_a_catalogue_made_before_keeps_its_doc_keys(db_path, key, monkeypatch):
    from curate.pii import identifiers
    from provenance.withdraw import withdraw

    # an ingest by a release before this rule: the source's file names kept as they are
    monkeypatch.setattr(identifiers, "raw_file_names_held", lambda con, ids: list(ids))
    ingest(db_path, CaseStudies([]), on_error=ErrorPolicy.RAISE)
    monkeypatch.undo()
    monkeypatch.setenv("CURATE_PII_KEY", "5d" * 32)  # (undo took it away too)
    before = _rows(db_path)
    assert any(NAME in r[0] for r in before)
    ingest(db_path, CaseStudies([]), on_error=ErrorPolicy.RAISE)
    assert _rows(db_path) == before  # no second document beside the old one
    con = db.connect(db_path)
    try:
        # every record of the source that holds a name raw (the ingest keeps the source's file names while one does)
        for (rid,) in con.execute(
            "SELECT record_id FROM records WHERE doc_key LIKE ? OR doc_key LIKE ?", [f"%{NAME}%", "%陳美玲%"]
        ).fetchall():
            withdraw(con, record_id=rid, reason="customer name in the file name")
    finally:
        con.close()
    ingest(db_path, CaseStudies([]), on_error=ErrorPolicy.RAISE)
    active = [r for r in _rows(db_path) if r[4] == "active"]
    assert len(active) == 3 and NAME not in json.dumps(active, ensure_ascii=False)


# review of the fixes (9): a segment is read without a sentence around it, so surname + one character alone was read
# as a name in ordinary titles, places and words (唐朝.pdf, 楊梅/, 歐元.pdf, 講師簡介.pdf): a steward ingesting textbooks
# was refused for want of the PII key, or with it got pseudonymised doc keys for chapter titles
TITLES = [
    "唐朝.pdf",
    "秦朝.pdf",
    "歐元.pdf",
    "歐洲.pdf",
    "韓國.pdf",
    "高鐵.pdf",
    "錢莊.pdf",
    "唐詩.pdf",
    "梅花.pdf",
    "蘭花.pdf",
    "連鎖.pdf",
    "文藝.pdf",
    "祝賀.pdf",
    "宮廷.pdf",
    "沈思.pdf",
    "韓元.pdf",
    "馬克.pdf",
    "楊梅/",
    "龍潭/",
    "萬華/",
    "馬祖/",
    "桂林/",
    "萬芳/",
    "林森路/",
    "卓蘭鎮/",
    "萬丹鄉/",
    "曾文溪/",
    "講師簡介.pdf",
    "講師_陳列館導覽.pdf",
    "金融學.pdf",
    "王道銀行/",
    "第一章.pdf",
    "個案_王道銀行_數位轉型.docx",
]


@pytest.mark.parametrize("value", TITLES)
def test_ordinary_titles_and_places_are_no_names(value):
    from curate.pii.engine import DetectorConfig, PiiDetector
    from curate.pii.identifiers import PROPAGATED_TYPES, name_segments

    det = PiiDetector(DetectorConfig(entities=tuple(sorted(PROPAGATED_TYPES))))
    assert name_segments(value, det) == []


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("個案_林淑惠_授信審查.docx", "林淑惠"),
        ("2023/王大明/", "王大明"),
        ("個案_歐陽娜娜_理財.docx", "歐陽娜娜"),
        ("學員江蕙/", "江蕙"),  # surname + one character after a role word
        ("客戶_江蕙_授信.docx", "江蕙"),  # ... or with a role word as the segment before
        ("學員/王明/報告.pdf", "王明"),
    ],
)
def test_names_in_segments_are_still_found(value, name):
    from curate.pii.engine import DetectorConfig, PiiDetector
    from curate.pii.identifiers import PROPAGATED_TYPES, name_segments

    det = PiiDetector(DetectorConfig(entities=tuple(sorted(PROPAGATED_TYPES))))
    assert [value[s.start : s.end] for s in name_segments(value, det)] == [name]


class Textbooks(CaseStudies):
    name = "books"

    def source_infos(self) -> list[SourceInfo]:
        return [SourceInfo("books", kind="test", licence_id=self.licence_id)]

    def iter_raw(self) -> Iterator[RawItem]:
        for i, file in enumerate(("第二章/唐朝.pdf", "歐元.pdf", "講師簡介.pdf", "楊梅/林森路.pdf", "高鐵.pdf")):
            yield RawItem(f"{file}#page=1", f"第{i}頁：貨幣具有交易媒介功能。")

    def to_records(self, raw: RawItem):
        file = raw.locator.split("#")[0]
        yield Record(doc_key=f"books:{file}", locator=raw.locator, container=file, text=raw.payload, source_id="books")


def test_textbooks_ingest_without_the_key_and_keep_their_titles(db_path, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    ingest(db_path, Textbooks([]), on_error=ErrorPolicy.RAISE)  # no key needed: nothing personal found
    keys = [r[0] for r in _rows(db_path)]
    assert keys == sorted(
        f"books:{f}" for f in ("第二章/唐朝.pdf", "歐元.pdf", "講師簡介.pdf", "楊梅/林森路.pdf", "高鐵.pdf")
    )


def test_moda_folder_names_compare_as_a_catalogue_made_before_stores_them(db_path, key, monkeypatch):
    # review of the fixes (9): the MODA folder-name check pseudonymised names the ingest of such a catalogue keeps raw,
    # so a folder name held raw was never found and the check that two folders do not share a key was skipped
    from curate.ingest_rows import moda_dataset_options
    from curate.pii import identifiers

    monkeypatch.setattr(identifiers, "raw_file_names_held", lambda con, ids: list(ids))
    ingest(db_path, CaseStudies([]), on_error=ErrorPolicy.RAISE)
    monkeypatch.undo()
    monkeypatch.setenv("CURATE_PII_KEY", "5d" * 32)
    monkeypatch.setattr("sources.moda.held_dataset_origins", lambda path, sid: ({"x": object()}, False))
    as_stored = moda_dataset_options(db_path, "cases", pii_expected=False)["as_stored"]
    assert as_stored(f"個案_{NAME}_授信審查.docx") == f"個案_{NAME}_授信審查.docx"
    assert as_stored("A123456789.csv") != "A123456789.csv"  # structured values are pseudonymised all the same
