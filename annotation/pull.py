"""`curate annotate pull`: import completed annotations of a bank's projects into the catalogue.

Each annotation is imported once (``annotations`` keyed by instance + Label Studio annotation id), in
one transaction per project, with a ledger event naming the bank, the annotator (Label Studio user id
and sha256 of the e-mail), project / task / annotation ids and timestamps:

New versions are written by :func:`annotation.versions.create_versions`, a set-based equivalent
of :func:`provenance.records.create_version` (tested to produce identical rows and events).

* **proofread** — a corrected text becomes a new record version (stage ``annotation``; its
  ``pii_state`` is reset to NULL because a person typed it, so it must pass the PII stage again);
  ``ok`` and ``reject`` verdicts are events (a text typed beside ``ok`` is not applied; one with no visible
  text under ``fixed`` is ``invalid``). A correction of a version that is no longer active is
  stored as ``stale`` and creates nothing, unless the document's current version has the text read (a licence
  correction since the push: :mod:`annotation.same_text`), which it then corrects.
* **pii** — per-span verdicts (:mod:`annotation.review`): 正確 confirmed, 非個資 restored from the
  vault into a new version and added to the source's allow-list (keyed digests), 類型錯誤 re-typed,
  漏標 (regions the reviewer added) masked with a typed placeholder: the record is re-scrubbed in a
  new ``scrubbed`` version, and the version the reviewer read is sealed (:meth:`PullBatch.write`). Offsets
  are converted from UTF-16 and from the masked text the reviewer saw; the ledger holds types, offsets and
  digests only.
* **topic** — the topic and quality rating are stored and recorded.

Pull is incremental: the tasks nothing was imported from yet and the tasks the Data Manager lists as
annotated since the last pull (``annotation_pull_cursor``) are exported by id (Label Studio returns only the
annotated ones); annotation ids say what is new. Annotations edited in Label Studio after they were imported
are not imported again.

Text a person typed is kept only sealed (:mod:`annotation.decide`); a malformed annotation is stored as
``invalid`` with a reason code and the rest of the project is imported.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from annotation.annotation_ids import imported_before
from annotation.catalogue_memory import catalogue_params, check_remembered
from annotation.decide import (
    AnnotationEffect,
    decide,
    decide_pii,
    decide_proofread,
    decide_topic,
    joint_member,
    task_reviews,
    vault_id,
)
from annotation.errors import LabelStudioError, shown_url
from annotation.label_studio import LabelStudioClient, ls_time
from annotation.projects import annotator_actor, check_bank, check_recorded, email_sha256, finish_run, start_run
from annotation.pull_batch import STAGE, PullBatch
from annotation.retract import retract_withdrawn
from annotation.review import AllowEntry, PiiVault, Review, stored_review
from annotation.same_text import same_text_current
from annotation.sealed_tasks import delete_sealed_imported
from annotation.stale_missed import sealed_marked
from annotation.tasks import PROJECTS
from annotation.withdrawn_reviews import withdrawn_while_active
from provenance import ledger
from provenance.db import transaction
from provenance.envsettings import max_record_chars
from provenance.errors import ConfigError, KeyRequiredError, UsageError
from provenance.faults import fault
from provenance.licences import LicenceCatalogue

Progress = Callable[[int, int], None]  # (advanced by, total of this project)


@dataclass(slots=True)
class PullReport:
    """Counts of one pull."""

    bank: str
    imported: int = 0
    already: int = 0
    new_versions: int = 0
    unknown_tasks: int = 0
    #: tasks Label Studio listed as changed since the last pull (what was exported)
    changed_tasks: int = 0
    #: projects exported whole although a cursor exists (several annotators per task: see ``_fetch_changed``)
    whole_exports: int = 0
    #: PII review annotations left for a later pull: their task has fewer annotations than the project wants
    waiting: int = 0
    #: PII review tasks whose annotators disagreed on a span (kept masked; ``pii_review_disagreement`` events)
    disagreements: int = 0
    #: tasks of withdrawn records deleted in Label Studio, and kept there because annotated (annotation/retract.py)
    retracted: int = 0
    retracted_kept: int = 0
    #: kept tasks of versions sealed since their push, deleted once their annotations were imported (sealed_tasks.py)
    sealed_deleted: int = 0
    outcomes: Counter = field(default_factory=Counter)
    run_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "bank": self.bank,
            "imported": self.imported,
            "already": self.already,
            "new_versions": self.new_versions,
            "unknown_tasks": self.unknown_tasks,
            "changed_tasks": self.changed_tasks,
            "whole_exports": self.whole_exports,
            "waiting": self.waiting,
            "disagreements": self.disagreements,
            "retracted": self.retracted,
            "retracted_kept": self.retracted_kept,
            "sealed_deleted": self.sealed_deleted,
            "outcomes": dict(self.outcomes),
        }


class _Annotators:
    """Label Studio user id -> keyed digest of the e-mail: from earlier pulls, asking Label Studio once if needed."""

    def __init__(
        self, con: duckdb.DuckDBPyConnection, client: LabelStudioClient, keyed: Callable[[str], str] | None
    ) -> None:
        self.client = client
        self.keyed = keyed
        # only keyed digests are reused (a plain sha256 of an e-mail from before issue 13 is guessable)
        self.known: dict[int, str | None] = (
            dict(
                con.execute(
                    "SELECT annotator_id, any_value(annotator_email_sha256) FROM annotations WHERE instance = ?"
                    " AND annotator_id IS NOT NULL AND starts_with(annotator_email_sha256, 'hmac:')"
                    " GROUP BY annotator_id",
                    [client.config.instance],
                ).fetchall()
            )
            if keyed is not None
            else {}
        )
        self.asked = keyed is None  # without the key no digest is stored: never ask for e-mails

    def sha256(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.known and not self.asked:
            self.asked = True
            self.known.update({uid: email_sha256(mail, self.keyed) for uid, mail in self.client.user_emails().items()})
        return self.known.get(user_id)


#: how far back from the newest imported annotation the next listing looks (see ``_changed_since``)
CURSOR_MARGIN = dt.timedelta(minutes=5)
#: pending tasks asked for by id in an incremental pull besides the Data Manager's listing; above this, the listing alone
PENDING_BY_ID = 5000


def _changed_since(
    con: duckdb.DuckDBPyConnection, client: LabelStudioClient, instance: str, pid: int, cursor: str, report: PullReport
) -> list[dict[str, Any]]:
    """Tasks with annotations not imported yet, in as few Label Studio requests as possible.

    New annotations are almost always on tasks nothing was imported from yet: those tasks are asked for by id in
    one export request (Label Studio returns only the annotated ones). Two cheap requests then tell whether
    anything else changed: the project counters (more annotations than the catalogue knows: a second annotation on
    a task imported before) and the Data Manager's count of tasks whose newest annotation is newer than the newest
    one imported, against the exported tasks that account for it (an annotation deleted and made again leaves the
    counters as they were). Only if either says so does the Data Manager list the tasks annotated since the last
    pull (``cursor``) for a second export; the annotation ids say what was imported before.
    """
    pending = [
        r[0]
        for r in con.execute(
            "SELECT t.ls_task_id FROM annotation_tasks t WHERE t.instance = ? AND t.ls_project_id = ? AND NOT EXISTS"
            " (SELECT 1 FROM annotations a WHERE a.instance = t.instance AND a.ls_task_id = t.ls_task_id)"
            " ORDER BY t.ls_task_id",
            [instance, pid],
        ).fetchall()
    ]
    exported: list[dict[str, Any]] = []
    complete = False
    if len(pending) <= PENDING_BY_ID:
        imported, newest = con.execute(
            "SELECT count(*), max(annotated_at) FROM annotations WHERE instance = ? AND ls_project_id = ?",
            [instance, pid],
        ).fetchone()
        exported = client.export_tasks(pid, pending) if pending else []
        found = sum(len(t.get("annotations") or []) for t in exported)
        # both must hold: the counters see a second annotation on a task imported before, also one saved while
        # this pull runs or on a task not yet labelled for Label Studio (several annotators per task); the count
        # sees an annotation deleted and made again (the counters as they were)
        complete = (
            newest is not None
            and client.annotation_count(pid) <= imported + found
            and client.changed_count(pid, _iso(newest)) <= _newer(exported, newest)
        )
    if not complete:
        have = {t["id"] for t in exported}
        rest = [tid for tid in client.changed_tasks(pid, cursor) if tid not in have]
        exported += client.export_tasks(pid, rest) if rest else []
    report.changed_tasks += len(exported)
    return exported


def _newer(exported: list[dict[str, Any]], newest: dt.datetime) -> int:
    """Exported tasks the Data Manager counts as annotated after ``newest``: those whose newest annotation (by id,
    as Label Studio's ``completed_at``) was made after it and is not a skip."""
    n = 0
    for task in exported:
        last = max(task.get("annotations") or [], key=lambda a: a.get("id") or 0, default=None)
        made = ls_time(last.get("created_at")) if last else None
        n += bool(made and made > newest and not last.get("was_cancelled"))
    return n


def _iso(t: dt.datetime) -> str:
    """A cursor as Label Studio's Data Manager filter expects it (UTC, microseconds).

    >>> _iso(dt.datetime(2026, 12, 3, 7, 11, 43, 303270))
    '2026-12-03T07:11:43.303270Z'
    """
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _pull_project(
    con: duckdb.DuckDBPyConnection,
    client: LabelStudioClient,
    bank: str,
    project: str,
    pid: int,
    emails: _Annotators,
    run_id: str,
    report: PullReport,
    progress: Progress | None,
    vault: PiiVault | None = None,
    full: bool = False,
    licence_catalogue: LicenceCatalogue | None = None,
) -> None:
    """Import one project's new annotations: fetch what changed, decide each annotation, write the batch
    and move the project's cursor, in one transaction."""
    instance = client.config.instance
    overlap = int(client.project(pid).get("maximum_annotations") or 1) if project == "pii" else None
    exported, cursor = _fetch_changed(con, client, instance, pid, full, report, overlap)
    if not exported:
        return
    known = imported_before(con, instance, pid, exported)  # (an id Label Studio gave again: refused)
    tasks = _pushed(con, instance, pid, [t["id"] for t in exported])
    if project == "pii":  # a review of a record withdrawn since its push: decided as of an active one (see module)
        held = withdrawn_while_active(con, [t[0] for t in tasks.values() if not t[2]])
        tasks = {k: (t[0], t[1], t[2] or t[0] in held, *t[3:]) for k, t in tasks.items()}
    # a correction of a version replaced since by one of the same text (a licence correction): to that one if seen
    live = [t[0] for t in tasks.values() if not t[2]]
    current = same_text_current(con, live, bank, licence_catalogue) if project == "proofread" else {}
    # a PII review task's annotators are judged together (decide_pii's peers), once all the project wants are in;
    # those imported before as they were imported, not as Label Studio holds them now
    imported = _imported_reviews(con, instance, pid, list(tasks)) if overlap else {}
    reviews = {
        t["id"]: task_reviews(t, tasks[t["id"]][1], imported.get(t["id"]))
        for t in exported
        if overlap and t["id"] in tasks
    }
    joint: dict[int, int] = {}  # task -> the annotation whose joint decision made the new version
    corrected: set[str] = set()  # versions this pull replaced (another task's correction of the same text: stale)
    flagged: set[int] = set()
    stamps = [ls_time(a.get("created_at")) for t in exported for a in t.get("annotations") or [] if a.get("created_at")]
    newest = max(stamps, default=None)
    old = ls_time(cursor) if cursor else None
    # a margin for annotations saved while this pull ran: the listing (rare) looks a little further back
    new_cursor = max(x for x in (newest - CURSOR_MARGIN if newest else None, old) if x) if (newest or old) else None
    batch = PullBatch(run_id=run_id, imported_at=ledger.now(), keys=vault, bank=bank)
    max_chars = max_record_chars()
    with transaction(con):
        for task in exported:
            if overlap and task["id"] in tasks and _readers(task, imported.get(task["id"], {})) < overlap:
                anns = task.get("annotations") or []
                report.waiting += sum(a["id"] not in known for a in anns)
                report.already += sum(a["id"] in known for a in anns)  # (an invalid one imported: no reading)
                continue  # (exported whole again next time: see _fetch_changed)
            for ann in task.get("annotations") or []:
                if ann["id"] in known:
                    report.already += 1
                    continue
                mapped = tasks.get(task["id"])
                if mapped is None:
                    report.unknown_tasks += 1
                    continue
                record_id, text, active, source_id, pii_expected, taken_out = mapped
                user_id = ann.get("completed_by")
                if isinstance(user_id, dict):
                    user_id = user_id.get("id")
                mail = emails.sha256(user_id)
                applied_with = joint.get(task["id"])
                # a proofreading task taken out but kept as annotated (retract.py: its licence or a hold refuses the
                # bank now) changes no record: a correction is stale (review 14); a PII review's 漏標 still masks,
                # but its 非個資 restores nothing (review of the fixes 14: it made a version with the raw values)
                active = active and not (taken_out and project != "pii")
                onto = None if active or taken_out or applied_with is not None else current.get(record_id)
                active, onto = active and record_id not in corrected, None if onto in corrected else onto
                d = decide(
                    project,
                    text,
                    ann,
                    active or applied_with is not None or onto is not None,
                    task.get("data"),
                    (lambda rid=record_id, t=text: vault.originals(con, rid, t)) if vault is not None else None,
                    max_chars=max_chars,
                    peers=[r for aid, r in reviews.get(task["id"], {}).items() if aid != ann["id"]],
                    need=overlap or 1,
                    restore=not taken_out,
                )
                if applied_with is not None:
                    d = joint_member(d, applied_with)
                if taken_out:  # the ledger says why nothing was applied (or restored)
                    d.detail["task_retracted"] = True
                if d.sealed:
                    _seal_typed(con, vault, d, instance, ann["id"])
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
                actor = annotator_actor(bank, user_id, mail)
                if d.restored and vault is not None:  # 非個資: remember the values as keyed digests
                    _allow_restored(con, vault, d, source_id, record_id, bank, actor, ann["id"])
                read, added = (text, None)  # a 漏標 of a version sealed since its push: read in the task's text
                if text is None and project == "pii" and d.outcome == "stale":
                    read, added = sealed_marked(task.get("data"), ann.get("result") or [])
                # a correction is text a person typed, unchecked until the PII stage, whatever its source says: a keyed
                # id and digest (a plain sha256 of it let anyone who read the earlier version guess a typed ID number;
                # review 15); without the PII key the project stops (versions.create_versions), as for typed text
                keyed = project == "proofread"
                if onto is not None and d.new_text is not None:  # the ledger names the version the annotator read
                    d.detail["read_record_id"] = record_id
                batch.add(record_id, d, ids, actor, keyed=keyed, text=read, added=added, onto=onto)
                if d.new_text is not None:
                    current.pop(record_id, None)
                    corrected.add(onto or record_id)
                    tasks[task["id"]] = (record_id, text, False, source_id, pii_expected, taken_out)  # then stale
                    joint[task["id"]] = ann["id"]
                if d.detail.get("disagreed") and task["id"] not in flagged:
                    flagged.add(task["id"])
                    earlier = not active and applied_with is None  # replaced before this pull
                    batch.events.append(_disagreement(record_id, ids, d, sorted(reviews[task["id"]]), run_id, earlier))
                    report.disagreements += 1
                report.outcomes[d.outcome] += 1
        report.new_versions += batch.write(con, project)
        fault("annotate_pull_batch")
        con.execute(
            "INSERT OR REPLACE INTO annotation_pull_cursor VALUES (?, ?, ?, ?, now()::TIMESTAMP)",
            [
                instance,
                pid,
                new_cursor,
                max((a["id"] for t in exported for a in t.get("annotations") or []), default=None),
            ],
        )
    report.imported += len(batch.rows)
    if progress:
        progress(len(batch.rows), len(batch.rows))


def _disagreement(
    record_id: str, ids: dict[str, Any], d: AnnotationEffect, annotations: list[int], run_id: str, earlier: bool
) -> ledger.Event:
    """The ledger event a steward looks for: annotators of one PII review task read spans differently (each
    span's index and type, never its value); those spans kept their placeholder. ``earlier_version``: the record
    had been replaced already (by an earlier pull of one annotator's review): check what that version restored."""
    detail = {k: ids[k] for k in ("bank", "project", "instance", "ls_project_id", "ls_task_id")}
    detail.update(
        annotations=annotations,
        spans=[{"index": s["index"], "type": s["type"]} for s in d.detail["disagreed"]],
        earlier_version=earlier,
    )
    return ledger.Event(
        stage=STAGE,
        action="pii_review_disagreement",
        record_id=record_id,
        run_id=run_id,
        detail=detail,
        actor=ids["bank"],
    )


def _fetch_changed(
    con: duckdb.DuckDBPyConnection,
    client: LabelStudioClient,
    instance: str,
    pid: int,
    full: bool,
    report: PullReport,
    overlap: int | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """Tasks with annotations changed since the project's cursor (all of them on a first or ``full`` pull),
    and the cursor (``overlap``: the project's annotations per task, if known)."""
    cursor = None
    if not full:
        row = con.execute(
            "SELECT updated_at FROM annotation_pull_cursor WHERE instance = ? AND ls_project_id = ?", [instance, pid]
        ).fetchone()
        cursor = _iso(row[0]) if row and row[0] else None
    if overlap is None and cursor is not None:
        overlap = int(client.project(pid).get("maximum_annotations") or 1)
    if cursor is not None and (overlap or 1) > 1:
        # several annotators per task: a task with fewer annotations than that is not labelled for the Data
        # Manager (no completed_at), so neither its listing nor its count sees an annotation made, or deleted and
        # made again, on it; only the whole export is sure
        cursor = None
        report.whole_exports += 1
    if cursor is None:  # first pull: Label Studio's own export of every annotated task
        exported = client.export(pid)
        report.changed_tasks += len(exported)
        return exported, None
    return _changed_since(con, client, instance, pid, cursor, report), cursor


def _imported_reviews(
    con: duckdb.DuckDBPyConnection, instance: str, pid: int, task_ids: list[int]
) -> dict[int, dict[int, Review | None]]:
    """Task id -> annotation id -> review as imported (None: a skip or an invalid one, no say) of these tasks."""
    out: dict[int, dict[int, Review | None]] = {}
    for task_id, ann_id, outcome, result in con.execute(
        "SELECT ls_task_id, ls_annotation_id, outcome, result FROM annotations WHERE instance = ? AND ls_project_id = ?"
        " AND ls_task_id IN (SELECT unnest(?::BIGINT[]))",
        [instance, pid, task_ids],
    ).fetchall():
        said = stored_review(json.loads(result)) if result and outcome in ("reviewed", "stale") else None
        out.setdefault(task_id, {})[ann_id] = said
    return out


def _readers(task: dict[str, Any], imported: dict[int, Review | None]) -> int:
    """Readings of a PII review task: those imported with a review and the new annotations that are not skips."""
    new = [a for a in task.get("annotations") or [] if a["id"] not in imported and not a.get("was_cancelled")]
    return sum(r is not None for r in imported.values()) + len(new)


def _pushed(
    con: duckdb.DuckDBPyConnection, instance: str, pid: int, task_ids: list[int]
) -> dict[int, tuple[str, str, bool, str, bool, bool]]:
    """Task id -> (record id, text, record still active, source id, source marked pii_expected, taken out but kept
    as annotated) of the tasks we pushed."""
    return {
        r[0]: (r[1], r[2], r[3], r[4], bool(r[5]), r[6])
        for r in con.execute(
            "SELECT t.ls_task_id, t.record_id, r.text, r.status = 'active', r.source_id, s.pii_expected,"
            " t.retracted_at IS NOT NULL"
            " FROM annotation_tasks t JOIN records r USING (record_id) LEFT JOIN sources s ON s.source_id = r.source_id"
            " WHERE t.instance = ? AND t.ls_project_id = ? AND t.ls_task_id IN (SELECT unnest(?::BIGINT[]))",
            [instance, pid, task_ids],
        ).fetchall()
    }


def _allow_restored(
    con: duckdb.DuckDBPyConnection,
    vault: PiiVault,
    d: AnnotationEffect,
    source_id: str,
    record_id: str,
    bank: str,
    actor: str,
    annotation_id: int,
) -> None:
    """Values an annotator marked 非個資 go to the allow-list; the ledger detail keeps only their digests."""
    digests = vault.allow(
        con,
        [AllowEntry(source_id, etype, value, record_id, bank, actor, annotation_id) for etype, value, _ in d.restored],
    )
    d.detail["restored"] = [
        {"index": k, "type": etype, "digest": dg} for (etype, _, k), dg in zip(d.restored, digests, strict=True)
    ]


def _seal_typed(
    con: duckdb.DuckDBPyConnection, vault: PiiVault | None, d: AnnotationEffect, instance: str, annotation_id: int
) -> None:
    """Seal the text an annotator typed (:attr:`AnnotationEffect.sealed`) into the vault; the stored result
    names the vault rows. Without the key nothing may keep it, so the pull stops before writing anything."""
    if vault is None:
        raise KeyRequiredError(
            "an annotation holds text a person typed (a proofreading comment or a correction that is not applied), "
            "which may hold personal data and is kept only sealed with the PII key: set CURATE_PII_KEY or "
            "CURATE_PII_KEY_FILE and pull again"
        )
    items = [(vault_id(instance, annotation_id, name), text) for name, text in sorted(d.sealed.items())]
    vault.seal(con, items)
    d.detail["key_id"] = vault.key_id  # audit verify trusts a vault row only under a key id the ledger names
    d.result["sealed"] = {name: vid for (name, _), (vid, _) in zip(sorted(d.sealed.items()), items, strict=True)}


def pull(
    con: duckdb.DuckDBPyConnection,
    client: LabelStudioClient,
    bank: str,
    *,
    projects: tuple[str, ...] = PROJECTS,
    progress: Progress | None = None,
    vault: PiiVault | None = None,
    full: bool = False,
    email_digest: Callable[[str], str] | None = None,
    licence_catalogue: LicenceCatalogue | None = None,
) -> PullReport:
    """Import new completed annotations of ``bank``'s projects on this instance.

    Incremental (see :func:`_changed_since`): only tasks with annotations not imported yet are
    exported; ``full`` exports every annotated task.
    ``vault`` (``curate.pii.review.VaultReview``) restores spans reviewers judged 非個資 and adds them
    to the source's allow-list; without it such a verdict stops the pull with a ConfigError.
    ``email_digest`` (``curate.pii.keyed_ids.annotator_email_digest``, HMAC under the PII key) names
    annotators by a keyed digest of their e-mail; without it no e-mail digest is stored.
    ``licence_catalogue``: the licence rules its tasks are taken out by (None: the shipped ones, refused when the
    bank's last push judged by others: :mod:`annotation.catalogue_memory`).
    """
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
        raise UsageError(_nothing_pushed(con, client.config.instance, bank, projects))
    check_remembered(
        con, client.config.instance, bank, [p for p, _ in found], licence_catalogue, shown_url(client.config.instance)
    )
    params = {"bank": bank, "projects": list(projects), "instance": client.config.instance}
    run_id = start_run(con, "annotate pull", {**params, **catalogue_params(licence_catalogue)})
    report.run_id = run_id
    done: list[str] = []
    try:
        emails = _Annotators(con, client, email_digest)
        for project, pid in found:
            try:
                check_recorded(client, pid, bank, project)  # (a reinstalled Label Studio may give it to another)
                deleted, kept = retract_withdrawn(con, client, bank, project, pid, run_id, licence_catalogue)
                report.retracted, report.retracted_kept = report.retracted + deleted, report.retracted_kept + kept
                _pull_project(
                    con, client, bank, project, pid, emails, run_id, report, progress, vault, full, licence_catalogue
                )
                done.append(project)
                fault("annotate_pull_imported")
                report.sealed_deleted += delete_sealed_imported(con, client, bank, project, pid, run_id)
            except (ConfigError, LabelStudioError) as exc:  # each project commits on its own: say what was imported
                if type(exc) not in (ConfigError, KeyRequiredError) and not isinstance(exc, LabelStudioError):
                    raise
                rest = [p for p, _ in found if p != project and p not in done]
                said = [f"project {project}: nothing imported"] if project not in done else []
                said += (
                    [f"imported before it and kept: {report.imported} annotations of {', '.join(done)}"] if done else []
                )
                said += ["its tasks of versions sealed since their push are not deleted yet: pull again"] * (
                    project in done
                )
                said += [f"not reached: {', '.join(rest)}"] if rest else []
                if getattr(exc, "status", None) == 404:
                    said.append(
                        f"if project {pid} was deleted in Label Studio, run `curate annotate forget-project --bank "
                        f"{bank} --project {project} --reason TEXT` (or pull the others with --project)"
                    )
                raise _noted(exc, "; ".join(said)) from exc
    except BaseException:
        finish_run(con, run_id, status="failed", counts=report.as_dict())
        raise
    finish_run(con, run_id, counts=report.as_dict())
    return report


def _noted(exc: ConfigError | LabelStudioError, note: str) -> ConfigError | LabelStudioError:
    """The same error with ``note`` (what a partway pull imported) at the end of its one line."""
    if isinstance(exc, LabelStudioError):
        return type(exc)(f"{exc.msg} ({note})", url=exc.url, status=exc.status)
    return type(exc)(f"{exc} ({note})")


def _nothing_pushed(con: duckdb.DuckDBPyConnection, instance: str, bank: str, projects: tuple[str, ...]) -> str:
    """Why a pull found no project to pull from, naming what the catalogue does know."""
    known = con.execute(
        "SELECT bank, instance, list(project ORDER BY project) FROM annotation_projects GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    which = "no project" if set(projects) == set(PROJECTS) else f"no {'/'.join(projects)} project"
    said = "; ".join(f"bank {b} at {shown_url(i)}: {', '.join(p)}" for b, i, p in known[:10]) or "none"
    return (
        f"{which} of bank {bank} was pushed to {shown_url(instance)}, so there is nothing to pull (pushed from this catalogue: "
        f"{said}); check --bank (case matters) and LABEL_STUDIO_URL (written as when pushing: localhost and "
        "127.0.0.1 are different instances)"
    )


__all__ = ["AnnotationEffect", "PullReport", "decide_pii", "decide_proofread", "decide_topic", "pull"]
