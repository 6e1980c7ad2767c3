"""An ingest into a --db path that holds no catalogue says it made one (review 13).

A mistyped ``--db`` (``cat.duckbd``) or a stale ``$CURATE_DB`` gave a fresh catalogue in silence: the steward's
records went there, and the real catalogue's stages, exports and audits never saw them. Reading commands already
refuse such a path (`curate init`); a write command still creates it, as README says, and now says so.
"""

from __future__ import annotations


def test_an_ingest_into_a_new_path_says_it_created_a_catalogue(tmp_path, cli):
    f = tmp_path / "a.csv"
    f.write_text("id,text\n1,金融監督管理委員會\n", encoding="utf-8")
    typo = tmp_path / "cat.duckbd"
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0", db=typo)
    assert code == 0, out + err
    assert "created a new catalogue" in err and str(typo) in err and "--db" in err
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0", db=typo)
    assert code == 0 and "created a new catalogue" not in out + err  # the second time it was there


def test_a_reading_command_on_a_new_path_creates_nothing(tmp_path, cli):
    typo = tmp_path / "cat.duckbd"
    code, out, err = cli("status", db=typo)
    assert code != 0 and "does not exist" in err and "curate init" in err
    assert not typo.exists()
