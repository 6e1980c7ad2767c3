"""What one project's `curate annotate pull` writes: annotation rows, new versions and ledger events."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import duckdb

from annotation.decide import AnnotationEffect
from annotation.label_studio import ls_time
from annotation.missed_fields import earlier_versions, mask_fields, sealed_fields
from annotation.review import PiiVault
from annotation.stale_missed import current_versions, marked_values
from annotation.versions import NewVersion, create_versions
from annotation.withdrawn_reviews import hold_withdrawn, still_shown
from provenance import ledger
from provenance.errors import KeyRequiredError

STAGE = "annotation"


@dataclass
class PullBatch:
    """What one project's pull writes: annotation rows, new versions (with their row) and ledger events."""

    run_id: str
    imported_at: Any
    #: the bank whose Label Studio the pull reads (named on the events it writes with no annotation of their own)
    bank: str | None = None
    rows: list[list[Any]] = field(default_factory=list)
    events: list[ledger.Event] = field(default_factory=list)
    versions: list[tuple[int, NewVersion]] = field(default_factory=list)
    #: keyed ids and digests (``curate.pii.review.VaultReview``), for corrections and versions of pii_expected sources
    keys: PiiVault | None = None
    #: versions a stale PII review marked personal data the PII stage missed in (漏標): replaced before the pull,
    #: so its regions mask nothing, but the version the reviewer read shows it all the same (sealed by :meth:`write`)
    stale_missed: list[str] = field(default_factory=list)
    #: the values each stale 漏標 marked (reviewed record id -> (values, actor)), masked in the current version
    stale_marked: dict[str, tuple[list[tuple[str, str]], str]] = field(default_factory=dict)
    #: the values each 漏標 marked in the version it read (record id -> values): masked in its title and metadata too
    marked: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def add(
        self,
        record_id: str,
        d: AnnotationEffect,
        ids: dict[str, Any],
        actor: str,
        *,
        keyed: bool = False,
        text: str | None = None,
        added: list[dict[str, Any]] | None = None,
        onto: str | None = None,
    ) -> None:
        """One decided annotation: a new version or a ledger event, and its ``annotations`` row (``text``: the
        version the annotation read; ``added``: its 漏標 regions, where ``d`` holds none: a version sealed since its
        push, :func:`annotation.stale_missed.sealed_marked`; ``onto``: the version a correction applies to where it is not
        the one read, :mod:`annotation.same_text`)."""
        detail = {**ids, **d.detail}
        if keyed and self.keys is not None:
            detail["key_id"] = self.keys.key_id
        added = d.detail.get("added") or added
        if d.outcome == "stale" and added:
            self.stale_missed.append(record_id)
            values = marked_values(text, added)
            if values:
                old = self.stale_marked.get(record_id, ([], actor))[0]
                self.stale_marked[record_id] = (old + values, actor)
        if d.new_text is not None:
            if d.detail.get("added"):
                self.marked.setdefault(record_id, []).extend(marked_values(text, d.detail["added"]))
            pii_state = (d.fields or {}).get("pii_state")
            self.versions.append(
                (len(self.rows), NewVersion(onto or record_id, d.new_text, d.action, detail, actor, pii_state, keyed))
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
                ls_time(ids["annotated_at"]),
                ls_time(ids["updated_at"]),
                self.imported_at,
                self.run_id,
            ]
        )

    def write(self, con: duckdb.DuckDBPyConnection, project: str) -> int:
        """New versions, ledger events and annotation rows (the caller holds the transaction); returns how many
        versions were created.

        A PII review that marked personal data the PII stage missed (漏標) says the version it read holds it in the
        clear: once the new version masks it, that version and the earlier ones on its chain that show text are
        sealed as the PII stage seals raw text (:meth:`annotation.review.PiiVault.seal_versions`; one
        ``missed_pii_sealed`` event each), which needs the PII key: without it nothing of the project is written.
        So is the version a stale 漏標 read (replaced before the pull: its regions mask nothing, ``masked_by`` None,
        but the values they mark are masked in the current version where it still shows them, which is sealed too:
        :mod:`annotation.stale_missed`) while it still shows text (superseded, or withdrawn when superseded: :func:`annotation.withdrawn_reviews.still_shown`)."""
        missed = [v.parent_id for _, v in self.versions if v.detail.get("added")]
        stale = still_shown(con, self.stale_missed)
        if (missed or stale) and self.keys is None:
            raise KeyRequiredError(
                "a PII review marked personal data the PII stage missed (漏標): the version the reviewer read holds it "
                "in the clear and is sealed with the PII key once the new version masks it: set CURATE_PII_KEY or "
                "CURATE_PII_KEY_FILE and pull again"
            )
        # the marked values in the title and metadata too (missed_fields): the sealing moves the read ones to the vault
        versions = mask_fields(con, [v for _, v in self.versions], self.marked)
        new_ids = create_versions(con, versions, stage=STAGE, run_id=self.run_id, keys=self.keys)
        for (row_index, _), new_id in zip(self.versions, new_ids, strict=True):
            self.rows[row_index][11] = new_id
        created = [i for i in new_ids if i]
        if project == "proofread" and created:  # typed by a person: must pass the PII stage again
            con.execute("UPDATE records SET pii_state = NULL WHERE record_id IN (SELECT unnest(?))", [created])
        made = {v.parent_id: nid for (_, v), nid in zip(self.versions, new_ids, strict=True) if nid}
        hold_withdrawn(con, made, run_id=self.run_id)  # a review of a withdrawn record (withdrawn_reviews)
        masked_by: dict[str, str | None] = dict.fromkeys(stale)
        masked_by.update({p: made[p] for p in missed if p in made})
        # a stale 漏標's values in the current version of the document (a correction that kept them): masked too
        # (also of a version sealed since its push, which is not in ``stale``: its text is in the vault already)
        current = current_versions(con, self.stale_marked)
        masked = mask_fields(con, [v for _, v in current], {v.parent_id: self.stale_marked[r][0] for r, v in current})
        current = [(r, v) for (r, _), v in zip(current, masked, strict=True)]
        for reviewed, v in current:  # its sealed fields show the values the stale review marked
            self.marked.setdefault(v.parent_id, []).extend(self.stale_marked[reviewed][0])
        if current and self.keys is None:  # (the caller's transaction rolls back: nothing is written)
            raise KeyRequiredError(
                "a PII review marked personal data the PII stage missed (漏標) that a newer version shows in the "
                "clear: it is masked there and that version sealed with the PII key: set CURATE_PII_KEY or "
                "CURATE_PII_KEY_FILE and pull again"
            )
        remade = create_versions(con, [v for _, v in current], stage=STAGE, run_id=self.run_id, keys=self.keys)
        for (reviewed, v), nid in zip(current, remade, strict=True):
            if nid:
                masked_by[v.parent_id] = nid
                if reviewed in masked_by:
                    masked_by[reviewed] = nid
                created.append(nid)
        # a current version withdrawn since: its masked version is held withdrawn with it (withdrawn_reviews)
        hold_withdrawn(
            con, {v.parent_id: nid for (_, v), nid in zip(current, remade, strict=True) if nid}, run_id=self.run_id
        )
        if masked_by and self.keys is not None:
            self._seal_missed(con, masked_by)
        ledger.append(con, self.events)
        _insert_annotations(con, [tuple(r) for r in self.rows])
        return len(created)

    def _seal_missed(self, con: duckdb.DuckDBPyConnection, masked_by: dict[str, str | None]) -> None:
        """Seal the versions that showed missed personal data (``masked_by``: reviewed version -> the new version
        that masks it, None for a stale review), with one ledger event per sealed version naming the key id and the
        masking version."""
        assert self.keys is not None
        sealed = self.keys.seal_versions(con, list(masked_by), run_id=self.run_id)
        # their titles and metadata where they show a value marked (those of a correction have no scrubbed successor)
        marked = {r: self.marked.get(r) or self.stale_marked.get(r, ([], None))[0] for r in masked_by}
        # and those of the earlier versions on their chains the PII stage sealed before (text in the vault already),
        # which show their scrubbed successor's title and metadata: those show the values its detector missed
        chain = dict(earlier_versions(con, list(masked_by))) | dict(sealed)
        by_sealed = {rid: marked.get(reviewed, []) for rid, reviewed in chain.items()}
        self.keys.seal_fields(con, sealed_fields(con, list(by_sealed), by_sealed), run_id=self.run_id)
        self.events += [
            ledger.Event(
                stage=STAGE,
                action="missed_pii_sealed",
                record_id=rid,
                run_id=self.run_id,
                # the bank: a bank's portal page shows no other bank's annotation events (curate.web.app._sees_event)
                detail={"reviewed": reviewed, "masked_by": masked_by[reviewed], "key_id": self.keys.key_id}
                | ({"bank": self.bank} if self.bank else {}),
                actor=self.bank,
            )
            for rid, reviewed in sealed
        ]


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


__all__ = ["STAGE", "PullBatch"]
