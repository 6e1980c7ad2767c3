"""A source's names searched in its records: the plain mapping against :class:`ValueSet` (issue 17).

The PII stage's source-name scrub (:mod:`curate.pii.source_names`) searches each candidate record's text, title
and metadata strings for the source's labelled names. With a plain mapping, every search sorts the names and looks
their pattern up (a tuple of every name hashed); a :class:`~curate.pii.propagate.ValueSet` builds its pattern once.
Prints microseconds per record (one ``any_value`` over the record's fields, then ``find_values`` per field, as
``_scrub_record`` does) for several name-list sizes, both ways, in one process.

    python bench/bench_name_search.py [--records 5000] [--fields 13]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from curate.pii.propagate import ValueSet, any_value, find_values  # noqa: E402

HAN = "林陳王李張黃吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高志明美玲家豪淑芬雅婷宗翰冠宇怡君俊傑"
PROSE = "本法所稱金融機構應依主管機關之規定辦理核處新臺幣罰鍰經查於任職期間違反銀行法第條之規定，。"


def _records(rng: random.Random, n: int, fields: int, names: list[str]) -> list[list[str]]:
    out = []
    for _ in range(n):
        text = "".join(rng.choice(PROSE) for _ in range(rng.randint(100, 300)))
        if rng.random() < 0.3:  # a name in running text
            i = rng.randrange(len(text))
            text = text[:i] + rng.choice(names) + text[i:]
        out.append([text] + ["".join(rng.choice(PROSE) for _ in range(rng.randint(4, 30))) for _ in range(fields - 1)])
    return out


def _per_record(records: list[list[str]], values) -> float:
    t = time.perf_counter()
    for fields in records:
        if any_value(fields, values):
            for f in fields:
                find_values(f, values)
    return (time.perf_counter() - t) / len(records) * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=5000)
    ap.add_argument("--fields", type=int, default=13)
    args = ap.parse_args()
    rng = random.Random(17)
    print(f"{'names':>6} {'plain mapping':>16} {'ValueSet':>12} {'ratio':>7}   (us per record, {args.fields} fields)")
    for k in (28, 300, 2000):
        names = sorted({"".join(rng.choice(HAN) for _ in range(3)) for _ in range(k)})
        plain = dict.fromkeys(names, ("PERSON", 0.9))
        records = _records(rng, args.records, args.fields, names)
        a = _per_record(records, plain)
        b = _per_record(records, ValueSet(plain))
        print(f"{len(names):>6} {a:>16.1f} {b:>12.1f} {a / b:>6.2f}x")


if __name__ == "__main__":
    main()
