"""Quality on the near-duplicate dev set (real law articles), scored by the shared scorer."""

from __future__ import annotations

import json
import re

from shared_scorer import shared_score

from curate.dedup.config import DedupConfig
from curate.dedup.jsonl import dedup_jsonl


def test_neardup_dev_pairwise_f1_and_simplified_copies(eval_dev, tmp_path):
    gold = eval_dev / "neardup_dev.jsonl"
    pred = tmp_path / "pred.jsonl"
    report = dedup_jsonl(gold, pred, DedupConfig(device="cpu"))
    assert report.documents == 2000 and not report.bad
    scores, out = shared_score(eval_dev, "dedup", gold, pred)
    assert scores["pair_f1"] >= 0.98, out
    assert scores["pair_p"] >= 0.98, out
    # every Simplified copy that has a gold partner shares its predicted cluster with one
    m = re.search(r"simplified\s+(\d+)/(\d+)", out)
    assert m and m.group(1) == "0" and int(m.group(2)) > 0, out
    rows = [json.loads(line) for line in pred.open(encoding="utf-8")]
    assert all(r["survivor"] == (r["duplicate_of"] is None) for r in rows)
