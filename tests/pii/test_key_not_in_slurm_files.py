"""The PII key does not outlive a Slurm run in its work folder: datatrove hands the pipeline to the job's tasks as
``<run>/logs/executor.pik`` (dill), the PII stage's sub-keys in it (the vault key that decrypts every sealed raw text
among them). The run's logs stay after its load, and so did that file: the vault key lay beside the vault for good."""

from __future__ import annotations

import json
from pathlib import Path

from fake_slurm import fake_slurm, run_submitted_job

from curate.pii.keys import derive_key

KEY = "4b" * 32


def test_a_finished_slurm_pii_run_leaves_no_pickled_key(tmp_path: Path, cli, db_path: Path, monkeypatch) -> None:
    fake_slurm(tmp_path, monkeypatch)
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    src = tmp_path / "calls.jsonl"
    src.write_text(json.dumps({"id": "1", "text": "客戶王小明手機0912345678。"}, ensure_ascii=False) + "\n")
    code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "OGDL-Taiwan-1.0", "--pii-expected")
    assert code == 0, err
    args = ("-q", "run", "pii", "--executor", "slurm", "--workers", "1", "--tasks", "1")
    code, out, err = cli(*args)
    assert code == 0 and "submitted" in out + err, out + err
    runs = tmp_path / ".curate" / db_path.name / "runs"
    assert list(runs.glob("*/logs/executor.pik"))  # the job's tasks read it while the run is unfinished
    run_submitted_job(db_path)
    code, out, err = cli(*args)  # the same command loads the job's results
    assert code == 0, out + err
    key = derive_key(bytes.fromhex(KEY))
    left = [p for p in runs.rglob("*") if p.is_file()]
    assert left  # the executor's statistics stay
    for path in left:
        data = path.read_bytes()
        assert not [s for s in (key.vault_key, key.hmac_key, key.id_key) if s in data], path
    code, out, err = cli("pii", "scan", "--json")  # nothing left that it cannot read (a pickle is no text)
    report = json.loads(out)
    assert code == 0 and report["leftovers"] == report["unchecked"] == report["findings"] == [], out + err


def test_the_submitted_job_carries_no_key_in_its_environment(tmp_path: Path, cli, db_path: Path, monkeypatch) -> None:
    """Review 15 (sql): `sbatch` hands the job the whole environment (datatrove passes `--export=ALL` on every call),
    so `CURATE_PII_KEY` (and the portal's secret, Label Studio's key) went into the job Slurm stores and hands to every
    task. The job gets none of them, and its tasks still run: they need only the pickled sub-keys."""
    bin_dir = fake_slurm(tmp_path, monkeypatch)
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    monkeypatch.setenv("CURATE_WEB_SECRET", "portal-secret-" + "s" * 32)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY__CTBC", "ls-token-" + "t" * 32)
    src = tmp_path / "calls.jsonl"
    src.write_text(json.dumps({"id": "1", "text": "客戶王小明手機0912345678。"}, ensure_ascii=False) + "\n")
    code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "OGDL-Taiwan-1.0", "--pii-expected")
    assert code == 0, err
    args = ("-q", "run", "pii", "--executor", "slurm", "--workers", "1", "--tasks", "1")
    code, out, err = cli(*args)
    assert code == 0 and "submitted" in out + err, out + err
    environ = (bin_dir / "environ").read_text()
    assert "PATH=" in environ  # what the job needs still goes
    for secret in (KEY, "portal-secret-", "ls-token-", "CURATE_PII_KEY", "CURATE_WEB_SECRET", "LABEL_STUDIO_API_KEY"):
        assert secret not in environ, secret
    import os

    assert os.environ["CURATE_PII_KEY"] == KEY  # the submitting process keeps it (the load needs it)
    monkeypatch.delenv("CURATE_PII_KEY")
    run_submitted_job(db_path)  # "the cluster" runs the tasks without the key in the environment
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    code, out, err = cli(*args)
    assert code == 0, out + err
    code, out, err = cli("sql", "SELECT text FROM records WHERE pii_state = 'scrubbed'")
    assert code == 0 and "0912345678" not in out and "王小明" not in out and "scrubbed" not in err, out + err
    assert len(out.strip().splitlines()) == 3, out  # header, rule, the scrubbed text
