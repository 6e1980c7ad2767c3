"""Benchmark the Label Studio bridge: push tasks/s and pull annotations/s against a local Label Studio.

Starts its own Label Studio (the project's .cache/labelstudio/venv, installed if missing) on a free
port with a temporary data directory, and stops it at the end. Sizes: BENCH_LS_N records (default
2000) per project. Targets: push >= 500 tasks/s, pull >= 500 annotations/s.
"""

from __future__ import annotations

import os
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
from annotation.push import PushConfig, push  # noqa: E402
from annotation.tasks import build_task  # noqa: E402

N = int(os.environ.get("BENCH_LS_N", 2000))
USER, PASSWORD = "bench@finllm.local", "bench-only-password"


def _annotated_tasks(con, client, bank: str, project: str, n: int) -> int:
    """Set-up for the pull benchmark: n tasks imported together with a completed annotation each."""
    pid = ensure_project(con, client, bank, project)
    me = client.whoami()["id"]
    rows = con.execute(
        "SELECT record_id, doc_key, text, title, source_id FROM records WHERE status = 'active' "
        "ORDER BY record_id LIMIT ?",
        [n],
    ).fetchall()
    tasks = []
    for rid, _, text, title, src in rows:
        task = build_task(project, {"record_id": rid, "text": text, "title": title, "source_id": src}, bank=bank)
        if project == "topic":
            result = [
                {"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["授信"]}},
                {"from_name": "quality", "to_name": "text", "type": "rating", "value": {"rating": 4}},
            ]
        else:
            result = [
                {
                    "from_name": "corrected",
                    "to_name": "text",
                    "type": "textarea",
                    "value": {"text": [text.replace("授信", "授信與徵信")]},
                },
                {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["fixed"]}},
            ]
        task["annotations"] = [{"result": result, "completed_by": me}]
        tasks.append(task)
    ids = []
    for i in range(0, len(tasks), 1000):
        ids += client.import_tasks(pid, tasks[i : i + 1000])
    con.executemany(
        "INSERT INTO annotation_tasks (record_id, doc_key, bank, project, instance, ls_project_id,"
        " ls_task_id, pushed_at) VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
        [[r[0], r[1], bank, project, client.config.instance, pid, t] for r, t in zip(rows, ids, strict=True)],
    )
    return len(ids)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ls-") as tmp:
        tmp = Path(tmp)
        paths = server.ServerPaths(tmp / "ls", venv_dir=ROOT / ".cache" / "labelstudio" / "venv")
        paths.cache.mkdir()
        port = server.free_port()
        t0 = time.perf_counter()
        url, _ = server.start(paths, port=port, username=USER, password=PASSWORD)
        token = server.ensure_token(paths, url, USER, PASSWORD)
        print(f"Label Studio {server.LABEL_STUDIO_VERSION} up in {time.perf_counter() - t0:.1f}s at {url}")
        try:
            client = LabelStudioClient(LabelStudioConfig(url=url, api_key=token, origin="bench"))
            con, _ = make_catalogue(tmp / "cat.duckdb", N)
            print(f"records: {N}")
            for project in ("topic", "pii", "proofread"):
                ensure_project(con, client, "bench", project)  # project creation is not part of the rate
                client.request_seconds = 0.0
                t = time.perf_counter()
                rep = push(con, client, PushConfig(project=project, bank="BENCH"))
                dt_ = time.perf_counter() - t
                own = dt_ - client.request_seconds
                print(
                    f"push {project:9s}: {rep.pushed} tasks in {dt_:.2f}s = {rep.pushed / dt_:.0f} tasks/s "
                    f"(Label Studio {client.request_seconds:.2f}s; bridge {own:.2f}s = {rep.pushed / own:.0f}/s)"
                )
            t = time.perf_counter()
            rep = push(con, client, PushConfig(project="topic", bank="BENCH"))
            print(f"push again (no-op): {rep.already} already there in {time.perf_counter() - t:.2f}s")

            con2, _ = make_catalogue(tmp / "cat2.duckdb", N)
            for project in ("topic", "proofread"):
                n = _annotated_tasks(con2, client, f"bench-{project}", project, N)
                client.request_seconds = 0.0
                t = time.perf_counter()
                got = pull(con2, client, f"bench-{project}")
                dt_ = time.perf_counter() - t
                own = dt_ - client.request_seconds
                assert got.imported == n, got.as_dict()
                print(
                    f"pull {project:9s}: {got.imported} annotations ({got.new_versions} new versions) in "
                    f"{dt_:.2f}s = {got.imported / dt_:.0f} annotations/s (Label Studio export "
                    f"{client.request_seconds:.2f}s; bridge {own:.2f}s = {got.imported / own:.0f}/s)"
                )
            t = time.perf_counter()
            again = pull(con2, client, "bench-topic")
            print(f"pull again (no-op): {again.already} already imported in {time.perf_counter() - t:.2f}s")
        finally:
            server.stop(paths)


if __name__ == "__main__":
    main()
