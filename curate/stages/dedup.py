"""The `dedup` stage: exact and near-duplicate removal over the catalogue (`curate run dedup`).

* Ranks compute normalised keys and MinHash signatures of their shard and write them to side
  files ``<run_dir>/dedup/sig-<rank>.parquet`` (no per-record results).
* :meth:`DedupStage.finalize` (once, in the parent) loads all side files, looks up the persistent
  index for already accepted records sharing a bucket or exact key, verifies candidates on their
  actual shingles, joins components and applies the survivor policy. Every removed record gets
  ``set_status='duplicate'`` and a ``duplicate_of`` event (survivor, estimated and actual Jaccard,
  deciding rule, policy); nothing is deleted. The index update is written beside the results.
  Per-source policy (``DedupConfig.per_document``): records of the regulator are duplicates only
  of an identical text within the same law; copies across laws stay active and get one
  ``near_duplicate_of`` event and link (table ``near_duplicates``, column
  ``records.near_duplicate_of``) to their cluster's representative.
* "（刪除）" stubs of repealed articles are not clustered: each gets a ``deleted_stub`` flag event
  (exports leave them out unless ``--include-deleted-stubs``).
* :meth:`DedupStage.after_load` applies the index update and the near-duplicate links inside the
  load transaction.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline

from curate.dedup.config import DedupConfig
from curate.stages.base import RECORD_METADATA, FinalizeContext, Stage, StageResult

_VERSION_KEYS = ("law_modified_date", "version_date", "published", "edition")


def _version(meta: Any, created_at: Any) -> str | None:
    """A sortable version string: a dated field of the record's metadata, else its creation time."""
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except json.JSONDecodeError:
            meta = None
    if isinstance(meta, dict):
        for k in _VERSION_KEYS:
            if meta.get(k):
                return str(meta[k])
    return str(created_at) if created_at is not None else None


class DedupStage(Stage):
    """Exact + near-duplicate clustering with an authority- and licence-aware survivor policy."""

    name: ClassVar[str] = "dedup"
    reads: ClassVar[tuple[str, ...]] = (
        "record_id",
        "text",
        "source_id",
        "licence_id",
        "metadata",
        "created_at",
        "container",
    )
    writes: ClassVar[tuple[str, ...]] = ("status", "event")
    config_class: ClassVar[type | None] = DedupConfig

    def __init__(self, config: DedupConfig | None = None) -> None:
        super().__init__(config)
        self._hasher = None
        self._parts: list = []
        self._rank = 0

    # -- ranks --------------------------------------------------------------------------
    def _side_dir(self) -> Path:
        if self.run_dir is None:
            from provenance.errors import StageError

            raise StageError("dedup: run_dir is not set; run the stage through curate.runner.run_stage")
        return Path(self.run_dir) / "dedup"

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._rank, self._parts = rank, []
        yield from super().run(data, rank, world_size)
        self._write_side(rank)

    def process_batch(self, docs: list[Document]) -> Iterable[StageResult]:
        from curate.dedup.engine import DedupDoc, make_hasher, sign
        from provenance import is_deleted_stub

        if self._hasher is None:
            self._hasher = make_hasher(self.config)
        dd = []
        stubs = []
        for d in docs:
            m = d.metadata
            if is_deleted_stub(d.text):  # identical by nature: flagged, never clustered
                stubs.append(
                    StageResult(
                        str(d.id), action="deleted_stub", outcome="deleted_stub", detail={"text": d.text.strip()}
                    )
                )
                continue
            dd.append(
                DedupDoc(
                    str(d.id),
                    d.text or "",
                    source_kind=m.get("source_id"),
                    licence_id=m.get("licence_id"),
                    version=_version(m.get(RECORD_METADATA), m.get("created_at")),
                    document=m.get("container"),
                )
            )
        if dd:
            self._parts.append(sign(dd, self.config, hasher=self._hasher))
        return stubs

    def _write_side(self, rank: int) -> None:
        from curate.dedup.engine import Signed
        from curate.dedup.index import update_table

        signed = Signed.concat(self._parts, self.config.num_perm)
        out = self._side_dir()
        out.mkdir(parents=True, exist_ok=True)
        table = update_table(signed, np.ones(len(signed), dtype=bool), self.config)
        tmp = out / f"sig-{rank:05d}.tmp"
        pq.write_table(table, tmp)
        os.replace(tmp, out / f"sig-{rank:05d}.parquet")
        self._parts = []

    # -- parent -------------------------------------------------------------------------
    def _load_side(self) -> Any:
        from curate.dedup.engine import Signed
        from curate.dedup.index import sig_matrix
        from curate.dedup.survivor import Candidate

        files = sorted(self._side_dir().glob("sig-*.parquet"))
        if not files:
            return Signed(sig=np.empty((0, self.config.num_perm), dtype=np.int32))
        t = pa.concat_tables([pq.read_table(f) for f in files])
        k = self.config.num_perm
        sig = sig_matrix(t.column("signature"), k)
        cols = {
            c: t.column(c).to_pylist()
            for c in ("record_id", "exact_key", "source_kind", "licence_id", "version", "length", "document")
        }
        order = np.argsort(np.array(cols["record_id"], dtype=object), kind="stable")  # rank-independent
        return Signed(
            ids=[cols["record_id"][i] for i in order],
            exact=[cols["exact_key"][i] for i in order],
            sig=sig[order].astype(np.int32),
            nsh=t.column("n_shingles").to_numpy().astype(np.int64)[order],
            cands=[
                Candidate(
                    cols["record_id"][i],
                    cols["source_kind"][i],
                    cols["licence_id"][i],
                    cols["version"][i],
                    cols["length"][i] or 0,
                    cols["document"][i],
                )
                for i in order
            ],
        )

    def finalize(self, ctx: FinalizeContext) -> Iterable[StageResult]:
        from curate.dedup.engine import ClusterStats, cluster, make_hasher
        from curate.dedup.index import index_key, lookup, update_table
        from curate.dedup.survivor import Candidate
        from provenance import db

        cfg = self.config
        new = self._load_side()
        if not len(new):
            self._write_update(update_table(new, np.zeros(0, dtype=bool), cfg), [])
            return []
        con = db.connect_readonly(ctx.db_path)
        try:
            kinds = dict(con.execute("SELECT source_id, kind FROM sources").fetchall())
            new.cands = [
                Candidate(c.id, kinds.get(c.source_kind, c.source_kind), c.licence_id, c.version, c.length, c.document)
                for c in new.cands
            ]
            old = lookup(con, cfg, new)
            all_ids = old.ids + new.ids

            def fetch(rows: list[int]) -> list[str]:
                ids = [all_ids[r] for r in rows]
                con.register("_dd_f", pa.table({"record_id": pa.array(ids, type=pa.string())}))
                got = dict(
                    con.execute(
                        "SELECT record_id, text FROM records WHERE record_id IN (SELECT record_id FROM _dd_f)"
                    ).fetchall()
                )
                con.unregister("_dd_f")
                return [got.get(i) or "" for i in ids]

            stats = ClusterStats()
            decisions = cluster(new, cfg, fetch, old=old, hasher=make_hasher(cfg), stats=stats)
        finally:
            con.close()
        policy = {
            "rules": list(cfg.rules),
            "authority": dict(cfg.authority),
            "threshold": cfg.threshold,
            "ngram": cfg.ngram,
            "bands": cfg.bands,
            "rows": cfg.rows,
            "seed": cfg.seed,
            "index_key": index_key(cfg),
            "per_document": list(cfg.per_document),
        }
        results: list[StageResult] = []
        keep = np.zeros(len(new), dtype=bool)
        pos = {rid: i for i, rid in enumerate(new.ids)}
        demoted: list[str] = []
        links: list[dict[str, Any]] = []
        for d in decisions:
            if d.survivor and d.near_duplicate_of:
                if d.is_new:
                    keep[pos[d.id]] = True
                links.append(
                    {"record_id": d.id, "representative": d.near_duplicate_of, "jaccard": d.jaccard, "match": d.match}
                )
                results.append(
                    StageResult(
                        d.id,
                        action="near_duplicate_of",
                        mark=d.is_new,
                        outcome="near_duplicate",
                        detail={
                            "representative": d.near_duplicate_of,
                            "jaccard_est": d.jaccard_est,
                            "jaccard": d.jaccard,
                            "match": d.match,
                            "kept_by": "per_document",
                            "policy": policy,
                        },
                    )
                )
                continue
            if d.survivor:
                if d.is_new:
                    keep[pos[d.id]] = True
                    results.append(StageResult(d.id, outcome="survivor"))
                continue
            if not d.is_new:
                demoted.append(d.id)
            results.append(
                StageResult(
                    d.id,
                    action="duplicate_of",
                    set_status="duplicate",
                    mark=d.is_new,
                    outcome="duplicate",
                    detail={
                        "survivor": d.duplicate_of,
                        "jaccard_est": d.jaccard_est,
                        "jaccard": d.jaccard,
                        "match": d.match,
                        "rule": d.rule,
                        "already_indexed": not d.is_new,
                        "policy": policy,
                    },
                )
            )
        self._write_update(update_table(new, keep, cfg), demoted, links)
        self._stats = asdict(stats)
        return results

    def _write_update(self, add: pa.Table, demoted: list[str], links: list[dict[str, Any]] | None = None) -> None:
        out = self._side_dir()
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(add, out / "index_add.parquet")
        (out / "index_remove.json").write_text(json.dumps(demoted))
        (out / "near_links.json").write_text(json.dumps(links or []))

    def run_statistics(self) -> dict[str, dict[str, float]]:
        """The clustering counters of this run (candidates, verified, rejected, exact/near duplicates)."""
        return {"cluster": dict(getattr(self, "_stats", None) or {})}

    def after_load(self, con: Any, run_id: str) -> None:
        from curate.dedup.index import apply_update

        out = self._side_dir()
        add_path = out / "index_add.parquet"
        if not add_path.exists():
            return
        demoted = json.loads((out / "index_remove.json").read_text())
        apply_update(con, self.config, str(add_path), demoted, run_id)
        links_path = out / "near_links.json"
        links = json.loads(links_path.read_text()) if links_path.exists() else []
        # a record that became a duplicate is no longer anyone's representative nor near duplicate
        stale = demoted + [r["record_id"] for r in links]
        if stale:
            con.register("_dd_stale", pa.table({"record_id": pa.array(stale, type=pa.string())}))
            con.execute("DELETE FROM near_duplicates WHERE record_id IN (SELECT record_id FROM _dd_stale)")
            con.execute(
                "UPDATE records SET near_duplicate_of = NULL WHERE record_id IN (SELECT record_id FROM _dd_stale)"
                " AND near_duplicate_of IS NOT NULL"
            )
            con.unregister("_dd_stale")
        if links:
            con.register("_dd_links", pa.Table.from_pylist(links))
            con.execute(
                "INSERT INTO near_duplicates SELECT record_id, representative, jaccard, match, $run, now()::TIMESTAMP"
                " FROM _dd_links",
                {"run": run_id},
            )
            con.execute(
                "UPDATE records SET near_duplicate_of = l.representative FROM _dd_links l"
                " WHERE records.record_id = l.record_id"
            )
            con.unregister("_dd_links")
