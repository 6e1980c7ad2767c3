"""Incremental dedup runs decide as one run over all their records (review 14): the kept record of every cluster and
what each dropped copy names do not depend on the order records arrived in, nor on how they were split into runs.

Each seed makes chains of near copies (A≈B≈C with A and C apart), exact copies, and copies across sources of
different authority, ingests them in random batches with a ``curate run dedup`` after each, and compares with one
run over all of them in a fresh catalogue: each record's status, the record a duplicate names, and the
representative a kept near duplicate names."""

from __future__ import annotations

import random

from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db, ledger
from provenance.crosscheck import crosscheck
from provenance.dedup_release import current_duplicates, survivors
from provenance.withdraw import withdraw

from .records import add_records

#: ten segments of a base text: a copy with one segment replaced is a near duplicate (Jaccard about 0.8), with two
#: replaced it is not (about 0.65), so a chain of single replacements joins copies that are themselves apart
_SEGMENTS = (
    "銀行辦理授信業務應訂定授信政策並經董事會通過後實施",
    "對於同一人或同一關係人之授信應符合主管機關所定限額",
    "存款人之存款應依法提存準備金並定期向中央銀行申報",
    "金融控股公司應建立內部控制及稽核制度並定期檢討其有效性",
    "信用卡業務機構應揭露循環信用利率及各項費用之計算方式",
    "保險業資金之運用應遵守安全性收益性流動性及公益性原則",
    "證券商受託買賣有價證券應確認委託人身分並留存相關紀錄",
    "電子支付機構應將儲值款項交付信託或取得銀行十足履約保證",
    "洗錢防制法規定金融機構應確認客戶身分並保存交易紀錄五年",
    "個人資料之蒐集處理或利用應尊重當事人之權益不得逾越必要範圍",
)
_FILLERS = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黃宇宙洪荒日月盈昃辰宿列張"
_SOURCES = ("law_moj", "tabf", "textbooks:978-1", "moda")


def _filler(rng: random.Random) -> str:
    return "".join(rng.choice(_FILLERS) for _ in range(len(_SEGMENTS[0])))


def _shifted(text: str, seed: int) -> str:
    """``text`` in other Han characters per seed: the seeds' clusters share no shingle, so many seeds run as one."""
    return "".join(
        chr(0x4E00 + (ord(c) - 0x4E00 + 1307 * seed) % 20992) if "\u4e00" <= c <= "\u9fff" else c for c in text
    )


def _corpus(seed: int) -> list[tuple[str, str, str]]:
    """(source, locator, text) rows: per family a base text and a random walk of one-segment changes, with exact
    copies in other sources."""
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []
    for fam in range(2):
        segs = [f"{s}{fam}" for s in rng.sample(_SEGMENTS, len(_SEGMENTS))]
        for step in range(rng.randint(3, 6)):
            if step:
                segs = list(segs)
                segs[rng.randrange(len(segs))] = _filler(rng)
            text = _shifted("。".join(segs) + "。", seed)
            for copy in range(rng.randint(1, 2)):
                src = rng.choice(_SOURCES)
                rows.append((src, f"seed{seed}f{fam}s{step}c{copy}", text))
    return rows


def _state(path) -> dict[str, tuple]:
    con = db.connect_readonly(path)
    try:
        assert ledger.verify(con).ok
        # `curate audit verify`: every release names why (the fixture's catalogue has no ingest events or runs)
        assert not [p for p in crosscheck(con).problems if p.startswith("status")]
        named = dict(con.execute(survivors(con)).fetchall())
        return {
            rid: (status, named.get(rid) if status == "duplicate" else None, near)
            for rid, status, near in con.execute("SELECT record_id, status, near_duplicate_of FROM records").fetchall()
        }
    finally:
        con.close()


def _differences(one, inc, leave_out=()) -> tuple[dict, dict]:
    want, got = _state(one), _state(inc)
    diff = [r for r in want if r not in leave_out and got[r] != want[r]]
    return {r: got[r] for r in diff}, {r: want[r] for r in diff}


def _incremental(tmp_path, seeds) -> tuple:
    """Each seed's rows ingested in a random order and random batches (batch i of every seed in run i), a dedup run
    after each batch; returns the catalogue, all rows and each record's seed."""
    batches: list[list] = [[] for _ in range(4)]
    for seed in seeds:
        rng = random.Random(1000 + seed)
        order = _corpus(seed)
        rng.shuffle(order)
        cuts = sorted(rng.sample(range(1, len(order)), min(3, len(order) - 1)))
        for i, (lo, hi) in enumerate(zip([0, *cuts], [*cuts, len(order)], strict=True)):
            batches[i] += [(seed, row) for row in order[lo:hi]]
    inc, seed_of = tmp_path / "inc.duckdb", {}
    for i, batch in enumerate(batches):
        ids = add_records(inc, [row for _, row in batch], run_id=f"ingest-{i}")
        seed_of.update(zip(ids, (seed for seed, _ in batch), strict=True))
        assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    return inc, [row for seed in seeds for row in _corpus(seed)], seed_of


def _one_run(tmp_path, rows, withdrawn=()):
    one = tmp_path / "one.duckdb"
    add_records(one, rows)
    if withdrawn:
        con = db.connect(one)
        try:
            for rid in withdrawn:
                withdraw(con, record_id=rid, reason="T-1")
        finally:
            con.close()
    assert run_stage(one, DedupStage(), workers=1).status == "finished"
    return one


def test_incremental_runs_decide_as_one_run_over_all_records(tmp_path):
    """16 seeds, each its own clusters, in one catalogue (four runs, not four per seed: the suite stays short)."""
    inc, rows, _ = _incremental(tmp_path, range(16))
    got, want = _differences(_one_run(tmp_path, rows), inc)
    assert got == want


def test_a_kept_record_withdrawn_later_leaves_its_cluster_as_one_run_without_it_would(tmp_path):
    """Per seed, the survivor with the most duplicates is withdrawn after the incremental runs, and dedup runs again:
    the copies it kept out come back or go to another kept record, as in one run over all records but those."""
    inc, rows, seed_of = _incremental(tmp_path, range(16, 24))
    con = db.connect(inc)
    try:
        ranked = con.execute(
            f"SELECT survivor FROM ({current_duplicates(con)}) GROUP BY survivor ORDER BY count(*) DESC, survivor"
        ).fetchall()
        kept = list({seed_of[k]: k for (k,) in reversed(ranked)}.values())  # each seed's first
        assert len(kept) == 8
        for k in kept:
            withdraw(con, record_id=k, reason="T-1")
    finally:
        con.close()
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    got, want = _differences(_one_run(tmp_path, rows, kept), inc, leave_out=kept)
    assert got == want


def test_a_run_under_other_survivor_rules_chooses_again_among_the_earlier_duplicates_too(tmp_path):
    """Other survivor rules make every active record new to the stage, but not the duplicates: clustered with their
    earlier clusters, a duplicate the new rules prefer is active again (a ``duplicate_released`` event) and the
    earlier survivor is its duplicate, as in one run under those rules."""
    from curate.dedup.config import DedupConfig

    rows = [("tabf", "h1", "。".join(_SEGMENTS) + "。"), ("moda", "m1", "。".join(_SEGMENTS) + "。")]
    inc = tmp_path / "inc.duckdb"
    add_records(inc, rows)
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    moda_first = DedupConfig(authority=(("moda", 50), ("tabf", 30)))
    assert run_stage(inc, DedupStage(moda_first), workers=1).status == "finished"
    one = tmp_path / "one.duckdb"
    add_records(one, rows)
    assert run_stage(one, DedupStage(moda_first), workers=1).status == "finished"
    got, want = _state(inc), _state(one)
    assert got == want and sorted(s for s, _, _ in got.values()) == ["active", "duplicate"]
    con = db.connect_readonly(inc)
    try:
        released = con.execute(
            "SELECT r.source_id FROM provenance_events e JOIN records r USING (record_id)"
            " WHERE e.action = 'duplicate_released' AND e.stage = 'dedup'"
        ).fetchall()
    finally:
        con.close()
    assert released == [("moda",)]


def test_a_withdrawn_link_of_a_chain_releases_the_copies_joined_through_it(tmp_path):
    """K≈W≈D with D apart from K: D is K's duplicate through W. Withdrawing W (not the kept record) releases D, and
    the next run decides as one run over K and D: both kept."""
    fill = [_filler(random.Random(i)) for i in range(2)]
    k = "。".join(_SEGMENTS) + "。"
    w = "。".join([fill[0], *_SEGMENTS[1:]]) + "。"
    d = "。".join([*fill, *_SEGMENTS[2:]]) + "。"
    inc = tmp_path / "inc.duckdb"
    _, gone, _ = add_records(inc, [("tabf", "K", k), ("moda", "W", w), ("moda", "D", d)])
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    assert sorted(s for s, _, _ in _state(inc).values()) == ["active", "duplicate", "duplicate"]
    con = db.connect(inc)
    try:
        withdraw(con, record_id=gone, reason="T-1")
    finally:
        con.close()
    assert run_stage(inc, DedupStage(), workers=1).status == "finished"
    got, want = _differences(_one_run(tmp_path, [("tabf", "K", k), ("moda", "D", d)]), inc, leave_out=[gone])
    assert got == want and sorted(s for s, _, _ in _state(inc).values()) == ["active", "active", "withdrawn"]
