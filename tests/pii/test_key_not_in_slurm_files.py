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
