"""A record page's diffs do bounded work, however long the text (review 16, portal).

A 20,000-character text whose hygiene rewrote every line (CRLF to LF) was diffed character by character as a
whole: SequenceMatcher's work grows with the product of the lengths (faster on repetitive text), minutes of one CPU
for one page view, and longer texts went through `difflib.ndiff` (nearly a minute for 11,000 characters). Anyone
who could open the record page held a portal worker. The work is counted here as SequenceMatcher's (the product of
the two lengths each comparison takes on), not timed.
"""

from __future__ import annotations

import difflib
import re

import httpx

from provenance import db

from .webhelpers import LivePortal, http_login

#: the most one page's comparisons may cost (twice what the record page's diff allows itself in all)
MOST_WORK = 40_000_000


def test_a_long_text_rewritten_on_every_line_opens_with_its_diff(tmp_path, cli, monkeypatch):
    text = "".join(f"第 {i} 條　銀行經營之業務如左：收受支票存款{i}。\r\n" for i in range(700))
    src = tmp_path / "corpus.jsonl"
    src.write_text('{"id": "c1", "text": ' + __import__("json").dumps(text) + "}\n", encoding="utf-8")
    path = tmp_path / "cat.duckdb"
    assert cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", db=path)[0] == 0
    code, _, err = cli("-q", "run", "hygiene", db=path)
    assert code == 0, err
    con = db.connect_readonly(path)
    try:
        (rid,) = con.execute("SELECT record_id FROM records WHERE stage = 'hygiene'").fetchone()
    finally:
        con.close()
    work: list[int] = []
    real = difflib.SequenceMatcher.get_matching_blocks

    def counted(self):
        work.append(len(self.a) * len(self.b))
        if sum(work) > MOST_WORK:  # the page would take minutes: fail now instead of waiting
            raise RuntimeError(f"diff work {sum(work):,} over {MOST_WORK:,}")
        return real(self)

    monkeypatch.setattr(difflib.SequenceMatcher, "get_matching_blocks", counted)
    p = LivePortal(path, tmp_path / "portal")
    try:
        with httpx.Client(base_url=p.url, timeout=600) as c:
            http_login(c, "alice")
            r = c.get(f"/record/{rid}")
    finally:
        p.stop()
    assert r.status_code == 200, r.text[:300]
    diff = r.text.split('class="text diff">')[1].split("</div>")[0]
    assert len(re.findall(r"<del>", diff)) >= 700  # each line's change is shown where it is
    assert sum(work) <= MOST_WORK


def test_a_hygiene_rewrite_that_drops_a_blank_line_is_still_shown_line_by_line():
    """CRLF, indentation and a run of blank lines collapsed: the lines are matched as hygiene left them (review 16r).

    Matched as they were, no line matched once a blank line was gone, and the whole 2,700-character text was shown
    removed and inserted whole where a character diff had shown each `\\r` and space taken out."""
    from curate.stages.hygiene import clean
    from curate.web.data import _diff

    text = "".join(
        f"  第 {i} 條　銀行經營之業務如左：收受支票存款{i}。 \r\n  一、收受活期存款。\r\n"
        + ("\r\n" * 3 if i % 5 == 0 else "")
        for i in range(60)
    )
    after = clean(text)[0]
    diff = _diff(text, after)
    assert "".join(t for op, t in diff if op != "+") == text and "".join(t for op, t in diff if op != "-") == after
    assert max(len(t) for op, t in diff if op != "=") <= 8, diff[:4]  # each removed space and line end where it was


def test_a_diff_gives_back_both_texts():
    """Whatever the path (whole, line by line, shown whole), the kept and removed parts are the old text and the kept
    and inserted ones the new; neighbouring segments are of different kinds."""
    import random

    from curate.web import data

    rng = random.Random(16)
    for _ in range(200):
        alphabet = rng.choice(["ab", "ab\n", "銀行法\r\n ", "abc\n\r\u3000"])
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 3000)))
        b = list(a)
        for _ in range(rng.randint(0, 40)):
            p = rng.randint(0, len(b))
            b[p:p] = rng.choice(alphabet) if rng.random() < 0.5 else ""
            del b[p : p + rng.randint(0, 2) * (rng.random() < 0.5)]
        b = "".join(b)
        diff = data._diff(a, b)
        assert "".join(t for op, t in diff if op != "+") == a and "".join(t for op, t in diff if op != "-") == b
        assert all(t for _, t in diff) and all(x[0] != y[0] for x, y in zip(diff, diff[1:]))
