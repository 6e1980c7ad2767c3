"""Benchmark: how long the CLI takes to start, and which heavy libraries it imports on the way.

Each variant runs as a fresh process, interleaved with the others, ``--repeat`` times; the table shows the
median wall time, the median CPU time (user + system: steadier than wall on a shared machine) and the heavy
modules (torch, transformers, datatrove, huggingface_hub, pandas, numpy, ray) that ended up imported:

* ``python``: the interpreter alone (the floor);
* ``curate --help``: every command group listed (loads no command module);
* ``curate pii detect``: a one-line JSONL file through the PII detector (loads and builds the engine);
* ``... presidio imported plainly``: the same after a plain ``import presidio_analyzer``, as the code did before
  the renovation: presidio then imports transformers and torch whenever they are installed;
* ``... extras not importable``: torch and transformers blocked, i.e. a core install without ``[gpu]``/``[ckip]``;
* with ``--every-command``: every command's ``--help``, and ``status``, ``runs list``, ``audit verify`` and
  ``run hygiene`` on an empty catalogue (the last is the whole start-up path of a stage run: runner, datatrove's executor, the lock,
  the run row, an empty snapshot and load).

With ``--before DIR`` (a checkout of older code, e.g. ``git worktree add /tmp/before dd480f2``) the same
commands also run on that code, side by side.

    .venv/bin/python bench/bench_startup.py [--repeat 7] [--before DIR] [--every-command]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "transformers", "ckip_transformers", "datatrove", "huggingface_hub", "pandas", "numpy", "ray")

#: run the CLI in-process after optional preparation; report the heavy modules imported to a file
_WRAPPER = """
import atexit, importlib.abc, os, sys
HEAVY = {heavy!r}
def _report():
    with open(os.environ["BENCH_HEAVY_OUT"], "w") as fh:
        fh.write(",".join(sorted(m for m in HEAVY if m in sys.modules)))
atexit.register(_report)
if os.environ.get("BENCH_BLOCK"):
    class _Block(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.partition(".")[0] in ("torch", "transformers", "ckip_transformers"):
                raise ModuleNotFoundError(name, name=name)
    sys.meta_path.insert(0, _Block())
if os.environ.get("BENCH_PLAIN_PRESIDIO"):
    import presidio_analyzer, presidio_anonymizer
if len(sys.argv) > 1:
    from curate.cli import run
    raise SystemExit(run(sys.argv[1:]))
"""


def _variants(work: Path, every_command: bool = False) -> dict[str, tuple[list[str], dict[str, str]]]:
    inp = work / "in.jsonl"
    inp.write_text(json.dumps({"id": "a", "text": "客戶王小明的電話是0912-345-678。"}, ensure_ascii=False) + "\n")
    pii = ["--quiet", "pii", "detect", "--input", str(inp), "--output", str(work / "out.jsonl")]
    out = {
        "python": ([], {}),
        "curate --help": (["--help"], {}),
        "curate pii detect": (pii, {}),
        "curate pii detect, presidio imported plainly": (pii, {"BENCH_PLAIN_PRESIDIO": "1"}),
        "curate pii detect, extras not importable": (pii, {"BENCH_BLOCK": "1"}),
    }
    if every_command:
        from curate.cli import COMMANDS

        cat = str(work / "cat.duckdb")  # an empty, migrated catalogue (made before the timed runs)
        for name in sorted(COMMANDS):
            out[f"curate {name} --help"] = ([name, "--help"], {})
        out["curate status (empty catalogue)"] = (["--db", cat, "status"], {})
        # the whole start-up path of a stage run (runner, datatrove's executor), nothing to process
        out["curate run hygiene (empty catalogue)"] = (["--db", cat, "--quiet", "run", "hygiene"], {})
        out["curate runs list (empty catalogue)"] = (["--db", cat, "runs", "list"], {})
        out["curate audit verify (empty catalogue)"] = (["--db", cat, "audit", "verify"], {})
    return out


#: CPU seconds (user + system) of each run, in call order (steadier than wall time on a shared machine)
_CPU: list[float] = []


def _once(code_dir: Path, args: list[str], env_extra: dict[str, str], work: Path) -> tuple[float, str]:
    out = work / "heavy.txt"
    env = {**os.environ, "PYTHONPATH": str(code_dir), "BENCH_HEAVY_OUT": str(out), **env_extra}
    wrapper = _WRAPPER.format(heavy=HEAVY)
    import resource

    t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run(
        [sys.executable, "-c", wrapper, *args], cwd=work, env=env, capture_output=True, text=True, timeout=600
    )
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU.append((r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime))
    if res.returncode not in (0, 3) or (args == ["--help"] and "Usage" not in res.stdout):
        raise SystemExit(f"{args} on {code_dir} failed ({res.returncode}): {res.stderr[-2000:]}")
    return wall, out.read_text() if out.exists() else ""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=7, help="runs of each variant (median reported)")
    ap.add_argument("--before", type=Path, default=None, help="a checkout of older code to compare with")
    ap.add_argument(
        "--every-command",
        action="store_true",
        help="also every command's --help, and status / runs list / run hygiene on an empty catalogue",
    )
    a = ap.parse_args()
    trees = {"now": ROOT} | ({"before": a.before.resolve()} if a.before else {})
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        variants = _variants(work, a.every_command)
        if a.every_command:
            for code_dir in trees.values():
                _once(code_dir, ["--db", str(work / "cat.duckdb"), "init"], {}, work)
        times: dict[tuple[str, str], list[float]] = {}
        cpus: dict[tuple[str, str], list[float]] = {}
        heavy: dict[tuple[str, str], str] = {}
        for _ in range(a.repeat):  # interleaved: load on the shared machine hits every variant alike
            for tree, code_dir in trees.items():
                for name, (args, env) in variants.items():
                    wall, imported = _once(code_dir, args, env, work)
                    times.setdefault((tree, name), []).append(wall)
                    cpus.setdefault((tree, name), []).append(_CPU[-1])
                    heavy[(tree, name)] = imported
    print(
        f"start-up, median of {a.repeat} runs: wall s (CPU s); heavy modules imported;"
        f" load average {os.getloadavg()[0]:.1f}"
    )
    header = f"{'variant':48s}" + "".join(f"{t:>14s}" for t in trees) + ("  CPU now/before" if a.before else "")
    print(header)
    for name in variants:
        meds = {t: statistics.median(times[(t, name)]) for t in trees}
        cpu = {t: statistics.median(cpus[(t, name)]) for t in trees}
        line = f"{name:48s}" + "".join(f"{meds[t]:7.2f} ({cpu[t]:.2f})" for t in trees)
        if a.before:
            line += f"   {cpu['now'] / cpu['before']:13.2f}"
        line += "   " + "; ".join(f"{t}: {heavy[(t, name)] or '-'}" for t in trees)
        print(line)


if __name__ == "__main__":
    main()
