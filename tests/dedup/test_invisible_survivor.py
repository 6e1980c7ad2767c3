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


def test_hygiene_cleaned_text_counts_as_stored():
    """What hygiene keeps counts: a variation selector (an emoji's, a name's ideographic variant), a joiner inside an
    emoji sequence or a Persian word, a flag's tag characters. Counted away, a hygiene-cleaned copy holding them lost
    `longer` to the same text without them where it won before, and a record indexed before review 17 (its length
    counted them) was compared with one indexed after (not) as no single run would compare them."""
    from curate.dedup.survivor import seen_length
    from curate.stages.hygiene import clean

    for raw in (
        "客戶姓名：葛\U000e0100大明 \u2764\ufe0f 感謝您",
        "家庭方案 \U0001f468\u200d\U0001f469\u200d\U0001f467 適用",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \U0001f3f4\U000e0067\U000e0062\U000e007f",
        "\u3164\u034f\u180b\u2061 \ufeff\u200b\u00ad",
    ):
        text = clean(raw)[0]
        assert seen_length(text) == len(text), (raw, text)
    ds = {d.id: d for d in dedup_texts([DedupDoc("a", FULL + " \u2764"), DedupDoc("b", FULL + " \u2764\ufe0f")])}
    assert ds["b"].survivor, ds


def test_unseen_mask_is_what_hygiene_deletes():
    """The mask is read from :data:`curate.textchars.CONTROL` and :data:`~curate.textchars.ZERO_WIDTH` as written, less
    the joiners hygiene may keep: it must hold those, no more."""
    import re

    import numpy as np

    from curate import textchars
    from curate.dedup.survivor import _unseen

    every = "".join(map(chr, range(0x110000)))
    ref = np.zeros(0x110000, dtype=bool)
    for m in re.finditer(f"[{textchars.CONTROL}{textchars.ZERO_WIDTH}]", every):
        ref[m.start()] = True
    ref[0x200C] = ref[0x200D] = False
    assert (_unseen() == ref).all()


#: :data:`PADDED` padded with joiners between Chinese characters instead: hygiene deletes such a joiner (it keeps one
#: only inside an emoji sequence or a word of a script that writes it)
JOINED = "第\u200d 2 條\n本法稱\u200c銀行，謂依本法\u200d組織登記，經營銀行業務之機構。\u200c銀行應依主管機關之規定辦理存款業務。\u200d"


def test_a_copy_padded_with_stray_joiners_is_not_longer():
    """ZWJ/ZWNJ count only where hygiene keeps them (README: "the joiners of an emoji sequence or a Persian word"):
    counted wherever they stood, a copy padded with stray joiners beat a copy holding more of the text again, in a
    pipeline without hygiene or `curate dedup` (review 17's last read counted every ZWJ and ZWNJ)."""
    from curate.dedup.survivor import seen_length
    from curate.stages.hygiene import clean

    assert seen_length(JOINED) == len(clean(JOINED)[0]) == len(JOINED) - 5
    for full, padded in (("a", "b"), ("b", "a")):
        ds = {d.id: d for d in dedup_texts([DedupDoc(full, FULL), DedupDoc(padded, JOINED)])}
        assert ds[full].survivor and ds[padded].duplicate_of == full and ds[padded].rule == "longer", ds
    for raw in ("家庭方案 \U0001f468\u200d\U0001f469 適用", "\u0645\u06cc\u200c\u062e\u0648", "\u200d\U0001f468\u200d"):
        assert seen_length(raw) == len(clean(raw)[0]), raw
