"""Throughput of curate.zh.normalise vs bare OpenCC s2twp on the same records, side by side.

    PYTHONPATH=. python bench/bench_zh.py [--mb 2] [--repeat 3] [--dev PATH]

Corpora (built from the dev-set inputs, repeated to --mb MB of UTF-8 each):
  docs-all     dev records of every kind joined by "\n" into ~2 KB documents (a corpus record)
  docs-simp    simplified_to_tw sentences joined into ~2 KB documents (everything converted)
  dev-records  every dev record as it is (Traditional law articles, single sentences, mixed)
  sentences    each simplified_to_tw sentence as its own record (~40 bytes: worst case,
               per-record Python overhead dominates)
  traditional  traditional_unchanged records only (detection only)
  1MB-record   all dev inputs joined into one record of 1 MB
Bare OpenCC, ``before`` (the implementation before the batch path, kept in
tests/helpers/zh_reference_normalise.py) and ``normalise`` process record by record; ``many256``
(``normalise_many``) takes the records in batches of 256 (the stage's batch size until 2026-12-03), ``many``
in the batches the normalise stage and ``curate zh convert`` make now (up to ``BATCH_RECORDS`` records and
``BATCH_CHARS`` characters); with ``--word-boundaries`` also both without the terminology layer's word
boundaries (``-nowb``: the layer before 2026-12-05). All are timed interleaved, in CPU seconds of this process
(``time.process_time``: on the shared VM wall time also counts the other jobs' turns). Each repeat gives
each side's ratio to bare OpenCC in that repeat; the median ratio over --repeat runs is printed with its
range, and the load average before and after the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DEV = Path(os.environ.get("CURATE_SHARED", ROOT.parent / "shared")) / "eval-dev" / "zh_dev.jsonl"


def corpus(rows: list[dict], kinds: set[str] | None, mb: float, doc_bytes: int = 0) -> list[str]:
    texts = [r["text"] for r in rows if kinds is None or r["kind"] in kinds]
    out, size, doc = [], 0, []
    while size < mb * 1e6:
        for t in texts:
            size += len(t.encode())
            if not doc_bytes:
                out.append(t)
                continue
            doc.append(t)
            if sum(len(x.encode()) for x in doc) >= doc_bytes:
                out.append("\n".join(doc))
                doc = []
    if doc:
        out.append("\n".join(doc))
    return out


def _time(fn, texts: list[str]) -> float:
    t0 = time.process_time()
    for t in texts:
        fn(t)
    return time.process_time() - t0


def stage_batches(texts: list[str]) -> list[list[str]]:
    """``texts`` cut as the normalise stage cuts its input (``Stage.run`` with its batch_size / batch_chars)."""
    from curate.batching import batches
    from curate.zh.batch import BATCH_CHARS, BATCH_RECORDS

    return list(batches(texts, max_items=BATCH_RECORDS, max_chars=BATCH_CHARS))


def _time_many(many, batches: list[list[str]]) -> float:
    t0 = time.process_time()
    for b in batches:
        many(b)
    return time.process_time() - t0


def side_by_side(sides: dict, texts: list[str], repeat: int) -> dict[str, list[float]]:
    """Each side's CPU seconds per repeat, the runs interleaved so that load changes hit all alike.

    A side is ``(fn, None)`` (record by record) or ``(fn, batcher)`` (``fn`` on each of ``batcher(texts)``).
    """
    times: dict[str, list[float]] = {name: [] for name in sides}
    cut = {name: b(texts) for name, (_, b) in sides.items() if b is not None}
    for _ in range(repeat):
        for name, (fn, batcher) in sides.items():
            times[name].append(_time_many(fn, cut[name]) if batcher is not None else _time(fn, texts))
    return times


def _ratios(t: dict[str, list[float]], side: str) -> list[float]:
    return sorted(o / x for o, x in zip(t["opencc"], t[side], strict=True))


def _row(name: str, n: int, mb: float, t: dict[str, list[float]]) -> str:
    """Median ratio per side, with its range over the repeats."""
    cells = []
    for k in t:
        if k == "opencc":
            continue
        r = _ratios(t, k)
        cells.append(f"{statistics.median(r):>7.2f} ({r[0]:.2f}-{r[-1]:.2f})")
    return f"{name:<12}{n:>9}{mb:>7.2f}{mb / statistics.median(t['opencc']):>13.2f}" + "".join(
        f"{c:>20}" for c in cells
    )


def _previous():
    """The implementation before the batch path (tests/helpers/zh_reference_normalise.py), or None."""
    helpers = ROOT / "tests" / "helpers"
    if not (helpers / "zh_reference_normalise.py").exists():
        return None
    sys.path.insert(0, str(helpers))
    import zh_reference_normalise

    return zh_reference_normalise.normalise


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=2.0)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV)
    ap.add_argument("--no-before", action="store_true", help="leave out the previous implementation")
    ap.add_argument(
        "--word-boundaries",
        action="store_true",
        help="also time normalise and the stage batches without word boundaries (NormaliseConfig(word_boundaries="
        "False): the terminology layer before 2026-12-05), and the first load of jieba's word list",
    )
    args = ap.parse_args()

    import opencc

    from curate.zh import normalise, normalise_many

    rows = [json.loads(x) for x in args.dev.read_text(encoding="utf-8").split("\n") if x.strip()]
    bare = opencc.OpenCC("s2twp").convert
    sides = {"opencc": (bare, None)}
    before = None if args.no_before else _previous()
    if before is not None:
        before("预热")
        sides["before"] = (before, None)
    sides["normalise"] = (normalise, None)
    sides["many256"] = (normalise_many, lambda texts: [texts[i : i + 256] for i in range(0, len(texts), 256)])
    sides["many"] = (normalise_many, stage_batches)
    if args.word_boundaries:
        from curate.zh.config import NormaliseConfig
        from curate.zh.words import dictionary_words

        t0 = time.process_time()
        dictionary_words()
        print(f"# first load of jieba's word list: {time.process_time() - t0:.2f} CPU-s")
        nowb = NormaliseConfig(word_boundaries=False)
        sides["normalise-nowb"] = (lambda t: normalise(t, nowb), None)
        sides["many-nowb"] = (lambda b: normalise_many(b, nowb), stage_batches)
        normalise("预热", nowb)
    normalise("预热")  # build tables once (script sets, term matcher) outside the timing
    print(
        f"# {platform.machine()} {platform.python_version()} opencc {opencc.__version__}; median (range) of"
        f" {args.repeat} repeats;"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    print(
        "# MB per CPU-second of bare OpenCC s2twp; then each side's throughput divided by it (ratio >= 0.5 is the target)"
    )
    heads = "".join(f"{k:>20}" for k in sides if k != "opencc")
    print(f"{'corpus':<12}{'records':>9}{'MB':>7}{'opencc MB/s':>13}{heads}")
    simp = {"simplified_to_tw"}
    for name, kinds, doc in (
        ("docs-all", None, 2000),
        ("docs-simp", simp, 2000),
        ("dev-records", None, 0),
        ("sentences", simp, 0),
        ("traditional", {"traditional_unchanged"}, 0),
    ):
        texts = corpus(rows, kinds, args.mb, doc)
        mb = sum(len(t.encode()) for t in texts) / 1e6
        print(_row(name, len(texts), mb, side_by_side(sides, texts, args.repeat)))
    big = "".join(corpus(rows, None, 1.0))
    mb = len(big.encode()) / 1e6
    print(_row("1MB-record", 1, mb, side_by_side(sides, [big], args.repeat)))
    print(f"# load average after: {os.getloadavg()[0]:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
