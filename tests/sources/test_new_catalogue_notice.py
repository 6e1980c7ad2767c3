"""An ingest into a --db path that holds no catalogue says it made one (review 13).

A mistyped ``--db`` (``cat.duckbd``) or a stale ``$CURATE_DB`` gave a fresh catalogue in silence: the steward's
records went there, and the real catalogue's stages, exports and audits never saw them. Reading commands already
refuse such a path (`curate init`); a write command still creates it, as README says, and now says so.
"""

from __future__ import annotations

import pytest


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


def test_a_pipeline_run_into_a_new_path_says_it_created_a_catalogue(tmp_path, cli):
    """`curate pipeline run` writes its batches as `curate ingest` does: a mistyped --db was a catalogue in silence."""
    (tmp_path / "a.csv").write_text("id,text\n1,金融監督管理委員會\n", encoding="utf-8")
    pipe = tmp_path / "pipe.toml"
    pipe.write_text(
        '[[ingest]]\nsource = "moda"\npaths = ["a.csv"]\noptions = { licence = "OGDL-Taiwan-1.0" }\n', encoding="utf-8"
    )
    typo = tmp_path / "cat.duckbd"
    code, out, err = cli("pipeline", "run", str(pipe), "--dry-run", db=typo)
    assert code == 0 and "created a new catalogue" not in out + err and not typo.exists()  # the dry run writes none
    code, out, err = cli("pipeline", "run", str(pipe), db=typo)
    assert code == 0, out + err
    assert "created a new catalogue" in err and str(typo) in err and "--db" in err
    code, out, err = cli("pipeline", "run", str(pipe), db=typo)
    assert code == 0 and "created a new catalogue" not in out + err


def test_an_ingest_that_fails_after_creating_the_catalogue_still_says_so(tmp_path, cli, monkeypatch):
    """The notice is given however the ingest ends: an error after the catalogue was made left it unsaid."""
    import curate.ingest
    from provenance.errors import ConfigError

    def boom(db_path, source, **kw):
        from provenance import db

        db.connect(db_path).close()  # the catalogue is made, then the run fails
        raise ConfigError("the run failed after the catalogue was made")

    monkeypatch.setattr(curate.ingest, "ingest", boom)
    f = tmp_path / "a.csv"
    f.write_text("id,text\n1,金融監督管理委員會\n", encoding="utf-8")
    typo = tmp_path / "cat.duckbd"
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0", db=typo)
    assert code != 0 and typo.exists()
    assert "created a new catalogue" in err, out + err


def test_a_stage_run_on_a_new_path_creates_nothing(tmp_path, cli):
    """`curate run STAGE` on a mistyped --db made a catalogue in silence and said "0 records in", exit 0, while the
    real catalogue's stage never ran (review 13, integration): it has no records to run on, and says so."""
    typo = tmp_path / "cat.duckbd"
    code, out, err = cli("run", "hygiene", "--workers", "1", db=typo)
    assert code != 0 and "does not exist" in err and "--db" in err and len(err.strip().splitlines()) == 1, out + err
    assert list(tmp_path.iterdir()) == []


def test_a_stage_run_on_an_empty_duckdb_file_or_a_0_byte_one_creates_nothing(tmp_path, cli):
    """README: a write command makes a new path, an empty DuckDB file or a 0-byte file a catalogue, and `curate run
    STAGE` refuses it. 4e2ebf9 refused a missing path only: on an empty DuckDB file the stage made it a catalogue in
    silence and said "0 records in", exit 0; a 0-byte file was said not to exist (integration review 13-r)."""
    import duckdb

    empty, zero = tmp_path / "empty.duckdb", tmp_path / "zero.duckdb"
    duckdb.connect(str(empty)).close()
    zero.touch()
    before = empty.read_bytes()
    code, out, err = cli("run", "hygiene", "--workers", "1", db=empty)
    assert code != 0 and "empty DuckDB database" in err and len(err.strip().splitlines()) == 1, out + err
    assert empty.read_bytes() == before
    code, out, err = cli("run", "hygiene", "--workers", "1", db=zero)
    assert code != 0 and "empty file" in err and "does not exist" not in err, out + err
    assert zero.stat().st_size == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.duckdb", "zero.duckdb"]


@pytest.mark.parametrize("kind", ["empty DuckDB", "0 bytes"])
@pytest.mark.parametrize("source", ["moda", "fsc"])
def test_an_ingest_into_an_empty_file_makes_the_catalogue_and_says_so(tmp_path, cli, source, kind):
    """README: a write command makes an empty DuckDB file or a 0-byte file a catalogue, as a new path, and an ingest
    says so on stderr. `ingest moda` made it one in silence (its held grant terms opened it for writing before the
    notice looked), and every other source refused it, "not a catalogue yet: run `curate init`" (its check for an
    earlier export's folder opened it as a catalogue) (integration review 13-r)."""
    import duckdb

    d = tmp_path / "in"
    d.mkdir()
    if source == "moda":
        (d / "a.jsonl").write_text('{"id": "1", "text": "本行依銀行法辦理存款業務。"}\n', "utf-8")
        args = ("ingest", "moda", str(d / "a.jsonl"), "--licence", "OGDL-Taiwan-1.0")
    else:
        (d / "a.txt").write_text("金管會裁罰案件：本行違反銀行法第四十五條之一規定，核處罰鍰。", "utf-8")
        args = ("ingest", "fsc", str(d))
    db = tmp_path / "c.duckdb"
    if kind == "0 bytes":
        db.touch()
    else:
        duckdb.connect(str(db)).close()
    code, out, err = cli(*args, db=db)
    assert code == 0 and err.count("created a new catalogue") == 1, out + err
    code, out, err = cli(*args, db=db)
    assert code == 0 and "created a new catalogue" not in err, out + err


@pytest.mark.parametrize("kind", ["empty DuckDB", "0 bytes"])
def test_a_pipeline_run_into_an_empty_file_makes_the_catalogue_and_says_so(tmp_path, cli, kind):
    """The same for `curate pipeline run` and its dry run: the source-kind check opened a 0-byte file or an empty
    database as a catalogue, "not a catalogue yet: run `curate init`", after the note said it was made."""
    import duckdb

    d = tmp_path / "fsc"
    d.mkdir()
    (d / "a.txt").write_text("金管會裁罰案件：本行違反銀行法第四十五條之一規定，核處罰鍰。", "utf-8")
    pipe = tmp_path / "p.toml"
    pipe.write_text('[[ingest]]\nsource = "fsc"\npaths = ["fsc"]\n', encoding="utf-8")
    db = tmp_path / "c.duckdb"
    if kind == "0 bytes":
        db.touch()
    else:
        duckdb.connect(str(db)).close()
    code, out, err = cli("pipeline", "run", str(pipe), "--dry-run", db=db)
    assert code == 0 and "does not exist yet" in out, out + err
    code, out, err = cli("pipeline", "run", str(pipe), db=db)
    assert code == 0 and "error" not in err and err.count("created a new catalogue") == 1, out + err


@pytest.mark.parametrize(
    "extra",
    [("--source-id", "bad id!"), ("--source-id", "fsc"), ("--dataset", "A123456789")],
    ids=["bad", "reserved", "personal"],
)
def test_a_refused_ingest_into_a_new_path_makes_no_catalogue(tmp_path, cli, extra):
    """A refusal is one line and says nothing of a new catalogue (README), but a refused source id or dataset name
    was refused after the ingest had made the mistyped --db path a catalogue: the next ingest, its option corrected,
    went into it in silence (review 13's last read). The checks that need no catalogue come before it is opened."""
    f = tmp_path / "a.csv"
    f.write_text("id,text\n1,金融監督管理委員會\n", encoding="utf-8")
    typo = tmp_path / "cat.duckbd"
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0", *extra, db=typo)
    assert code == 2 and len(err.strip().splitlines()) == 1, out + err
    assert not typo.exists()
    code, out, err = cli("ingest", "moda", str(f), "--licence", "OGDL-Taiwan-1.0", db=typo)
    assert code == 0 and "created a new catalogue" in err, out + err


@pytest.mark.parametrize("quiet", ["-q", "--quiet"])
def test_the_new_catalogue_warning_is_a_warning_that_quiet_keeps(tmp_path, cli, quiet):
    """--quiet hides progress, never a warning (README): the notice of a catalogue made at a mistyped --db is the only
    sign the records went elsewhere, so it stays under -q; it said `curate: note:`, unlike every other warning
    (`warning: nothing to ingest`), and README's --quiet ("print only results and errors") left it unsaid."""
    (tmp_path / "a.csv").write_text("id,text\n1,金融監督管理委員會\n", encoding="utf-8")
    typo = tmp_path / "cat.duckbd"
    code, out, err = cli(quiet, "ingest", "moda", str(tmp_path / "a.csv"), "--licence", "OGDL-Taiwan-1.0", db=typo)
    assert code == 0, out + err
    assert err.startswith("warning: created a new catalogue") and str(typo) in err, err
    pipe = tmp_path / "p.toml"
    pipe.write_text(
        '[[ingest]]\nsource = "moda"\npaths = ["a.csv"]\noptions = { licence = "OGDL-Taiwan-1.0" }\n', encoding="utf-8"
    )
    code, out, err = cli(quiet, "pipeline", "run", str(pipe), db=tmp_path / "other.duckdb")
    assert code == 0, out + err
    assert err.startswith("warning: created a new catalogue") and "other.duckdb" in err, err
    from curate import cli as cli_mod

    assert "warnings" in next(p.help for p in cli_mod.cli.params if p.name == "quiet")
