"""The synthetic law dump of bench/gen_law_dump.py: both formats ingest to the same records, in the stated mix."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from curate.ingest import ingest
from provenance import db
from sources.law_moj import LawMojSource


def _texts(path: Path) -> list[tuple[str, str]]:
    con = db.connect(path)
    try:
        return con.execute("SELECT doc_key, text FROM records ORDER BY doc_key").fetchall()
    finally:
        con.close()


def test_json_and_xml_dumps_ingest_to_the_same_articles(tmp_path: Path, law_gen) -> None:
    gen = law_gen
    n = 450
    for fmt in ("json", "xml"):
        laws = gen.write_dump(tmp_path / f"ChLaw.{fmt}", n, fmt=fmt)
        assert laws == 23
        rep = ingest(tmp_path / f"{fmt}.duckdb", LawMojSource([tmp_path / f"ChLaw.{fmt}"], scope="all"))
        assert rep.records_seen == n and rep.quarantined == 0
    assert _texts(tmp_path / "json.duckdb") == _texts(tmp_path / "xml.duckdb")


def test_mix_of_kinds_and_sizes(law_gen) -> None:
    gen = law_gen
    kinds: Counter = Counter()
    lengths = []
    for kind, text in gen.article_texts(20_000, seed=3):
        kinds[kind] += 1
        lengths.append(len(text))
    assert 0.025 < kinds["simplified"] / 20_000 < 0.035
    assert 0.045 < kinds["near"] / 20_000 < 0.055
    assert 0.015 < kinds["pii"] / 20_000 < 0.025
    assert min(lengths) >= 100 and max(lengths) <= 360


def test_national_ids_pass_the_pii_validator(law_gen) -> None:
    import random

    from curate.pii.validators import validate_tw_id

    gen = law_gen
    rng = random.Random(1)
    ids = [gen.national_id(rng) for _ in range(200)]
    assert all(validate_tw_id(i) for i in ids)
    assert not validate_tw_id(ids[0][:-1] + str((int(ids[0][-1]) + 1) % 10))
