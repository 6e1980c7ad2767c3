"""The portal's export pages show the licence recall (`provenance/licence_recall.py`): an export whose records a later
licence correction refuses for its use is counted on the exports list and each record named on its page."""

from __future__ import annotations

import json

import httpx

from .webhelpers import LivePortal, http_login


def test_export_pages_show_what_a_later_licence_correction_refuses(tmp_path, cli):
    src = tmp_path / "corpus.jsonl"
    src.write_text(
        '{"id": "c1", "text": "金融科技發展路徑圖。"}\n{"id": "c2", "text": "開放銀行。"}\n', encoding="utf-8"
    )
    path = tmp_path / "cat.duckdb"
    moda = ("-q", "ingest", "moda", str(src), "--source-id", "moda_a")
    assert cli(*moda, "--licence", "CC-BY-4.0", db=path)[0] == 0
    exports = {}
    for use in ("--commercial", "--non-commercial"):
        code, out, err = cli(
            "-q", "export", "dataset", "--purpose", "training", "--audience", "consortium", use,
            "--pii-gate", "expected", "--out", str(tmp_path / use.strip("-")), "--json", db=path,
        )  # fmt: skip
        assert code == 0, err
        exports[use] = json.loads(out)["export_id"]
    assert cli(*moda, "--licence", "CC-BY-NC-4.0", db=path)[0] == 0  # the licence corrected: non-commercial only

    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            assert http_login(c, "alice").status_code in (200, 303)
            rows = {
                eid: row
                for row in c.get("/exports").text.split("<tr>")[2:]
                for eid in exports.values()
                if f"/exports/{eid}" in row
            }
            assert '<td class="bad">2</td>' in rows[exports["--commercial"]]
            assert '<td class="">0</td>' in rows[exports["--non-commercial"]]
            page = c.get(f"/exports/{exports['--commercial']}").text.split('id="licence-recall"')[1]
            page = page.split("</section>")[0]
            assert "2 筆匯出紀錄" in page and page.count("commercial use not permitted by CC-BY-NC-4.0") == 2
            assert page.count("<td>CC-BY-4.0</td>") == 2 and page.count("<td>CC-BY-NC-4.0</td>") == 2
            page = c.get(f"/exports/{exports['--non-commercial']}").text.split('id="licence-recall"')[1]
            assert "every exported record is still allowed" in page.split("</section>")[0]
    finally:
        p.stop()


def test_an_export_card_replaced_by_a_link_shows_not_what_it_points_to(demo_catalogue, cli, tmp_path):
    """The export page showed the folder's README.md and NOTICE.md through symbolic links: whoever could write the
    export folder (a shared drive the recipients reach) could point NOTICE.md at the portal's secret key or users
    file and read it on the page, as a bank user too (review 9, web #5). A link is not followed now."""
    import shutil

    path = tmp_path / "cat.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    code, out, err = cli(
        "-q", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--non-commercial",
        "--out", str(tmp_path / "exp"), "--json", db=path,
    )  # fmt: skip
    assert code == 0, err
    eid = json.loads(out)["export_id"]
    secret = tmp_path / "secret.key"
    secret.write_text("TOP-SECRET-SESSION-KEY\n", encoding="utf-8")
    notice = tmp_path / "exp" / "NOTICE.md"
    notice.unlink()
    notice.symlink_to(secret)
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            assert http_login(c, "esun").status_code in (200, 303)  # a consortium export: banks see its page
            html = c.get(f"/exports/{eid}").text
            assert "TOP-SECRET" not in html
            assert "資料卡 Card (README.md)</h2><pre>" in html  # the real card is still shown
    finally:
        p.stop()


def test_a_bank_reads_the_recall_of_a_consortium_export_without_another_banks_grant(tmp_path, cli):
    """A MODA grant moved from the consortium to ESUN alone: the consortium export's page told every bank, in the
    recall's reasons, "audience `consortium` not permitted by LicenseRef-MODA-AI-Training (permits: member:ESUN)".
    A bank still reads which records to delete and the rule's code; the reason is for auditors (review 9, web #3)."""
    src = tmp_path / "corpus.jsonl"
    src.write_text('{"id": "c1", "text": "金融科技發展路徑圖。"}\n', encoding="utf-8")
    path = tmp_path / "cat.duckdb"
    moda = ("-q", "ingest", "moda", str(src), "--source-id", "moda_a", "--licence", "LicenseRef-MODA-AI-Training")
    assert cli(*moda, "--licensee", "consortium", "--expiry", "2099-12-31", db=path)[0] == 0
    code, out, err = cli(
        "-q", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--non-commercial",
        "--pii-gate", "expected", "--out", str(tmp_path / "exp"), "--json", db=path,
    )  # fmt: skip
    assert code == 0, err
    eid = json.loads(out)["export_id"]
    assert cli(*moda, "--licensee", "member:ESUN", "--expiry", "2099-12-31", db=path)[0] == 0
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url) as c:
            assert http_login(c, "alice").status_code in (200, 303)
            assert "(permits: member:ESUN)" in c.get(f"/exports/{eid}").text  # the auditor reads the reason
        with httpx.Client(base_url=p.url) as c:
            assert http_login(c, "ctbc").status_code in (200, 303)
            page = c.get(f"/exports/{eid}").text.split('id="licence-recall"')[1].split("</section>")[0]
            assert "1 筆匯出紀錄" in page and "<td>audience</td>" in page  # what to delete, and the rule
            assert "ESUN" not in page and "permits" not in page
    finally:
        p.stop()
