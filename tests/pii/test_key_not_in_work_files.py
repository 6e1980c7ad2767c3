"""The PII key never reaches a run's work files (review 9): datatrove writes each pipeline step's attributes into
``<work>/runs/<run>/logs/executor.json``, expanding a dataclass field by field, so the PII stage's sub-keys (the
vault key that decrypts every sealed raw text among them) were written there in the clear, and stayed beside the
catalogue while the run was unfinished (killed, failed) until it was resumed or abandoned."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

from killed import run_killed

from curate.pii.keys import derive_key

ROOT = Path(__file__).resolve().parents[2]
KEY = "4b" * 32


def test_a_killed_pii_run_leaves_no_key_material_in_its_work_folder(tmp_path, cli, monkeypatch):
    import os

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    src = tmp_path / "calls.jsonl"
    src.write_text(json.dumps({"id": "1", "text": "客戶王小明手機0912345678。"}, ensure_ascii=False) + "\n")
    db_path = tmp_path / "cat.duckdb"
    code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "OGDL-Taiwan-1.0", "--pii-expected")
    assert code == 0, err
    code = f"from curate.cli import main\nmain(['--db', {str(db_path)!r}, '-q', 'run', 'pii', '--workers', '1'])\n"
    env = {**os.environ, "CURATE_FAULT": "before_load", "CURATE_PII_KEY": KEY, "PYTHONPATH": str(ROOT)}
    assert run_killed([sys.executable, "-c", code], env, tmp_path / "out.log") == -signal.SIGKILL
    left = [p for p in (tmp_path / ".curate").rglob("*") if p.is_file()]
    assert any(p.name == "executor.json" for p in left)  # the unfinished run's folder is there, as documented
    key = derive_key(bytes.fromhex(KEY))
    secrets = [KEY]
    for sub in (key.hmac_key, key.vault_key, key.id_key):
        secrets += [sub.hex(), repr(sub)]
    for path in left:
        if path.suffix in (".json", ".log", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".json":  # the strings as written, unescaped (b'\\x93...' in the file is b'\x93...')
                text += "\n".join(_strings(json.loads(text)))
            assert not [s for s in secrets if s in text], path
    executor = json.loads(next(p for p in left if p.name == "executor.json").read_text())
    step = next(s for s in executor["pipeline"] if isinstance(s, dict) and "key" in s and "config" in s)
    assert step["key"] == f"PiiKey(key_id={key.key_id!r})"


def _strings(value) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_a_stage_that_raises_leaves_no_record_text_in_the_kept_logs(tmp_path, cli, db_path, monkeypatch):
    """loguru printed each frame's variables in a worker's traceback (its default `diagnose`): a PII stage that raised
    wrote the raw record (`Document(text='客戶王小明手機0912345678。')`) into `logs/logs/task_00000.log` and
    `console.log`, which stay after the run is resumed and loads (review 9 of the fixes)."""
    import curate.pii.scrubber as scrubber

    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    src = tmp_path / "calls.jsonl"
    src.write_text(json.dumps({"id": "1", "text": "客戶王小明手機0912345678。"}, ensure_ascii=False) + "\n")
    code, _, err = cli("-q", "ingest", "moda", str(src), "--licence", "OGDL-Taiwan-1.0", "--pii-expected")
    assert code == 0, err

    def failing(value, spans, **kw):
        raise RuntimeError("a defect")

    monkeypatch.setattr(scrubber, "scrub", failing)
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code != 0 and "RuntimeError" in err, err
    logs = [p for p in (tmp_path / ".curate").rglob("*.log") if p.is_file()]
    assert any("RuntimeError: a defect" in p.read_text("utf-8") for p in logs), logs  # the traceback is there
    assert not [p for p in logs if "王小明" in p.read_text("utf-8") or "0912345678" in p.read_text("utf-8")]
    monkeypatch.undo()
    monkeypatch.setenv("CURATE_PII_KEY", KEY)
    code, _, err = cli("-q", "run", "pii", "--workers", "1")  # resumed: the logs are kept
    assert code == 0, err
    assert not [p for p in (tmp_path / ".curate").rglob("*.log") if "王小明" in p.read_text("utf-8")]
