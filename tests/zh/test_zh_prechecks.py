"""The normalise stage's prechecks for names and book titles (curate/zh/surnames.py, titles.py, batch.py) read each
record once and skip what cannot change: the same results as :func:`curate.zh.normalise`, fewer reads (counted on
the real functions, wrapped)."""

from __future__ import annotations

import pytest

pytest.importorskip("opencc")

import curate.pii.segmented_names as segmented_names  # noqa: E402
import curate.zh.batch as batch  # noqa: E402
from curate.zh import normalise  # noqa: E402
from curate.zh.batch import normalise_many  # noqa: E402
from curate.zh.surnames import surname_positions  # noqa: E402


def _counting(monkeypatch, module, name: str) -> list[int]:
    calls: list[int] = []
    real = getattr(module, name)

    def wrapped(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)
    return calls


def _results(rs):
    return [(r.text, r.script, r.shares, r.counts, r.edits, r.flags) for r in rs]


def test_a_less_than_sign_keeps_a_record_on_the_batch_path(monkeypatch) -> None:
    """〈 as a < sign (no title the rule keeps) sent every such record record by record (review 14's precheck was
    the mark alone); a real title still takes normalise's path."""
    signs = [f"当收益率〈{k}%时，账户余额不足，请联系客户经理。" for k in range(30)]
    titled = ["根据《反洗钱法》第三条，银行应当报告。"]
    want = _results(normalise(t) for t in signs + titled)
    calls = _counting(monkeypatch, batch, "_normalise_segments")
    assert _results(normalise_many(signs + titled)) == want
    assert len(calls) == 1  # the titled record only
    assert want[-1][0] == "根據《反洗錢法》第三條，銀行應當報告。"


def test_a_records_names_are_read_once_on_the_batch_path(monkeypatch) -> None:
    """A Simplified record holding a surname candidate had its names read twice: by the batch to choose the path,
    then again by split_targets (every 于 of a Simplified law article, twice)."""
    texts = [f"余伟经理于{k}日在分行办理了账户业务。" for k in range(20)]
    want = _results(normalise(t) for t in texts)
    candidates = sum(len(surname_positions(t)) for t in texts)
    assert candidates == 20
    calls = _counting(monkeypatch, segmented_names, "segmented_name")
    assert _results(normalise_many(texts)) == want
    assert want[0][0].startswith("余偉經理")
    per_record = len(calls) // len(texts)
    assert len(calls) % len(texts) == 0
    calls.clear()
    normalise(texts[0])
    assert per_record == len(calls)  # the batch reads a record's names as often as normalise alone does


def test_a_candidate_before_a_character_no_given_name_starts_is_not_read(monkeypatch) -> None:
    """于本法, 于其, 于第: no given name starts with 本, 其, 第 (_given_ok), so neither rule can read a name there;
    the scan ran the segmentation for each (the 于 of a Simplified law article nearly always)."""
    text = "依照于本法规定，于其营业所，于第三条所定期间内办理。"
    calls = _counting(monkeypatch, segmented_names, "segmented_name")
    assert surname_positions(text) == {}
    assert calls == []
    assert surname_positions("于晓明说，账户余额不足。") == {0: "于"}
