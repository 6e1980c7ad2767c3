"""law.moj.gov.tw ingestor on the real fixtures in ../shared/fixtures/law_moj."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from catalogue_query import query as _q

from curate.ingest import ingest
from provenance import db
from sources.base import ErrorPolicy, RawItem, Record
from sources.errors import SourceError
from sources.law_moj import LawMojSource, _article_number


def _records(src: LawMojSource) -> list[Record]:
    out = []
    for raw in src.iter_raw():
        if isinstance(raw, RawItem):
            out += [r for r in src.to_records(raw) if isinstance(r, Record)]
    return out


def test_every_fixture_file_ingests(law_fixtures: Path, db_path: Path) -> None:
    files = sorted(p for p in law_fixtures.rglob("*") if p.suffix in (".json", ".xml"))
    assert len(files) >= 29
    rep = ingest(db_path, LawMojSource(files, scope="all"), on_error=ErrorPolicy.RAISE)
    assert rep.quarantined == 0
    assert rep.raw_items == len(files)
    pcodes = {r[0] for r in _q(db_path, "SELECT DISTINCT json_extract_string(metadata, '$.pcode') FROM records")}
    assert {
        "G0380001",
        "G0380112",
        "G0390002",
        "G0400001",
        "G0380131",
        "I0050021",
        "G0380058",
        "G0380237",
        "G0380177",
        "G0380233",
        "G0380207",
    } <= pcodes
    assert {r[0] for r in _q(db_path, "SELECT DISTINCT lang FROM records")} == {"zh", "en"}


def test_article_fields_chapter_attachments_repealed(law_fixtures: Path) -> None:
    recs = _records(LawMojSource([law_fixtures / "chlaw_json" / "ch"]))
    by_loc = {r.locator: r for r in recs}
    art1 = by_loc["G0380001/zh/1"]
    assert art1.metadata["law_name"] == "銀行法"
    assert art1.metadata["chapter"] == "第 一 章 通則"
    assert art1.metadata["article_no"] == "第 1 條"
    assert art1.metadata["law_level"] == "法律"
    assert art1.doc_key == "law_moj:G0380001:zh:1"
    assert art1.licence_id == "OGDL-Taiwan-1.0"
    assert any(r.locator.startswith("G0380001/zh/") and "-" in r.locator for r in recs), "N-M article numbers"
    att = next(r for r in recs if r.metadata["pcode"] == "G0380233")
    assert len(att.metadata["attachments"]) == 2 and att.metadata["attachments"][0]["file_url"].startswith("https://")
    rep = next(r for r in recs if r.metadata["pcode"] == "G0380207")
    assert rep.metadata["repealed"] is True
    trailing = next(r for r in recs if r.metadata["pcode"] == "G0400001")
    assert trailing.metadata["law_category"] == "行政＞金融監督管理委員會＞證券暨期貨管理目"
    # text survives exactly except line endings (a format detail: CRLF in JSON, LF in XML)
    raw = json.loads((law_fixtures / "chlaw_json/ch/G0380001.json").read_text(encoding="utf-8"))
    first_a = next(a for a in raw["LawArticles"] if a["ArticleType"] == "A")
    assert art1.text == first_a["ArticleContent"].replace("\r\n", "\n")


def test_xml_and_json_agree(law_fixtures: Path) -> None:
    j = {r.doc_key: r for r in _records(LawMojSource([law_fixtures / "chlaw_json/ch/G0380112.json"]))}
    x = {r.doc_key: r for r in _records(LawMojSource([law_fixtures / "falvmingling_xml/ch/G0380112.xml"]))}
    assert j.keys() == x.keys()
    for k in j:
        assert j[k].text.replace("\r\n", "\n").strip() == x[k].text.replace("\r\n", "\n").strip()
        assert j[k].metadata["chapter"] == x[k].metadata["chapter"]


@pytest.mark.parametrize(
    "json_file, xml_file",
    [
        ("chlaw_json/ch/G0380001.json", "falvmingling_xml/ch/G0380001.xml"),
        (
            "history/G0380131/chlaw_json/G0380131_20240731.json",
            "history/G0380131/falvmingling_xml/G0380131_20240731.xml",
        ),
    ],
)
def test_json_then_xml_of_one_law_version_gives_no_new_versions(
    law_fixtures: Path, db_path: Path, json_file: str, xml_file: str
) -> None:
    """Issue 14: CRLF (JSON) vs LF (XML) is not part of a version's identity, in both orders."""
    first = ingest(db_path, LawMojSource([law_fixtures / json_file], scope="all"), on_error=ErrorPolicy.RAISE)
    assert first.records_new > 0 and "\r" not in "".join(r[0] for r in _q(db_path, "SELECT text FROM records"))
    second = ingest(db_path, LawMojSource([law_fixtures / xml_file], scope="all"), on_error=ErrorPolicy.RAISE)
    assert (second.records_new, second.versions_new, second.superseded) == (0, 0, 0)
    assert second.unchanged == first.records_new
    other = db_path.with_name("xml_first.duckdb")
    ingest(other, LawMojSource([law_fixtures / xml_file], scope="all"), on_error=ErrorPolicy.RAISE)
    back = ingest(other, LawMojSource([law_fixtures / json_file], scope="all"), on_error=ErrorPolicy.RAISE)
    assert (back.records_new, back.versions_new) == (0, 0)


def test_english_json_and_xml(law_fixtures: Path) -> None:
    recs = _records(
        LawMojSource(
            [
                law_fixtures / "chlaw_json/ch/G0380001.json",
                law_fixtures / "chlaw_json/en",
                law_fixtures / "falvmingling_xml/en",
            ]
        )
    )
    en = [r for r in recs if r.lang == "en"]
    assert {r.metadata["pcode"] for r in en} == {"G0380001", "G0380131"}
    assert any(r.locator == "G0380001/en/1" for r in en)
    assert all(r.title.startswith(("The Banking Act", "Money Laundering")) for r in en)


def test_scope_fsc_counts_out_of_scope(tmp_path: Path, law_fixtures: Path, db_path: Path) -> None:
    law = json.loads((law_fixtures / "chlaw_json/ch/G0380058.json").read_text(encoding="utf-8"))
    other = dict(
        law,
        LawURL="https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode=A0000001",
        LawCategory="行政＞內政部＞戶政目",
        LawName="某內政法",
    )
    bulk = tmp_path / "ChLaw.json"
    bulk.write_text(
        "\ufeff" + json.dumps({"UpdateDate": "2024/10/11 上午 12:00:00", "Laws": [law, other]}, ensure_ascii=False),
        encoding="utf-8",
    )
    rep = ingest(db_path, LawMojSource([bulk], scope="fsc"))
    assert rep.skipped["out of scope (--scope fsc)"] == 1
    assert rep.records_seen == len([a for a in law["LawArticles"] if a["ArticleType"] == "A"])
    rep_all = ingest(tmp_path / "all.duckdb", LawMojSource([bulk], scope="all"))
    assert rep_all.records_seen == 2 * rep.records_seen


def test_reingest_changes_nothing(law_fixtures: Path, db_path: Path) -> None:
    src = [law_fixtures / "chlaw_json/ch"]
    first = ingest(db_path, LawMojSource(src))
    n_events = _q(db_path, "SELECT count(*) FROM provenance_events WHERE stage <> 'run'")[0][0]
    second = ingest(db_path, LawMojSource(src))
    assert second.records_new == second.versions_new == second.superseded == 0
    assert second.unchanged == first.records_new
    assert _q(db_path, "SELECT count(*) FROM provenance_events WHERE stage <> 'run'")[0][0] == n_events


def test_history_chains_versions_in_order(law_fixtures: Path, db_path: Path) -> None:
    hist = sorted((law_fixtures / "history/G0380131/chlaw_json").glob("*.json"))  # 2018, 2023, 2024
    for f in hist:
        ingest(db_path, LawMojSource([f]), on_error=ErrorPolicy.RAISE)
    active = _q(db_path, "SELECT count(*) FROM records WHERE status='active' AND lang='zh'")[0][0]
    assert active == 31
    # 15-1 appeared in 2023: its first record is new (no version_of)
    chain = _q(
        db_path,
        """SELECT json_extract_string(metadata,'$.law_modified_date'), status, version_of IS NULL
                           FROM records WHERE doc_key = 'law_moj:G0380131:zh:1' ORDER BY created_at, record_id""",
    )
    assert [c[0] for c in chain][-1] == "20240731" and chain[-1][1] == "active"
    # every non-first version links to a record of the same doc_key
    bad = _q(
        db_path,
        """SELECT count(*) FROM records r JOIN records p ON p.record_id = r.version_of
                         WHERE p.doc_key <> r.doc_key""",
    )[0][0]
    assert bad == 0
    # articles of an older snapshot missing from the newer one end superseded, never deleted
    assert (
        _q(
            db_path,
            "SELECT count(*) FROM records WHERE status='active' AND doc_key LIKE 'law_moj:G0380131:zh:%'"
            " AND json_extract_string(metadata,'$.law_modified_date') <> '20240731'",
        )[0][0]
        == 0
    )


def test_older_snapshot_never_replaces_newer(law_fixtures: Path, db_path: Path) -> None:
    hist = sorted((law_fixtures / "history/G0380131/chlaw_json").glob("*.json"))
    ingest(db_path, LawMojSource([hist[-1]]))
    before = _q(db_path, "SELECT record_id FROM records WHERE status='active' ORDER BY 1")
    rep = ingest(db_path, LawMojSource([hist[0]]))
    assert rep.versions_new > 0
    assert _q(db_path, "SELECT record_id FROM records WHERE status='active' ORDER BY 1") == before
    assert _q(db_path, "SELECT count(*) FROM provenance_events WHERE action='historical_version'")[0][0] > 0


def test_xml_history_old_tags_and_crlf(law_fixtures: Path, db_path: Path) -> None:
    files = sorted((law_fixtures / "history/G0380131/falvmingling_xml").glob("*.xml"))
    for f in files:
        rep = ingest(db_path, LawMojSource([f]), on_error=ErrorPolicy.RAISE)
        assert rep.records_seen > 0
    assert _q(db_path, "SELECT count(*) FROM records WHERE status='active'")[0][0] == 31
    old = _q(
        db_path,
        "SELECT count(DISTINCT doc_key) FROM records WHERE json_extract_string(metadata,"
        "'$.law_modified_date') = '20090610'",
    )[0][0]
    assert old == 17


def test_metadata_only_change_makes_new_version(law_fixtures: Path, db_path: Path) -> None:
    d = law_fixtures / "history/I0050021/chlaw_json"
    snaps = [d / "I0050021_20230531_snap20230602.json", d / "I0050021_20230531_snap20241011.json"]
    ingest(db_path, LawMojSource([snaps[0]]))
    rep = ingest(db_path, LawMojSource([snaps[1]]))
    assert rep.versions_new == 57  # same LawModifiedDate, but LawCategory and LawEffectiveNote changed
    cats = _q(
        db_path, "SELECT DISTINCT json_extract_string(metadata,'$.law_category') FROM records WHERE status='active'"
    )
    assert cats == [("行政＞個人資料保護委員會籌備處＞通用目",)]


def _bad_inputs(tmp: Path, law_fixtures: Path) -> list[Path]:
    good = (law_fixtures / "chlaw_json/ch/G0380177.json").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("ChLaw.json", b"\xef\xbb\xbf" + b'{"UpdateDate":"x","Laws":[' + good + b"]}")
    (tmp / "truncated.zip").write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    (tmp / "invalid.json").write_text('{"LawName": "壞", "LawArticles": [', encoding="utf-8")
    law = json.loads(good)
    del law["LawURL"]
    (tmp / "missing.json").write_text(json.dumps(law, ensure_ascii=False), encoding="utf-8")
    xml = (law_fixtures / "falvmingling_xml/ch/G0380112.xml").read_text(encoding="utf-8")
    (tmp / "broken.xml").write_text(xml.replace("</法規名稱>", "</法規名", 1), encoding="utf-8")
    unreadable = tmp / "unreadable.json"
    unreadable.write_bytes(good)
    unreadable.chmod(0)
    ok = tmp / "ok.json"
    ok.write_bytes(good)
    return [tmp / "truncated.zip", tmp / "invalid.json", tmp / "missing.json", tmp / "broken.xml", unreadable, ok]


def test_bad_input_quarantined_nothing_lost(tmp_path: Path, law_fixtures: Path, db_path: Path, cli) -> None:
    import os

    files = _bad_inputs(tmp_path, law_fixtures)
    code, out, err = cli("ingest", "law-moj", *map(str, files))
    assert code == 3, out + err
    reasons = dict(_q(db_path, "SELECT locator, reason FROM quarantine"))
    joined = " | ".join(f"{k}: {v}" for k, v in reasons.items())
    assert "corrupt or truncated ZIP" in joined
    assert "invalid JSON" in joined and "invalid.json:1:" in joined
    assert "missing fields: LawURL" in joined
    assert "malformed XML" in joined
    if os.geteuid() != 0:  # root can read a chmod 0 file
        assert "unreadable file" in joined
    good = json.loads((law_fixtures / "chlaw_json/ch/G0380177.json").read_text(encoding="utf-8"))
    n_articles = sum(1 for a in good["LawArticles"] if a["ArticleType"] == "A")
    assert _q(db_path, "SELECT count(DISTINCT doc_key) FROM records")[0][0] == n_articles
    # accounting: every item is a record source, a quarantine row or a counted skip
    run = json.loads(_q(db_path, "SELECT counts FROM runs WHERE command='ingest law_moj'")[0][0])
    assert run["quarantined"] == len(reasons)
    code, out, _ = cli("status")
    assert code == 0 and "malformed XML" in out


def test_raise_policy(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(SourceError, match="invalid JSON"):
        ingest(tmp_path / "x.duckdb", LawMojSource([bad]), on_error=ErrorPolicy.RAISE)


def test_zip_bulk_with_bom(tmp_path: Path, law_fixtures: Path, db_path: Path) -> None:
    laws = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((law_fixtures / "chlaw_json/ch").glob("*.json"))]
    z = tmp_path / "ChLaw.json.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "ChLaw.json",
            "\ufeff" + json.dumps({"UpdateDate": "2024/10/11 上午 12:00:00", "Laws": laws}, ensure_ascii=False),
        )
        zf.writestr("schema.csv", "a,b\n")
    rep = ingest(db_path, LawMojSource([z]), on_error=ErrorPolicy.RAISE)
    assert rep.records_new == sum(1 for law in laws for a in law["LawArticles"] if a["ArticleType"] == "A")
    assert rep.skipped["not a law file (ZIP member)"] == 1
    upd = _q(db_path, "SELECT DISTINCT json_extract_string(metadata,'$.update_date') FROM records")
    assert upd == [("2024/10/11 上午 12:00:00",)]


@pytest.mark.parametrize(
    ("raw", "eng", "want"),
    [("第 1 條", False, "1"), ("第 15-1 條", False, "15-1"), ("12", False, "12"), ("Article 45-1", True, "45-1")],
    ids=["plain", "n-m", "bare", "english"],
)
def test_article_number(raw: str, eng: bool, want: str) -> None:
    assert _article_number(raw, eng) == want


def test_migrations_recorded_once(db_path: Path) -> None:
    con = db.connect(db_path)
    n = con.execute("SELECT count(*) FROM _schema_migrations").fetchone()[0]
    assert db.migrate(con) == []
    assert con.execute("SELECT count(*) FROM _schema_migrations").fetchone()[0] == n == len(db.migrations())
    con.close()


def test_truncated_xml_keeps_complete_laws(tmp_path: Path, law_fixtures: Path, db_path: Path) -> None:
    a = (law_fixtures / "falvmingling_xml/ch/G0380112.xml").read_text(encoding="utf-8")
    b = (law_fixtures / "falvmingling_xml/ch/G0380237.xml").read_text(encoding="utf-8")
    f = tmp_path / "FalVMingLing.xml"
    f.write_text('<LAWS UpdateDate="2024/10/4">\n' + a + "\n" + b[: len(b) // 2], encoding="utf-8")
    rep = ingest(db_path, LawMojSource([f]))
    assert rep.quarantined == 1
    assert "not closed" in _q(db_path, "SELECT reason FROM quarantine")[0][0]
    assert {r[0] for r in _q(db_path, "SELECT DISTINCT json_extract_string(metadata,'$.pcode') FROM records")} == {
        "G0380112"
    }
    # the complete laws keep the dump's UpdateDate (it orders versions of one LawModifiedDate: review 9)
    dates = _q(db_path, "SELECT DISTINCT json_extract_string(metadata, '$.update_date') FROM records")
    assert dates == [("2024/10/4",)]


def test_large_bulk_file_streams_and_quarantines_tail(
    tmp_path: Path, law_fixtures: Path, db_path: Path, monkeypatch
) -> None:
    import sources.law_moj as lm

    monkeypatch.setattr(lm, "STREAM_THRESHOLD", 0)  # force the streaming path on a small file
    laws = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((law_fixtures / "chlaw_json/ch").glob("*.json"))]
    blob = "\ufeff" + json.dumps({"UpdateDate": "2024/10/11 上午 12:00:00", "Laws": laws}, ensure_ascii=False)
    full = tmp_path / "ChLaw.json"
    full.write_text(blob, encoding="utf-8")
    rep = ingest(db_path, LawMojSource([full]), on_error=ErrorPolicy.RAISE)
    assert rep.raw_items == len(laws) and rep.quarantined == 0
    cut = tmp_path / "cut" / "ChLaw.json"
    cut.parent.mkdir()
    cut.write_text(blob[: int(len(blob) * 0.6)], encoding="utf-8")
    rep2 = ingest(tmp_path / "cut.duckdb", LawMojSource([cut]))
    assert rep2.quarantined == 1 and 0 < rep2.raw_items - 1 < len(laws)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        *[("ArticleContent", 12345), ("ArticleContent", ["x"]), ("ArticleNo", 7), ("LawURL", 5), ("LawName", {"a": 1})],
        # a numeric date once crashed the writer (every law of the run lost); a number category was an AttributeError
        *[("LawModifiedDate", 20240101), ("LawCategory", 5), ("LawEffectiveNote", ["x"]), ("LawName", {})],
    ],
)
def test_fields_of_the_wrong_type_are_quarantined(tmp_path: Path, law_fixtures: Path, db_path: Path, cli, field, value):
    """A number or list where the official format has text quarantines that article (or law) with a reason, and
    the other laws of the file are ingested (such a field once failed the whole ingest with a traceback)."""
    good = json.loads((law_fixtures / "chlaw_json/ch/G0380177.json").read_text(encoding="utf-8"))
    bad = json.loads(json.dumps(good))
    bad["LawURL"] = bad["LawURL"].replace("G0380177", "G0380999")
    target = bad if field.startswith("Law") else next(a for a in bad["LawArticles"] if a["ArticleType"] == "A")
    target[field] = value
    f = tmp_path / "ChLaw.json"
    f.write_text(json.dumps({"Laws": [bad, good]}, ensure_ascii=False), encoding="utf-8")
    code, out, err = cli("ingest", "law-moj", str(f), "--scope", "all")
    assert code == 3 and "Traceback" not in err, out + err
    reasons = [r for (r,) in _q(db_path, "SELECT reason FROM quarantine")]
    assert len(reasons) == 1 and "is not text" in reasons[0], reasons
    pcodes = {p for (p,) in _q(db_path, "SELECT DISTINCT json_extract_string(metadata, '$.pcode') FROM records")}
    assert "G0380177" in pcodes
    n_good = sum(1 for a in good["LawArticles"] if a["ArticleType"] == "A")
    n = _q(db_path, "SELECT count(*) FROM records")[0][0]
    assert n == (n_good if field.startswith("Law") else 2 * n_good - 1)


def test_snapshots_in_any_order_give_the_same_catalogue(law_fixtures: Path, tmp_path: Path) -> None:
    """README: an older snapshot never replaces a newer version and a removed article is superseded, whatever
    order the snapshots come in. Articles 15-1 and 15-2 of G0380131 are in the 2023 snapshot and gone in 2024's."""
    import itertools

    hist = sorted((law_fixtures / "history/G0380131/chlaw_json").glob("*.json"))  # 2018, 2023, 2024
    active = {}
    for n, order in enumerate(itertools.permutations(hist)):
        db = tmp_path / f"o{n}.duckdb"
        for f in order:
            ingest(db, LawMojSource([f], scope="all"), on_error=ErrorPolicy.RAISE)
        active[tuple(f.stem[-8:] for f in order)] = _q(
            db,
            "SELECT doc_key, content_sha256 FROM records WHERE status = 'active' ORDER BY ALL",
        )
        assert _q(db, "SELECT count(*) FROM records WHERE status = 'active' AND doc_key LIKE '%:15-_'")[0][0] == 0
    assert len({tuple(v) for v in active.values()}) == 1, {k: len(v) for k, v in active.items()}


def test_other_files_in_a_folder_are_counted_as_skipped(tmp_path: Path, law_fixtures: Path, db_path: Path) -> None:
    d = tmp_path / "laws"
    (d / "sub").mkdir(parents=True)
    (d / "G0380001.json").write_bytes((law_fixtures / "chlaw_json" / "ch" / "G0380001.json").read_bytes())
    (d / "notes.txt").write_text("說明", encoding="utf-8")
    (d / "sub" / "scan.PDF").write_bytes(b"%PDF-1.4")
    (d / ".DS_Store").write_bytes(b"\x00")  # hidden: not an input
    rep = ingest(db_path, LawMojSource([d], scope="all"))
    assert rep.records_new > 0 and rep.quarantined == 0
    assert rep.skipped == {"unsupported file type": 2}
    named = sorted(Path(n["locator"]).name for n in rep.named if n["kind"] == "skipped")
    assert named == ["notes.txt", "scan.PDF"]


@pytest.mark.parametrize("fast", ["1", "0"], ids=["set_based", "python"])
def test_an_older_dump_of_the_same_law_modified_date_never_replaces_a_newer(
    law_fixtures: Path, tmp_path: Path, monkeypatch, fast: str
) -> None:
    """I0050021's 2023-06-02 and 2024-10-11 dumps share LawModifiedDate 20230531, but the newer one moved the law
    to 個人資料保護委員會籌備處 (fixtures README). Ingested newer first, the older dump (its wrapper's UpdateDate says
    so) became the active version, and articles the older dump lacks were superseded: the catalogue went back a
    year. Both orders now give the newer dump's catalogue."""
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "1")  # the set-based path for these small files too
    d = law_fixtures / "history/I0050021/chlaw_json"

    def dump(name: str, update: str, drop_last: bool = False) -> Path:
        law = json.loads((d / name).read_text(encoding="utf-8"))
        if drop_last:  # an article the older dump does not have
            law["LawArticles"] = law["LawArticles"][:-1]
        out = tmp_path / f"{update.replace('/', '')}.json"
        body = json.dumps({"UpdateDate": f"{update} 上午 12:00:00", "Laws": [law]}, ensure_ascii=False)
        out.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
        return out

    newer = dump("I0050021_20230531_snap20241011.json", "2024/10/11")
    older = dump("I0050021_20230531_snap20230602.json", "2023/6/2", drop_last=True)
    active = {}
    for order in ((newer, older), (older, newer)):
        db = tmp_path / f"{order[0].stem}.duckdb"
        for f in order:
            ingest(db, LawMojSource([f], scope="all"), on_error=ErrorPolicy.RAISE)
        active[order[0].stem] = _q(db, "SELECT doc_key, record_id FROM records WHERE status = 'active' ORDER BY ALL")
        cats = _q(
            db, "SELECT DISTINCT json_extract_string(metadata, '$.law_category') FROM records WHERE status='active'"
        )
        assert cats == [("行政＞個人資料保護委員會籌備處＞通用目",)], order
        assert len(active[order[0].stem]) == 57, order
    assert active["20241011"] == active["202362"]


@pytest.mark.parametrize("form", ["files", "folder", "zips"])
def test_an_english_file_before_its_chinese_one_is_in_scope(law_fixtures: Path, tmp_path: Path, form: str) -> None:
    """--scope fsc: an English law is in scope when its Chinese law is, but an English file read before the
    Chinese one (given first, or a folder where Eng_FalVMingLing.xml sorts before FalVMingLing.xml) was skipped
    whole as out of scope. English files are now read after the others."""
    en, ch = law_fixtures / "chlaw_json/en/G0380001.json", law_fixtures / "chlaw_json/ch/G0380001.json"
    if form == "files":
        paths = [en, ch]
    elif form == "folder":
        d = tmp_path / "xml"
        d.mkdir()
        (d / "Eng_FalVMingLing.xml").write_bytes((law_fixtures / "falvmingling_xml/en/G0380001.xml").read_bytes())
        (d / "FalVMingLing.xml").write_bytes((law_fixtures / "falvmingling_xml/ch/G0380001.xml").read_bytes())
        paths = [d]
    else:
        paths = []
        for name, f in (("EnLaw", en), ("ChLaw", ch)):
            with zipfile.ZipFile(tmp_path / f"{name}.json.zip", "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(f"{name}.json", f.read_bytes())
            paths.append(tmp_path / f"{name}.json.zip")
    db = tmp_path / "c.duckdb"
    rep = ingest(db, LawMojSource(paths), on_error=ErrorPolicy.RAISE)
    assert not rep.skipped, rep.skipped
    assert _q(db, "SELECT lang, count(*) > 0 FROM records GROUP BY lang ORDER BY lang") == [("en", True), ("zh", True)]


@pytest.mark.parametrize("fast", ["1", "0"], ids=["set_based", "python"])
@pytest.mark.parametrize(
    "newer,older", [("113/10/11", "112/6/2"), ("民國113年10月11日", "2023/6/2")], ids=["roc", "mixed"]
)
def test_an_update_date_in_roc_years_orders_dumps_too(
    law_fixtures: Path, tmp_path: Path, monkeypatch, fast: str, newer: str, older: str
) -> None:
    """A dump whose UpdateDate is written in ROC years (a steward's re-wrapped or converted dump) names its
    snapshot as well: it was read as naming none, so an older dump ingested after a newer one of the same
    LawModifiedDate replaced it again (review 9's ordering, read the way as_of is)."""
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "1")
    d = law_fixtures / "history/I0050021/chlaw_json"
    db = tmp_path / "c.duckdb"
    for n, (name, update) in enumerate(
        (("I0050021_20230531_snap20241011.json", newer), ("I0050021_20230531_snap20230602.json", older))
    ):
        body = {"UpdateDate": f"{update} 上午 12:00:00", "Laws": [json.loads((d / name).read_text(encoding="utf-8"))]}
        f = tmp_path / f"{n}.json"
        f.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
        ingest(db, LawMojSource([f], scope="all"), on_error=ErrorPolicy.RAISE)
    cats = _q(db, "SELECT DISTINCT json_extract_string(metadata, '$.law_category') FROM records WHERE status='active'")
    assert cats == [("行政＞個人資料保護委員會籌備處＞通用目",)]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "big5"])
def test_an_english_xml_in_its_declared_encoding_is_read_after_the_chinese(
    law_fixtures: Path, tmp_path: Path, codec: str
) -> None:
    """--scope fsc looked for an English law's tags in a file's head as UTF-8 bytes only: FalVMingLing XML in
    UTF-16 or Big5 (both read, by their declaration) kept its place before its Chinese file and was skipped whole
    as out of scope."""
    d = tmp_path / "xml"
    d.mkdir()
    en = (law_fixtures / "falvmingling_xml/en/G0380001.xml").read_text(encoding="utf-8").lstrip("\ufeff")
    decl = '<?xml version="1.0" encoding="%s"?>\r\n' % ("Big5" if codec == "big5" else "UTF-16")
    (d / "Eng_FalVMingLing.xml").write_bytes((decl + en).encode("cp950" if codec == "big5" else codec, "replace"))
    (d / "FalVMingLing.xml").write_bytes((law_fixtures / "falvmingling_xml/ch/G0380001.xml").read_bytes())
    db = tmp_path / "c.duckdb"
    rep = ingest(db, LawMojSource([d]), on_error=ErrorPolicy.RAISE)
    assert not rep.skipped, rep.skipped
    assert _q(db, "SELECT lang, count(*) > 0 FROM records GROUP BY lang ORDER BY lang") == [("en", True), ("zh", True)]
