"""Start-up of the CLI: which heavy libraries each command imports (issue 17: no torch or transformers, nor
other heavy libraries, on paths that do not use them). Each command runs in a fresh interpreter; no timing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from provenance import db, runs

pytestmark = pytest.mark.imports  # also run where torch and transformers are installed (`make test-extras`)

ROOT = Path(__file__).resolve().parents[1]

#: run the CLI in this interpreter, then print the top-level packages it imported (JSON) on the last line
_WRAPPER = """
import json, sys
from curate.cli import run
rc = run(sys.argv[1:])
print()
print(json.dumps({"rc": rc, "modules": sorted({m.partition(".")[0] for m in sys.modules} | set(sys.modules))}))
"""

#: never imported by a command that does not use them
ML = {"torch", "transformers", "ckip_transformers", "presidio_analyzer", "spacy"}
#: heavy libraries that only stage runs, ingest and exports need
DATA = {"pandas", "numpy", "pyarrow", "datatrove", "huggingface_hub", "fsspec", "ray"}


def imported(args: list[str], cwd: Path, rc: int = 0) -> set[str]:
    """Modules (and top-level packages) in ``sys.modules`` after ``curate ARGS`` ran in a fresh process."""
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd), "CURATE_DB": str(cwd / "none.duckdb")}
    env |= {k: os.environ[k] for k in ("CURATE_PII_KEY", "CURATE_PII_KEY_FILE") if k in os.environ}
    res = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["rc"] == rc, res.stdout + res.stderr
    return set(out["modules"])


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A migrated catalogue with one finished run and no records, and a one-line JSONL file."""
    d = tmp_path_factory.mktemp("startup")
    con = db.connect(d / "cat.duckdb")
    runs.finish_run(con, runs.start_run(con, "ingest law_moj", "cfg"), counts={"records": 0})
    con.close()
    (d / "in.jsonl").write_text(
        json.dumps({"id": "a", "text": "客戶王小明的電話是0912-345-678。"}, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return d


@pytest.mark.parametrize(
    ("args", "not_imported"),
    [
        (["--help"], ML | DATA),
        (["run", "--help"], ML | DATA),  # every stage's options, without importing a stage
        (["zh", "--help"], ML | DATA),
        (["pipeline", "--help"], ML | DATA),
        (["--db", "cat.duckdb", "status"], ML | DATA),  # DuckDB binds parameters without importing pandas
        (["--db", "cat.duckdb", "runs", "list"], ML | DATA),
        (["--db", "cat.duckdb", "runs", "show"], ML | DATA),
        (["--db", "cat.duckdb", "audit", "verify"], ML | DATA),
        (["--quiet", "pii", "detect", "--input", "in.jsonl", "--output", "out.jsonl"], ML | DATA),
        # a stage run with nothing to process: no executor, so neither datatrove.io nor huggingface_hub
        # (pyarrow, and pandas through it, are the runner's own)
        (
            ["--db", "cat.duckdb", "--quiet", "run", "hygiene"],
            ML | {"huggingface_hub", "fsspec", "ray", "datatrove.io", "datatrove.executor"},
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) and v and isinstance(v[0], str) else None,
)
def test_command_imports_no_heavy_library(work, args, not_imported):
    assert imported(args, work) & not_imported == set()


def test_audit_record_binds_the_id_without_pandas(work):
    """`audit record` looks up what the user typed as a bound parameter (here: a prefix found nowhere)."""
    assert imported(["--db", "cat.duckdb", "audit", "record", "deadbeefdeadbeef"], work, rc=2) & (ML | DATA) == set()


def test_ingest_and_stage_runs_import_no_ml_library(tmp_path):
    """Paths that do work (an ingest, the PII stage without a CKIP model) import no torch, transformers,
    presidio or spaCy, although presidio and spaCy are installed here."""
    sample = ROOT / "demo" / "sample" / "law_moj" / "ChLaw.json"
    assert imported(["--db", "cat.duckdb", "--quiet", "ingest", "law-moj", str(sample)], tmp_path) & ML == set()
    assert imported(["--db", "cat.duckdb", "--quiet", "run", "pii"], tmp_path) & ML == set()
    con = db.connect_readonly(tmp_path / "cat.duckdb")
    try:  # the stage really ran over the ingested records
        (n,) = con.execute("SELECT count(*) FROM stage_marks WHERE stage = 'pii'").fetchone()
    finally:
        con.close()
    assert n > 0


def test_pii_detect_result(work):
    """The one-line detection above really ran (the import check is not of a command that did nothing)."""
    out = (work / "out.jsonl").read_text(encoding="utf-8")
    assert "TW_PHONE" in out and "PERSON" in out


def _python(code: str) -> str:
    res = subprocess.run(
        [sys.executable, "-c", code], env={"PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout.strip()


def test_bound_parameters_without_pandas():
    """``db.execute`` binds (never inlines) parameters without importing pandas, and pandas stays importable."""
    out = _python(
        "import sys, duckdb\n"
        "from provenance import db\n"
        "con = duckdb.connect()\n"
        'con.execute("CREATE TABLE t (s VARCHAR)")\n'
        "db.execute(con, 'INSERT INTO t VALUES (?)', [\"x'); DROP TABLE t; --\"])\n"
        "row = db.execute(con, 'SELECT s, count(*) OVER () FROM t WHERE s = $s', {'s': \"x'); DROP TABLE t; --\"})"
        ".fetchone()\n"
        "print(row, 'pandas' in sys.modules)\n"
        "print(type(con.execute('SELECT 1 AS a').df()).__name__, 'pandas' in sys.modules)\n"
    )
    assert out.splitlines() == [
        """("x'); DROP TABLE t; --", 1) False""",
        "DataFrame True",
    ]


def test_zh_package_exports_functions_whatever_was_imported_first():
    """``curate.zh`` imports its parts lazily; ``curate.zh.normalise`` / ``fold`` stay the functions even when
    the submodules of the same names were imported first."""
    out = _python(
        "import sys\n"
        "import curate.zh.config, curate.zh.ledger\n"
        "print('numpy' in sys.modules)\n"
        "import curate.zh.batch, curate.zh.fold\n"
        "import curate.zh\n"
        "from curate.zh import normalise, fold, normalise_many\n"
        "print(callable(normalise), type(curate.zh.normalise).__name__, type(fold).__name__)\n"
        "print(normalise('银行').text, normalise_many(['银行'])[0].text)\n"
    )
    assert out.splitlines() == ["False", "True function function", "銀行 銀行"]


def test_stage_options_registry_matches_the_stages():
    """``curate run --help`` reads the options from :data:`curate.stages.CONFIGS`: the same classes the stages use."""
    from curate.stages import STAGES, get_config_class, get_stage_class

    for name in STAGES:
        assert get_config_class(name) is getattr(get_stage_class(name), "config_class", None), name
