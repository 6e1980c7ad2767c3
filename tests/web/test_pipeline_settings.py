"""`curate pipeline run`: what a stage's run would refuse is refused before the first step, not after the steps
before it ran (`check_settings` in `curate/runner.py`, called by `curate/pipeline.py:load`)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "demo" / "sample"


def _pipeline(tmp_path: Path, dedup_set: str = "") -> Path:
    f = tmp_path / "p.toml"
    f.write_text(
        f'[[ingest]]\nsource = "moda"\npaths = ["{SAMPLE / "moda" / "corpus.jsonl"}"]\n'
        'options = { licence = "OGDL-Taiwan-1.0" }\n\n[[stage]]\nname = "hygiene"\n\n'
        f'[[stage]]\nname = "dedup"\n{dedup_set}\n',
        encoding="utf-8",
    )
    return f


def _refused(cli, f: Path, msg: str, code: int) -> None:
    for dry in (("--dry-run",), ()):
        got, out, err = cli("pipeline", "run", str(f), *dry)
        assert got == code and msg in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        assert "ingest moda" not in out, out


def test_a_bad_environment_setting_is_refused_before_the_first_step(cli, db_path, tmp_path, monkeypatch):
    """CURATE_LOAD_BATCH=abc was read by the first stage's load: the ingest batches had run by then."""
    monkeypatch.setenv("CURATE_LOAD_BATCH", "abc")
    _refused(cli, _pipeline(tmp_path), "CURATE_LOAD_BATCH must be a whole number", 1)
    assert not db_path.exists()  # nothing ran


def test_a_dedup_backend_it_cannot_use_is_refused_before_the_first_step(cli, db_path, tmp_path):
    """`backend = "foo"` (or numpy on cuda) was refused by the first signatures: after the ingest and hygiene had run,
    leaving a failed dedup run."""
    for sets in ('{ backend = "foo" }', '{ backend = "numpy", device = "cuda" }'):
        _refused(cli, _pipeline(tmp_path, f"set = {sets}"), "dedup: backend", 2)
    assert not db_path.exists()  # nothing ran


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="torch is installed here")
def test_dedup_on_cuda_without_torch_is_refused_before_the_first_step(cli, db_path, tmp_path):
    """`device = "cuda"` without the [gpu] extra stopped the run at its first signatures, after the steps before it,
    leaving a failed dedup run; `curate run dedup` refuses it before its run row as well."""
    _refused(cli, _pipeline(tmp_path, 'set = { device = "cuda" }'), "pip install 'finllm-curate[gpu]'", 1)
    assert not db_path.exists()  # nothing ran
    code, out, err = cli("ingest", "moda", "--licence", "OGDL-Taiwan-1.0", str(SAMPLE / "moda" / "corpus.jsonl"))
    assert code == 3, err
    code, out, err = cli("run", "dedup", "--set", "device=cuda")
    assert code == 1 and "pip install 'finllm-curate[gpu]'" in err, err
    from provenance import db

    con = db.connect_readonly(db_path)
    try:
        assert con.execute("SELECT count(*) FROM runs WHERE command = 'run dedup'").fetchone()[0] == 0
    finally:
        con.close()


def test_a_source_id_the_ingest_refuses_is_refused_before_the_first_batch(cli, db_path, tmp_path):
    """On a new catalogue a batch's `source_id` (`"$BANK_ID"`: options are not expanded) or a `dataset` holding a phone
    number passed the dry run, and the run made the catalogue and ingested the batches before it first."""
    corpus = SAMPLE / "moda" / "corpus.jsonl"
    first = f'[[ingest]]\nsource = "moda"\npaths = ["{corpus}"]\noptions = {{ licence = "OGDL-Taiwan-1.0" }}\n\n'
    cases = {
        "source_id": ('source_id = "$BANK_ID"', "source id '$BANK_ID' is not allowed"),
        "dataset": ('dataset = "客戶名冊0912-345-678"', "dataset name (`dataset`) holds personal data"),
    }
    for i, (name, (option, msg)) in enumerate(cases.items()):
        second = first.replace("}", f", {option} }}")
        f = tmp_path / f"p{i}.toml"
        f.write_text(first + second, encoding="utf-8")
        _refused(cli, f, f"{f}: [[ingest]] #2: {msg}", 2)
        assert not db_path.exists(), name  # nothing ran


def test_pii_mode_out_of_range_is_a_usage_error(cli, db_path, tmp_path):
    """`--set mode=bogus` (or a share out of (0, 1], a minimum under 1) was checked by the PII stage, not its config:
    exit 1 where every other bad `--set` value is a usage error (exit 2); a pipeline file's `set` the same."""
    for value in ("mode=bogus", "names_common_share=5", "names_common_min=0"):
        code, _, err = cli("run", "pii", "--set", value)
        assert code == 2 and "Traceback" not in err and err.count("\n") == 1, err
    f = tmp_path / "p.toml"
    f.write_text('[[stage]]\nname = "pii"\nset = { mode = "bogus" }\n', encoding="utf-8")
    for dry in (("--dry-run",), ()):
        code, _, err = cli("pipeline", "run", str(f), *dry)
        assert code == 2 and f"{f}: [[stage]] #1" in err and "unknown mode `bogus`" in err, err
    assert not db_path.exists()
