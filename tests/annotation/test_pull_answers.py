"""Answers that are not Label Studio's (review 8, F2): a single sign-on or proxy login page served with HTTP 200,
malformed JSON or JSON of another shape, on the export, the project counters or the task listing, gave a Python
traceback on pull. Each is now the promised one line (the HTML page named by its title, nothing quoted) naming what
was imported before it, and nothing of the project it met is imported."""

from __future__ import annotations

import json

import pytest
from ls_proxy import proxy_to
from ls_records import make_catalogue

from annotation.config import LabelStudioConfig
from annotation.label_studio import LabelStudioClient
from annotation.push import PushConfig, push

pytestmark = pytest.mark.labelstudio

LOGIN = (200, b"<!doctype html><html><head><title>SSO Login</title></head><body>login</body></html>", "text/html")


def _json(body) -> tuple[int, bytes, str]:
    return 200, json.dumps(body).encode() if not isinstance(body, bytes) else body, "application/json"


GARBAGE = {
    "an HTML page (SSO Login)": LOGIN,
    "malformed JSON": _json(b'[{"id": 1, "annotations": [{"id": 2, "result": "\xe7\x8e\x8b'),
    "the export is not a list of tasks": _json({"tasks": "nope", "total": "x", "results": 5}),
    "an annotation has no whole-number id": _json([{"id": 1, "annotations": [{"id": "x"}]}]),
    "a task's annotations are not a list": _json([{"id": 1, "annotations": "nope"}, 5, None]),
    "an annotation's time": _json([{"id": 1, "annotations": [{"id": 2, "created_at": "yesterday"}]}]),
}


def _counts(db_path) -> tuple:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("annotations", "records"))
    finally:
        con.close()


def _one_line(cli, *expected: str) -> None:
    code, out, err = cli("annotate", "pull", "--bank", "B")
    assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "王" not in err and "login</body>" not in err and "LABEL_STUDIO_URL" in err, err
    for said in expected:
        assert said in err, (said, err)


def test_an_answer_that_is_not_label_studios_is_one_line_and_imports_nothing(label_studio, db_path, cli, monkeypatch):
    con, ids = make_catalogue(db_path, 2)
    with proxy_to(label_studio.url) as proxy:
        monkeypatch.setenv("LABEL_STUDIO_URL", proxy.url)
        monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
        monkeypatch.setenv("LABEL_STUDIO_RETRIES", "0")
        client = LabelStudioClient(LabelStudioConfig(url=proxy.url, api_key=label_studio.token, origin="test"))
        me = client.whoami()["id"]
        pids = {p: push(con, client, PushConfig(project=p, bank="B")).ls_project_id for p in ("proofread", "topic")}
        tasks = {t["data"]["record_id"]: t["id"] for t in client.export(pids["topic"], all_tasks=True)}
        for rid in ids:
            ok = [{"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["正確"]}}]
            proof = {t["data"]["record_id"]: t["id"] for t in client.export(pids["proofread"], all_tasks=True)}
            client.create_annotation(proof[rid], ok, completed_by=me)
        topic = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["授信"]}}]
        client.create_annotation(tasks[ids[0]], topic, completed_by=me)
        con.close()
        before = _counts(db_path)
        # the first pull of topic: Label Studio's whole export (proofread, pulled first, is imported and kept)
        for said, answer in GARBAGE.items():
            proxy.answers = {f"/api/projects/{pids['topic']}/export": answer}
            _one_line(cli, f"export project {pids['topic']} failed: the answer is", said, "project topic: nothing")
            assert _counts(db_path)[0] == before[0] + 2  # the two of proofread, once; none of topic
        proxy.answers = {}
        code, out, err = cli("annotate", "pull", "--bank", "B")
        assert code == 0, out + err
        # an incremental pull: the new annotation's task by id, then the counters and the Data Manager's listing
        client.create_annotation(tasks[ids[1]], topic, completed_by=me)
        before = _counts(db_path)
        for path, answer, said in (
            ("/api/projects/counts", LOGIN, "count annotations of project"),
            ("/api/projects/counts", _json({"results": [{"id": p, "total_annotations_number": "x"} for p in pids.values()]}),
             "an annotation counter is not a whole number"),
            ("/api/tasks/", _json({"tasks": [], "total": "x"}), "the listing's total is not a whole number"),
            ("/api/tasks/", LOGIN, "an HTML page (SSO Login)"),
            (f"/api/projects/{pids['topic']}/export", _json([{"id": True}]), "a task is not an object"),
        ):  # fmt: skip
            proxy.answers = {path: answer}
            _one_line(cli, said)
            assert _counts(db_path) == before, path
        proxy.answers = {}
        code, out, err = cli("-q", "annotate", "pull", "--bank", "B", "--json")
        assert code == 0 and json.loads(out)["imported"] == 1, out + err
