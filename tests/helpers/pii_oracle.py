"""The brute force of issue 13 (leak 5) and the code path before keyed ids, shared by tests/pii.

An attacker who sees a scrubbed FSC case and its span offsets fills the name and phone slots with
guesses, hashes each guess the way the catalogue does (plain sha256 of the text, its 16-hex prefix,
the plain record id) and looks for the hash anywhere in the catalogue.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import duckdb

from provenance.records import ingest_record_id

KEY = "5e" * 32
NAME, PHONE = "林小华", "0912345678"
CASE = f"""<html><body><div class="content">
<p>發文日期：114年10月2日</p><p>受處分人：{NAME}</p><p>電話：{PHONE}</p>
<p>主旨：核處{NAME}新臺幣60萬元罰鍰。</p><p>事實：{NAME}擔任業務員期間挪用客戶保費。</p>
<p>理由及法令依據：違反保險法第167條之2規定。</p></div></body></html>"""
OTHER = """<html><body><div class="content">
<p>發文日期：114年9月1日</p><p>受處分人：甲商業銀行股份有限公司</p>
<p>主旨：核處甲商業銀行新臺幣200萬元罰鍰。</p><p>事實：內部控制制度未落實。</p>
<p>理由及法令依據：違反銀行法第45條之1規定。</p></div></body></html>"""
#: what an attacker tries in the name and phone slots (the true values among them)
CANDIDATES = [(n, p) for n in ("王大明", NAME, "陳美玲", "林小明") for p in ("0912345677", PHONE, "0933000111")]


def _plain_path(monkeypatch) -> None:
    """The code path before issue 13: plain sha256 ids and digests at ingest and in stages."""
    import curate.ingest
    import curate.pii.keyed_ids

    monkeypatch.setattr(curate.ingest, "keyed_ids", lambda *a: None)
    monkeypatch.setattr(curate.pii.keyed_ids, "key_pre_pii_results", _no_keying)


def _no_keying(con, stage, *, within=None):
    con.execute("ALTER TABLE _res ADD COLUMN IF NOT EXISTS k_sha VARCHAR")


def _dump(db: Path, skip: tuple[str, ...] = ()) -> str:
    """Every value of every table (but ``skip``), as text (what `curate sql` or a stolen file would show)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = []
        for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'").fetchall():
            if t not in skip:
                out += [repr(r) for r in con.execute(f'SELECT * FROM "{t}"').fetchall()]
        return "\n".join(out)
    finally:
        con.close()


def _oracle_hits(db: Path, skip: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    """The brute force of the issue: fill the name/phone slots, hash each guess, look for it in the catalogue."""
    from sources.fsc import FscSource

    con = duckdb.connect(str(db), read_only=True)
    loc = con.execute("SELECT DISTINCT locator FROM records WHERE locator LIKE 'case.html%'").fetchone()[0]
    con.close()
    dump = _dump(db, skip)
    src = FscSource([db.parent / "fsc"])
    (rec,) = [r for raw in src.iter_raw() for r in src.to_records(raw) if NAME in getattr(r, "text", "")]
    vm = json.dumps(rec.version_metadata, sort_keys=True, ensure_ascii=False)
    hits = set()
    for name, phone in CANDIDATES:
        text = rec.text.replace(NAME, name).replace(PHONE, phone)
        digest = hashlib.sha256(text.encode()).hexdigest()
        guesses = {digest, digest[:16], ingest_record_id("fsc", loc, text, vm)}
        if any(g in dump for g in guesses):
            hits.add((name, phone))
    return hits
