"""`curate pipeline run FILE [--dry-run]`: one TOML file for sources, stages, exports and the report."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from provenance import db
from provenance.export import ExportParams, preview

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "demo" / "sample"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_errors_name_the_file_the_table_and_the_fix(cli, tmp_path):
    cases = {
        '[[stage]]\nname = "polish"\n': "unknown stage `polish`; valid: dedup, hygiene, normalise, pii",
        '[[stage]]\nname = "hygiene"\nset = { strength = 3 }\n': "unknown option `strength`",
        '[[ingest]]\nsource = "moda"\npaths = ["nope.jsonl"]\n': "paths not found",
        '[[export]]\nout = "x"\npurpose = "training"\naudience = "consortium"\n': "commercial",
        '[[export]]\nout = "x"\npurpose = "training"\naudience = "all"\ncommercial = false\n': "audience",
        "[exports]\n": "unknown tables ['exports']",
        b"\xff\xfe": "not UTF-8 text (byte 0)",
    }
    for i, (text, msg) in enumerate(cases.items()):
        f = tmp_path / f"p{i}.toml"
        if isinstance(text, bytes):
            f.write_bytes(text)
        else:
            _write(f, text)
        for dry in (("--dry-run",), ()):
            code, out, err = cli("pipeline", "run", str(f), *dry)
            assert code in (1, 2) and msg in err and str(f) in err and "Traceback" not in err, (text, err)


def test_dry_run_writes_nothing_and_says_what_would_happen(demo_catalogue, cli, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    out_dir = tmp_path / "exp"
    f = _write(
        tmp_path / "p.toml",
        f"""
[[ingest]]
source = "moda"
paths = ["{SAMPLE / "moda" / "corpus.jsonl"}"]
options = {{ licence = "OGDL-Taiwan-1.0" }}

[[stage]]
name = "normalise"
set = {{ opencc_config = "s2tw" }}

[[export]]
out = "{out_dir}"
purpose = "training"
audience = "consortium"
commercial = false

[report]
out = "{tmp_path / "r.html"}"
""",
    )
    code, out, err = cli("pipeline", "run", str(f), "--dry-run", db=path)
    assert code == 0, err
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before  # nothing written
    assert not out_dir.exists() and not (tmp_path / "r.html").exists()
    assert "ingest moda: would read" in out and "quarantine 1" in out  # the sample's broken line
    con = db.connect_readonly(path)
    try:
        want = preview(con, ExportParams(purpose="training", audience="consortium", commercial=False))
        active = con.execute("SELECT count(*) FROM records WHERE status = 'active'").fetchone()[0]
    finally:
        con.close()
    assert f"stage normalise: would take {active} records" in out  # another config: everything again
    assert f"would hold {want['records']} records" in out


def test_run_ingests_processes_exports_and_reports(cli, tmp_path):
    f = _write(
        tmp_path / "p.toml",
        f"""
[[ingest]]
source = "moda"
paths = ["{SAMPLE / "moda" / "corpus.jsonl"}"]
options = {{ licence = "OGDL-Taiwan-1.0" }}

[[stage]]
name = "hygiene"

[[export]]
out = "exp"
purpose = "training"
audience = "consortium"
commercial = false
pii_gate = "expected"

[report]
out = "out/report.html"
""",
    )
    code, out, err = cli("pipeline", "run", str(f))
    assert code == 3, err  # finished, one input line quarantined
    assert "ingest moda: run" in out and "stage hygiene: run" in out and "export " in out
    assert (tmp_path / "exp" / "manifest.jsonl").exists() and (tmp_path / "out" / "report.html").exists()
    con = db.connect_readonly(tmp_path / "cat.duckdb")
    try:
        cmds = [r[0] for r in con.execute("SELECT command FROM runs ORDER BY started_at").fetchall()]
    finally:
        con.close()
    assert cmds == ["ingest moda", "run hygiene", "export dataset"]


def test_dry_run_samples_only_records_past_the_pii_stage(cli, db_path, tmp_path):
    from catalogue_builder import add_records, add_source

    con = db.connect(db_path)
    add_source(con, "moda", licence_id="CC-BY-4.0")
    add_records(
        con,
        [
            {"source_id": "moda", "locator": "a", "text": "银行经营之业务如左：收受支票存款。", "pii_state": "clean"},
            {"source_id": "moda", "locator": "b", "text": "申请人欧阳娜娜的账号为63344351679986。"},
        ],
    )
    con.close()
    f = _write(tmp_path / "p.toml", '[[stage]]\nname = "normalise"\n[[stage]]\nname = "hygiene"\n')
    code, out, err = cli("pipeline", "run", str(f), "--dry-run")
    assert code == 0, err
    assert "stage normalise: would take 2 records" in out
    assert "before: 银行经营之业务" in out and "after:  銀行經營之業務" in out
    assert "欧阳娜娜" not in out and "63344351679986" not in out  # not past the PII stage: never a sample


def test_ingest_options_are_checked_before_the_first_batch_runs(cli, db_path, tmp_path):
    """A bad licence id in the second batch, or a source id another kind of source holds, stops the run before
    the first batch writes anything (and a dry run says so too)."""
    law = SAMPLE / "law_moj"
    head = f'[[ingest]]\nsource = "law-moj"\npaths = ["{law}"]\noptions = {{ scope = "all" }}\n\n'
    moda = f'[[ingest]]\nsource = "moda"\npaths = ["{SAMPLE / "moda" / "corpus.jsonl"}"]\n'
    textbooks = f'[[ingest]]\nsource = "textbooks"\npaths = ["{SAMPLE / "textbooks" / "manifest.csv"}"]\n'
    cases = {
        head + moda + 'options = { licence = "NOPE-1.0" }\n': (1, "[[ingest]] #2: unknown licence id `NOPE-1.0`"),
        # FSC's said "leave --licence out", an option a pipeline file has not (review 11, docs-r)
        head + f'[[ingest]]\nsource = "fsc"\npaths = ["{SAMPLE / "fsc"}"]\noptions = {{ licence = "NOPE-1.0" }}\n': (
            1,
            "no `licence` in a pipeline file's options) for LicenseRef-TW-Copyright-Art9",
        ),
        head + moda + 'options = { licence = "CC0-1.0", source_id = "law_moj" }\n': (
            2,
            "[[ingest]] #2: source id `law_moj` is reserved for the built-in source",
        ),
        head
        + textbooks
        + 'options = { source_id = "ocw" }\n\n'
        + moda
        + 'options = { licence = "CC0-1.0", source_id = "ocw" }\n': (
            1,
            "source id `ocw` is a source of kind",
        ),
    }
    for i, (text, (want, msg)) in enumerate(cases.items()):
        f = _write(tmp_path / f"p{i}.toml", text)
        for dry in ((), ("--dry-run",)):
            code, out, err = cli("pipeline", "run", str(f), *dry)
            assert code == want and msg in err and "Traceback" not in err, (text, dry, err)
            assert "ingest law_moj: run" not in out and not db_path.exists()
    # against the catalogue: a MODA batch under the source id of the textbooks already ingested
    # (exit 3: the sample's manifest has a row quarantined on purpose)
    assert cli("ingest", "textbooks", str(SAMPLE / "textbooks" / "manifest.csv"), "--source-id", "ocw")[0] == 3
    f = _write(tmp_path / "p.toml", moda + 'options = { licence = "CC0-1.0", source_id = "ocw" }\n')
    code, out, err = cli("pipeline", "run", str(f))
    assert code == 1 and "source id `ocw` belongs to a source of kind" in err, err
    assert "ingest moda: run" not in out


def test_every_key_is_checked_before_anything_runs(cli, db_path, tmp_path, monkeypatch):
    """Mistyped or hostile files: one line naming the file and the key, never a traceback; a bad executor, worker
    count or boolean in a later step stops the run before the first ingest batch writes anything."""
    monkeypatch.setenv("CURATE_EMPTY_DIR_X", "")  # set but empty: "$CURATE_EMPTY_DIR_X/training" was /training
    moda = f'[[ingest]]\nsource = "moda"\npaths = ["{SAMPLE / "moda" / "corpus.jsonl"}"]\n'
    moda += 'options = { licence = "OGDL-Taiwan-1.0" }\n'
    export = '[[export]]\nout = "x"\npurpose = "training"\naudience = "consortium"\ncommercial = true\n'
    cases = {
        'ingest = "x"\n': "`ingest` must be [[ingest]] tables",
        "stage = 5\n": "`stage` must be [[stage]] tables",
        'stage = ["hygiene"]\n': "`stage` must be [[stage]] tables",
        'report = "r.html"\n': "`report` must be a [report] table",
        "report = [1]\n": "`report` must be a [report] table",
        "[report]\nout = 5\n": "[report]: `out` must be",
        '[[stage]]\nname = ["hygiene"]\n': "[[stage]] #1: `name` must be a stage name",
        '[[stage]]\nname = "hygiene"\nset = "x"\n': "[[stage]] #1: `set` must be a table",
        '[[stage]]\nname = "dedup"\nset = { threshold = { a = 1 } }\n': "`set.threshold` must be",
        '[[stage]]\nname = "hygiene"\nset = { drop_cjk_spaces = "false" }\n': "`set.drop_cjk_spaces` must be true or false",
        f'[[ingest]]\nsource = "moda"\npaths = ["{SAMPLE}"]\noptions = "x"\n': "[[ingest]] #1: `options` must be a table",
        f'[[ingest]]\nsource = "moda"\npaths = ["{SAMPLE}"]\nlicence = "x"\n': "[[ingest]] #1: unknown keys ['licence']",
        "a = " + "[" * 5000 + "]" * 5000 + "\n": "nested too deeply",
        moda + '[[stage]]\nname = "hygiene"\nexecutor = "fork"\n': "[[stage]] #1: unknown executor `fork`",
        moda + '[[stage]]\nname = "hygiene"\nworkers = "abc"\n': "[[stage]] #1: `workers` must be a positive integer",
        moda + '[[stage]]\nname = "hygiene"\ntasks = 0\n': "[[stage]] #1: `tasks` must be a positive integer",
        moda + '[[stage]]\nname = "hygiene"\nworkers = true\n': "`workers` must be a positive integer, not a boolean",
        moda + '[[stage]]\nname = "dedup"\nset = { seed = -5 }\n': "dedup: seed must be in [0, 2**63 - 1], got -5",
        moda + '[[stage]]\nname = "dedup"\nset = { bands = 100000000 }\n': "bands x rows (MinHash permutations)",
        moda + '[[stage]]\nname = "dedup"\nset = { ngram = 1000000000 }\n': "dedup: ngram must be in [1, 64]",
        moda + '[[stage]]\nname = "dedup"\nset = { prefilter_margin = nan }\n': "`prefilter_margin` must be a finite",
        moda + export.replace('out = "x"', 'out = "$CURATE_UNSET_DIR_X/training"'): (
            "[[export]] #1: `out`: $CURATE_UNSET_DIR_X in '$CURATE_UNSET_DIR_X/training' is not set"
        ),
        moda + '[report]\nout = "${CURATE_UNSET_DIR_X}/r.html"\n': "[report]: `out`: $CURATE_UNSET_DIR_X in",
        moda
        + '[report]\nout = "$CURATE_EMPTY_DIR_X/r.html"\n': "$CURATE_EMPTY_DIR_X in '$CURATE_EMPTY_DIR_X/r.html' is empty",
        moda
        + '[report]\nout = "${HOME:-/tmp}/r.html"\n': "${HOME:-/tmp} in '${HOME:-/tmp}/r.html' is not a variable name",
        moda.replace('corpus.jsonl"]', 'corpus.jsonl", "$CURATE_UNSET_DIR_X/a.jsonl"]'): (
            "[[ingest]] #1: `paths`: $CURATE_UNSET_DIR_X in"
        ),
        moda + export + 'overwrite = "false"\n': "[[export]] #1: `overwrite` must be true or false",
        moda + export + 'shard_rows = "5"\n': "[[export]] #1: `shard_rows` must be an integer",
        moda + export.replace('out = "x"', "out = 5"): "[[export]] #1: `out` must be the export folder",
        moda.replace('licence = "OGDL-Taiwan-1.0"', 'licence = "OGDL-Taiwan-1.0", dataset = ["a", { x = 1 }]'): (
            "[[ingest]] #1: option `dataset` must be a string (got list)"
        ),
        moda.replace('licence = "OGDL-Taiwan-1.0"', 'licence = "OGDL-Taiwan-1.0", title_field = 5'): (
            "[[ingest]] #1: option `title_field` must be a string (got int)"
        ),
        moda.replace('licence = "OGDL-Taiwan-1.0"', 'licence = "OGDL-Taiwan-1.0", pii_expcted = true'): (
            "[[ingest]] #1: unknown option `pii_expcted` for moda"
        ),
        moda.replace('licence = "OGDL-Taiwan-1.0"', 'licence = "OGDL-Taiwan-1.0", pii_expected = "false"'): (
            "[[ingest]] #1: option `pii_expected` must be true or false (got str)"
        ),
    }
    for i, (text, msg) in enumerate(cases.items()):
        f = _write(tmp_path / f"p{i}.toml", text)
        for dry in (("--dry-run",), ()):
            code, out, err = cli("pipeline", "run", str(f), *dry)
            assert code == 2 and msg in err and str(f) in err, (text[:80], err)
            assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
            assert "ingest moda: run" not in out and not db_path.exists()


def test_pipeline_ingest_options_follow_the_ingest_commands():
    """Each source's pipeline options are its `curate ingest` command's (the table is kept by hand: a new option
    on a command must reach pipelines too). A manifest's size cap is given in bytes there, in MB on the command."""
    import click

    from curate.commands.ingest import _COMMANDS
    from curate.pipeline import INGEST_OPTIONS

    renamed = {"max_uncompressed_mb": "max_uncompressed_bytes"}
    for source, command in _COMMANDS.items():
        params = {renamed.get(p.name, p.name) for p in command.params if isinstance(p, click.Option)}
        assert params <= set(INGEST_OPTIONS[source]), (source, params - set(INGEST_OPTIONS[source]))


def _exports(*outs: str) -> str:
    return "".join(
        f'[[export]]\nout = "{out}"\npurpose = "training"\naudience = "consortium"\ncommercial = true\n\n'
        for out in outs
    )


def test_outputs_may_not_overlap_one_another_nor_the_inputs(cli, tmp_path):
    """A consortium export into a folder inside the public export's shipped consortium-only records with the public
    dataset, a second export into the first's folder replaced it, and an output among the inputs is ingested again by
    the next run: refused before anything runs, the dry run too."""
    corpus = tmp_path / "in" / "corpus.jsonl"
    corpus.parent.mkdir()
    shutil.copyfile(SAMPLE / "moda" / "corpus.jsonl", corpus)
    ingest = (
        f'[[ingest]]\nsource = "moda"\npaths = ["{corpus.parent}"]\noptions = {{ licence = "OGDL-Taiwan-1.0" }}\n\n'
    )
    public = '[[export]]\nout = "pub"\npurpose = "redistribution"\naudience = "public"\ncommercial = false\n\n'
    cases = {
        "nested": (public + _exports("pub/members"), "[[export]] #2: `"),
        "same": (_exports("exp", "exp"), "[[export]] #2: `"),
        "report in an export": (_exports("exp") + '[report]\nout = "exp/report.html"\n', "[report]: `"),
        "export in an input": (ingest + _exports("in/out"), "overlaps the input `"),
        "export over an input": (ingest + _exports("."), "overlaps the input `"),
    }
    for i, (name, (text, msg)) in enumerate(cases.items()):
        f = _write(tmp_path / f"p{i}.toml", text)
        for dry in (("--dry-run",), ()):
            code, out, err = cli("pipeline", "run", str(f), *dry)
            assert code == 1 and msg in err and "Traceback" not in err, (name, err)
    assert not (tmp_path / "cat.duckdb").exists()  # nothing ran
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".toml")) == ["in"]
    assert sorted(p.name for p in corpus.parent.iterdir()) == ["corpus.jsonl"]


def test_a_stage_left_to_slurm_stops_the_pipeline_until_it_is_loaded(cli, tmp_path, monkeypatch):
    """A stage on Slurm returns once its tasks are submitted: the pipeline went on to the next stages and the exports
    on a catalogue without that stage's results (normalise and dedup on text not yet through PII, an export without
    them), and ended as if done. It stops there, and the same file run again goes on once the job is done."""
    from fake_slurm import fake_slurm, run_submitted_job

    fake_slurm(tmp_path, monkeypatch)
    f = _write(
        tmp_path / "p.toml",
        f"""
[[ingest]]
source = "law-moj"
paths = ["{SAMPLE / "law_moj" / "ChLaw.json"}"]

[[stage]]
name = "hygiene"
executor = "slurm"

[[stage]]
name = "normalise"
"""
        + _exports("exp"),
    )
    code, out, err = cli("pipeline", "run", str(f))
    assert code == 0, err
    assert "submitted" in out and "pipeline stopped here" in out and "export " not in out, out
    runs = "SELECT command, status FROM runs WHERE command NOT LIKE 'ingest %' ORDER BY started_at"
    con = db.connect_readonly(tmp_path / "cat.duckdb")
    try:
        assert con.execute(runs).fetchall() == [("run hygiene", "running")]
    finally:
        con.close()
    assert not (tmp_path / "exp").exists()
    run_submitted_job(tmp_path / "cat.duckdb")
    code, out, err = cli("pipeline", "run", str(f))
    assert code == 0 and "pipeline stopped" not in out, (out, err)
    con = db.connect_readonly(tmp_path / "cat.duckdb")
    try:
        cmds = con.execute(runs).fetchall()
    finally:
        con.close()
    assert cmds == [("run hygiene", "finished"), ("run normalise", "finished"), ("export dataset", "finished")]


def test_dry_run_counts_the_records_a_stage_leaves_to_the_pii_stage(cli, db_path, tmp_path, monkeypatch):
    """Dedup leaves a raw version of a ``pii_expected`` source to the PII stage (review 15): a dry run of
    pii -> dedup said "stage dedup: would take 0 records" and no why; it says how many wait. Not on a source not
    marked ``pii_expected``."""
    from catalogue_builder import add_records, add_source

    monkeypatch.setenv("CURATE_PII_KEY", "6a" * 32)
    con = db.connect(db_path)
    add_source(con, "cases", licence_id="CC-BY-4.0", pii_expected=True)
    add_source(con, "moda", licence_id="CC-BY-4.0")
    add_records(
        con,
        [
            {"source_id": "cases", "locator": "a", "text": "客戶王小明於本行開戶，電話0912345678。"},
            {"source_id": "cases", "locator": "b", "text": "客戶陳大文於本行開戶，電話0922345678。"},
            {"source_id": "moda", "locator": "c", "text": "銀行經營之業務如左：收受支票存款。"},
        ],
    )
    con.close()
    f = _write(tmp_path / "p.toml", '[[stage]]\nname = "pii"\n[[stage]]\nname = "dedup"\n')
    code, out, err = cli("pipeline", "run", str(f), "--dry-run")
    assert code == 0, err
    assert "stage pii: would take 3 records\n" in out
    assert "stage dedup: would take 1 records (2 more wait for the PII stage)" in out, out
