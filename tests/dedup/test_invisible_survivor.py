"""The ``longer`` rule counts what a reader sees: a copy padded with invisible characters (zero-width spaces, a BOM,
bidi marks, soft hyphens: a PDF's or a web page's, in a pipeline without hygiene) is not longer than a copy holding
more of the text. Counted as stored, the padded copy (less text) won on `longer` and shipped in the other's place, in
the stage and in `curate dedup`; a copy differing only in such characters ties, and the smaller id decides."""

from __future__ import annotations

import json

from curate.dedup.engine import DedupDoc, dedup_texts
from curate.runner import run_stage
from curate.stages.dedup import DedupStage
from provenance import db

from .records import add_records

FULL = "第 2 條\n本法稱銀行，謂依本法組織登記，經營銀行業務之機構。銀行應依主管機關之規定辦理各項存款業務。"
#: the same article without 各項, padded with six invisible characters
PADDED = "\ufeff第\u200b 2 條\n本法稱\u00ad銀行，謂依本法\u200e組織登記，經營銀行業務之機構。\u200b銀行應依主管機關之規定辦理存款業務。\u2060"


def test_padded_copy_is_not_longer():
    for full, padded in (("a", "b"), ("b", "a")):
        ds = {d.id: d for d in dedup_texts([DedupDoc(full, FULL), DedupDoc(padded, PADDED)])}
        assert ds[full].survivor and ds[padded].duplicate_of == full and ds[padded].rule == "longer", ds


def test_only_invisible_difference_ties_on_id():
    bare = PADDED
    for c in "\ufeff\u200b\u00ad\u200e\u2060":
        bare = bare.replace(c, "")
    for a, b in ((bare, PADDED), (PADDED, bare)):
        ds = {d.id: d for d in dedup_texts([DedupDoc("a", a), DedupDoc("b", b)])}
        assert ds["a"].survivor and ds["b"].duplicate_of == "a" and ds["b"].rule == "id", ds


def test_stage_keeps_fuller_copy(db_path):
    padded, full = add_records(db_path, [("moda", "p1", PADDED), ("moda", "f1", FULL)])
    assert run_stage(db_path, DedupStage()).status == "finished"
    con = db.connect_readonly(db_path)
    try:
        status = dict(con.execute("SELECT record_id, status FROM records").fetchall())
        (detail,) = con.execute(
            "SELECT detail FROM provenance_events WHERE stage = 'dedup' AND action = 'duplicate_of'"
        ).fetchone()
        (length,) = con.execute("SELECT length FROM dedup_signatures WHERE record_id = ?", [padded]).fetchone()
    finally:
        con.close()
    assert status[full] == "active" and status[padded] == "duplicate", status
    assert json.loads(detail)["survivor"] == full
    assert length == len(PADDED) - 6  # the index holds the length the rule compares


def test_cli_keeps_fuller_copy(cli, tmp_path):
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    lines = [{"id": "a", "text": PADDED}, {"id": "b", "text": FULL}]
    inp.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    code, _, err = cli("--quiet", "dedup", "--input", str(inp), "--output", str(out))
    assert code == 0, err
    rows = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rows["b"]["survivor"] is True and rows["a"]["duplicate_of"] == "b" and rows["a"]["rule"] == "longer", rows


def test_unseen_mask_is_the_ignorable_class():
    """The mask is read from :data:`curate.textchars.IGNORABLE` as written: it must hold that class, no more."""
    import re

    import numpy as np

    from curate import textchars
    from curate.dedup.survivor import _unseen

    every = "".join(map(chr, range(0x110000)))
    ref = np.zeros(0x110000, dtype=bool)
    for m in re.finditer(f"[{textchars.IGNORABLE}]", every):
        ref[m.start()] = True
    assert (_unseen() == ref).all()
