"""The shared scorer (``../shared/eval-dev/score.py``) run on a prediction file, and the zh prediction file the
quality tests give it: one copy for the dev and held-out-like sets of zh, dedup and PII."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path


def shared_score(eval_dev: Path, kind: str, gold: Path, pred: Path) -> tuple[dict[str, float], str]:
    """The numeric figures of the scorer's ``SCORE key=value`` lines for ``kind`` (zh, pii, dedup), and its whole
    report (for assertion messages)."""
    proc = subprocess.run(
        [sys.executable, str(eval_dev / "score.py"), kind, str(gold), str(pred)],
        capture_output=True,
        text=True,
        check=True,
    )
    scores: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("SCORE "):
            scores.update({k: float(v) for k, v in re.findall(r"(\w+)=([0-9.]+)", line)})
    assert scores, f"the scorer printed no SCORE line:\n{proc.stdout}"
    return scores, proc.stdout


def zh_predictions(gold: Path, pred: Path, *, batch: bool) -> None:
    """Write ``{"id", "text"}`` per record of ``gold`` normalised one by one (``normalise``) or as the stage's batch
    (``normalise_many``, the whole set as one batch)."""
    from curate.zh import normalise, normalise_many

    recs = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    if batch:
        texts = [r.text for r in normalise_many([x["text"] for x in recs])]
    else:
        texts = [normalise(x["text"]).text for x in recs]
    with pred.open("w", encoding="utf-8") as out:
        for rec, text in zip(recs, texts, strict=True):
            out.write(json.dumps({"id": rec["id"], "text": text}, ensure_ascii=False) + "\n")


def zh_set_score(
    eval_dev: Path, gold: Path, tmp_path: Path, *, batch: bool, kinds: dict[str, int]
) -> tuple[dict[str, float], str]:
    """A held-out-like zh set's records counted by kind (asserted to be ``kinds``), normalised
    (:func:`zh_predictions`) and scored (:func:`shared_score`)."""
    recs = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert Counter(r["kind"] for r in recs) == kinds
    pred = tmp_path / "pred.jsonl"
    zh_predictions(gold, pred, batch=batch)
    return shared_score(eval_dev, "zh", gold, pred)


def assert_traditional_records_unchanged(gold: Path) -> None:
    """Each ``traditional_unchanged`` record of ``gold`` comes back with no edit, and as the same object from
    ``normalise`` (already Traditional text is not touched at all)."""
    from curate.zh import normalise, normalise_many

    texts = [
        r["text"]
        for line in gold.read_text(encoding="utf-8").splitlines()
        if line.strip() and (r := json.loads(line))["kind"] == "traditional_unchanged"
    ]
    for text, res in zip(texts, normalise_many(texts), strict=True):
        assert res.text == text and not res.edits, text
        single = normalise(text)
        assert single.text is text and not single.edits, text
