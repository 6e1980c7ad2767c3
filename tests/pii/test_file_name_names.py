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
