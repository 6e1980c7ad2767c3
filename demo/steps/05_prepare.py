"""Demo step: prepare the inputs the pipeline file (demo/pipeline.toml) names.

The samples under demo/sample/{moda,fsc,tabf,textbooks} are invented. PDFs, DOCX and EPUB are
generated here (into demo-out/ingest/, next to a copy of each manifest); the TABF batch holds a
scanned PDF and a row with an unknown licence on purpose, so its ingest quarantines them and
`curate status` lists the reasons. A demo-only PII key is written to demo-out/ (never the repo).
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys


def _builders(ctx):
    sys.path.insert(0, str(ctx.root / "tests" / "sources"))
    import builders

    return builders


def _make_documents(ctx, tabf, books) -> None:
    b = _builders(ctx)
    (tabf / "handouts").mkdir(exist_ok=True)
    b.make_docx(
        tabf / "handouts" / "aml.docx",
        [
            ("h1", "第一章　洗錢防制概論"),
            ("p", "洗錢是將犯罪所得透過金融體系掩飾其來源的行為。"),
            ("pagebreak", ""),
            ("p", "金融機構應建立以風險為基礎的防制計畫。"),
            ("h1", "第二章　疑似洗錢交易申報"),
            ("p", "發現疑似洗錢交易時，應依規定向調查局申報。"),
        ],
        title="洗錢防制講義",
    )
    b.make_epub(
        books / "money_banking.epub",
        [
            ("ch01.xhtml", "第一章　貨幣的功能", ["貨幣具有交易媒介、價值儲藏與計價單位三種功能。"]),
            ("ch02.xhtml", "第二章　商業銀行", ["商業銀行吸收存款並辦理放款，創造存款貨幣。"]),
        ],
        title="貨幣銀行學（示範）",
    )
    if b.cjk_font_path() is None:
        print("  (no CJK font: the demo PDFs are not generated; their manifest rows are reported as missing)")
        return
    b.make_pdf(
        tabf / "handouts" / "credit.pdf",
        [
            ["第一講　授信五P原則", "授信審核應考量借款戶、資金用途、還款來源、債權保障與", "未來展望五項原則。"],
            ["第一講（續）", "還款來源是授信最重要的考量。"],
            ["第二講　徵信調查", "徵信調查應確實，並留存紀錄。"],
        ],
        header="台灣金融研訓院　授信實務（示範）",
        page_numbers=True,
        title="授信實務講義",
    )
    b.make_image_pdf(tabf / "handouts" / "scanned_exam.pdf")


def run(ctx) -> None:
    work = ctx.out / "ingest"
    if work.exists():
        shutil.rmtree(work)
    tabf = work / "tabf"
    books = work / "textbooks"
    shutil.copytree(ctx.sample / "tabf", tabf)
    shutil.copytree(ctx.sample / "textbooks", books)
    _make_documents(ctx, tabf, books)

    os.environ["CURATE_DEMO_OUT"] = str(ctx.out)  # the pipeline file's $CURATE_DEMO_OUT
    if not (os.environ.get("CURATE_PII_KEY") or os.environ.get("CURATE_PII_KEY_FILE")):
        key_file = ctx.out / "pii.key"  # demo only: a fresh key in the scratch folder, never the repo
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32) + "\n")
            key_file.chmod(0o600)
        os.environ["CURATE_PII_KEY_FILE"] = str(key_file)
