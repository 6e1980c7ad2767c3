"""Build the name recognizer's two data tables from two MIT-licensed sdists on PyPI.

Run at development time (not by the workbench)::

    pip download --no-deps ngender==0.1.1 jieba==0.42.1
    python schemas/pii/build_name_tables.py ngender-0.1.1.tar.gz jieba-0.42.1.tar.gz

``given_chars.tsv`` says how much more often a character occurs in given names than in ordinary text:

* given names: ``ngender/charfreq.csv`` -- counts of each character in the given names of a large
  name list (male + female);
* ordinary text: ``jieba/dict.txt`` -- word frequencies of a general Chinese dictionary; a character's
  count is the summed frequency of the words it occurs in, person-name entries (tag ``nr``) left out.

Both are Simplified; each count also goes to the character's Traditional forms (OpenCC ``s2t`` and
``s2tw``). The score is ``log10`` of the ratio of the two relative frequencies (add-one-half smoothing),
clamped to [-3, 3]: > 0 means the character is more typical of given names than of text.

``role_words.txt`` lists the dictionary words (2-3 characters, jieba ``dict.txt``, all tags) that end in a
role character of ``names.toml`` (``role_end``: 客戶, 股東, 看護 ...), and the last two and three characters of
the field labels of ``labels.tsv`` (受處分人 -> 分人, 處分人), in both scripts: a name after such a
word has a role word on its left, a name after a stray 戶 or 人 in a run of characters does not.
"""

from __future__ import annotations

import csv
import io
import math
import sys
import tarfile
from collections import Counter


def _member(path: str, suffix: str) -> str:
    with tarfile.open(path) as tar:
        for m in tar.getmembers():
            if m.name.endswith(suffix):
                return tar.extractfile(m).read().decode("utf-8")
    raise SystemExit(f"{path}: no member ending in {suffix}")


def role_words(jieba_sdist: str) -> list[str]:
    import tomllib
    from pathlib import Path

    import opencc

    convs = (opencc.OpenCC("s2t"), opencc.OpenCC("s2tw"), opencc.OpenCC("t2s"))
    role_end = tomllib.loads((Path(__file__).parent / "names.toml").read_text(encoding="utf-8"))["role_end"]
    ends = set(role_end)
    words = set()
    for line in _member(jieba_sdist, "jieba/dict.txt").splitlines():
        word = line.split()[0]
        if 2 <= len(word) <= 3:
            for f in {word} | {c.convert(word) for c in convs}:
                if f[-1] in ends:
                    words.add(f)
    for line in (Path(__file__).parent / "labels.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            label = line.split("\t")[0]
            for f in {label} | {c.convert(label) for c in convs}:
                words.update(w for w in (f[-2:], f[-3:]) if len(w) > 1 and w[-1] in ends)
    return sorted(words)


def build(ngender_sdist: str, jieba_sdist: str) -> dict[str, float]:
    import opencc

    convs = (opencc.OpenCC("s2t"), opencc.OpenCC("s2tw"))

    def forms(s: str) -> set[str]:
        return {s} | {c.convert(s) for c in convs}

    name: Counter[str] = Counter()
    for row in csv.DictReader(io.StringIO(_member(ngender_sdist, "ngender/charfreq.csv"))):
        n = int(row["male"]) + int(row["female"])
        for f in forms(row["char"]):
            name[f] += n
    text: Counter[str] = Counter()
    for line in _member(jieba_sdist, "jieba/dict.txt").splitlines():
        word, freq, *tag = line.split()
        if tag and tag[0] == "nr":
            continue
        for f in forms(word):
            for ch in f:
                text[ch] += int(freq)
    n_total, t_total = sum(name.values()), sum(text.values())
    out = {}
    for ch in set(name) | set(text):
        if not ("\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"):
            continue
        ratio = ((name[ch] + 0.5) / n_total) / ((text[ch] + 0.5) / t_total)
        out[ch] = max(-3.0, min(3.0, math.log10(ratio)))
    return out


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    from pathlib import Path

    here = Path(__file__).parent
    with open(here / "role_words.txt", "w", encoding="utf-8") as fh:
        fh.write(
            "# Dictionary words and label endings (labels.tsv) that end in a role character (names.toml role_end).\n"
        )
        fh.write("# Built by schemas/pii/build_name_tables.py from jieba 0.42.1 dict.txt (MIT, (c) 2013 Sun Junyi).\n")
        fh.writelines(w + "\n" for w in role_words(sys.argv[2]))
    table = build(sys.argv[1], sys.argv[2])
    with open(here / "given_chars.tsv", "w", encoding="utf-8") as fh:
        fh.write("# Given-name character scores for the rule-based name recognizer (curate/pii/names.py).\n")
        fh.write(
            "# log10(relative frequency in given names / relative frequency in ordinary text), clamped to [-3, 3].\n"
        )
        fh.write(
            "# Built by schemas/pii/build_name_tables.py from ngender 0.1.1 (charfreq.csv; MIT, (c) 2015 Jingchao Hu)\n"
        )
        fh.write("# and jieba 0.42.1 (dict.txt, person names left out; MIT, (c) 2013 Sun Junyi), both from PyPI.\n")
        fh.write("# char\tscore\n")
        fh.writelines(f"{ch}\t{table[ch]:.2f}\n" for ch in sorted(table))


if __name__ == "__main__":
    main()
