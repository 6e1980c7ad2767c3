"""`make demo`: the main job on the shipped synthetic sample, on the embedded DuckDB default.

Runs every step module in demo/steps/ in name order (each has ``run(ctx)``), then prints where
the catalogue is and what to try next.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


@dataclass
class DemoContext:
    root: Path  # project root
    out: Path  # demo-out/ (scratch files)
    db: Path  # the catalogue
    sample: Path  # demo/sample
    notes: list[str]  # "what to try next" lines

    def curate(self, *args: str, ok_codes: tuple[int, ...] = (0,)) -> int:
        """Run `curate --db DB ARGS` as a user would; stop the demo on an unexpected exit code."""
        import subprocess

        cmd = [sys.executable, "-m", "curate.cli", "--db", str(self.db), *args]
        print("$ curate " + " ".join(args), flush=True)
        rc = subprocess.call(cmd, cwd=self.root)
        if rc not in ok_codes:
            raise SystemExit(f"demo step failed: curate {' '.join(args)} exited {rc}")
        return rc


def main() -> None:
    out = Path(os.environ.get("CURATE_DEMO_OUT", ROOT / "demo-out"))
    out.mkdir(exist_ok=True)
    db = Path(os.environ.get("CURATE_DB", out / "curate.duckdb"))
    for p in (db, Path(str(db) + ".wal")):
        if p.exists():
            p.unlink()
    # the exports a previous demo wrote belong to the catalogue just deleted: `--overwrite` replaces only this
    # catalogue's own exports, so the demo clears its own export folders itself
    for name in ("export-training-consortium", "export-redistribution-public"):
        shutil.rmtree(out / name, ignore_errors=True)
    if not (os.environ.get("CURATE_PII_KEY") or os.environ.get("CURATE_PII_KEY_FILE")):
        # demo only: a fresh PII key in the scratch folder, never the repo. Ingest needs it already: ids and
        # file names of sources marked pii_expected are pseudonymised with it (curate.pii.identifiers)
        import secrets

        key_file = out / "pii.key"
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32) + "\n")
            key_file.chmod(0o600)
        os.environ["CURATE_PII_KEY_FILE"] = str(key_file)
    ctx = DemoContext(root=ROOT, out=out, db=db, sample=HERE / "sample", notes=[])
    for step in sorted((HERE / "steps").glob("[0-9]*.py")):
        print(f"\n=== {step.stem} ===", flush=True)
        spec = importlib.util.spec_from_file_location(f"demo_step_{step.stem}", step)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.run(ctx)
    print(f"\nDemo finished. Catalogue: {db}")
    print("Try next:")
    print(f"  .venv/bin/curate --db {db} status")
    print(f'  .venv/bin/curate --db {db} sql "SELECT source_id, status, count(*) FROM records GROUP BY ALL"')
    for line in ctx.notes:
        print(f"  {line}")


if __name__ == "__main__":
    main()
