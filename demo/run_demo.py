"""`make demo`: the main job on the shipped synthetic sample, on the embedded DuckDB default.

Runs every step module in demo/steps/ in name order (each has ``run(ctx)``), then prints where
the catalogue is and what to try next.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
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


#: the demo's scratch folder unless $CURATE_DEMO_OUT names another
DEFAULT_OUT = ROOT / "demo-out"
#: written into a scratch folder the demo uses, so a later demo deletes only what a demo made
MARKER = ".curate-demo"


def scratch_folder(out: Path) -> Path:
    """The demo's catalogue in ``out`` (``out/curate.duckdb``), emptied for a fresh run, with its old exports.

    ``$CURATE_DB`` is never read: it names the steward's own catalogue, which the demo would delete. A folder
    given as ``$CURATE_DEMO_OUT`` must be new, empty or one a demo used before (its ``.curate-demo`` marker):
    anything else is refused with nothing deleted.
    """
    out.mkdir(parents=True, exist_ok=True)
    marker = out / MARKER
    if out.resolve() != DEFAULT_OUT.resolve() and not marker.exists() and any(out.iterdir()):
        raise SystemExit(
            f"demo: CURATE_DEMO_OUT `{out}` holds files a demo did not write; nothing was deleted: "
            "name a new or empty folder (the demo deletes its catalogue and exports there on every run)"
        )
    marker.write_text("scratch folder of demo/run_demo.py: its catalogue and exports are deleted on each run\n")
    db = out / "curate.duckdb"
    for p in (db, Path(str(db) + ".wal")):
        if p.exists():
            p.unlink()
    # the exports a previous demo wrote belong to the catalogue just deleted: `--overwrite` replaces only this
    # catalogue's own exports, so the demo clears its own export folders itself
    for name in ("export-training-consortium", "export-redistribution-public"):
        shutil.rmtree(out / name, ignore_errors=True)
    return db


#: the suggested commands that read the PII key: the demo's sample is sealed and keyed under the demo's own key
KEYED = re.compile(r"(?:pii scan|pii rekey|pipeline run|annotate push|annotate pull|audit verify)\b")


def runnable(note: str, db: Path, out: Path) -> str:
    """A "try next" line as the user can paste it: each ``curate`` of it on the demo's catalogue, and under the demo's
    PII key where it reads one.

    Without ``--db`` the command would read (or write) ``$CURATE_DB`` or ``./curate.duckdb`` instead; without the
    demo's key, one that reads the vault found none (or the shell's ``CURATE_PII_KEY``, which overrides a key file:
    the demo's vault cannot be decrypted under it), so the key file is named and the shell's key emptied.

    >>> runnable("curate runs show latest", Path("/d/c.duckdb"), Path("/d"))  # doctest: +ELLIPSIS
    '.../curate --db /d/c.duckdb runs show latest'
    >>> runnable("make labelstudio && curate pii scan", Path("c.duckdb"), Path("."))  # doctest: +ELLIPSIS
    'make labelstudio && CURATE_PII_KEY= CURATE_PII_KEY_FILE=pii.key .../curate --db c.duckdb pii scan'
    """
    exe = Path(sys.executable).parent / "curate"
    curate = shlex.quote(str(exe)) if exe.exists() else "curate"
    key = f"CURATE_PII_KEY= CURATE_PII_KEY_FILE={shlex.quote(str(out / 'pii.key'))} "

    def command(m: re.Match[str]) -> str:
        env = key if KEYED.match(note, m.end()) else ""
        return f"{m.group(1)}{env}{curate} --db {shlex.quote(str(db))} "

    line = re.sub(r"(^|&& )curate ", command, note)
    if "$CURATE_DEMO_OUT" in line or " pipeline run " in line:
        line = f"CURATE_DEMO_OUT={shlex.quote(str(out))} {line}"
    return line


def new_key_file(path: Path, key: str) -> None:
    """Write the demo's key in a new file of mode 0600 from its creation (written, then chmod-ed, it was readable by
    every user of the machine in between)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")


def main() -> None:
    if os.environ.get("CURATE_DB"):
        print(
            f"(CURATE_DB is not used by the demo, which makes its own catalogue: {os.environ['CURATE_DB']} is left alone)"
        )
    out = Path(os.environ.get("CURATE_DEMO_OUT") or DEFAULT_OUT)
    db = scratch_folder(out)
    if os.environ.get("CURATE_PII_KEY") or os.environ.get("CURATE_PII_KEY_FILE"):
        print("(the PII key of this shell is not used by the demo, which seals its sample under a key of its own)")
    # demo only: a fresh PII key in the scratch folder, never the repo, nor the bank's key (review 9: the demo
    # sealed its sample under a key set in the shell). Ingest needs it already: ids and file names of sources
    # marked pii_expected are pseudonymised with it (curate.pii.identifiers)
    import secrets

    os.environ.pop("CURATE_PII_KEY", None)
    key_file = out / "pii.key"
    if not key_file.exists():
        new_key_file(key_file, secrets.token_hex(32))
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
    notes = ["curate status", 'curate sql "SELECT source_id, status, count(*) FROM records GROUP BY ALL"', *ctx.notes]
    for line in notes:
        print(f"  {runnable(line, db, out)}")


if __name__ == "__main__":
    main()
