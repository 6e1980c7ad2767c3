"""What NOTICE.md, the card and the data say to recipients (review 8, exports): a manifest row's title and licensor
credited as one plain line, "modified" only for texts that changed, the dry run's statement as the export's,
agreement terms and the licence catalogue stated, SPDX's profiles."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from test_export_credit import _attributions, _blocked, _export, _shown_as_text

_BAD_TITLE = "## 假標題 [點我](http://evil.example) \u202eRTL"


def _manifest(folder: Path, rows: list[dict[str, str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for r in rows:
        (folder / r["path"]).write_text(f"第一章\n\n{r['path']} 講義內容說明銀行風險管理。\n", encoding="utf-8")
    path = folder / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["path", "title", "licensor", "licence_id"])
        w.writeheader()
        w.writerows(rows)
    return path


#: lines a data row could make of NOTICE.md's markup: a heading, link, image, HTML, code, emphasis, list, rule,
#: setext underline, quote, table, entity, escape and GitHub's strikethrough and bare URL
_HOSTILE_LINES = (
    "## 假標題",
    "[點我](http://evil.example)",
    "![圖](http://evil.example/x.png)",
    "<b>講義</b> <script>x</script>",
    "`code` *em* _em_ **strong** ~~strike~~",
    "- 列表",
    "+ 列表",
    "1. 列表",
    "2) 列表",
    "---",
    "===",
    "> 引用",
    "a | b",
    "&amp; &#x41; \\# 反斜線",
    "<http://evil.example>",
    "C# 程式設計 [第二版] | 東華書局 www.angle.com.tw",
)


def test_markdown_text_renders_as_the_text_it_was():
    """Finding 4 (review 8, exports fixes): each line a data row could write is escaped so that a markdown renderer
    shows exactly that text, alone or quoted as NOTICE.md quotes a statement; no heading, link, HTML or list."""
    markdown_it = pytest.importorskip("markdown_it")
    from markdown_it.common.utils import escapeHtml

    from provenance._package import markdown_text

    md = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough")
    for line in _HOSTILE_LINES:
        assert md.render(markdown_text(line)) == f"<p>{escapeHtml(line)}</p>\n", line
        assert md.render(f"> {markdown_text(line)}") == f"<blockquote>\n<p>{escapeHtml(line)}</p>\n</blockquote>\n"
    assert "http\\://evil.example" in markdown_text(_HOSTILE_LINES[1])  # no bare URL for GitHub to link either
    assert "www\\.angle.com.tw" in markdown_text(_HOSTILE_LINES[-1])


def test_real_titles_and_publishers_are_credited_and_notice_shows_them_as_text(cli, builder, tmp_path):
    """Finding 4 (review 8, exports fixes): `C# 程式設計`, `貨幣銀行學 [第二版]`, `McGraw-Hill Education | 東華書局`
    and a licensor with `www.` were refused at `manifest check`, ingest and every export for one character. A title
    and licensor are credited as one plain line (control and bidi characters dropped) and NOTICE.md escapes what
    markdown would read, so a link or heading in a title stays text; the data's `attribution` column stays plain.
    Only what cannot be credited is refused: longer than 300 characters, or nothing but control characters."""
    builder.source("older", "CC-BY-4.0", title="university textbooks")
    older = builder.record("older", "o.txt#1", "舊目錄中的講義。", metadata={"document_title": "<b>舊講義</b>"})
    builder.close()
    manifest = _manifest(
        tmp_path / "tb",
        [
            {"path": "a.txt", "title": "C# 程式設計與金融資料分析", "licensor": "示範教授", "licence_id": "CC-BY-4.0"},
            {
                "path": "b.txt",
                "title": "貨幣銀行學 [第二版]",
                "licensor": "元照出版 www.angle.com.tw",
                "licence_id": "CC-BY-4.0",
            },
            {
                "path": "c.txt",
                "title": "講義C\u202e",
                "licensor": "McGraw-Hill Education | 東華書局\x01",
                "licence_id": "CC-BY-4.0",
            },
            {"path": "d.txt", "title": _BAD_TITLE, "licensor": "<script>x</script> 教授", "licence_id": "CC-BY-SA-4.0"},
            {"path": "e.txt", "title": "講" * 301, "licensor": "示範教授", "licence_id": "CC-BY-4.0"},
            {"path": "f.txt", "title": "講義F", "licensor": "\u202e\u200b", "licence_id": "CC-BY-4.0"},
        ],
    )
    code, out, err = cli("manifest", "check", str(manifest))
    assert code == 3 and all(f"{n}.txt [CC-BY" in out for n in "abcd") and out.count("] ok") == 4, out + err
    assert "e.txt [CC-BY-4.0] problems" in out and "title longer than 300 characters" in out
    assert "f.txt [CC-BY-4.0] problems" in out and "licensor holds no printable text" in out
    assert "\u202e" not in out and "\x01" not in out
    code, out, _ = cli("ingest", "textbooks", str(manifest), "--strict", db=tmp_path / "strict.duckdb")
    assert code == 3 and "quarantined 2: licence terms incomplete or invalid" in out, out
    code, out, err = cli("ingest", "textbooks", str(manifest))
    assert code == 0, out + err
    out_dir = tmp_path / "e"
    res = _export(cli, out_dir, "--pii-gate", "expected", audience="public", commercial="--commercial")
    assert res["records"] == 5 and res["blocked_by_code"] == {"licence_terms": 2}, res
    reasons = sorted(reason for _, reason in _blocked(out_dir).values())
    assert "licensor holds no printable text" in reasons[0] and "title longer than 300" in reasons[1], reasons
    columns = _attributions(out_dir)
    assert columns[older].startswith("「<b>舊講義</b>」：university textbooks")
    credits = sorted(c.split("：")[0] for c in columns.values())
    assert credits == [
        "「## 假標題 [點我](http://evil.example) RTL」，<script>x</script> 教授",
        "「<b>舊講義</b>」",
        "「C# 程式設計與金融資料分析」，示範教授",
        "「講義C」，McGraw-Hill Education | 東華書局",
        "「貨幣銀行學 [第二版]」，元照出版 www.angle.com.tw",
    ], credits
    notice = (out_dir / "NOTICE.md").read_text("utf-8")
    assert "\u202e" not in notice and "\x01" not in notice and "<script>" not in notice
    for line in (
        "> 「C\\# 程式設計與金融資料分析」，示範教授：university textbooks",
        "> 「貨幣銀行學 \\[第二版\\]」，元照出版 www\\.angle.com.tw：",
        "> 「講義C」，McGraw-Hill Education \\| 東華書局：",
        "> 「\\#\\# 假標題 \\[點我\\](http\\://evil.example) RTL」，&lt;script&gt;x&lt;/script&gt; 教授：",
        "> 「&lt;b&gt;舊講義&lt;/b&gt;」：",
    ):
        assert line in notice, (line, notice)
    shown = _shown_as_text(notice)
    assert "「## 假標題 [點我](http://evil.example) RTL」，&lt;script&gt;x&lt;/script&gt; 教授" in shown
    assert "「C# 程式設計與金融資料分析」" in shown and "McGraw-Hill Education | 東華書局" in shown


def test_manifest_check_shows_the_statement_the_export_writes(cli, tmp_path):
    """Finding 7: the dry run filled `{dataset}` from the row's title; the export fills it from the source's row
    (`university textbooks`). Both now read the record's metadata and the source's row the same way."""
    manifest = _manifest(
        tmp_path / "tb", [{"path": "d.txt", "title": "講義D", "licensor": "作者D", "licence_id": "CC-BY-4.0"}]
    )
    code, out, err = cli("manifest", "check", str(manifest), "--json")
    assert code == 0, out + err
    (shown,) = json.loads(out)[0]["terms"]["attribution"]
    code, out, err = cli("ingest", "textbooks", str(manifest))
    assert code == 0, out + err
    out_dir = tmp_path / "e"
    _export(cli, out_dir, "--pii-gate", "expected", audience="public", commercial="--commercial")
    assert list(_attributions(out_dir).values()) == [shown]
    assert shown.startswith("「講義D」，作者D：university textbooks, licensed under CC BY 4.0")
    code, out, _ = cli("manifest", "check", str(manifest), "--source", "tabf")
    assert "attribution: 「講義D」，作者D：台灣金融研訓院 training material, licensed" in out
    assert "attribution: as the export credits the records of `curate ingest tabf` (--source)" in out


def test_a_text_whose_raw_version_went_to_the_vault_is_not_called_modified(cli, tmp_path):
    """Finding 5: the PII stage masked only metadata (an agency naming a person), so it made a version with the same
    text and sealed the raw one in the vault (text NULL, digest keyed). The export compared the text with the
    vault-cleared one and called every such text modified (個資遮蔽). Now digests are compared where a text is gone."""
    rows = [
        {"id": "a", "text": "本行辦理房屋貸款業務，依規定審核借款人還款能力。", "agency": "王小明 0912345678"},
        {"id": "b", "text": "本行辦理外匯業務，客戶王小明之電話0912345678已登錄。", "agency": "金管會"},
    ]
    data = tmp_path / "m.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    code, out, err = cli("ingest", "moda", str(data), "--licence", "OGDL-Taiwan-1.0", "--dataset", "ds1")
    assert code == 0, out + err
    for stage in ("hygiene", "pii"):
        code, out, err = cli("-q", "run", stage, "--workers", "1")
        assert code == 0, out + err
    out_dir = tmp_path / "e"
    res = _export(cli, out_dir, audience="consortium", commercial="--commercial")
    assert res["records"] == 2, res
    import pyarrow.parquet as pq

    stages = {r["text"][:8]: (r["stage"], r["attribution"]) for r in pq.read_table(out_dir / "data").to_pylist()}
    assert stages["本行辦理房屋貸款"][0] == "ingest" and "本文經修改" not in stages["本行辦理房屋貸款"][1]
    assert stages["本行辦理外匯業務"][0] == "pii" and "本文經修改 modified: 個資遮蔽" in stages["本行辦理外匯業務"][1]
    assert "1 of 2 texts were modified" in (out_dir / "NOTICE.md").read_text("utf-8")


def test_notice_and_card_state_each_agreement_and_cc_is_not_called_not_transferable(builder, cli, tmp_path):
    """Finding 4 (NOTICE): a bank receiving the folder could not know that the agreement's records must not be used
    after 2030-12-31, nor for what; and CC BY material was called "not sublicensable or transferable" (CC BY 4.0
    §2(a)(1) lets every recipient share it; only sublicensing is excluded, §2(a)(5))."""
    from prov_helpers import TEXTBOOK_TERMS

    builder.source(
        "textbook", "LicenseRef-Written-Agreement", title="銀行實務", metadata={"licence_terms": TEXTBOOK_TERMS}
    )
    builder.source("ocw", "CC-BY-4.0", title="大學開放課程講義")
    builder.record("textbook", "ch1", "第一章 銀行實務概論。")
    builder.record("ocw", "lec1", "貨幣銀行學講義。", metadata={"document_title": "貨幣銀行學", "licensor": "某教授"})
    builder.close()
    out = tmp_path / "e"
    _export(cli, out)
    notice = (out / "NOTICE.md").read_text("utf-8")
    assert (
        "* `LicenseRef-Written-Agreement`, agreement `TB-2026-001`: purposes evaluation, training; audience "
        "consortium; commercial use no; **expires 2030-12-31**: no use after that date (1 records)"
    ) in notice
    assert "* `CC-BY-4.0`: Creative Commons Attribution 4.0 International" in notice
    cc_line = next(ln for ln in notice.splitlines() if ln.startswith("* `CC-BY-4.0`"))
    assert "not sublicensable)" in cc_line and "transferable" not in cc_line
    agreement_line = next(ln for ln in notice.splitlines() if ln.startswith("* `LicenseRef-Written-Agreement`:"))
    # an agreement's audience says who may use it (a consortium's covers each member): only not sublicensable
    assert "not sublicensable)" in agreement_line and "transferable" not in agreement_line
    card = (out / "README.md").read_text("utf-8")
    assert (
        "| `LicenseRef-Written-Agreement` | TB-2026-001 | evaluation, training | consortium | no | 2030-12-31 | 1 |"
        in card
    )


def test_notice_and_card_name_a_custom_licence_catalogue(builder, cli, tmp_path):
    """Finding 6: an export made with `--catalogue` stated that catalogue's licence facts as if they were the
    shipped ones; only `audit export` said otherwise, on the steward's side."""
    from provenance.licences import licence_catalogue_path

    builder.source("ocw", "CC-BY-4.0", title="大學開放課程講義")
    builder.record("ocw", "lec1", "貨幣銀行學講義。")
    builder.close()
    custom = tmp_path / "custom.toml"
    text = licence_catalogue_path().read_text("utf-8")
    custom.write_text(text.replace("Creative Commons Attribution 4.0 International", "CC BY 4.0 (ours)"), "utf-8")
    shipped, ours = tmp_path / "s", tmp_path / "c"
    _export(cli, shipped)
    _export(cli, ours, "--catalogue", str(custom))
    assert "custom licence catalogue" not in (shipped / "NOTICE.md").read_text("utf-8")
    assert "| licence catalogue | shipped |" in (shipped / "README.md").read_text("utf-8")
    notice = (ours / "NOTICE.md").read_text("utf-8")
    assert "from a **custom licence catalogue** `custom.toml` (sha256 `" in notice and "CC BY 4.0 (ours)" in notice
    assert "| licence catalogue | **custom** `custom.toml` (sha256 `" in (ours / "README.md").read_text("utf-8")


def test_notice_names_the_bytes_of_a_catalogue_given_through_a_pipe(builder, cli, tmp_path):
    """Review 13's portal review: NOTICE's sha256 was taken by reading the `--catalogue` file again after its rules
    were loaded, so a catalogue given through a pipe (`--catalogue <(...)`, which reads empty the second time) was
    named by the hash of nothing, and a file replaced in between by bytes other than the rules'. The hash is now of
    the bytes the rules were parsed from."""
    import hashlib
    import os
    import threading

    from provenance.licences import licence_catalogue_path

    builder.source("ocw", "CC-BY-4.0", title="大學開放課程講義")
    builder.record("ocw", "lec1", "貨幣銀行學講義。")
    builder.close()
    data = (
        licence_catalogue_path()
        .read_text("utf-8")
        .replace("Creative Commons Attribution 4.0 International", "CC BY 4.0 (ours)")
        .encode()
    )
    r, w = os.pipe()

    def feed() -> None:
        with os.fdopen(w, "wb") as fh:
            fh.write(data)

    feeder = threading.Thread(target=feed)
    feeder.start()
    try:
        _export(cli, tmp_path / "c", "--catalogue", f"/proc/self/fd/{r}")
    finally:
        feeder.join(timeout=30)
        os.close(r)
    notice = (tmp_path / "c" / "NOTICE.md").read_text("utf-8")
    assert f"(sha256 `{hashlib.sha256(data).hexdigest()}`)" in notice and "CC BY 4.0 (ours)" in notice


def test_spdx_claims_expanded_licensing_only_with_its_elements(builder, cli, tmp_path):
    """Finding 8: `profileConformance` claimed expandedLicensing in every document; now only where a CustomLicense
    element (one per LicenseRef- id, each `customIdToUri` entry naming one, `seeAlso` its catalogue url) is there."""
    builder.source("law_moj", "OGDL-Taiwan-1.0", metadata={"provider": "法務部", "dataset": "法規"})
    builder.source("fsc_press", "LicenseRef-TW-Copyright-Art9", title="金管會新聞稿")
    builder.record("law_moj", "a", "本法所稱銀行。")
    press = builder.record("fsc_press", "20260101", "金管會發布新聞稿。")
    builder.close()
    both, listed_only = tmp_path / "b", tmp_path / "l"
    _export(cli, both)
    code, _, err = cli("provenance", "withdraw", "--record", press, "--reason", "takedown request")
    assert code == 0, err
    _export(cli, listed_only)
    customs = {}
    for out in (both, listed_only):
        graph = json.loads((out / "spdx.jsonld").read_text("utf-8"))["@graph"]
        ids = {e["spdxId"]: e for e in graph if "spdxId" in e}
        (document,) = [e for e in graph if e["type"] == "SpdxDocument"]
        customs[out] = [e for e in graph if e["type"] == "expandedlicensing_CustomLicense"]
        for expr in (e for e in graph if e["type"] == "simplelicensing_LicenseExpression"):
            for entry in expr.get("simplelicensing_customIdToUri", []):
                assert ids[entry["value"]]["type"] == "expandedlicensing_CustomLicense"
                assert entry["key"] in expr["simplelicensing_licenseExpression"]
        assert ("expandedLicensing" in document["profileConformance"]) == bool(customs[out]), out
    (art9,) = customs[both]
    assert art9["name"] == "LicenseRef-TW-Copyright-Art9" and art9["expandedlicensing_seeAlso"][0].startswith(
        "https://"
    )
    assert customs[listed_only] == []
