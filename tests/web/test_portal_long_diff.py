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
