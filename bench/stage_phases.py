"""Where a stage run's memory and CPU go, phase by phase (issue 17: memory flat in N).

Runs ``curate run STAGE`` in this process on a copy of a catalogue while a thread samples, every
``--interval`` seconds, the resident memory of this process (``VmRSS``) and of each of its worker
processes (``VmRSS`` and ``Pss``: a forked worker's RSS counts the parent's pages it shares, its PSS
counts them once, divided among the sharers). The runner's phases are marked by wrapping its
functions: ``snapshot`` (prepare + the Parquet shards), ``execute`` (the ranks), ``finalize``,
``load`` (the committed batches), ``after_load`` (the stage's whole-run work) and ``finish``
(statistics, the run's end, the connection's close and checkpoint). Per phase it prints the peak RSS
of the parent, of the largest worker and of the sum of the workers' PSS, and the CPU seconds of the
phase (this process plus ended workers). ``--tracemalloc`` adds the Python heap's peak per phase (slow).

    python bench/stage_phases.py --db CATALOGUE --stage hygiene [--workers 2] [--json out.json]

The catalogue is copied first (the run changes it); its working folder is removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PII_KEY = "5c" * 32  # the scale benchmark's fixed key (never a real one)


def _status_kib(pid: int | str, field: str, name: str = "status") -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in tasks:
        try:
            kids = Path(f"/proc/{pid}/task/{t}/children").read_text().split()
        except OSError:
            continue
        for k in kids:
            out.append(int(k))
            out.extend(_children(int(k)))
    return out


class Sampler:
    """Peak memory per phase, sampled in a thread; :meth:`phase` switches the current phase."""

    def __init__(self, interval: float, use_tracemalloc: bool) -> None:
        self.interval = interval
        self.tracemalloc = use_tracemalloc
        self.current = "startup"
        self.peaks: dict[str, dict[str, float]] = {}
        self.order: list[str] = []
        self._cpu = self._cpu_now()
        self._t = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._enter("startup")
        self.thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _cpu_now() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def _enter(self, name: str) -> None:
        if name not in self.peaks:
            self.order.append(name)
            self.peaks[name] = {
                "rss_mib": 0.0,
                "worker_rss_mib": 0.0,
                "workers_pss_mib": 0.0,
                "cpu_s": 0.0,
                "wall_s": 0.0,
            }
        if self.tracemalloc:
            import tracemalloc

            tracemalloc.reset_peak()

    def phase(self, name: str) -> None:
        with self._lock:
            self._sample()
            self._close()
            self.current = name
            self._enter(name)

    def _close(self) -> None:
        p = self.peaks[self.current]
        now, cpu = time.monotonic(), self._cpu_now()
        p["wall_s"] += now - self._t
        p["cpu_s"] += cpu - self._cpu
        self._t, self._cpu = now, cpu
        if self.tracemalloc:
            import tracemalloc

            p["py_heap_peak_mib"] = max(p.get("py_heap_peak_mib", 0.0), tracemalloc.get_traced_memory()[1] / 2**20)

    def _sample(self) -> None:
        p = self.peaks[self.current]
        p["rss_mib"] = max(p["rss_mib"], _status_kib("self", "VmRSS") / 1024)
        pa_mod = sys.modules.get("pyarrow")
        if pa_mod is not None and hasattr(
            pa_mod, "total_allocated_bytes"
        ):  # Arrow's own allocator (jemalloc/mimalloc): bytes allocated now
            arrow = pa_mod.total_allocated_bytes() / 2**20
            p["arrow_mib"] = max(p.get("arrow_mib", 0.0), arrow)
        kids = _children(os.getpid())
        if kids:
            p["worker_rss_mib"] = max(p["worker_rss_mib"], max(_status_kib(k, "VmRSS") for k in kids) / 1024)
            pss = sum(_status_kib(k, "Pss", "smaps_rollup") for k in kids) / 1024
            p["workers_pss_mib"] = max(p["workers_pss_mib"], pss)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            with self._lock:
                self._sample()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> dict:
        self._stop.set()
        self.thread.join()
        with self._lock:
            self._sample()
            self._close()
        return {
            k: {m: (round(v, 2) if isinstance(v, float) else v) for m, v in self.peaks[k].items()} for k in self.order
        }


def _duckdb_memory(con, sampler: Sampler) -> None:
    """DuckDB's own accounting (``duckdb_memory()``: buffer pool by tag, MiB) at the end of a phase's call."""
    try:
        rows = con.execute(
            "SELECT tag, memory_usage_bytes, temporary_storage_bytes FROM duckdb_memory() WHERE memory_usage_bytes > 0"
            " OR temporary_storage_bytes > 0"
        ).fetchall()
    except Exception:  # noqa: BLE001 - best effort
        return
    p = sampler.peaks[sampler.current].setdefault("duckdb_mib", {})
    for tag, mem, tmp in rows:
        p[tag] = round(max(p.get(tag, 0.0), mem / 2**20), 1)
        if tmp:
            p[tag + "_spilled"] = round(max(p.get(tag + "_spilled", 0.0), tmp / 2**20), 1)


def _wrap(obj, name: str, sampler: Sampler, phase: str, after: str | None = None) -> None:
    fn = getattr(obj, name)

    def wrapped(*args, **kwargs):
        sampler.phase(phase)
        try:
            return fn(*args, **kwargs)
        finally:
            con = args[0] if args and hasattr(args[0], "execute") else None
            if con is not None:
                _duckdb_memory(con, sampler)
            if after:
                sampler.phase(after)

    setattr(obj, name, wrapped)


def profile(db: Path, stage_name: str, workers: int, interval: float, use_tracemalloc: bool) -> dict:
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
    sampler = Sampler(interval, use_tracemalloc)
    sampler.start()
    os.environ.setdefault("CURATE_PII_KEY", PII_KEY)
    from curate import load, runner

    stage = runner.make_stage(stage_name)
    _wrap(runner, "_snapshot", sampler, "snapshot")
    _wrap(runner, "_execute", sampler, "execute", after="between")
    _wrap(stage, "finalize", sampler, "finalize", after="between")
    _wrap(runner, "load_results", sampler, "load", after="finish")
    _wrap(stage, "after_load", sampler, "after_load", after="finish")
    _wrap(load, "_apply_batch", sampler, "load")
    t0 = time.monotonic()
    report = runner.run_stage(db, stage, workers=workers)
    wall = time.monotonic() - t0
    phases = sampler.stop()
    return {
        "stage": stage_name,
        "workers": workers,
        "inputs": report.inputs,
        "wall_s": round(wall, 2),
        "phases": phases,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="catalogue before the stage (copied, not changed)")
    ap.add_argument("--stage", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--interval", type=float, default=0.05)
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--json", type=Path, help="append the result as one JSON line")
    ap.add_argument(
        "--in-place", action="store_true", help="run on --db itself (e.g. to resume a run killed before its load)"
    )
    a = ap.parse_args()
    if a.in_place:
        res = profile(a.db, a.stage, a.workers, a.interval, a.tracemalloc)
    else:
        with tempfile.TemporaryDirectory(dir=a.db.parent) as tmp:
            copy = Path(tmp) / a.db.name
            shutil.copy(a.db, copy)
            res = profile(copy, a.stage, a.workers, a.interval, a.tracemalloc)
    res["db"] = str(a.db)
    res["load_average"] = float(Path("/proc/loadavg").read_text().split()[0])
    print(f"{a.stage} ({res['inputs']:,} inputs, {a.workers} workers): {res['wall_s']} s, load {res['load_average']}")
    cols = ["rss_mib", "worker_rss_mib", "workers_pss_mib", "arrow_mib", "cpu_s", "wall_s"] + (
        ["py_heap_peak_mib"] if a.tracemalloc else []
    )
    print(f"  {'phase':<11}" + "".join(f"{c:>17}" for c in cols))
    for ph, v in res["phases"].items():
        print(f"  {ph:<11}" + "".join(f"{v.get(c, 0.0):>17.1f}" for c in cols))
        if v.get("duckdb_mib"):
            print(f"  {'':<11}  DuckDB (MiB): " + ", ".join(f"{k} {m}" for k, m in v["duckdb_mib"].items()))
    if a.json:
        with open(a.json, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
