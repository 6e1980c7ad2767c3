"""`curate annotate pull`: import completed annotations of a bank's projects into the catalogue.

Each annotation is imported once (``annotations`` keyed by instance + Label Studio annotation id), in
one transaction per project, with a ledger event naming the bank, the annotator (Label Studio user id
and sha256 of the e-mail), project / task / annotation ids and timestamps:

New versions are written by :func:`annotation.versions.create_versions`, a set-based equivalent
of :func:`provenance.records.create_version` (tested to produce identical rows and events).

* **proofread** — a corrected text becomes a new record version (stage ``annotation``; its
  ``pii_state`` is reset to NULL because a person typed it, so it must pass the PII stage again);
  ``ok`` and ``reject`` verdicts are events. A correction of a version that is no longer active is
  stored as ``stale`` and creates nothing.
* **pii** — regions are compared with the spans that were predicted: confirmed, rejected (false
  positives, for the PII stage to learn from) and added (missed personal data). Added spans are
  masked with a typed placeholder in a new ``scrubbed`` version. Offsets are converted from UTF-16;
  the ledger holds types and offsets only.
* **topic** — the topic and quality rating are stored and recorded.

Annotations edited in Label Studio after they were imported are not imported again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from annotation.label_studio import LabelStudioClient
from annotation.offsets import OffsetMap
from annotation.projects import annotator_actor, check_bank, email_sha256, finish_run, start_run
from annotation.tasks import PROJECTS, Span, detected_spans
from annotation.versions import NewVersion, create_versions
from provenance import ledger
from provenance.db import transaction
from provenance.errors import UsageError

Progress = Callable[[int, int], None]  # (advanced by, total of this project)
STAGE = "annotation"


@dataclass(slots=True)
class PullReport:
    """Counts of one pull."""

    bank: str
    imported: int = 0
    already: int = 0
    new_versions: int = 0
    unknown_tasks: int = 0
    outcomes: Counter = field(default_factory=Counter)
    run_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "imported": self.imported,
            "already": self.already,
            "new_versions": self.new_versions,
            "unknown_tasks": self.unknown_tasks,
            "outcomes": dict(self.outcomes),
        }


@dataclass(frozen=True, slots=True)
class AnnotationEffect:
    """What one annotation means for its record."""

    outcome: str
    action: str
    result: dict[str, Any]
    detail: dict[str, Any]
    new_text: str | None = None
    fields: dict[str, Any] | None = None


def _ts(s: str | None) -> dt.datetime | None:
    if not s:
        return None
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00")).astimezone(dt.UTC).replace(tzinfo=None)


def _by_name(result: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [r for r in result or [] if r.get("from_name") == name]


#: proofreading choice (zh-TW, as stored by Label Studio; English ones from projects created before) -> code
PROOFREAD_VERDICTS = {
    "正確": "ok",
    "已修正": "fixed",
    "退回": "reject",
    "ok": "ok",
    "fixed": "fixed",
    "reject": "reject",
}


def decide_proofread(text: str, result: list[dict[str, Any]], parent_active: bool) -> AnnotationEffect:
    """Verdict, correction and comment of a proofreading annotation."""
    choice = next((c for r in _by_name(result, "verdict") for c in r.get("value", {}).get("choices", [])), None)
    verdict = PROOFREAD_VERDICTS.get(choice, choice)
    corrected = None
    for r in _by_name(result, "corrected"):
        parts = r.get("value", {}).get("text") or []
        corrected = "\n".join(parts) if isinstance(parts, list) else str(parts)
    comment = "\n".join(t for r in _by_name(result, "comment") for t in (r.get("value", {}).get("text") or []))
    stored = {"verdict": verdict, "comment": comment or None}
    changed = corrected is not None and corrected != text and verdict != "reject"
    detail = {"verdict": verdict, "has_comment": bool(comment), "changed": changed}
    if verdict == "reject":
        return AnnotationEffect("reject", "proofread_reject", stored, detail)
    if not changed:
        return AnnotationEffect("ok", "proofread_ok", stored, detail)
    stored["corrected_text"] = corrected
    detail.update(chars_before=len(text), chars_after=len(corrected))
    if not parent_active:
        return AnnotationEffect("stale", "proofread_stale", stored, detail)
    return AnnotationEffect("fixed", "proofread_fix", stored, detail, new_text=corrected)


def _regions(text: str, result: list[dict[str, Any]]) -> list[Span]:
    m = OffsetMap(text)
    spans = []
    for r in _by_name(result, "pii"):
        v = r.get("value", {})
        start, end = m.to_cp(int(v["start"])), m.to_cp(int(v["end"]))
        if "text" in v and v["text"] != text[start:end]:
            raise ValueError(f"region text does not match the task text at UTF-16 {v['start']}..{v['end']}")
        for label in v.get("labels") or ["其他"]:
            spans.append(Span(start, end, label))
    return spans


def decide_pii(text: str, result: list[dict[str, Any]], parent_active: bool) -> AnnotationEffect:
    """Confirmed / rejected / added spans of a PII review; added ones are masked in a new version."""
    try:
        marked = _regions(text, result)
    except (ValueError, KeyError) as exc:
        return AnnotationEffect("invalid", "pii_review_invalid", {"error": str(exc)}, {"error": str(exc)})
    predicted = detected_spans(text)
    pos = {(s.start, s.end) for s in predicted}
    marked_pos = {(s.start, s.end) for s in marked}
    confirmed = [s for s in predicted if (s.start, s.end) in marked_pos]
    rejected = [s for s in predicted if (s.start, s.end) not in marked_pos]
    added = sorted({s for s in marked if (s.start, s.end) not in pos}, key=lambda s: (s.start, s.end))
    as_json = lambda spans: [{"start": s.start, "end": s.end, "type": s.label} for s in spans]  # noqa: E731
    stored = {"confirmed": as_json(confirmed), "rejected": as_json(rejected), "added": as_json(added)}
    detail = dict(stored)
    if not added:
        return AnnotationEffect("reviewed", "pii_review", stored, detail)
    if not parent_active:
        return AnnotationEffect("stale", "pii_review_stale", stored, detail)
    new_text, last = [], 0
    for s in added:
        if s.start < last:  # overlapping additions: the earlier one covers it
            continue
        new_text.append(text[last : s.start])
        new_text.append(f"〔{s.label}〕")
        last = s.end
    new_text.append(text[last:])
    return AnnotationEffect(
        "reviewed", "pii_review", stored, detail, new_text="".join(new_text), fields={"pii_state": "scrubbed"}
    )


def decide_topic(result: list[dict[str, Any]]) -> AnnotationEffect:
    """Topic choice and quality rating."""
    topic = next((c for r in _by_name(result, "topic") for c in r.get("value", {}).get("choices", [])), None)
    quality = next((r.get("value", {}).get("rating") for r in _by_name(result, "quality")), None)
    stored = {"topic": topic, "quality": quality}
    return AnnotationEffect("labelled", "topic_label", stored, dict(stored))


def _decide(project: str, text: str, ann: dict[str, Any], parent_active: bool) -> AnnotationEffect:
    if ann.get("was_cancelled"):
        return AnnotationEffect("cancelled", "annotation_skipped", {}, {})
    result = ann.get("result") or []
    if project == "proofread":
        return decide_proofread(text, result, parent_active)
    if project == "pii":
        return decide_pii(text, result, parent_active)
    return decide_topic(result)


def _pull_project(
    con: duckdb.DuckDBPyConnection,
    client: LabelStudioClient,
    bank: str,
    project: str,
    pid: int,
    emails: dict[int, str],
    run_id: str,
    report: PullReport,
    progress: Progress | None,
) -> None:
    """Import one project's new annotations: read what is known, decide each annotation, write all at once."""
    instance = client.config.instance
    exported = client.export(pid)
    known, tasks = _known_annotations(con, instance, pid), _pushed_tasks(con, instance, pid)
    batch = _Batch(run_id=run_id, imported_at=ledger.now())
    for task in exported:
        for ann in task.get("annotations") or []:
            if ann["id"] in known:
                report.already += 1
                continue
            mapped = tasks.get(task["id"])
            if mapped is None:
                report.unknown_tasks += 1
                continue
            record_id, text, active = mapped
            user_id = ann.get("completed_by")
            if isinstance(user_id, dict):
                user_id = user_id.get("id")
            mail = email_sha256(emails.get(user_id))
            d = _decide(project, text, ann, active)
            ids = {
                "bank": bank,
                "project": project,
                "instance": instance,
                "ls_project_id": pid,
                "ls_task_id": task["id"],
                "ls_annotation_id": ann["id"],
                "annotator_id": user_id,
                "annotator_email_sha256": mail,
                "annotated_at": ann.get("created_at"),
                "updated_at": ann.get("updated_at"),
                "lead_time": ann.get("lead_time"),
            }
            batch.add(record_id, d, {**ids, **d.detail}, annotator_actor(bank, user_id, mail), ids)
            if d.new_text is not None:
                tasks[task["id"]] = (record_id, text, False)  # a second annotation of this task is stale
            report.outcomes[d.outcome] += 1
    batch.write(con, project, report)
    report.imported += len(batch.rows)
    if progress:
        progress(len(batch.rows), len(batch.rows))


def _known_annotations(con: duckdb.DuckDBPyConnection, instance: str, pid: int) -> set[int]:
    """Label Studio ids of the annotations of project ``pid`` imported before."""
    sql = "SELECT ls_annotation_id FROM annotations WHERE instance = ? AND ls_project_id = ?"
    return {r[0] for r in con.execute(sql, [instance, pid]).fetchall()}


def _pushed_tasks(con: duckdb.DuckDBPyConnection, instance: str, pid: int) -> dict[int, tuple[str, str, bool]]:
    """Task id -> (record id, text, record still active) of every task pushed to project ``pid``."""
    return {
        r[0]: (r[1], r[2], r[3])
        for r in con.execute(
            "SELECT t.ls_task_id, t.record_id, r.text, r.status = 'active' FROM annotation_tasks t "
            "JOIN records r USING (record_id) WHERE t.instance = ? AND t.ls_project_id = ?",
            [instance, pid],
        ).fetchall()
    }


@dataclass
class _Batch:
    """What one project's pull writes: annotation rows, new versions (with their row) and ledger events."""

    run_id: str
    imported_at: Any
    rows: list[list[Any]] = field(default_factory=list)
    events: list[ledger.Event] = field(default_factory=list)
    versions: list[tuple[int, NewVersion]] = field(default_factory=list)

    def add(self, record_id: str, d: AnnotationEffect, detail: dict[str, Any], actor: str, ids: dict) -> None:
        if d.new_text is not None:
            pii_state = (d.fields or {}).get("pii_state")
            self.versions.append(
                (len(self.rows), NewVersion(record_id, d.new_text, d.action, detail, actor, pii_state))
            )
        else:
            self.events.append(
                ledger.Event(
                    stage=STAGE, action=d.action, record_id=record_id, run_id=self.run_id, detail=detail, actor=actor
                )
            )
        self.rows.append(
            [
                ids["instance"],
                ids["ls_annotation_id"],
                ids["ls_task_id"],
                ids["ls_project_id"],
                ids["bank"],
                ids["project"],
                record_id,
                ids["annotator_id"],
                ids["annotator_email_sha256"],
                d.outcome,
                json.dumps(d.result, ensure_ascii=False),
                None,  # the new version's id, once written
                _ts(ids["annotated_at"]),
                _ts(ids["updated_at"]),
                self.imported_at,
                self.run_id,
            ]
        )

    def write(self, con: duckdb.DuckDBPyConnection, project: str, report: PullReport) -> None:
        """New versions, events and annotation rows in one transaction."""
        with transaction(con):
            new_ids = create_versions(con, [v for _, v in self.versions], stage=STAGE, run_id=self.run_id)
            for (row_index, _), new_id in zip(self.versions, new_ids, strict=True):
                self.rows[row_index][11] = new_id
            created = [i for i in new_ids if i]
            report.new_versions += len(created)
            if project == "proofread" and created:  # typed by a person: must pass the PII stage again
                con.execute("UPDATE records SET pii_state = NULL WHERE record_id IN (SELECT unnest(?))", [created])
            ledger.append(con, self.events)
            _insert_annotations(con, [tuple(r) for r in self.rows])


def _insert_annotations(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> None:
    if not rows:
        return
    import pyarrow as pa

    cols = list(zip(*rows, strict=True))
    table = pa.table(
        {
            "instance": pa.array(cols[0], pa.string()),
            "ls_annotation_id": pa.array(cols[1], pa.int64()),
            "ls_task_id": pa.array(cols[2], pa.int64()),
            "ls_project_id": pa.array(cols[3], pa.int64()),
            "bank": pa.array(cols[4], pa.string()),
            "project": pa.array(cols[5], pa.string()),
            "record_id": pa.array(cols[6], pa.string()),
            "annotator_id": pa.array(cols[7], pa.int64()),
            "annotator_email_sha256": pa.array(cols[8], pa.string()),
            "outcome": pa.array(cols[9], pa.string()),
            "result": pa.array(cols[10], pa.string()),
            "new_record_id": pa.array(cols[11], pa.string()),
            "annotated_at": pa.array(cols[12], pa.timestamp("us")),
            "updated_at": pa.array(cols[13], pa.timestamp("us")),
            "imported_at": pa.array(cols[14], pa.timestamp("us")),
            "run_id": pa.array(cols[15], pa.string()),
        }
    )
    con.register("_ls_ann", table)
    try:
        con.execute("INSERT INTO annotations SELECT * FROM _ls_ann")
    finally:
        con.unregister("_ls_ann")


def pull(
    con: duckdb.DuckDBPyConnection,
    client: LabelStudioClient,
    bank: str,
    *,
    projects: tuple[str, ...] = PROJECTS,
    progress: Progress | None = None,
) -> PullReport:
    """Import new completed annotations of ``bank``'s projects on this instance."""
    check_bank(bank)
    bad = set(projects) - set(PROJECTS)
    if bad:
        raise UsageError(f"unknown project(s) {sorted(bad)}; valid: {', '.join(PROJECTS)}")
    report = PullReport(bank=bank)
    found = con.execute(
        "SELECT project, ls_project_id FROM annotation_projects WHERE instance = ? AND bank = ? ORDER BY project",
        [client.config.instance, bank],
    ).fetchall()
    found = [(p, pid) for p, pid in found if p in projects]
    if not found:
        return report
    run_id = start_run(
        con, "annotate pull", {"bank": bank, "projects": list(projects), "instance": client.config.instance}
    )
    report.run_id = run_id
    try:
        emails = client.user_emails()
        for project, pid in found:
            _pull_project(con, client, bank, project, pid, emails, run_id, report, progress)
    except BaseException:
        finish_run(con, run_id, status="failed", counts=report.as_dict())
        raise
    finish_run(con, run_id, counts=report.as_dict())
    return report


__all__ = ["AnnotationEffect", "PullReport", "decide_pii", "decide_proofread", "decide_topic", "pull"]
