"""Review 8 exports #4a/#4b: the MODA AI-training licence is granted per applicant and is not transferable
(domain-sources.md §2): it is exported only to its licensee's audience, exactly; ``ingest moda --licensee`` names
the licensee (the consortium by default) and ``--expiry`` the grant's last day, after which exports refuse it."""

from __future__ import annotations

import json

import pytest

from tests.helpers.export_run import export_for

AI = "LicenseRef-MODA-AI-Training"


@pytest.fixture
def corpus(tmp_path):
    f = tmp_path / "ds1" / "m.jsonl"
    f.parent.mkdir()
    f.write_text('{"id": "1", "text": "本行辦理房屋貸款業務，依規定審核借款人還款能力。"}\n', encoding="utf-8")
    return f


def _export(cli, tmp_path, audience: str, name: str) -> tuple[dict, list[dict]]:
    return export_for(cli, tmp_path / name, audience)


def _ingest(cli, corpus, *extra) -> tuple[int, str, str]:
    return cli("--quiet", "ingest", "moda", str(corpus), "--licence", AI, "--dataset", "金融語料", *extra)


def test_the_consortiums_grant_is_not_exported_to_one_bank(cli, tmp_path, corpus):
    assert _ingest(cli, corpus)[0] == 0
    res, _ = _export(cli, tmp_path, "consortium", "e1")
    assert res["records"] == 1
    res, blocked = _export(cli, tmp_path, "member:ESUN", "e2")
    assert res["records"] == 0 and res["blocked_by_code"] == {"audience": 1}
    assert "not transferable" in blocked[0]["reason"] and "(consortium)" in blocked[0]["reason"]
    assert "--licensee" not in blocked[0]["reason"]  # an option of `ingest moda` alone, not of the licence engine


def test_a_banks_own_grant_is_exported_to_that_bank_alone(cli, tmp_path, corpus):
    assert _ingest(cli, corpus, "--licensee", "member:ESUN")[0] == 0
    assert _export(cli, tmp_path, "member:ESUN", "e1")[0]["records"] == 1
    for audience in ("member:CTBC", "consortium"):
        res, blocked = _export(cli, tmp_path, audience, f"e-{audience.replace(':', '-')}")
        assert res["records"] == 0 and [b["code"] for b in blocked] == ["audience"], audience


def test_a_grants_expiry_blocks_exports_after_it(cli, tmp_path, corpus, db_path):
    assert _ingest(cli, corpus, "--expiry", "2099-12-31")[0] == 0
    assert _export(cli, tmp_path, "consortium", "e1")[0]["records"] == 1
    # the grant was not renewed: ingested again with the day it ended, a new version under the new terms
    code, out, _ = cli(
        "ingest", "moda", str(corpus), "--licence", AI, "--dataset", "金融語料", "--expiry", "2025-01-31"
    )
    assert code == 0 and "1 new versions of which 1 licence terms changed" in out, out
    res, blocked = _export(cli, tmp_path, "consortium", "e2")
    assert res["records"] == 0 and res["blocked_by_code"] == {"expired": 1}
    assert "ended 2025-01-31" in blocked[0]["reason"]


@pytest.mark.parametrize(
    ("licence", "extra", "says"),
    [
        ("OGDL-Taiwan-1.0", ("--expiry", "2030-01-01"), "takes no grant terms"),
        (AI, ("--expiry", "2030/01/01"), "is not an ISO date"),
        (AI, ("--licensee", "ESUN"), "--licensee `ESUN` is not a grant's holder"),
        (AI, ("--expiry", "20261206"), "--expiry `20261206` is not an ISO date (YYYY-MM-DD"),  # ISO basic format
        (AI, ("--licensee", "public"), "--licensee `public` is not a grant's holder"),
    ],
)
def test_grant_terms_that_cannot_hold_are_refused(cli, corpus, licence, extra, says):
    code, _, err = cli("--quiet", "ingest", "moda", str(corpus), "--licence", licence, *extra)
    assert code != 0 and says in err and len(err.strip().splitlines()) == 1, err


def _active_terms(db_path) -> list:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT metadata FROM records WHERE status = 'active' ORDER BY record_id").fetchall()
    finally:
        con.close()
    return [json.loads(m).get("licence_terms") for (m,) in rows]


@pytest.mark.parametrize(
    "ends",
    [
        ("2099-06-30", "2099-12-31", "2099-06-30"),  # shortened back to an earlier end
        ("2099-12-31", "2099-06-30", "2099-12-31"),  # renewed again
        ("none", "2099-06-30", "none"),  # the grant no longer ends, as at first
    ],
)
def test_terms_given_again_become_the_active_terms_whatever_came_before(cli, corpus, db_path, ends):
    """Review 8 exports #2: terms seen once before name an existing (superseded) version, so the third ingest was
    'unchanged' and the second ingest's terms stayed active (a shortened grant ignored, records exported after it)."""
    for end in ends:
        code, out, err = _ingest(cli, corpus, "--expiry", end)
        assert code == 0, err
    assert "1 new versions of which 1 licence terms changed" in out, out
    expected = None if ends[-1] == "none" else {"expiry": ends[-1]}
    assert _active_terms(db_path) == [expected]
    code, out, _ = _ingest(cli, corpus, "--expiry", ends[-1])  # the same terms again: nothing to do
    assert code == 0 and _active_terms(db_path) == [expected]


def _versions(db_path) -> int:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM records").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize(
    ("first", "then", "says"),
    [
        (("--expiry", "2099-12-31"), (), "grant terms expiry 2099-12-31, and this ingest gives no --expiry"),
        (
            ("--expiry", "2099-12-31", "--licensee", "member:ESUN"),
            ("--expiry", "2099-12-31"),
            "gives no --licensee: it would make versions without them; give the terms again (--expiry 2099-12-31"
            " --licensee member:ESUN) or new ones, or say so explicitly (--licensee consortium)",
        ),
    ],
)
def test_leaving_out_a_term_the_records_hold_is_refused(cli, corpus, db_path, first, then, says):
    """Review 8 exports #3: an ingest without --expiry made versions without the grant's end date, silently."""
    assert _ingest(cli, corpus, *first)[0] == 0
    before, terms = _versions(db_path), _active_terms(db_path)
    code, _, err = _ingest(cli, corpus, *then)
    assert code != 0 and says in err and "dataset `金融語料`" in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert _versions(db_path) == before and _active_terms(db_path) == terms  # nothing written


def test_a_dataset_without_terms_is_not_held_to_anothers(cli, corpus, db_path):
    assert _ingest(cli, corpus, "--expiry", "2099-12-31")[0] == 0
    code, _, err = cli("--quiet", "ingest", "moda", str(corpus), "--licence", AI, "--dataset", "其他語料")
    assert code == 0, err
    assert sorted(map(str, _active_terms(db_path))) == ["None", "{'expiry': '2099-12-31'}"]


def _current(db_path, source: str) -> list[tuple[str, object]]:
    """(status, licence terms) of a source's versions that are not superseded."""
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute(
            "SELECT status, metadata FROM records WHERE source_id = ? AND status <> 'superseded' ORDER BY status",
            [source],
        ).fetchall()
    finally:
        con.close()
    return [(s, json.loads(m).get("licence_terms")) for s, m in rows]


def test_new_terms_reach_a_document_whose_current_version_is_a_duplicate(cli, tmp_path, corpus, db_path):
    """Review 8 of the fixes, grants 1: a row of new terms whose document's current version is a duplicate (of an
    OGDL copy) became a second, new record beside it; going back to the earlier terms reached the duplicate only, and
    withdrawing the survivor released both, one shipping under a grant that had ended."""
    ogdl = tmp_path / "ogdl" / "m.jsonl"
    ogdl.parent.mkdir()
    ogdl.write_text(corpus.read_text(encoding="utf-8"), encoding="utf-8")
    code, _, err = cli("--quiet", "ingest", "moda", str(ogdl), "--licence", "OGDL-Taiwan-1.0", "--dataset", "開放")
    assert code == 0, err
    assert _ingest(cli, corpus, "--source-id", "moda2", "--expiry", "2099-06-30")[0] == 0
    assert cli("--quiet", "run", "dedup")[0] == 0  # the AI-training copy is a duplicate of the OGDL one
    for end in ("2099-12-31", "2099-06-30"):  # renewed, then the renewal taken back
        code, out, err = _ingest(cli, corpus, "--source-id", "moda2", "--expiry", end)
        assert code == 0 and "0 new," in out, out
        assert _current(db_path, "moda2") == [("duplicate", {"expiry": end})]
    code, out, err = _ingest(cli, corpus, "--source-id", "moda2", "--expiry", "2099-06-30")
    assert code == 0 and "0 new versions" in out and "0 new," in out, out
    survivor = cli("--quiet", "sql", "select record_id from records where source_id = 'moda' and status = 'active'")
    code, _, err = cli("--quiet", "provenance", "withdraw", "--record", survivor[1].split()[-1], "--reason", "asked")
    assert code == 0, err
    assert _current(db_path, "moda2") == [("active", {"expiry": "2099-06-30"})]
    out = tmp_path / "e"
    code, stdout, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--non-commercial",
        "--pii-gate", "expected", "--out", str(out), "--json", "--as-of", "2099-07-01",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(stdout)["blocked_by_code"] == {"expired": 1, "withdrawn": 1}, stdout


def _write_every_row(con) -> None:
    """:func:`curate.ingest_terms.fold_duplicate_terms` before the fix: nothing taken out of the batch."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _duplicate_terms (record_id VARCHAR, head_id VARCHAR, licence_id VARCHAR,"
        " terms VARCHAR)"
    )


def test_a_reingest_gives_its_terms_to_a_second_record_an_earlier_ingest_wrote_beside_the_duplicate(
    cli, tmp_path, corpus, db_path, monkeypatch
):
    """Catalogues split before the fix above (a second record of other terms beside the duplicate): giving the terms
    again reaches that record too, so neither version comes back active under the terms given up."""
    import curate.ingest_terms

    ogdl = tmp_path / "ogdl" / "m.jsonl"
    ogdl.parent.mkdir()
    ogdl.write_text(corpus.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("--quiet", "ingest", "moda", str(ogdl), "--licence", "OGDL-Taiwan-1.0", "--dataset", "開放")[0] == 0
    assert _ingest(cli, corpus, "--source-id", "moda2", "--expiry", "2099-06-30")[0] == 0
    assert cli("--quiet", "run", "dedup")[0] == 0
    with monkeypatch.context() as m:  # the ingest as it was: the renewal's row is a new record beside the duplicate
        m.setattr(curate.ingest_terms, "fold_duplicate_terms", _write_every_row)
        assert _ingest(cli, corpus, "--source-id", "moda2", "--expiry", "2099-12-31")[0] == 0
    assert cli("--quiet", "run", "dedup")[0] == 0
    assert [t for _, t in _current(db_path, "moda2")] == [{"expiry": "2099-12-31"}] * 2  # the split
    code, out, err = _ingest(cli, corpus, "--source-id", "moda2", "--expiry", "2099-06-30")
    assert code == 0, err
    assert _current(db_path, "moda2") == [("duplicate", {"expiry": "2099-06-30"})] * 2, out
