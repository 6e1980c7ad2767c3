"""Builds tests/dedup/heldout_like.jsonl (review 10) from the hand-written bases in heldout_like_bases.txt: copies,
reflowed whitespace and punctuation, Simplified (OpenCC tw2s) and half-Simplified copies, headers and footers, amended
numbers, typos, deleted sentences, truncation, template sanction letters for different banks and boilerplate penalty
articles. Gold clusters by the rule of /work/shared/eval-dev/neardup_dev.README.md (NFKC, OpenCC s2tw, letters and
digits, 5-gram set Jaccard >= 0.7, connected components), computed here over every pair.

    python tests/dedup/heldout_like_build.py tests/dedup/heldout_like_bases.txt tests/dedup/heldout_like.jsonl
"""

import json
import random
import re
import sys
import unicodedata

import opencc

rng = random.Random(20261206)
bases = [l.rstrip("\n").replace("\\n", "\n") for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
t2s = opencc.OpenCC("tw2s")
s2tw = opencc.OpenCC("s2tw")
FW = str.maketrans("0123456789,;:()", "０１２３４５６７８９，；：（）")
HW = str.maketrans("，；：（）０１２３４５６７８９", ",;:()0123456789")
CN = "零一二三四五六七八九十百千萬"


def reflow(t):
    t = t.replace("\n", "\r\n") if rng.random() < 0.5 else t.replace("\n", "\n\n")
    t = re.sub(r"第 (\d+) 條", r"第\1條", t)
    t = t.replace("。", "。 ").translate(HW if rng.random() < 0.5 else FW)
    return t


def number_change(t):
    ms = [m for m in re.finditer(f"[{CN}]+", t) if len(m.group()) >= 1]
    m = rng.choice(ms)
    new = "".join(rng.choice("二三四五六七八九") for _ in m.group())
    if new == m.group():
        new = "十" + new
    return t[: m.start()] + new + t[m.end() :]


def sentence_delete(t):
    parts = re.split(r"(?<=[。；])", t)
    parts = [p for p in parts if p]
    if len(parts) < 3:
        return None
    i = rng.randrange(1, len(parts))
    return "".join(parts[:i] + parts[i + 1 :])


def header(t):
    h = rng.choice(
        ["（資料擷取日期：2025-02-17）\n", "轉載自：本行法令遵循處內部知識庫\n", "【內部訓練教材，請勿外流】\n"]
    )
    f = rng.choice(["", "\n（本文件僅供教育訓練使用）", "\n— 完 —"])
    return h + t + f


def typo(t, k):
    chars = list(t)
    han = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff"]
    for i in rng.sample(han, k):
        chars[i] = rng.choice(
            "的一是在不了有和人這中大為上個國我以要他時來用們生到作地於出就分對成會可主發年動同工也能下過子說產種面而方後多定行學法所民得經"
        )
    return "".join(chars)


def half_simplified(t):
    parts = re.split(r"(?<=[。；\n])", t)
    i = rng.randrange(len(parts))
    parts[i] = t2s.convert(parts[i])
    return "".join(parts)


def truncate(t):
    cut = int(len(t) * rng.uniform(0.8, 0.9))
    j = max(t.rfind("。", 0, cut), t.rfind("；", 0, cut))
    return t[: j + 1] if j > len(t) // 2 else t[:cut]


recs = []
for b, base in enumerate(bases):
    vs = [
        ("base", base),
        ("exact_copy", base),
        ("reflow", reflow(base)),
        ("simplified", t2s.convert(base)),
        ("header_footer", header(base)),
        ("amended_number", number_change(base)),
        ("typo_2", typo(base, 2)),
        ("half_simplified", half_simplified(base)),
        ("simplified+reflow", reflow(t2s.convert(base))),
    ]
    d = sentence_delete(base)
    if d:
        vs.append(("sentence_delete", d))
    vs.append(("truncated", truncate(base)))
    vs.append(("amended_number+reflow", reflow(number_change(base))))
    rng.shuffle(vs)
    for v, t in vs[: rng.randint(5, 8)] if b % 3 else vs:
        recs.append({"text": t, "variant": v, "origin": b})
# template letters for different banks (sanction boilerplate) and boilerplate siblings
banks = ["乙國際商業銀行", "丙信託商業銀行", "丁聯合商業銀行", "戊產物保險公司"]
facts = [
    "受處分人辦理授信業務，未依規定徵提借款人財務資料，且對關係企業授信未經董事會決議。",
    "受處分人辦理境外基金銷售，未依規定向客戶揭露基金費用，且未留存客戶簽署之風險預告書。",
    "受處分人之防制洗錢系統未涵蓋新增之外幣帳戶，致多筆大額交易未經監控。",
    "受處分人辦理保險理賠，延遲給付理賠款逾三十日，且未依規定加計利息。",
]
laws = ["銀行法第一百二十九條第七款", "信託業法第五十八條", "洗錢防制法第七條第五項", "保險法第一百七十一條之一"]
amounts = ["二百", "六百", "一千二百", "三百六十"]
for i, bank in enumerate(banks):
    t = (
        "金融監督管理委員會裁處書\n受處分人："
        + bank
        + "\n主旨：核處新臺幣"
        + amounts[i]
        + "萬元罰鍰。\n事實："
        + facts[i]
        + "\n理由及法令依據：核有違反相關規定，依"
        + laws[i]
        + "規定核處如主旨。"
    )
    recs.append({"text": t, "variant": "template_letter", "origin": None})
    recs.append({"text": t.replace(bank, "（銀行名稱略）"), "variant": "template_letter_masked", "origin": None})
for i in range(4):
    items = rng.sample(
        [
            "未依規定申報大額通貨交易",
            "未建立內部稽核制度",
            "未依限提報財務報告",
            "未設置法令遵循主管",
            "未依規定保存交易紀錄",
            "拒絕主管機關檢查",
            "未辦理客戶身分確認",
            "違規辦理衍生性商品業務",
        ],
        3,
    )
    t = (
        f"第 {40 + i} 條\n有下列情事之一者，處新臺幣{rng.choice(['五十', '一百', '二百'])}萬元以上{rng.choice(['一千', '二千'])}萬元以下罰鍰：\n"
        + "\n".join(f"{'一二三'[k]}、{it}。" for k, it in enumerate(items))
    )
    recs.append({"text": t, "variant": "hard_negative_boilerplate", "origin": None})


def norm(x):
    x = s2tw.convert(unicodedata.normalize("NFKC", x))
    return "".join(c for c in x if unicodedata.category(c)[0] in "LN")


def grams(s):
    return {s} if len(s) < 5 else {s[i : i + 5] for i in range(len(s) - 4)}


G = [grams(norm(r["text"])) for r in recs]
parent = list(range(len(recs)))


def find(i):
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


for i in range(len(recs)):
    for j in range(i + 1, len(recs)):
        if len(G[i] & G[j]) / len(G[i] | G[j]) >= 0.7:
            parent[find(i)] = find(j)
roots = {}
with open(sys.argv[2], "w", encoding="utf-8") as out:
    for k, r in enumerate(recs):
        c = roots.setdefault(find(k), len(roots))
        out.write(
            json.dumps(
                {
                    "id": f"nd-h-{k + 1:04d}",
                    "text": r["text"],
                    "cluster": f"c{c:03d}",
                    "variant": r["variant"],
                    "origin": r["origin"],
                },
                ensure_ascii=False,
            )
            + "\n"
        )
print(len(recs), "records", len(roots), "clusters")
