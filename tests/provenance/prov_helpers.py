"""Small real DuckDB catalogues for provenance tests: the one fixture builder plus ingest ledger events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from catalogue_builder import add_record, add_source

from provenance import ledger
from provenance.db import connect, transaction
from provenance.records import create_version

T0 = dt.datetime(2026, 1, 1, 0, 0, 0)

TEXTBOOK_TERMS = {
    "agreement_id": "TB-2026-001",
    "licensor": "華泰文化",
    "audience": "consortium",
    "purposes": ["training", "evaluation"],
    "expiry": "2030-12-31",
    "attribution": "《銀行實務》，華泰文化授權金融聯盟使用 (TB-2026-001)",
}


class CatalogueBuilder:
    """Adds sources and records with ingest ledger events, like an ingestor would."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.con = connect(path)
        self.run_id = "run-test"
        self.con.execute(
            "INSERT INTO runs (run_id, command, config_hash, code_version, started_at, status)"
            " VALUES (?, 'test', 'x', 'test', ?, 'finished')",
            [self.run_id, T0],
        )

    def source(
        self,
        source_id: str,
        licence_id: str | None,
        *,
        pii_expected: bool = False,
        metadata: dict[str, Any] | None = None,
        title: str | None = None,
    ) -> str:
        add_source(
            self.con,
            source_id,
            licence_id=licence_id,
            title=title or source_id,
            origin=f"file://{source_id}",
            pii_expected=pii_expected,
            metadata=metadata or {},
            created_at=T0,
        )
        return source_id

    def record(
        self,
        source_id: str,
        locator: str,
        text: str,
        *,
        licence_id: str | None = "__source__",
        metadata: dict[str, Any] | None = None,
        pii_state: str | None = "__auto__",
    ) -> str:
        if pii_state == "__auto__":  # as after `curate run pii`, except for sources that expect personal data
            expected = self.con.execute("SELECT pii_expected FROM sources WHERE source_id = ?", [source_id]).fetchone()
            pii_state = None if expected and expected[0] else "clean"
        if licence_id == "__source__":
            licence_id = self.con.execute("SELECT licence_id FROM sources WHERE source_id = ?", [source_id]).fetchone()[
                0
            ]
        with transaction(self.con):
            rid = add_record(
                self.con,
                source_id,
                locator,
                text,
                run_id=self.run_id,
                created_at=T0,
                title=locator,
                lang="zh-Hant",
                script="traditional",
                licence_id=licence_id,
                metadata=metadata or {},
                pii_state=pii_state,
            )
            ledger.append(
                self.con,
                [
                    ledger.Event(
                        stage="ingest",
                        action="ingest",
                        record_id=rid,
                        run_id=self.run_id,
                        detail={
                            "source_id": source_id,
                            "locator": locator,
                            "licence_id": licence_id,
                            "sha256": self.con.execute(
                                "SELECT content_sha256 FROM records WHERE record_id = ?", [rid]
                            ).fetchone()[0],
                        },
                    )
                ]
                # as the PII stage leaves a record it found clean: `audit verify` asks for the event
                + (
                    [ledger.Event(stage="pii", action="pii_checked", record_id=rid, run_id=self.run_id, detail={})]
                    if pii_state == "clean"
                    else []
                ),
                at=T0,
            )
        return rid

    def version(self, parent: str, text: str, stage: str = "hygiene", **fields: Any) -> str:
        with transaction(self.con):
            action = "pii_scrubbed" if stage == "pii" else "rewrite"  # the PII stage's versions, as it writes them
            return create_version(
                self.con, parent, text, stage=stage, run_id=self.run_id, action=action, fields=fields or None
            )

    def close(self) -> None:
        self.con.close()


def export_public(cli, out, *extra):
    """`curate export dataset` for training by the public, through the CLI fixture; its stdout."""
    code, stdout, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--out", str(out), *extra
    )
    assert code == 0, err
    return stdout
