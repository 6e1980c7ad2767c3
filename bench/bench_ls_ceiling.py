"""Push and pull against Label Studio's own ceiling on the same server with the same payload (issue 16).

* Push ceiling: the same tasks (with their predictions) sent straight to Label Studio's import endpoint
  (``POST /api/projects/{id}/import``, 1,000 per request) into a fresh project; ours: ``push`` of the same
  records into another fresh project. Ratio = ceiling time / our time.
* Pull ceiling: Label Studio's export endpoint for exactly the tasks that changed
  (``GET /api/projects/{id}/export?ids[]=...``, timed before and after ours, mean); ours: an incremental ``pull`` of the same annotations,
  after a first pull of BENCH_LS_BASE annotated tasks. Ratio = ceiling time / our time.

Sizes: BENCH_LS_N records to push (default 1000), BENCH_LS_BASE annotated tasks before (default 2000),
BENCH_LS_K new annotations per incremental pull (default 200), BENCH_LS_REPEAT repetitions (default 3).
Label Studio comes from ``$LABEL_STUDIO_CACHE/venv`` and starts from the cached migrated template.
Prints one line per measurement and the medians; no thresholds (the machine is shared).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "annotation"))
sys.path.insert(0, str(ROOT / "tests" / "helpers"))

from ls_records import make_catalogue  # noqa: E402

from annotation import server  # noqa: E402
from annotation.config import LabelStudioConfig  # noqa: E402
from annotation.label_studio import LabelStudioClient  # noqa: E402
from annotation.projects import ensure_project  # noqa: E402
from annotation.pull import pull  # noqa: E402
from annotation.push import PushConfig, _tasks, push, select_candidates  # noqa: E402

N = int(os.environ.get("BENCH_LS_N", 1000))
BASE = int(os.environ.get("BENCH_LS_BASE", 2000))
K = int(os.environ.get("BENCH_LS_K", 200))
REPEAT = int(os.environ.get("BENCH_LS_REPEAT", 3))
USER, PASSWORD = "bench@finllm.local", "bench-only-password"


def _bench_push(client: LabelStudioClient, tmp: Path, project: str, rep: int) -> tuple[float, float, float]:
    """(ceiling s, ours s, ours in Label Studio s) for N tasks of ``project``."""
    con, _ = make_catalogue(tmp / f"push-{project}-{rep}.duckdb", N)
    cfg = PushConfig(project=project, bank=f"ceil-{project}-{rep}")
    rows, _ = select_candidates(con, cfg)
    tasks = _tasks(con, cfg, rows)
    pid = client.create_project(f"ceiling {project} {rep}", ensure_label_config(project))
    t = time.perf_counter()
    for i in range(0, len(tasks), 1000):
        client.import_tasks(pid, tasks[i : i + 1000])
    ceiling = time.perf_counter() - t
    ours_cfg = PushConfig(project=project, bank=f"ours-{project}-{rep}")
    ensure_project(con, client, ours_cfg.bank, project)  # once per bank, like the ceiling's project
    client.request_seconds = 0.0
    t = time.perf_counter()
    rep_ = push(con, client, ours_cfg)
    ours = time.perf_counter() - t
    assert rep_.pushed == N
    con.close()
    return ceiling, ours, client.request_seconds


def ensure_label_config(project: str) -> str:
    from annotation.tasks import label_config

    return label_config(project)


def _annotate(client: LabelStudioClient, task_ids: list[int], me: int) -> None:
    for tid in task_ids:
        client.create_annotation(
            tid,
            [
                {"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["授信"]}},
                {"from_name": "quality", "to_name": "text", "type": "rating", "value": {"rating": 4}},
            ],
            completed_by=me,
        )


def _bench_pull(client: LabelStudioClient, tmp: Path) -> list[tuple[float, float, float, int]]:
    """Incremental pulls of K new annotations after BASE: (ceiling s, ours s, ours in LS s, imported)."""
    con, _ = make_catalogue(tmp / "pull.duckdb", BASE + REPEAT * K)
    bank = "pull"
    rep = push(con, client, PushConfig(project="topic", bank=bank, order="created"))
    pid = rep.ls_project_id
    ids = [r[0] for r in con.execute("SELECT ls_task_id FROM annotation_tasks ORDER BY ls_task_id").fetchall()]
    me = client.whoami()["id"]
    print(f"  annotating {BASE} tasks for the first pull ...", flush=True)
    _annotate(client, ids[:BASE], me)
    t = time.perf_counter()
    first = pull(con, client, bank)
    full = time.perf_counter() - t
    t = time.perf_counter()
    client.export(pid)
    full_ceiling = time.perf_counter() - t
    print(
        f"first (full) pull: {first.imported} annotations in {full:.2f}s; Label Studio full export {full_ceiling:.2f}s "
        f"({full_ceiling / full:.0%} of ceiling)"
    )
    out = []
    for r in range(REPEAT):
        batch = ids[BASE + r * K : BASE + (r + 1) * K]
        _annotate(client, batch, me)
        t = time.perf_counter()  # the ceiling before and after ours (neither side gets a warmer cache)
        exported = client.export_tasks(pid, batch)
        before = time.perf_counter() - t
        client.request_seconds = 0.0
        t = time.perf_counter()
        got = pull(con, client, bank)
        ours = time.perf_counter() - t
        in_ls = client.request_seconds
        t = time.perf_counter()
        client.export_tasks(pid, batch)
        ceiling = (before + time.perf_counter() - t) / 2
        assert got.imported == K == len(exported), (got.as_dict(), len(exported))
        t = time.perf_counter()
        client.export(pid)
        whole = time.perf_counter() - t
        print(
            f"incremental pull {r + 1}: {got.imported} annotations in {ours:.2f}s (Label Studio {in_ls:.2f}s); "
            f"export of the same tasks {ceiling:.2f}s (mean of before/after) -> {ceiling / ours:.0%} of ceiling; "
            f"whole-project export {whole:.2f}s"
        )
        out.append((ceiling, ours, in_ls, got.imported))
    t = time.perf_counter()
    noop = pull(con, client, bank)
    print(f"no-op pull: {noop.changed_tasks} changed tasks in {time.perf_counter() - t:.2f}s")
    return out


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ls-") as tmp:
        tmp = Path(tmp)
        t0 = time.perf_counter()
        paths, url, token = server.start_from_template(server.default_cache(), tmp / "ls", user=USER, password=PASSWORD)
        print(f"Label Studio {server.LABEL_STUDIO_VERSION} up in {time.perf_counter() - t0:.1f}s at {url}")
        try:
            client = LabelStudioClient(LabelStudioConfig(url=url, api_key=token, origin="bench", timeout=600))
            for project in () if os.environ.get("BENCH_LS_SKIP_PUSH") else ("pii", "proofread"):
                ratios = []
                for r in range(REPEAT):
                    ceiling, ours, in_ls = _bench_push(client, tmp, project, r)
                    ratios.append(ceiling / ours)
                    print(
                        f"push {project} {N} tasks with predictions: ours {ours:.2f}s ({N / ours:.0f}/s; in Label "
                        f"Studio {in_ls:.2f}s), import endpoint {ceiling:.2f}s ({N / ceiling:.0f}/s) -> "
                        f"{ceiling / ours:.0%} of ceiling"
                    )
                print(f"push {project}: median {statistics.median(ratios):.0%} of ceiling")
            res = _bench_pull(client, tmp)
            print(f"incremental pull of {K}: median {statistics.median(c / o for c, o, _, _ in res):.0%} of ceiling")
        finally:
            server.stop(paths)


if __name__ == "__main__":
    main()
