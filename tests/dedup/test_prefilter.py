"""The signature pre-filter and the bounded shingle cache change no verdict (they only skip work)."""

from __future__ import annotations

import random

from curate.dedup.config import DedupConfig
from curate.dedup.engine import ClusterStats, DedupDoc, cluster, make_hasher, sign

POOL = "銀行保險證券期貨金融控股公司業務主管機關應依本法規定辦理申請許可登記變更存款放款信託投資資產負債準備金"


def _corpus(n: int = 600, seed: int = 5) -> list[DedupDoc]:
    """Bases plus edited copies spread over Jaccard ~0.3-0.95, and short boilerplate that collides in buckets."""
    rng = random.Random(seed)
    bases = ["".join(rng.choice(POOL) for _ in range(rng.randint(80, 200))) for _ in range(n // 3)]
    docs = [DedupDoc(f"b{i:04d}", t) for i, t in enumerate(bases)]
    for i in range(n - len(bases)):
        src = list(rng.choice(bases))
        for _ in range(int(len(src) * rng.uniform(0.005, 0.12))):
            src[rng.randrange(len(src))] = rng.choice(POOL)
        docs.append(DedupDoc(f"c{i:04d}", "".join(src)))
    return docs


def _run(docs: list[DedupDoc], cfg: DedupConfig) -> tuple[list, ClusterStats]:
    hasher = make_hasher(cfg)
    signed = sign(docs, cfg, hasher=hasher)
    stats = ClusterStats()
    fetched: list[int] = []

    def fetch(rows: list[int]) -> list[str]:
        fetched.extend(rows)
        return [docs[r].text for r in rows]

    out = cluster(signed, cfg, fetch, hasher=hasher, stats=stats)
    stats.fetched = len(fetched)  # type: ignore[attr-defined]
    return sorted(out, key=lambda d: d.id), stats


def test_prefilter_and_small_cache_give_the_same_verdicts_as_verifying_everything() -> None:
    docs = _corpus()
    full, s_full = _run(docs, DedupConfig(prefilter_margin=1.0, device="cpu"))
    fast, s_fast = _run(docs, DedupConfig(device="cpu"))
    tiny, _ = _run(docs, DedupConfig(device="cpu", verify_cache=1))
    assert s_full.prefiltered == 0
    assert s_fast.prefiltered > 0  # the filter did skip work on this corpus
    assert s_fast.candidates == s_full.candidates
    assert s_fast.fetched < s_full.fetched
    assert sum(not d.survivor for d in full) > 50  # there are near duplicates to find
    assert fast == full
    assert tiny == full


def test_negative_margin_is_a_config_error() -> None:
    import pytest

    from provenance.errors import ConfigError

    with pytest.raises(ConfigError, match="prefilter_margin"):
        DedupConfig(prefilter_margin=-0.1)
