"""A law with no articles (an empty `LawArticles`, or chapter headings only) is a counted, named skip (review 13).

It gave nothing at all: `1 items read, 0 records, 0 quarantined, 0 skipped`, the run's accounting (items = records +
quarantined + skipped) broken and the law gone without a word, on both the set-based and the Python path.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from curate.ingest import ingest
from sources.law_moj import NO_ARTICLES, LawMojSource

FIX = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "law_moj"
if not FIX.exists():  # worktrees sit next to the main checkout
    FIX = Path("/work/shared/fixtures/law_moj")


@pytest.mark.parametrize("fast", ["1", "0"], ids=["set-based path", "python path"])
@pytest.mark.parametrize("articles", ["none", "chapters only"])
def test_a_law_without_articles_is_a_named_skip(tmp_path, monkeypatch, fast, articles):
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")
    law = json.loads((FIX / "chlaw_json" / "ch" / "G0380177.json").read_text(encoding="utf-8-sig"))
    other = json.loads((FIX / "chlaw_json" / "ch" / "G0380233.json").read_text(encoding="utf-8-sig"))
    law["LawArticles"] = (
        [] if articles == "none" else [{"ArticleType": "C", "ArticleNo": "", "ArticleContent": "第一章"}]
    )
    f = tmp_path / "ChLaw.json"
    f.write_text("\ufeff" + json.dumps({"UpdateDate": "2024/1/1", "Laws": [law, other]}, ensure_ascii=False), "utf-8")
    rep = ingest(tmp_path / "c.duckdb", LawMojSource([f])).as_dict()
    assert rep["raw_items"] == 2 and rep["skipped"] == {NO_ARTICLES: 1}, rep
    assert rep["records_seen"] == len([a for a in other["LawArticles"] if a["ArticleType"] == "A"])
    assert any(NO_ARTICLES in json.dumps(n, ensure_ascii=False) and "G0380177" in json.dumps(n) for n in rep["named"])


def test_the_set_based_path_keeps_a_dump_with_a_bare_law(tmp_path, monkeypatch, caplog):
    """One attachment-only regulation in a 12k-law ChOrder.json sent the whole dump to the Python path (2-3x slower):
    the set-based path counts and names the skip itself, as the Python path does (same counts, same locator)."""
    law = json.loads((FIX / "chlaw_json" / "ch" / "G0380177.json").read_text(encoding="utf-8-sig"))
    other = json.loads((FIX / "chlaw_json" / "ch" / "G0380233.json").read_text(encoding="utf-8-sig"))
    law["LawArticles"] = []
    f = tmp_path / "ChLaw.json"
    f.write_text("\ufeff" + json.dumps({"UpdateDate": "2024/1/1", "Laws": [other, law]}, ensure_ascii=False), "utf-8")
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")
    reps = {}
    for fast in ("1", "0"):
        monkeypatch.setenv("CURATE_INGEST_FAST", fast)
        with caplog.at_level("INFO", logger="curate.ingest_fast"):
            caplog.clear()
            reps[fast] = ingest(tmp_path / f"c{fast}.duckdb", LawMojSource([f])).as_dict()
        if fast == "1":
            assert "takes the Python path" not in caplog.text
    keys = ("raw_items", "records_seen", "skipped", "quarantined")
    assert {k: reps["1"][k] for k in keys} == {k: reps["0"][k] for k in keys}
    named = [[n for n in r["named"] if NO_ARTICLES in json.dumps(n, ensure_ascii=False)] for r in reps.values()]
    assert named[0] == named[1] and named[0], named
