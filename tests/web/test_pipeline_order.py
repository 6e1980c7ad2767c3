"""`curate pipeline run`: a file listing `dedup` before `pii` is refused before anything runs."""

from __future__ import annotations

from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "sample"


def test_dedup_before_pii_is_refused(cli, db_path, tmp_path):
    """Run in that order, dedup made the second copy of a customer's application a duplicate while it still held the
    applicant's name, ID and phone; the PII stage (active records only) scrubbed the survivor, whose new version released
    the duplicate: the pipeline ended with an active record holding them in the clear (`curate pii scan`: LEAK)."""
    lines = (SAMPLE / "pii" / "customers.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "customers.jsonl"
    corpus.write_text(
        f"{lines[0]}\n{lines[0].replace('demo-1', 'demo-1b').replace('7樓。', '7樓')}\n", encoding="utf-8"
    )
    f = tmp_path / "p.toml"
    f.write_text(
        f'[[ingest]]\nsource = "moda"\npaths = ["{corpus}"]\noptions = {{ licence = "OGDL-Taiwan-1.0" }}\n\n'
        '[[stage]]\nname = "hygiene"\n\n[[stage]]\nname = "dedup"\n\n[[stage]]\nname = "pii"\n',
        encoding="utf-8",
    )
    for dry in (("--dry-run",), ()):
        code, out, err = cli("pipeline", "run", str(f), *dry)
        assert code == 2 and "Traceback" not in err, err
        assert f"{f}: [[stage]] #2 `dedup` runs before [[stage]] #3 `pii`" in err and "list `pii` before `dedup`" in err
    assert not db_path.exists()  # nothing ran


def test_pii_run_after_dedup_takes_the_raw_duplicates_it_released(cli, db_path, tmp_path):
    """`curate run dedup` then `curate run pii` (allowed, README): the PII run scrubbed the survivor, whose new version
    released the raw duplicate, and ended with it active and unscrubbed (`pii scan`: LEAK) until a second `run pii`.
    The run is now followed by one taking what it released; a further run finds nothing."""
    import duckdb

    lines = (SAMPLE / "pii" / "customers.jsonl").read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "customers.jsonl"
    corpus.write_text(
        f"{lines[0]}\n{lines[0].replace('demo-1', 'demo-1b').replace('7樓。', '7樓')}\n", encoding="utf-8"
    )
    assert cli("ingest", "moda", str(corpus), "--licence", "OGDL-Taiwan-1.0")[0] == 0
    for stage in ("hygiene", "dedup"):
        assert cli("run", stage)[0] == 0
    code, out, err = cli("run", "pii")
    assert code == 0, err
    assert out.count("stage pii: 1 records in, 1 new versions") == 2, out  # the run, and the one taking the released
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        assert not con.execute("SELECT count(*) FROM records WHERE status = 'active' AND pii_state IS NULL").fetchone()[
            0
        ]
    finally:
        con.close()
    code, out, err = cli("pii", "scan")
    assert code == 0 and "no personal value found" in out, out
    assert cli("audit", "verify")[0] == 0
    code, out, _ = cli("run", "pii")
    assert code == 0 and out.count("stage pii:") == 1 and "stage pii: 0 records in" in out, out


def test_a_busy_catalogue_after_a_finished_pii_run_is_no_error(monkeypatch, caplog, tmp_path):
    """The look for released records comes after the run is finished and recorded: a catalogue another process holds
    then is a warning (the next run takes them), not exit 75 for a run that did its work."""
    from curate import snapshot
    from curate.stages.hygiene import HygieneStage
    from provenance.errors import CatalogueBusyError

    def busy(*_a, **_k):
        raise CatalogueBusyError("held")

    monkeypatch.setattr(snapshot.db, "connect_readonly", busy)
    assert snapshot.released_inputs(tmp_path / "cat.duckdb", HygieneStage(), "r1") == 0
    assert "run `curate run hygiene` again" in caplog.text
