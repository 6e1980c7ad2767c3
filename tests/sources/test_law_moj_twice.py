"""A law read twice for one snapshot: the second copy is quarantined, never a silent replacement (review 14).

A dump that lists a PCODE twice (or two dumps of one day given together) with other articles made the copy read
last the active version, and every article only the first copy had was superseded as removed: a second `G0380001`
of one article took 203 articles of 銀行法 out of every export, exit 0, nothing quarantined. The same law given
twice alike (JSON and XML of one day) stays one version, nothing quarantined.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from curate.ingest import ingest
from sources.law_moj import LawMojSource
from sources.law_moj_twice import REASON

FIX = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "law_moj"
if not FIX.exists():  # worktrees sit next to the main checkout
    FIX = Path("/work/shared/fixtures/law_moj")
UPDATE = "2024/1/1 上午 12:00:00"


def _laws():
    law = json.loads((FIX / "chlaw_json" / "ch" / "G0380001.json").read_text(encoding="utf-8-sig"))
    fake = json.loads(json.dumps(law))
    fake["LawName"] = "假銀行法"
    fake["LawArticles"] = [{"ArticleType": "A", "ArticleNo": "第 1 條", "ArticleContent": "完全不同的第一條。"}]
    return law, fake


def _dump(path: Path, *laws) -> Path:
    path.write_text("\ufeff" + json.dumps({"UpdateDate": UPDATE, "Laws": list(laws)}, ensure_ascii=False), "utf-8")
    return path


def _active(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT title FROM records WHERE status = 'active' AND doc_key LIKE '%:zh:1'").fetchall()


@pytest.mark.parametrize("fast", ["1", "0"], ids=["set-based path", "python path"])
@pytest.mark.parametrize("where", ["one dump", "two dumps"])
def test_a_second_copy_of_a_law_with_other_articles_is_quarantined(tmp_path, monkeypatch, fast, where):
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")
    law, fake = _laws()
    n = len([a for a in law["LawArticles"] if a["ArticleType"] == "A"])
    if where == "one dump":
        files = [_dump(tmp_path / "ChLaw.json", law, fake)]
    else:
        files = [_dump(tmp_path / "a.json", law), _dump(tmp_path / "b.json", fake)]
    rep = ingest(tmp_path / "c.duckdb", LawMojSource(files)).as_dict()
    assert rep["quarantined"] == 1 and rep["quarantine_reasons"] == {REASON: 1}, rep
    assert rep["superseded"] == 0 and rep["records_new"] == n, rep
    assert _active(tmp_path / "c.duckdb") == [("銀行法 第 1 條",)]
    with duckdb.connect(str(tmp_path / "c.duckdb"), read_only=True) as con:
        (excerpt,) = con.execute("SELECT excerpt FROM quarantine").fetchone()
    assert str(files[0]) in excerpt and "G0380001" in excerpt


@pytest.mark.parametrize("fast", ["1", "0"], ids=["set-based path", "python path"])
def test_the_same_law_given_twice_alike_is_one_version(tmp_path, monkeypatch, fast):
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "0")
    law, _ = _laws()
    files = [_dump(tmp_path / "a.json", law), _dump(tmp_path / "b.json", law)]
    rep = ingest(tmp_path / "c.duckdb", LawMojSource(files)).as_dict()
    assert not rep["quarantined"] and rep["superseded"] == 0, rep


def test_a_later_snapshot_of_the_law_still_replaces_it(tmp_path):
    """Another LawModifiedDate is another snapshot: it chains as a version, as before."""
    law, fake = _laws()
    fake["LawModifiedDate"] = "20250101"
    rep = ingest(tmp_path / "c.duckdb", LawMojSource([_dump(tmp_path / "ChLaw.json", law, fake)])).as_dict()
    assert not rep["quarantined"], rep
    assert _active(tmp_path / "c.duckdb") == [("假銀行法 第 1 條",)]


@pytest.mark.parametrize("sql_first", [True, False])
def test_the_python_and_the_set_based_digests_agree(tmp_path, monkeypatch, sql_first):
    """One dump zipped and unzipped, or small and large files of one day, take different paths: the same law read by
    each is one law, another copy is quarantined, whichever path read first."""
    law, fake = _laws()
    other = json.loads((FIX / "chlaw_json" / "ch" / "G0390002.json").read_text(encoding="utf-8-sig"))
    small = _dump(tmp_path / "small.json", law)
    big, big_fake = _dump(tmp_path / "big.json", law, other), _dump(tmp_path / "big_fake.json", fake, other)
    monkeypatch.setenv("CURATE_INGEST_FAST", "1")
    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", str(small.stat().st_size + 1))  # small: the Python path
    for bigger, quarantined in ((big, 0), (big_fake, 1)):
        files = [bigger, small] if sql_first else [small, bigger]
        (tmp_path / "c.duckdb").unlink(missing_ok=True)
        rep = ingest(tmp_path / "c.duckdb", LawMojSource(files, scope="all")).as_dict()
        assert rep["quarantined"] == quarantined and rep["superseded"] == 0, rep
