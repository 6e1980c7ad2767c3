"""A stage before the PII stage run with another PII key than the catalogue's.

``curate ingest``, ``curate run pii`` and ``curate annotate`` refused a key other than the catalogue's, ``curate run
hygiene`` did not: the versions it derived from a ``pii_expected`` source's records were keyed under whatever key the
shell held (a steward's test key), so they were no one's (no re-derivation matched them), and once the PII stage
sealed them under the right key ``curate audit verify`` reported the sealed text as not matching its digest: a
tampering alarm for a key mix-up, which exit 0 had let through.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from pii_oracle import CASE

KEY_A, KEY_B = "a1" * 32, "b2" * 32


def _counts(db: Path) -> tuple[int, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return (
            con.execute("SELECT count(*) FROM records").fetchone()[0],
            con.execute("SELECT count(*) FROM runs").fetchone()[0],
        )
    finally:
        con.close()


def test_a_stage_before_pii_refuses_another_key(tmp_path, cli, monkeypatch):
    fsc = tmp_path / "fsc"
    fsc.mkdir()
    cut = CASE.find("。")
    (fsc / "case.html").write_text(CASE[:cut] + "\u200b\u200b。" + CASE[cut + 1 :], encoding="utf-8")  # hygiene's work
    db = tmp_path / "c.duckdb"
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    monkeypatch.setenv("CURATE_PII_KEY", KEY_A)
    code, out, err = cli("-q", "ingest", "fsc", str(fsc), db=db)
    assert code == 0, out + err
    before = _counts(db)

    monkeypatch.setenv("CURATE_PII_KEY", KEY_B)
    code, out, err = cli("-q", "run", "hygiene", "--workers", "1", db=db)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "another PII key" in err, out + err
    assert KEY_A not in err and KEY_B not in err
    assert _counts(db) == before  # no version, no run row

    monkeypatch.setenv("CURATE_PII_KEY", KEY_A)  # the catalogue's key: the same commands go through
    for stage in ("hygiene", "pii"):
        code, out, err = cli("-q", "run", stage, "--workers", "1", db=db)
        assert code == 0, out + err
    code, out, err = cli("audit", "verify", db=db)
    assert code == 0 and "keyed checks ok" in out, out + err
