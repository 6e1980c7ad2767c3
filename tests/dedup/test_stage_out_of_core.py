"""`curate run dedup` clusters out of core (curate/dedup/store.py): its verdicts equal the in-memory
engine's on the same documents, first run and incremental run against the index, and it leaves no
working files behind and marks every survivor."""

from __future__ import annotations

import json
import random

from curate.dedup.config import DedupConfig
from curate.dedup.engine import DedupDoc, cluster, make_hasher, sign
from curate.runner import run_stage
from curate.stages.dedup import DedupStage, _version
from curate.workfiles import work_root
from provenance import db

from .records import add_records

POOL = "銀行保險證券期貨金融控股公司業務主管機關應依本法規定辦理申請許可登記變更存款放款信託投資資產負債準備金"
SOURCES = ("moda", "tabf", "textbooks:978-1")


def _texts(n: int, seed: int) -> list[str]:
    """Bases, exact copies and edited near copies (Jaccard ~0.5-0.95), shuffled."""
    rng = random.Random(seed)
    bases = ["".join(rng.choice(POOL) for _ in range(rng.randint(80, 160))) for _ in range(n // 2)]
    out = list(bases)
    while len(out) < n:
        src = list(rng.choice(bases))
        for _ in range(int(len(src) * rng.uniform(0.0, 0.08))):
            src[rng.randrange(len(src))] = rng.choice(POOL)
        out.append("".join(src))
    rng.shuffle(out)
    return out


def _catalogue_docs(path, ids: list[str]) -> list[DedupDoc]:
    """The documents as the stage sees them (source kind, licence, version, container)."""
    con = db.connect_readonly(path)
    try:
        rows = con.execute(
            "SELECT r.record_id, r.text, s.kind, r.licence_id, r.metadata, r.container"
            " FROM records r JOIN sources s USING (source_id)"
        ).fetchall()
    finally:
        con.close()
    by_id = {r[0]: DedupDoc(r[0], r[1], r[2], r[3], _version(r[4]), r[5]) for r in rows}
    return [by_id[i] for i in ids]


def _stage_verdicts(path) -> tuple[dict[str, dict], dict[str, str]]:
    con = db.connect_readonly(path)
    try:
        events = {
            r: json.loads(d)
            for r, d in con.execute(
                "SELECT record_id, detail FROM provenance_events WHERE stage = 'dedup' AND action = 'duplicate_of'"
            ).fetchall()
        }
        marks = dict(con.execute("SELECT record_id, outcome FROM stage_marks WHERE stage = 'dedup'").fetchall())
        stats = dict(
            con.execute("SELECT key, value FROM run_stats WHERE stage = 'dedup' AND metric = 'outcome'").fetchall()
        )
    finally:
        con.close()
    return {r: (e["survivor"], e["match"], e["jaccard"], e["jaccard_est"]) for r, e in events.items()}, marks, stats


def _engine(docs: list[DedupDoc], old: list[DedupDoc], cfg: DedupConfig) -> dict[str, tuple]:
    hasher = make_hasher(cfg)
    allt = [d.text for d in old + docs]
    out = cluster(
        sign(docs, cfg, hasher=hasher),
        cfg,
        lambda rows: [allt[r] for r in rows],
        old=sign(old, cfg, hasher=hasher) if old else None,
        hasher=hasher,
    )
    return {d.id: (d.duplicate_of, d.match, d.jaccard, d.jaccard_est) for d in out if not d.survivor}


def test_out_of_core_stage_equals_in_memory_engine_first_and_incremental_run(db_path):
    cfg = DedupConfig()
    texts = _texts(360, seed=11)
    first = add_records(db_path, [(SOURCES[i % 3], f"a{i}", t) for i, t in enumerate(texts[:240])])
    rep = run_stage(db_path, DedupStage(), workers=2)
    assert rep.status == "finished"
    got, marks, stats = _stage_verdicts(db_path)
    want = _engine(_catalogue_docs(db_path, sorted(first)), [], cfg)  # the stage orders by record id
    assert len(want) > 40  # exact and near duplicates were found (the test can fail)
    assert {m for _, m, _, _ in want.values()} == {"exact", "near"}
    assert got == want
    survivors = [r for r in first if r not in want]
    assert all(marks[r] == "survivor" for r in survivors) and all(marks[r] == "duplicate" for r in want)
    assert stats["survivor"] == len(survivors)
    # working files (side files, scratch database, signature and band files) are gone; logs stay
    left = [p for p in work_root(db_path).rglob("*") if p.is_file() and "logs" not in p.parts]
    assert not [p for p in left if "dedup" in p.parts], left

    # an incremental run clusters the new records against the index of the first run's survivors
    second = add_records(db_path, [(SOURCES[i % 3], f"b{i}", t) for i, t in enumerate(texts[240:])], run_id="ingest-2")
    rep = run_stage(db_path, DedupStage(), workers=1)
    assert rep.inputs == len(second)
    got2, marks2, _ = _stage_verdicts(db_path)
    new_verdicts = {r: v for r, v in got2.items() if r not in got}
    want2 = _engine(_catalogue_docs(db_path, sorted(second)), _catalogue_docs(db_path, sorted(survivors)), cfg)
    assert len(want2) > 10 and any(v[0] in survivors for v in want2.values())  # matched against the index
    assert new_verdicts == want2  # new duplicates and indexed survivors demoted by a better new copy
    assert all(marks2[r] == "survivor" for r in second if r not in want2)
