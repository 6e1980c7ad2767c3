"""Review 18 (annotation #2): a MODA row that a new dump no longer holds (``curate ingest moda --complete``) is
superseded with a ``removed_from_source`` event, but its Label Studio task stayed live: annotators kept correcting
text the source took down. The next push or pull of the bank now retracts it like a withdrawn record's (deleted when
nobody annotated it, kept and listed by `curate audit withdrawn` when annotated; ``because`` ``removed_from_source``),
and a row that a later dump holds again (``returned_to_source``) is a live task again or is sent again."""

from __future__ import annotations

import json

import duckdb
import pytest

from annotation.pull import pull
from annotation.push import PushConfig, push
from provenance import db as cdb
from provenance.audit import withdrawn_tasks

pytestmark = pytest.mark.labelstudio

CHOICE = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["市場"]}}]
ROWS = {
    str(i): f"第{i}條 本行辦理房屋貸款業務，依主管機關規定審核借款人之還款能力與擔保品價值，並定期檢討授信政策。"
    for i in range(3)
}


def _dump(tmp_path, ids):
    f = tmp_path / "dumps" / "ds1" / "m.jsonl"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text("".join(json.dumps({"id": i, "text": ROWS[i]}, ensure_ascii=False) + "\n" for i in ids))
    return str(f.parent)


def _ids(db_path) -> dict[str, str]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT json_extract_string(metadata, '$.id'), record_id FROM records").fetchall()
    finally:
        con.close()
    return dict(rows)


def _on_server(client, pid: int) -> dict[str, int]:
    return {t["data"]["record_id"]: t["id"] for t in client.export(pid, all_tasks=True)}


@pytest.mark.parametrize("sync", ["pull", "push"])
def test_a_removed_rows_task_is_retracted_and_offered_again_when_it_returns(
    label_studio, db_path, bank, cli, tmp_path, sync
):
    for args in (
        ("ingest", "moda", _dump(tmp_path, ["0", "1", "2"]), "--licence", "CC-BY-4.0"),
        ("run", "hygiene", "--workers", "1"),
        ("run", "pii", "--workers", "1"),
    ):
        code, out, err = cli("-q", *args)
        assert code == 0, (args, out, err)
    ids = _ids(db_path)
    con = cdb.connect(db_path)
    client = label_studio.client()
    cfg = PushConfig(project="topic", bank=bank)
    pid = push(con, client, cfg).ls_project_id
    tasks = _on_server(client, pid)
    assert set(tasks) == set(ids.values())
    client.create_annotation(tasks[ids["1"]], CHOICE, completed_by=client.whoami()["id"])
    con.close()

    code, out, err = cli("-q", "ingest", "moda", _dump(tmp_path, ["2"]), "--licence", "CC-BY-4.0", "--complete")
    assert code == 0 and "marked removed_from_source" in out, (out, err)
    assert "2 Label Studio tasks show them" in out, out
    con = cdb.connect(db_path)
    (row,) = withdrawn_tasks(con)  # the auditor sees them before the sync takes them out
    assert (row["bank"], row["not_taken_out"], row["deleted"]) == (bank, 2, 0), row
    assert row["on_server"] == sorted(tasks[ids[i]] for i in ("0", "1"))
    rep = pull(con, client, bank) if sync == "pull" else push(con, client, cfg)
    assert (rep.retracted, rep.retracted_kept) == (1, 1), rep
    left = _on_server(client, pid)
    assert ids["0"] not in left and ids["1"] in left and ids["2"] in left
    because = con.execute(
        "SELECT record_id, json_extract_string(detail, '$.because'), json_extract(detail, '$.task_deleted')"
        " FROM provenance_events WHERE action = 'task_retracted' ORDER BY record_id"
    ).fetchall()
    assert sorted(because) == sorted(
        [(ids["0"], "removed_from_source", "true"), (ids["1"], "removed_from_source", "false")]
    )
    (row,) = withdrawn_tasks(con)
    assert (row["deleted"], row["kept_annotated"], row["not_taken_out"]) == (1, 1, 0), row
    assert row["on_server"] == [tasks[ids["1"]]]
    again = push(con, client, cfg)
    assert (again.retracted, again.retracted_kept, again.pushed) == (0, 0, 0), again
    con.close()

    # the rows are in a later dump again, unchanged: the kept task is live again, the deleted one is sent again
    code, out, err = cli(
        "-q", "ingest", "moda", _dump(tmp_path, ["0", "1", "2"]), "--licence", "CC-BY-4.0", "--complete"
    )
    assert code == 0, (out, err)
    con = cdb.connect(db_path)
    back = push(con, client, cfg)
    assert back.pushed == 1, back
    assert set(_on_server(client, pid)) == set(ids.values())
    assert not withdrawn_tasks(con)
    restored = con.execute("SELECT record_id FROM provenance_events WHERE action = 'task_restored'").fetchall()
    assert restored == [(ids["1"],)]
    con.close()
    code, out, err = cli("audit", "verify")
    assert code == 0, (out, err)
