"""The report's and the portal's ledger verdict is what `curate audit verify` proves, not the hash chain alone
(review 5, finding 2): an edit of `records` that leaves the chain intact turns them red."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from curate.web import data
from provenance import db


@pytest.fixture
def catalogues(tmp_path, cli):
    """A real ingest (``audit verify`` passes) and a copy with one record's text and licence edited in place."""
    src = tmp_path / "corpus.jsonl"
    src.write_text("".join(f'{{"id": "c{i}", "text": "第{i}條 銀行經營之業務。"}}\n' for i in range(3)), "utf-8")
    good = tmp_path / "good.duckdb"
    code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "CC-BY-4.0", db=good)
    assert code == 0, err
    assert cli("audit", "verify", db=good)[0] == 0
    bad = tmp_path / "bad.duckdb"
    shutil.copyfile(good, bad)
    con = duckdb.connect(str(bad))
    con.execute(
        "UPDATE records SET licence_id = 'CC0-1.0', text = text || ' 加料'"
        " WHERE record_id = (SELECT min(record_id) FROM records)"
    )
    con.close()
    assert cli("audit", "verify", db=bad)[0] == 1
    return good, bad


def test_report_shows_the_cross_checks(catalogues, cli, tmp_path):
    good, bad = catalogues
    out = tmp_path / "ok.html"
    assert cli("report", "--out", str(out), db=good)[0] == 0
    html = out.read_text(encoding="utf-8")
    assert "✔ ok" in html and "cross-checks: 3 record versions" in html
    out = tmp_path / "bad.html"
    code, _, err = cli("report", "--out", str(out), db=bad)
    assert code == 0, err
    html = out.read_text(encoding="utf-8")
    assert "✔ ok" not in html and "✘ FAILED" in html
    problems = html.split('id="verify-problems"')[1]
    assert "does not hash to its content_sha256" in problems and "licence" in problems


def test_portal_ledger_page_runs_the_cross_checks(catalogues):
    for path, ok in zip(catalogues, (True, False)):
        con = db.connect_readonly(path)
        try:
            info = data.ledger_page(con)
        finally:
            con.close()
        assert info["verify"]["ok"] is ok
        assert "cross-checks: 3 record versions" in " ".join(info["verify"]["checked"])
        assert bool(info["verify"]["problems"]) is not ok
