"""Review check of the zh terminology layer (schemas/zh/terminology.tsv, context_terms.tsv).

    PYTHONPATH=. python bench/zh_terms_check.py [--laws DIR] [--show 20]

For every entry it reports
  noise      s2twp (+ the MOE charmap) already gives the Taiwan form for the bare word and inside
             every frame sentence below: the entry changes nothing and should go;
  harm       the entry's Simplified form occurs inside Traditional reference text read as Simplified
             (OpenCC t2s of the law fixtures, the dev set's Traditional records, the bench corpus
             references in bench/data/zh_terms_*.tsv) where the reference does not read as the entry's Taiwan form, i.e. the entry
             would fire inside a longer word of another meaning;
and that Traditional text stays untouched: every Taiwan form in a Traditional frame sentence, every law
article and every Traditional dev record goes through ``normalise`` byte-identical.
With ``--roundtrip`` it reads every law article back from OpenCC ``t2s`` and scores ``normalise`` (and bare
s2twp) against the original: exact articles and character edits (difflib opcodes) per character.
With ``--overlaps`` it lists, for review, the strings where one entry's end is another's start (云服务 +
服务器 = 云服务器): the leftmost entry wins there, so the pair may need a longer entry of its own.
With ``--twphrases FILE`` (a text dump of OpenCC's TWPhrases, ``key<TAB>value`` per line) it also lists the
pairs s2twp drops in running text: converted for the bare word, not next to one of the CHARS below.
Exit status 1 when a Traditional text changed (that guarantee is absolute); noise and harm are for review.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CURATE_SHARED", ROOT.parent / "shared"))
LEFT = ("", "我们", "已经", "对", "的", "将", "请", "和", "新", "该", "个")
RIGHT = ("", "了", "的", "中", "和", "时", "上", "后", "费", "里")
#: single neighbours: frequent characters of Simplified financial text (OpenCC segments differently next to them)
CHARS = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严"


def _noise(src: str, target: str, s2twp, cmap) -> bool:
    """s2twp (+ charmap) already gives ``target`` for ``src`` in every frame: the entry changes nothing."""
    conv = lambda x: s2twp(x).translate(cmap)  # noqa: E731
    frames = [(a, b) for a in LEFT for b in RIGHT] + [(c, "") for c in CHARS] + [("", c) for c in CHARS]
    return all(conv(a + src + b) == conv(a) + target + conv(b) for a, b in frames)


TRAD_FRAMES = ("依{}之規定辦理。", "本行的{}已於上週更新完成，請客戶留意。", "{}")


def _law_texts(law_dir: Path) -> list[str]:
    out = []
    for p in sorted(law_dir.glob("*.json")):
        data = json.loads(p.read_text(encoding="utf-8"))
        for art in data.get("LawArticles") or []:
            text = art.get("ArticleContent") or ""
            if text:
                out.append(text)
    return out


def _references(law_dir: Path) -> list[str]:
    refs = _law_texts(law_dir)
    dev = SHARED / "eval-dev" / "zh_dev.jsonl"
    if dev.exists():
        for line in dev.open(encoding="utf-8"):
            r = json.loads(line)
            refs.append(r["expected"])
    for corpus in sorted((ROOT / "bench" / "data").glob("zh_terms_*.tsv")):
        for line in corpus.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                refs.append(line.split("\t")[3])
    return refs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--laws", type=Path, default=SHARED / "fixtures" / "law_moj" / "chlaw_json" / "ch")
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--roundtrip", action="store_true", help="score law articles read back from t2s")
    ap.add_argument("--overlaps", action="store_true", help="list entry overlaps for review")
    ap.add_argument("--twphrases", type=Path, help="scan this TWPhrases dump for segmentation gaps")
    ap.add_argument("--noise-out", type=Path, help="write the noise entries here (TSV)")
    args = ap.parse_args(argv)

    import opencc

    from curate.zh import normalise
    from curate.zh.charsets import script_sets
    from curate.zh.config import NormaliseConfig
    from curate.zh.normalise import _engine
    from curate.zh.terms import charmap, context_terms, terminology

    s2twp, t2s = opencc.OpenCC("s2twp").convert, opencc.OpenCC("t2s").convert
    cmap = charmap()
    terms = terminology()
    ctx = context_terms()

    ambiguous = script_sets().ambiguous
    noise = []
    sources = {t.source for t in terms} | {c.source for c in ctx}
    for t in terms:
        if t.basis == "keep" or t.source == t.target:
            continue
        # a decided span over a one-to-many character (于 -> 於 / 于, 余, 范, 周) also keeps the sentence
        # out of the ambiguous-character flags, so it is not noise
        if set(t.source) & ambiguous.keys():
            continue
        # a guard shadows a shorter entry inside it; it is needed even where s2twp is right
        if any(
            t.source[i:j] in sources
            for i in range(len(t.source))
            for j in range(i + 1, len(t.source) + 1)
            if (i, j) != (0, len(t.source))
        ):
            continue
        if _noise(t.source, t.target, s2twp, cmap):
            noise.append(t)

    matcher = _engine(NormaliseConfig()).matcher
    ctx_sources = {c.source for c in ctx}
    harm: dict[str, list[str]] = defaultdict(list)
    fired: dict[str, int] = defaultdict(int)
    refs = _references(args.laws)
    for ref in refs:
        simp = t2s(ref)
        if len(simp) != len(ref):
            continue
        for a, b in matcher.find(simp):
            piece = simp[a:b]
            rep, kind = matcher.table[piece]
            if kind != "term" or piece in ctx_sources:  # context pairs are decided per sentence
                continue
            fired[piece] += 1
            if ref[a : a + len(rep)] != rep and ref[a:b] != rep:
                harm[piece].append(ref[max(0, a - 6) : b + 6].replace("\n", " "))

    changed = []
    for t in terms + tuple(ctx):
        target = getattr(t, "target", None) or t.default
        for frame in TRAD_FRAMES:
            text = frame.format(target)
            if normalise(text).text != text:
                changed.append(text)
    law = _law_texts(args.laws)
    trad_dev = []
    dev = SHARED / "eval-dev" / "zh_dev.jsonl"
    if dev.exists():
        trad_dev = [json.loads(x)["text"] for x in dev.open(encoding="utf-8")]
        trad_dev = [
            x for x, r in zip(trad_dev, dev.open(encoding="utf-8"), strict=True) if '"traditional_unchanged"' in r
        ]
    for text in law + trad_dev:
        if normalise(text).text != text:
            changed.append(text[:60])

    print(f"entries: terminology {len(terms)}, context-decided {len(ctx)}")
    by_basis: dict[str, int] = defaultdict(int)
    for t in terms:
        by_basis[t.basis.partition(":")[0]] += 1
    print("by basis: " + ", ".join(f"{k} {v}" for k, v in sorted(by_basis.items())))
    print(f"noise (s2twp already right in all {len(LEFT) * len(RIGHT) + 2 * len(CHARS)} frames): {len(noise)}")
    if args.noise_out:
        args.noise_out.write_text("".join(f"{t.source}\t{t.target}\t{t.basis}\n" for t in noise), encoding="utf-8")
    for t in noise[: args.show]:
        print(f"  {t.source} -> {t.target} [{t.basis}]")
    print(f"harm candidates (reference text, {len(refs)} texts, disagrees where the entry fires): {len(harm)}")
    for piece, where in sorted(harm.items(), key=lambda kv: -len(kv[1]))[: args.show]:
        print(f"  {piece} -> {matcher.table[piece][0]}: {len(where)}/{fired[piece]} e.g. {where[0]}")
    print(f"Traditional texts changed (must be 0): {len(changed)} of {len(law) + len(trad_dev)} texts + frames")
    for text in changed[: args.show]:
        print(f"  {text}")
    if args.roundtrip:
        import difflib

        def edits(a: str, b: str) -> int:
            ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
            return sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in ops if op != "equal")

        for name, fn in (("s2twp", lambda x: s2twp(x).translate(cmap)), ("normalise", lambda x: normalise(x).text)):
            exact = n_edits = n_chars = 0
            for text in law:
                e = edits(text, fn(t2s(text)))
                exact += e == 0
                n_edits += e
                n_chars += len(text)
            print(
                f"law round trip, {name}: exact {exact}/{len(law)} = {exact / len(law):.3f}, "
                f"character edits {n_edits}/{n_chars} = {n_edits / n_chars:.5f}"
            )
    if args.overlaps:
        rows = {t.source: t.target for t in terms if t.basis != "keep"} | {c.source: c.default for c in ctx}
        by_prefix: dict[str, list[str]] = defaultdict(list)
        for b in rows:
            for k in range(1, len(b)):
                by_prefix[b[:k]].append(b)
        pairs = []
        for a in rows:
            for k in range(1, len(a)):
                for b in by_prefix.get(a[-k:], []):
                    both = a + b[k:]
                    if both not in rows:
                        pairs.append((a, b, both, normalise("我们的" + both + "。").text[3:-1]))
        print(f"overlapping entries (review which are real phrases): {len(pairs)}")
        for a, b, both, out in pairs[: args.show]:
            print(f"  {a} + {b} = {both} -> {out}")
    if args.twphrases:
        gaps = []
        for line in args.twphrases.read_text(encoding="utf-8").splitlines():
            key, _, value = line.partition("\t")
            src, target = t2s(key), value.split()[0] if value.split() else ""
            if not target or s2twp(src) != target:
                continue
            bad = [
                c + src if i else src + c
                for c in CHARS
                for i in (0, 1)
                if target not in s2twp(c + src if i else src + c)
            ]
            if bad:
                gaps.append((src, target, len(bad), bad[0]))
        print(f"TWPhrases pairs s2twp drops next to a frequent character: {len(gaps)}")
        for src, target, n, example in sorted(gaps, key=lambda g: -g[2])[: args.show]:
            print(f"  {src} -> {target}: {n} contexts, e.g. {example} -> {s2twp(example)}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
