"""Records for the annotation tests: scrubbed Chinese texts, written by the one fixture builder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import catalogue_builder

from provenance import db as cdb
from provenance.records import sha256_text


def add_source(con, source_id: str = "demo", licence_id: str = "CC-BY-4.0", metadata: dict | None = None) -> None:
    catalogue_builder.add_source(
        con, source_id, licence_id=licence_id, title="test source", origin="tests", metadata=metadata or None
    )


def add_record(
    con,
    text: str,
    *,
    source_id: str = "demo",
    locator: str | None = None,
    pii_state: str | None = "scrubbed",
    licence_id: str = "CC-BY-4.0",
    metadata: dict[str, Any] | None = None,
    title: str = "標題",
) -> str:
    """One active record as the PII stage leaves it (stage ``pii``); returns its id."""
    return catalogue_builder.add_record(
        con,
        source_id,
        locator or f"loc-{sha256_text(text)[:12]}",
        text,
        stage="pii",
        title=title,
        lang="zh",
        script="traditional",
        licence_id=licence_id,
        metadata=metadata or None,
        pii_state=pii_state,
    )


def make_catalogue(path: Path, n: int, *, pii_state: str | None = "scrubbed") -> tuple[Any, list[str]]:
    """A catalogue with ``n`` scrubbed records; returns (connection, record ids)."""
    con = cdb.connect(path)
    add_source(con)
    ids = [
        add_record(
            con,
            f"第{i}條 客戶〔姓名〕於本行開戶，聯絡電話〔電話〕，授信額度依規定辦理。",
            locator=f"a{i}",
            pii_state=pii_state,
        )
        for i in range(n)
    ]
    return con, ids


def proofread_catalogue(cli, tmp_path: Path, bank: str, text: str) -> None:
    """One moda record (``text``, a source not marked ``--pii-expected``) ingested, through hygiene and the PII stage,
    and pushed to ``bank``'s proofreading project, by the real CLI."""
    data = tmp_path / "moda.jsonl"
    data.write_text(json.dumps({"id": "1", "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    for args in (
        ("ingest", "moda", str(data), "--licence", "CC-BY-4.0"),
        ("run", "hygiene", "--workers", "1"),
        ("run", "pii", "--workers", "1"),
        ("annotate", "push", "--project", "proofread", "--bank", bank),
    ):
        code, out, err = cli("-q", *args)
        assert code == 0, (args, out, err)


def relicense(con, rid: str, fields: dict) -> str:
    """A licence correction as a steward makes one: a new version of ``rid``, the same text, with ``fields``."""
    from provenance.records import create_version
    from provenance.runs import finish_run, start_run

    run_id = start_run(con, "test-relicense", {})
    text = con.execute("SELECT text FROM records WHERE record_id = ?", [rid]).fetchone()[0]
    with cdb.transaction(con):
        new = create_version(con, rid, text, stage="relicense", run_id=run_id, fields=fields, detail={})
    finish_run(con, run_id)
    return new


def one_corrected(label_studio, db_path: Path, bank: str, corrected: str):
    """A one-record catalogue pushed to ``bank``'s proofreading project and its task corrected to ``corrected``:
    ``(con, record ids, client, project id, the annotator's id)``."""
    from ls_results import correction

    from annotation.push import PushConfig, push

    con, ids = make_catalogue(db_path, 1)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="proofread", bank=bank)).ls_project_id
    me = client.whoami()["id"]
    (task,) = [t["id"] for t in client.export(pid, all_tasks=True)]
    client.create_annotation(task, correction(corrected), completed_by=me)
    return con, ids, client, pid, me
