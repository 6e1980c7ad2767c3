"""Synthetic law.moj.gov.tw bulk dump in the official shape, for scale benchmarks.

N articles of 100-300 characters of Traditional Chinese legal vocabulary, grouped into laws of
~20 articles, written as the official ``ChLaw.json`` (UTF-8 with BOM, ``{"UpdateDate", "Laws"}``)
or the FalVMingLing XML (``<LAWS><法規>…``). The mix the pipeline stages react to:

* 3 % of the articles are Simplified copies of an earlier article (normalise + cross-script dedup);
* 5 % are near duplicates of an earlier article (a few characters edited: dedup near matches);
* 2 % carry personal data (a valid-checksum national id or a mobile number: the PII stage).

Deterministic for a seed; written as a stream (memory does not grow with N).

    python bench/gen_law_dump.py --articles 25000 --out bench-out/scale/ChLaw.json [--format json|xml]
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

POOL = (
    "銀行保險證券期貨金融控股公司業務主管機關應依本法規定辦理申請許可登記變更存款放款信託投資資產負債"
    "準備金資本適足率董事監察人股東會利害關係人授信擔保品核准命令處罰罰鍰新臺幣元以上以下得並"
    "之其於前項第款規定者不在此限但書經營範圍內部控制稽核制度客戶資料保護洗錢防制交易監控"
)
PUNCT = "，。；、"
#: Traditional -> Simplified for the characters of POOL that differ (enough for realistic copies)
T2S = str.maketrans(
    "銀險證貨業務機關應辦許記變資產負債準備適監察東會係擔處鍰臺幣並於項範圍內稽核戶護錢監夠",
    "银险证货业务机关应办许记变资产负债准备适监察东会系担处锾台币并于项范围内稽核户护钱监够",
)
ARTICLES_PER_LAW = 20
ID_LETTERS = {"A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17}


def national_id(rng: random.Random) -> str:
    """A Taiwan national id with a valid check digit."""
    letter = rng.choice(sorted(ID_LETTERS))
    digits = [rng.choice((1, 2))] + [rng.randint(0, 9) for _ in range(7)]
    code = ID_LETTERS[letter]
    total = code // 10 + (code % 10) * 9 + sum(d * w for d, w in zip(digits, range(8, 0, -1), strict=True))
    check = (10 - total % 10) % 10
    return letter + "".join(map(str, digits)) + str(check)


def _body(rng: random.Random) -> str:
    n = rng.randint(100, 300)
    return "".join(rng.choice(POOL) if rng.random() > 0.07 else rng.choice(PUNCT) for _ in range(n - 1)) + "。"


def _near(rng: random.Random, text: str) -> str:
    """A near duplicate: ~3 % of the characters replaced (shingle Jaccard stays well above 0.7)."""
    chars = list(text)
    for _ in range(max(1, len(chars) // 40)):
        chars[rng.randrange(len(chars))] = rng.choice(POOL)
    return "".join(chars)


def _with_pii(rng: random.Random, text: str) -> str:
    cut = rng.randrange(20, len(text) - 10)
    pii = (
        f"身分證統一編號{national_id(rng)}"
        if rng.random() < 0.5
        else f"聯絡電話09{rng.randint(10, 99)}-{rng.randint(100, 999)}-{rng.randint(100, 999)}"
    )
    return text[:cut] + "，" + pii + "，" + text[cut:]


def article_texts(n: int, seed: int = 17) -> Iterator[tuple[str, str]]:
    """``(kind, text)`` for n articles; kind is base, simplified, near or pii."""
    rng = random.Random(seed)
    recent: list[str] = []  # a bounded window of earlier articles to copy from (memory flat in n)
    for _ in range(n):
        r = rng.random()
        if r < 0.03 and recent:
            kind, text = "simplified", rng.choice(recent).translate(T2S)
        elif r < 0.08 and recent:
            kind, text = "near", _near(rng, rng.choice(recent))
        elif r < 0.10:
            kind, text = "pii", _with_pii(rng, _body(rng))
        else:
            kind, text = "base", _body(rng)
        if kind == "base":
            if len(recent) < 5000:
                recent.append(text)
            else:
                recent[rng.randrange(5000)] = text
        yield kind, text


def _laws(n: int, seed: int) -> Iterator[tuple[dict, list[str]]]:
    law, arts = None, []
    for i, (_, text) in enumerate(article_texts(n, seed)):
        if i % ARTICLES_PER_LAW == 0:
            if law is not None:
                yield law, arts
            k = i // ARTICLES_PER_LAW
            cat = "行政＞金融監督管理委員會＞銀行目" if k % 3 else "行政＞金融監督管理委員會＞證券暨期貨管理目"
            law = {
                "LawLevel": "命令",
                "LawName": f"合成金融法規{k:06d}",
                "LawURL": f"https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode=G{k:07d}",
                "LawCategory": cat,
                "LawModifiedDate": f"2024{1 + k % 12:02d}{1 + k % 28:02d}",
            }
            arts = []
        arts.append(text)
    if law is not None:
        yield law, arts


def _json_law(law: dict, arts: list[str]) -> dict:
    return {
        **law,
        "LawEffectiveDate": "",
        "LawEffectiveNote": "",
        "LawAbandonNote": "",
        "LawHasEngVersion": "N",
        "EngLawName": "",
        "LawAttachements": [],
        "LawHistories": "",
        "LawForeword": "",
        "LawArticles": [{"ArticleType": "C", "ArticleNo": "", "ArticleContent": "   第 一 章 總則"}]
        + [{"ArticleType": "A", "ArticleNo": f"第 {a} 條", "ArticleContent": t} for a, t in enumerate(arts, 1)],
    }


def _xml_law(law: dict, arts: list[str]) -> str:
    body = "".join(
        f"<條文><條號>第 {a} 條</條號><條文內容>{escape(t)}</條文內容></條文>" for a, t in enumerate(arts, 1)
    )
    return (
        f"<法規><法規性質>{law['LawLevel']}</法規性質><法規名稱>{escape(law['LawName'])}</法規名稱>"
        f"<法規網址>{escape(law['LawURL'])}</法規網址><法規類別>{law['LawCategory']}</法規類別>"
        f"<最新異動日期>{law['LawModifiedDate']}</最新異動日期><生效日期></生效日期><生效內容></生效內容>"
        f"<廢止註記></廢止註記><是否英譯註記>N</是否英譯註記><英文法規名稱></英文法規名稱><附件></附件>"
        f"<沿革內容></沿革內容><前言></前言><法規內容><編章節>第 一 章 總則</編章節>{body}</法規內容></法規>\n"
    )


def write_dump(path: Path, n: int, *, fmt: str = "json", seed: int = 17) -> int:
    """Write n articles to ``path`` in ``fmt`` (json or xml); returns the number of laws."""
    path.parent.mkdir(parents=True, exist_ok=True)
    laws = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        if fmt == "json":
            fh.write('\ufeff{"UpdateDate": "2024/10/11 上午 12:00:00", "Laws": [')
            for law, arts in _laws(n, seed):
                fh.write(("," if laws else "") + json.dumps(_json_law(law, arts), ensure_ascii=False))
                laws += 1
            fh.write("]}")
        elif fmt == "xml":
            fh.write('<?xml version="1.0" encoding="utf-8"?>\n<LAWS UpdateDate="2024/10/11">\n')
            for law, arts in _laws(n, seed):
                fh.write(_xml_law(law, arts))
                laws += 1
            fh.write("</LAWS>\n")
        else:
            raise ValueError(f"format must be json or xml, got {fmt!r}")
    return laws


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=25_000)
    ap.add_argument("--out", type=Path, default=Path("bench-out/scale/ChLaw.json"))
    ap.add_argument("--format", choices=("json", "xml"), default="json")
    ap.add_argument("--seed", type=int, default=17)
    a = ap.parse_args()
    laws = write_dump(a.out, a.articles, fmt=a.format, seed=a.seed)
    print(f"{a.out}: {a.articles} articles in {laws} laws, {a.out.stat().st_size / 2**20:.1f} MiB ({a.format})")


if __name__ == "__main__":
    main()
