"""The demo's scratch folder: the demo deletes its catalogue and exports there on every run, so it must never
take a folder (or a catalogue) that a demo did not make. The whole demo runs in tests/pii/test_demo_scan.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _demo(out: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CURATE_DEMO_OUT": str(out), "PYTHONPATH": str(ROOT)}
    env.pop("CURATE_DB", None)
    return subprocess.run(
        [sys.executable, str(ROOT / "demo" / "run_demo.py")], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_working_folder_as_demo_out_is_refused_and_kept(tmp_path: Path) -> None:
    """CURATE_DEMO_OUT=. in a steward's folder would have deleted its curate.duckdb and export folders."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("CURATE_DB", None)
    subprocess.run([sys.executable, "-m", "curate.cli", "init"], cwd=tmp_path, env=env, check=True, capture_output=True)
    (tmp_path / "export-training-consortium").mkdir()
    (tmp_path / "export-training-consortium" / "manifest.jsonl").write_text("{}\n")
    before = (tmp_path / "curate.duckdb").read_bytes()
    proc = _demo(tmp_path)
    assert proc.returncode != 0
    assert "CURATE_DEMO_OUT" in proc.stderr and "nothing was deleted" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert (tmp_path / "curate.duckdb").read_bytes() == before
    assert (tmp_path / "export-training-consortium" / "manifest.jsonl").exists()
    assert not (tmp_path / ".curate-demo").exists()


def test_the_demo_key_file_is_created_0600(tmp_path: Path, monkeypatch) -> None:
    """Integration review 12-r: the demo wrote pii.key with the umask's mode and chmod-ed it after, so it was
    readable by every user in between; it is created 0600 (no chmod to rely on: a umask of 0 leaves it 0600)."""
    import importlib.util
    import stat

    spec = importlib.util.spec_from_file_location("run_demo_key", ROOT / "demo" / "run_demo.py")
    mod = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, mod)  # (its dataclass looks its module up)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(os, "chmod", lambda *a, **k: None)
    monkeypatch.setattr(Path, "chmod", lambda *a, **k: None)
    old = os.umask(0)
    try:
        mod.new_key_file(tmp_path / "pii.key", "ab" * 32)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "pii.key").stat().st_mode) == 0o600
    assert (tmp_path / "pii.key").read_text() == "ab" * 32 + "\n"
