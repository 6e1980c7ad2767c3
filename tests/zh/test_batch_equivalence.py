"""normalise_many (the stage's path, large batches) gives exactly what normalise gives record by record.

On the shared dev set's zh items (in one batch, in the stage's batches, and shuffled) and on seeded
random mixes of short and long, Simplified, Traditional, mixed and neutral records with per-record
protected words; Traditional records come back as the very same string objects.
"""

from __future__ import annotations

import json
import random

import pytest

from curate.batching import batches
from curate.zh import normalise, normalise_many
from curate.zh.batch import BATCH_CHARS, BATCH_RECORDS


@pytest.fixture(autouse=True, scope="module")
def _vectorise_small_batches():
    """Small batches take the record path by default; here every batch takes the vectorised one."""
    import curate.zh.batch as batch

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(batch, "SMALL_RECORDS", 0)
        yield


def _same(got, want) -> None:
    assert got.text == want.text
    assert (got.script, got.shares, got.counts) == (want.script, want.shares, want.counts)
    assert got.edits == want.edits
    assert got.flags == want.flags
    assert got.edits_columns() == want.edits_columns()
    assert got.edits_columns(text=False) == want.edits_columns(text=False)
    assert got.flags_columns() == want.flags_columns()


def _stage_batches(texts: list[str]) -> list[list[str]]:
    return list(batches(texts, max_items=BATCH_RECORDS, max_chars=BATCH_CHARS))


def _dev(eval_dev) -> list[dict]:
    return [json.loads(x) for x in (eval_dev / "zh_dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]


def test_dev_set_in_one_batch_equals_record_by_record(eval_dev) -> None:
    rows = _dev(eval_dev)
    texts = [r["text"] for r in rows]
    rng = random.Random(13)
    shuffled = texts[:]
    rng.shuffle(shuffled)
    for batch in (texts, shuffled, texts[::-1] * 3):
        for text, got in zip(batch, normalise_many(batch), strict=True):
            _same(got, normalise(text))
    for r, got in zip(rows, normalise_many(texts), strict=True):
        if r["kind"] == "traditional_unchanged":
            assert got.text is r["text"] and not got.edits


def _random_records(rng: random.Random, dev: list[dict], n: int) -> list[str]:
    """Short and long records of every kind: dev texts, their sentences, documents, splices, neutral text."""
    by_kind: dict[str, list[str]] = {}
    for r in dev:
        by_kind.setdefault(r["kind"], []).append(r["text"])
    simp, trad, mixed = by_kind["simplified_to_tw"], by_kind["traditional_unchanged"], by_kind["mixed"]
    pieces = [s for t in simp for s in t.replace("。", "。\0").split("\0") if s]
    out = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.35:  # one Simplified sentence or a fragment of one
            s = rng.choice(pieces)
            a = rng.randrange(len(s))
            out.append(s if rng.random() < 0.7 else s[a : a + rng.randint(1, 12)])
        elif kind < 0.5:  # a Simplified document
            out.append(rng.choice(["\n", "", "。"]).join(rng.choices(simp, k=rng.randint(2, 40))))
        elif kind < 0.65:
            out.append(rng.choice(trad))
        elif kind < 0.75:
            out.append(rng.choice(mixed))
        elif kind < 0.85:  # Traditional and Simplified records spliced together
            out.append("".join(rng.choices(simp + trad + mixed, k=rng.randint(2, 6))))
        else:
            out.append(rng.choice(["", "ABC 123", "\r\n", "2026年1月1日", "𠀀", "。", "账", "发了。"]))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_mixes_equal_record_by_record(eval_dev, seed: int) -> None:
    rng = random.Random(seed)
    dev = _dev(eval_dev)
    texts = _random_records(rng, dev, rng.choice([1, 7, 300, 1500]))
    words = ["余额", "客户经理", "张三", "银行", "文件", "数据", "于", "账户余额"]
    protected = [tuple(rng.sample(words, rng.randint(0, 2))) if rng.random() < 0.3 else () for _ in texts]
    for batch_texts, batch_prot in (
        (texts, None),
        (texts, protected),
    ):
        got = []
        for lo, b in _offsets(_stage_batches(texts)):
            got += normalise_many(b, protected=None if batch_prot is None else batch_prot[lo : lo + len(b)])
        for i, (text, res) in enumerate(zip(batch_texts, got, strict=True)):
            want = normalise(text, protected=() if batch_prot is None else batch_prot[i])
            _same(res, want)
            if not want.counts.get("simplified_chars"):
                assert res.text is text  # nothing Simplified: untouched, the same object


def _offsets(batches: list[list[str]]):
    lo = 0
    for b in batches:
        yield lo, b
        lo += len(b)


def test_class_table_han_bit_is_the_han_regex() -> None:
    """The batch path counts Han characters (short / weak_signal flags) from the table, the record path by regex."""
    import numpy as np

    from curate.zh.batch import HAN, class_table
    from curate.zh.config import NormaliseConfig
    from curate.zh.normalise import _HAN, _engine

    lut = class_table(_engine(NormaliseConfig()))
    cps = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    text = "".join(map(chr, cps))
    want = np.zeros(0x110000, dtype=bool)
    want[[ord(m.group()) for m in _HAN.finditer(text)]] = True
    assert np.array_equal((lut & HAN).astype(bool), want)


def test_small_batches_take_the_record_path_with_the_same_results(eval_dev, monkeypatch) -> None:
    import curate.zh.batch as batch

    monkeypatch.setattr(batch, "SMALL_RECORDS", 12)  # the default
    calls: list[int] = []
    real = batch._convert_simplified
    monkeypatch.setattr(
        batch,
        "_convert_simplified",
        lambda eng, cfg, m, texts, *a: calls.append(len(texts)) or real(eng, cfg, m, texts, *a),
    )
    simp = [r["text"] for r in _dev(eval_dev) if r["kind"] == "simplified_to_tw"]
    for batch_texts in (simp[:1], simp[:5], simp[:12], simp[:13], ["\n".join(simp)]):
        for text, got in zip(batch_texts, normalise_many(batch_texts), strict=True):
            _same(got, normalise(text))
    assert calls == [13, 1]  # 13 sentences and a long document are vectorised; up to 12 short ones are not
