"""What an export says about its records: attribution from the record's own metadata (OGDL, MODA), agreement
terms that conflict with a public licence, titles of sources that expect personal data, the PII gate, modified
texts, and audiences compared whole (review round 3, licence engine)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest


def _export(cli, out: Path, *extra: str, audience: str = "consortium", commercial: str = "--non-commercial"):
    code, stdout, err = cli(
        "--quiet",
        "export",
        "dataset",
        commercial,
        "--purpose",
        "training",
        "--audience",
        audience,
        "--out",
        str(out),
        "--as-of",
        "2026-06-01",
        "--json",
        *extra,
    )
    assert code == 0, err
    return json.loads(stdout)


def _attributions(out: Path) -> dict[str, str]:
    import pyarrow.parquet as pq

    return {r["record_id"]: r["attribution"] for r in pq.read_table(out / "data").to_pylist()}


def _blocked(out: Path) -> dict[str, tuple[str, str]]:
    with (out / "blocked.csv").open(encoding="utf-8", newline="") as fh:
        return {r["record_id"]: (r["code"], r["reason"]) for r in csv.DictReader(fh)}


def test_ogdl_and_moda_statements_name_the_records_agency_dataset_and_year(builder, cli, tmp_path):
    """OGDL asks for `提供機關 [年份] [資料名稱]`: a MODA file's records carry the dataset and agency, the MODA
    source row does not (its title names the platform); an open-data record naming no agency is refused."""
    b = builder
    b.source("moda", "OGDL-Taiwan-1.0", title="MODA 臺灣主權AI訓練語料庫")
    b.source("moda_ai", "LicenseRef-MODA-AI-Training", title="MODA 臺灣主權AI訓練語料庫")
    b.source("law_moj", "OGDL-Taiwan-1.0", metadata={"provider": "法務部", "dataset": "全國法規資料庫 法規資料"})
    od_meta = {"dataset": "存款保險開放資料v2", "fields": {"agency": "中央存款保險公司"}, "as_of": "2025-07-01"}
    od = b.record("moda", "od.jsonl:1", "每一存款人最高保障三百萬元。", metadata=od_meta)
    zh = b.record(
        "moda", "od.csv:2", "政策利率維持不變。", metadata={"dataset": "利率", "fields": {"提供機關": "中央銀行"}}
    )
    nameless = b.record("moda", "od.jsonl:2", "沒有機關的開放資料。", metadata={"dataset": "存款保險開放資料v2"})
    ai = b.record("moda_ai", "ai.jsonl:1", "金融新聞語料段落。", metadata={"dataset": "金融新聞語料v2"})
    law = b.record("law_moj", "G0380001/1", "本法所稱銀行。", metadata={"as_of": "20240731"})
    b.close()
    out = tmp_path / "e"
    _export(cli, out)
    rows = _attributions(out)
    assert rows[od].startswith("中央存款保險公司 2025 存款保險開放資料v2\n此開放資料依政府資料開放授權條款")
    assert rows[zh].startswith("中央銀行 ") and "利率" in rows[zh].splitlines()[0]
    assert rows[ai].startswith("金融新聞語料v2, 數位發展部 臺灣主權AI訓練語料庫 (TAIC)")
    assert rows[law].startswith("法務部 2024 全國法規資料庫 法規資料\n")
    notice = (out / "NOTICE.md").read_text("utf-8")
    assert "> 中央存款保險公司 2025 存款保險開放資料v2" in notice and "MODA 臺灣主權AI訓練語料庫" not in notice
    code, reason = _blocked(out)[nameless]
    assert code == "licence_terms" and "提供機關" in reason and nameless not in rows


def test_agreement_terms_on_a_public_licence_are_refused_at_check_ingest_and_export(cli, db_path, builder, tmp_path):
    """A CC BY row that also names an expired member-only evaluation agreement: which terms hold is unknown, so the
    row is a term problem (`manifest check`, `--strict` rejects, a plain ingest warns) and is never exported."""
    from provenance.licences import term_problems

    builder.source("older", "CC-BY-4.0", title="university textbooks")  # a catalogue from before this check
    older = builder.record("older", "a.txt#1", "舊目錄中的講義。", metadata={"licence_terms": {"agreement_id": "X"}})
    builder.close()
    books = tmp_path / "books"
    books.mkdir()
    (books / "s.txt").write_text("第一章\n\n本講義說明銀行信用風險管理之基本原則。\n", encoding="utf-8")
    (books / "t.txt").write_text("第二章\n\n本講義說明市場風險。\n", encoding="utf-8")
    (books / "manifest.csv").write_text(
        "path,title,licensor,licence_id,agreement_id,audience,purposes,commercial,expiry,attribution\n"
        "s.txt,信用風險講義,某出版社,CC-BY-4.0,PUB-9,member:CTBC,evaluation,no,2025-06-30,© 某出版社\n"
        "t.txt,市場風險講義,某出版社,CC-BY-4.0,,member:CTBC,,,,\n",
        encoding="utf-8",
    )
    code, out, err = cli("manifest", "check", str(books / "manifest.csv"))
    assert "s.txt [CC-BY-4.0] problems" in out and "t.txt [CC-BY-4.0] problems" in out, out + err
    assert "agreement terms (agreement_id, audience, purposes, expiry, attribution, commercial `no`)" in out
    assert "agreement terms (audience) given for CC-BY-4.0, which takes none" in out
    code, out, _ = cli("ingest", "textbooks", str(books / "manifest.csv"), "--strict", db=tmp_path / "strict.duckdb")
    assert code == 3 and "quarantined 2: licence terms incomplete or invalid" in out
    code, out, err = cli("ingest", "textbooks", str(books / "manifest.csv"))
    assert code == 0 and "takes none" in out, out + err
    res = _export(cli, tmp_path / "e", "--pii-gate", "expected", audience="public", commercial="--commercial")
    assert res["records"] == 0 and res["blocked_by_code"] == {"licence_terms": 3}
    assert "conflict" in _blocked(tmp_path / "e")[older][1]
    assert term_problems("CC-BY-4.0", {"commercial": True}) == []
    assert term_problems("CC-BY-NC-4.0", {"commercial": False}) == []


def test_titles_of_pii_expected_sources_stay_out_of_the_credit(builder, cli, tmp_path):
    """The title column is left out for sources that expect personal data; so is the title in front of the
    attribution statement (CC BY 4.0 asks for the creator, not the title); the creator stays."""
    b = builder
    b.source("tabf", "CC-BY-4.0", title="台灣金融研訓院 training material", pii_expected=True)
    meta = {"document_title": "張淑芬房貸延滯協商紀錄", "licensor": "研訓院"}
    rid = b.record("tabf", "x.txt#1", "本講義說明授信審查之流程。", metadata=meta, pii_state="clean")
    b.close()
    out = tmp_path / "e"
    _export(cli, out)
    attribution = _attributions(out)[rid]
    assert attribution.startswith("研訓院：") and "CC BY 4.0" in attribution
    texts = [attribution, *(p.read_text("utf-8") for p in out.iterdir() if p.is_file())]
    assert not any("張淑芬" in t for t in texts)


def test_the_pii_gate_is_stated_and_spdx_claims_nothing_for_unchecked_texts(builder, cli, tmp_path):
    b = builder
    b.source("law_moj", "OGDL-Taiwan-1.0", metadata={"provider": "法務部", "dataset": "法規"})
    b.record("law_moj", "a", "本法所稱銀行。")
    b.record("law_moj", "b", "客戶身分證字號A123456789。", pii_state=None)
    b.close()
    loose, strict = tmp_path / "loose", tmp_path / "strict"
    _export(cli, loose, "--pii-gate", "expected")
    _export(cli, strict)
    spdx = json.loads((loose / "spdx.jsonld").read_text("utf-8"))
    (pkg,) = [e for e in spdx["@graph"] if e["type"] == "dataset_DatasetPackage"]
    assert pkg["dataset_hasSensitivePersonalInformation"] == "noAssertion"
    for name in ("NOTICE.md", "README.md"):
        text = (loose / name).read_text("utf-8")
        assert "PII gate: **expected**" in text and "**1 records have not**" in text
        # what the gate held back since review 15 (provenance/pii_rule.py), as README and `--help` say
        assert "`pii_expected` and annotators' corrections had to pass" in text
    assert "| PII gate | expected (1 records not PII-checked) |" in (loose / "README.md").read_text("utf-8")
    spdx = json.loads((strict / "spdx.jsonld").read_text("utf-8"))
    (pkg,) = [e for e in spdx["@graph"] if e["type"] == "dataset_DatasetPackage"]
    assert pkg["dataset_hasSensitivePersonalInformation"] == "no"
    assert "PII gate: **all**" in (strict / "NOTICE.md").read_text("utf-8")


def test_texts_changed_by_the_stages_say_they_were_modified(builder, cli, tmp_path):
    """CC BY 4.0 §3(a)(1)(B): an adaptation indicates that the material was modified."""
    b = builder
    b.source("textbooks", "CC-BY-SA-4.0", title="university textbooks")
    meta = {"document_title": "信用風險講義", "licensor": "某大學"}
    parent = b.record("textbooks", "s.txt#1", "本讲义说明数据分析。", metadata=meta)
    changed = b.version(parent, "本講義說明資料分析。", stage="normalise")
    kept = b.record("textbooks", "t.txt#1", "本講義說明市場風險。", metadata=meta)
    b.close()
    out = tmp_path / "e"
    _export(cli, out)
    rows = _attributions(out)
    assert rows[changed].startswith("「信用風險講義」，某大學：") and "（本文經修改 modified: 簡轉繁" in rows[changed]
    assert "modified" not in rows[kept]
    notice = (out / "NOTICE.md").read_text("utf-8")
    assert "## Modifications" in notice and "* `normalise` (1 records): 簡轉繁與用語正規化" in notice
    assert "1 of 2 texts were modified" in notice


@pytest.mark.parametrize("audience", ["member:CTBC\n", "member:CTBC ", " public"])
def test_an_audience_with_whitespace_is_refused_in_one_line(builder, cli, tmp_path, audience):
    from curate.web.auth import parse_role
    from provenance.errors import UsageError
    from provenance.licences import load_licence_catalogue, parse_audience, term_problems

    builder.close()
    with pytest.raises(UsageError, match="unknown audience"):
        parse_audience(audience)
    code, out, err = cli(
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        "training",
        "--audience",
        audience,
        "--out",
        str(tmp_path / "x"),
    )
    assert code == 2 and "unknown audience" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x").exists()
    terms = {"agreement_id": "A", "licensor": "L", "audience": audience, "purposes": ["training"], "attribution": "L"}
    assert any("audience" in p and "invalid" in p for p in term_problems("LicenseRef-Written-Agreement", terms))
    with pytest.raises(UsageError):
        parse_role("bank:CTBC\n")
    cat = Path(__file__).parents[2] / "schemas" / "licences" / "catalogue.toml"
    bad = tmp_path / "cat.toml"
    bad.write_text(cat.read_text("utf-8").replace('audience = ["consortium"]', 'audience = ["member:X\\n"]', 1))
    with pytest.raises(Exception, match="audience `member:X"):
        load_licence_catalogue(bad)


def _statements_html(notice: str) -> str:
    """The attribution statements of NOTICE.md (its quoted lines) as a CommonMark renderer shows them."""
    markdown_it = pytest.importorskip("markdown_it")
    quoted = [ln for ln in notice.splitlines() if ln.startswith(">")]
    return markdown_it.MarkdownIt("commonmark").enable("table").render("\n".join(quoted))


def _shown_as_text(notice: str) -> str:
    """NOTICE.md's statements as shown, asserting that none holds a heading, link, image, HTML, code, list or table."""
    shown = _statements_html(notice)
    for tag in ("<a ", "<h", "<img", "<script", "<b>", "<code>", "<em>", "<table", "<ul", "<ol", "<hr"):
        assert tag not in shown, (tag, shown)
    return shown


def test_a_data_rows_agency_is_credited_as_one_plain_line_shown_as_text(builder, cli, tmp_path):
    """A MODA row's own `agency` (third-party data) went verbatim into NOTICE.md and every `attribution`: a forged
    `## Licences` heading, a CC0 line and a phishing link (review round 2, web #3). A credit is one line without
    control characters; NOTICE.md shows its markdown as text (review 8 of the fixes, exports #4: refusing it left
    ordinary names out of every export); a text past 300 characters blocks the record under `licence_terms`."""
    b = builder
    b.source("moda", "OGDL-Taiwan-1.0", title="MODA 臺灣主權AI訓練語料庫")
    forged = (
        "中央銀行\n\n## Licences\n\n* `CC0-1.0`: public domain <https://evil.example/>\n\n[官方](https://e.example/p)"
    )
    bad = b.record("moda", "a.jsonl:1", "政策利率維持不變。", metadata={"dataset": "利率", "agency": forged})
    long = b.record("moda", "a.jsonl:2", "第二筆資料。", metadata={"dataset": "利率", "agency": "機" * 301})
    ok = b.record(
        "moda", "a.jsonl:3", "第三筆資料。", metadata={"dataset": "央行\n新聞稿", "agency": "中央銀行\t業務局\u202e"}
    )
    b.close()
    out = tmp_path / "e"
    _export(cli, out, audience="public", commercial="--commercial")
    blocked = _blocked(out)
    assert set(blocked) == {long} and blocked[long][0] == "licence_terms", blocked
    assert "longer than 300 characters" in blocked[long][1], blocked
    one_line = "中央銀行 ## Licences * `CC0-1.0`: public domain <https://evil.example/> [官方](https://e.example/p)"
    assert _attributions(out)[bad].startswith(one_line), _attributions(out)
    assert _attributions(out)[ok].startswith("中央銀行 業務局 "), _attributions(out)
    assert "央行 新聞稿" in _attributions(out)[ok]
    notice = (out / "NOTICE.md").read_text(encoding="utf-8")
    statements = notice.split("## Attribution statements")[1]
    assert "## Licences" not in statements and "<https://evil" not in statements
    assert "> 中央銀行 \\#\\# Licences \\* \\`CC0-1.0\\`: public domain &lt;https\\://evil.example/&gt; " in notice
    assert one_line in _shown_as_text(notice).replace("&lt;", "<").replace("&gt;", ">")


def test_a_folder_name_is_not_credited_as_the_ogdl_dataset(cli, tmp_path):
    """`ingest moda` without `--dataset` stored the file's folder name as `metadata.dataset`, and NOTICE credited
    `數位發展部 2025 moda` (a file under ~/Downloads: "Downloads"). Now only `--dataset` names a dataset, and a
    record without one credits its source's title (review round 2, web #7)."""
    folder = tmp_path / "Downloads"
    folder.mkdir()
    row = {"id": "1", "text": "政策利率維持不變。", "agency": "中央銀行", "date": "2025-09-18"}
    (folder / "a.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = cli("-q", "ingest", "moda", str(folder), "--licence", "OGDL-Taiwan-1.0")
    assert code == 0, err
    named = tmp_path / "named"
    named.mkdir()
    (named / "b.jsonl").write_text(json.dumps({**row, "id": "2"}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = cli("-q", "ingest", "moda", str(named), "--licence", "OGDL-Taiwan-1.0", "--dataset", "央行新聞稿")
    assert code == 0, err
    out = tmp_path / "e"
    _export(cli, out, "--pii-gate", "expected")
    credits = sorted(a.splitlines()[0] for a in _attributions(out).values())
    assert len(credits) == 2 and not [c for c in credits if "Downloads" in c or "named" in c], credits
    assert credits[1] == "中央銀行 2025 央行新聞稿", credits
    assert credits[0].startswith("中央銀行 2025 ") and credits[0] != "中央銀行 2025", credits


def test_an_agreements_statement_is_one_plain_line_shown_as_text(cli, builder, tmp_path):
    """An agreement's own `attribution` column (TABF, textbooks) went verbatim into NOTICE.md and the data: a NUL,
    a bidi override, a forged heading, HTML and a link, and a blank line that split one statement into two in the
    `attribution` column (review 5, export #1). It is credited like a name, by the same rule: control characters and
    line breaks go, NOTICE.md shows markdown and HTML as text (review 8 of the fixes, exports #4); a text past 300
    characters is a term problem at `manifest check` and ingest, and blocks its record at export."""
    terms = {"agreement_id": "A-1", "licensor": "某出版社", "audience": "consortium", "purposes": ["training"]}
    builder.source("older", "LicenseRef-Written-Agreement", title="handouts")
    forged = "© 研訓院\n\n</details>\n# 假 NOTICE 標題 [點我](http://evil.example)"
    older = builder.record(
        "older", "o.txt#1", "舊目錄中的講義。", metadata={"licence_terms": {**terms, "attribution": forged}}
    )
    long = builder.record(
        "older", "o.txt#2", "舊目錄中的另一份講義。", metadata={"licence_terms": {**terms, "attribution": "授" * 301}}
    )
    builder.close()
    books = tmp_path / "books"
    books.mkdir()
    for name in ("s.txt", "t.txt", "u.txt", "v.txt"):
        (books / name).write_text(f"第一章\n\n本講義 {name} 說明銀行信用風險管理。\n", encoding="utf-8")
    with (books / "manifest.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["path", "licensor", "licence_id", "agreement_id", "audience", "purposes", "attribution"])
        agreement = ["某出版社", "LicenseRef-Written-Agreement", "A-1", "consortium", "training"]
        w.writerow(["s.txt", *agreement, forged])
        w.writerow(["t.txt", *agreement, "© 某出版社\n\n經授權 \u202eRTL\u0000使用"])
        w.writerow(["u.txt", *agreement, "授" * 301])
        w.writerow(["v.txt", *agreement, "- © McGraw-Hill | 東華書局 & 元照出版"])
    code, out, err = cli("manifest", "check", str(books / "manifest.csv"))
    assert "u.txt [LicenseRef-Written-Agreement] blocked" in out, out + err
    assert "attribution longer than 300 characters" in out and out.count("] ok") == 3, out
    assert "t.txt [LicenseRef-Written-Agreement] ok" in out and "attribution: © 某出版社 經授權 RTL使用\n" in out
    code, out, _ = cli("ingest", "textbooks", str(books / "manifest.csv"), "--strict", db=tmp_path / "strict.duckdb")
    assert code == 3 and "quarantined 1: licence terms incomplete or invalid" in out, out
    code, out, err = cli("ingest", "textbooks", str(books / "manifest.csv"))
    assert code == 0 and "u.txt: attribution longer than 300 characters" in out, out + err
    out_dir = tmp_path / "e"
    res = _export(cli, out_dir, "--pii-gate", "expected")
    assert res["records"] == 4 and res["blocked_by_code"] == {"licence_terms": 2}, res
    assert "attribution longer than 300 characters" in _blocked(out_dir)[long][1]
    one_line = "© 研訓院 </details> # 假 NOTICE 標題 [點我](http://evil.example)"
    assert _attributions(out_dir)[older] == one_line
    assert set(_attributions(out_dir).values()) == {
        "- © McGraw-Hill | 東華書局 & 元照出版",
        one_line,
        "© 某出版社 經授權 RTL使用",
    }
    notice = (out_dir / "NOTICE.md").read_text("utf-8")
    assert "</details>" not in notice and "\x00" not in notice and "\n# " not in notice
    assert "> © 研訓院 &lt;/details&gt; \\# 假 NOTICE 標題 \\[點我\\](http\\://evil.example)\n" in notice
    assert "> \\- © McGraw-Hill \\| 東華書局 &amp; 元照出版\n" in notice and "> © 某出版社 經授權 RTL使用\n" in notice
    shown = _shown_as_text(notice)
    assert "- © McGraw-Hill | 東華書局 &amp; 元照出版" in shown and "[點我](http://evil.example)" in shown


def test_a_text_no_stage_changed_is_not_declared_modified(builder, cli, tmp_path):
    """A PII pass that masked only metadata made a version with the same text; NOTICE said it was modified
    (本文經修改) because its stage was not `ingest` (review 5, export #5). Now the text is compared with its parent's,
    back to the text as ingested: the last stage that changed it is named, or none."""
    b = builder
    b.source("textbooks", "CC-BY-4.0", title="university textbooks")
    same = b.version(b.record("textbooks", "a.txt#1", "本行辦理房屋貸款業務。"), "本行辦理房屋貸款業務。", stage="pii")
    normalised = b.version(b.record("textbooks", "b.txt#1", "本讲义。"), "本講義。", stage="normalise")
    after = b.version(normalised, "本講義。", stage="pii")
    b.close()
    out = tmp_path / "e"
    _export(cli, out)
    rows = _attributions(out)
    assert "modified" not in rows[same] and "modified: 簡轉繁" in rows[after], rows
    notice = (out / "NOTICE.md").read_text("utf-8")
    assert "1 of 2 texts were modified" in notice and "`normalise` (1 records)" in notice and "`pii`" not in notice


def test_a_text_changed_back_to_its_ingested_text_is_not_declared_modified(builder, cli, tmp_path):
    """A stage changed the text and a later one changed it back (A -> B -> A): only the parent was compared, so the
    text, byte for byte as ingested, was called modified by the later stage (review 5, export #6). Now each text is
    compared with its ingested root's."""
    b = builder
    b.source("textbooks", "CC-BY-4.0", title="university textbooks")
    changed = b.version(b.record("textbooks", "a.txt#1", "本讲义。"), "本講義。", stage="normalise")
    back = b.version(changed, "本讲义。", stage="pii")
    b.close()
    out = tmp_path / "e"
    _export(cli, out)
    rows = _attributions(out)
    assert "modified" not in rows[back], rows
    assert "texts were modified" not in (out / "NOTICE.md").read_text("utf-8")
