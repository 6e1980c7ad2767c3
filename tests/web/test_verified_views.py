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


@pytest.mark.parametrize(
    "statement,named",
    [
        ("DROP TABLE provenance_events", "table `provenance_events` is missing"),
        ("ALTER TABLE records RENAME TO records_x", "table `records` is missing"),
        ("ALTER TABLE provenance_events ALTER created_at TYPE VARCHAR", "`provenance_events.created_at` is VARCHAR"),
    ],
)
def test_report_and_ledger_page_name_an_altered_table_not_a_traceback(catalogues, cli, tmp_path, statement, named):
    """Review 8: `audit verify` named a dropped, renamed or retyped table in one line; `curate report` and the
    portal's ledger page, which run the same checks, failed with a DuckDB binder error and a traceback."""
    from provenance.errors import LedgerError

    good, _ = catalogues
    con = duckdb.connect(str(good))
    con.execute(statement)
    con.close()
    code, out, err = cli("report", "--out", str(tmp_path / "r.html"), db=good)
    assert code == 1 and "Traceback" not in out + err, out + err
    assert named in err and "tables were altered" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "r.html").exists()
    con = db.connect_readonly(good)
    try:
        with pytest.raises(LedgerError, match="tables were altered"):  # the portal shows it on its error page
            data.ledger_page(con)
    finally:
        con.close()


def test_a_detail_that_is_not_json_is_named_by_every_reader(catalogues, cli, tmp_path):
    """Review 7 (ledger, finding 3): a `detail` made text and then not JSON gave a traceback."""
    good, _ = catalogues
    con = duckdb.connect(str(good))
    con.execute("ALTER TABLE provenance_events ALTER detail TYPE VARCHAR")
    con.execute("UPDATE provenance_events SET detail = '{not json' WHERE seq = 1")
    con.close()
    for argv in (["audit", "verify"], ["report", "--out", str(tmp_path / "r.html")]):
        code, out, err = cli(*argv, db=good)
        assert code == 1 and "Traceback" not in out + err, out + err
        assert "`provenance_events.detail` is VARCHAR" in err, err
