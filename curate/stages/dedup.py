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
  (exports leave them out unless ``--include-deleted-stubs``); an empty text (hygiene removed all it held) gets an
  ``empty_text`` flag event instead, and exports leave it out.
* :meth:`DedupStage.after_load` applies the index update and the near-duplicate links inside the
  load transaction.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datatrove.data import Document, DocumentsPipeline

from curate.dedup.config import DedupConfig
from curate.dedup.reclustered import RECLUSTERED, apply_reclustered, duplicate_detail, reclustered_duplicate
from curate.faults import fault
from curate.stages.base import RECORD_METADATA, FinalizeContext, Stage, StageResult

_VERSION_KEYS = ("law_modified_date", "version_date", "published", "edition")


def _version(meta: Any) -> str | None:
    """A sortable version string: a dated field of the record's metadata, else none (review 9: the version's
    creation time was the fallback, the commit time of the hygiene batch that made it, so a killed-and-resumed
    pipeline or another ``CURATE_LOAD_BATCH`` kept other survivors; without a version, "longer" and the id decide)."""
    if isinstance(meta, str):
        try:
            meta = json.loads(meta)
        except json.JSONDecodeError:
            meta = None
    if isinstance(meta, dict):
        for k in _VERSION_KEYS:
            if meta.get(k):
                return str(meta[k])
    return None


class DedupStage(Stage):
    """Exact + near-duplicate clustering with an authority- and licence-aware survivor policy."""

    name: ClassVar[str] = "dedup"
    reads: ClassVar[tuple[str, ...]] = (
        "record_id",
        "text",
        "source_id",
        "licence_id",
        "metadata",
        "container",
    )
    writes: ClassVar[tuple[str, ...]] = ("status", "event")
    config_class: ClassVar[type | None] = DedupConfig
    #: the run's end adds every survivor of the run to the index (``after_load``): a new snapshot of what is left
    #: after committed batches would leave theirs out
    resumes_from_new_snapshot: ClassVar[bool] = False
    #: a run under other survivor rules may make an earlier duplicate its cluster's kept record (active again, in the
    #: run's last transaction, after the load left out its cluster's new results naming it): a follow-up run takes
    #: the cluster (:mod:`curate.dedup.reclustered`)
    takes_released: ClassVar[bool] = True

    def __init__(self, config: DedupConfig | None = None) -> None:
        super().__init__(config)
        self._hasher = None
        self._writer: pq.ParquetWriter | None = None
        self._rank = 0

    # -- ranks --------------------------------------------------------------------------
    def _side_dir(self) -> Path:
        if self.run_dir is None:
            from provenance.errors import StageError

            raise StageError("dedup: run_dir is not set; run the stage through curate.runner.run_stage")
        return Path(self.run_dir) / "dedup"

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        self._rank, self._writer = rank, None
        yield from super().run(data, rank, world_size)
        self._write_side(rank)

    def process_batch(self, docs: list[Document]) -> Iterable[StageResult]:
        from curate.dedup.engine import DedupDoc, make_hasher, sign
        from provenance import is_blank_text, is_deleted_stub

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
            if is_blank_text(d.text):  # emptied, or only fillers: every such text would be one exact duplicate
                stubs.append(StageResult(str(d.id), action="empty_text", outcome="empty_text", detail={"chars": 0}))
                continue
            dd.append(
                DedupDoc(
                    str(d.id),
                    d.text,
                    source_kind=m.get("source_id"),
                    licence_id=m.get("licence_id"),
                    version=_version(m.get(RECORD_METADATA)),
                    document=m.get("container"),
                )
            )
        if dd:
            self._append_side(sign(dd, self.config, hasher=self._hasher))
        return stubs

    def prepare(self, con) -> None:
        """Release what a catalogue from before releases left behind (a duplicate of a superseded survivor, a
        link to a withdrawn representative: :func:`provenance.dedup_release.release_left_behind`), so that this
        run clusters them with the records active now."""
        from provenance.dedup_release import release_left_behind

        # before the run's row exists (a refusal here leaves no run behind): the events name the command instead
        release_left_behind(con, actor="curate run dedup (before its snapshot)")

    def work_intact(self, run_dir: Path) -> bool:
        """Each rank with results has its signature file, and a finalized run its index update files: lost, the
        resumed run's end would add nothing to the index (it found 0 of 1,015 signatures)."""
        side, res = Path(run_dir) / "dedup", Path(run_dir) / "results"
        ranks = [p.stem for p in res.glob("[0-9]*.parquet")]
        if any(not (side / f"sig-{r}.parquet").exists() for r in ranks):
            return False
        updates = ("index_add.parquet", "index_remove.json", "near_links.json", "reclustered.json")
        return not (res / "final.parquet").exists() or all((side / f).exists() for f in updates)

    def _side_tmp(self, rank: int) -> Path:
        return self._side_dir() / f"sig-{rank:05d}.tmp"

    def _append_side(self, signed: Any) -> None:
        """Write one batch's signatures to this rank's side file (a row group each: the rank holds
        one batch, not its whole shard)."""
        from curate.dedup.index import update_table

        table = update_table(signed, np.ones(len(signed), dtype=bool), self.config)
        if self._writer is None:
            self._side_dir().mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._side_tmp(self._rank), table.schema)
        self._writer.write_table(table)

    def _write_side(self, rank: int) -> None:
        from curate.dedup.engine import Signed

        if self._writer is None:  # no document (or only stubs): an empty file with the schema
            self._append_side(Signed(sig=np.empty((0, self.config.num_perm), dtype=np.int32)))
        self._writer.close()
        self._writer = None
        os.replace(self._side_tmp(rank), self._side_dir() / f"sig-{rank:05d}.parquet")

    # -- parent -------------------------------------------------------------------------
    def check_settings(self) -> None:
        """The scratch memory setting, and torch where the config names CUDA or the torch backend: a missing package
        stopped the run at its first signatures (a pipeline after every step before it), leaving a failed run."""
        import importlib.util

        from curate._optional import require
        from curate.dedup.store import scratch_memory

        scratch_memory()
        if (self.config.device == "cuda" or self.config.backend == "torch") and not importlib.util.find_spec("torch"):
            require(
                "torch", extra="gpu", purpose=f"dedup with device {self.config.device}, backend {self.config.backend}"
            )

    def finalize(self, ctx: FinalizeContext) -> Iterable[StageResult]:
        from curate.dedup.engine import ClusterStats, cluster_rows, make_hasher
        from curate.dedup.index import index_key
        from curate.dedup.store import DiskRows

        cfg = self.config
        out = self._side_dir()
        # this run's ranks only: a file of a rank beyond them is from an earlier attempt with more shards
        files = [f for f in sorted(out.glob("sig-*.parquet")) if int(f.stem.split("-")[1]) < ctx.world_size]
        stats = ClusterStats()
        if not sum(pq.ParquetFile(f).metadata.num_rows for f in files):
            # nothing to cluster: no rank, or ranks that read only stubs (a law update that repeals an article):
            # an empty index update, so the run ends as any other
            self._write_update(None, [], [], None, [])
            return []
        with DiskRows(out / "work", files, ctx.db_path, cfg) as rows:
            # verification hashes shingles with numpy whatever the device: a CPU hasher keeps CUDA out of the
            # runner's process (it forks the workers of the stages that follow)
            cpu = make_hasher(replace(cfg, device="cpu", backend="numpy"))
            clustered = cluster_rows(rows, cfg, rows.texts, hasher=cpu, stats=stats)
            fault("dedup_clustered")  # crash tests: killed with the scratch files on disk
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
            keep = np.zeros(rows.n_new, dtype=bool)
            keep[clustered.singles - rows.n_old] = True  # alone in their group: survivors (marked after the load)
            demoted: list[str] = []
            links: list[dict[str, Any]] = []
            changes: list[dict[str, Any]] = []
            for members, decisions in clustered.groups:
                for r, d in zip(members, decisions, strict=True):
                    if d.survivor and d.is_new:
                        keep[r - rows.n_old] = True
                    if d.is_new or not reclustered_duplicate(d, rows.old_state.get(d.id), policy, changes, links):
                        self._decide(d, policy, results, demoted, links, rows.old_state.get(d.id))
            self._write_update(rows, demoted, links, keep, changes, clustered.strict)
        self._stats = asdict(stats)
        self._survivors = len(clustered.singles) + sum(1 for r in results if r.outcome == "survivor")
        return results

    def _write_update(
        self,
        rows: Any,
        demoted: list[str],
        links: list[dict[str, Any]],
        keep: np.ndarray | None,
        changes: list[dict[str, Any]],
        strict: Any = None,
    ) -> None:
        """The index update (every clustered record, ``kept`` saying which stayed active), near-duplicate links and
        the new decisions about earlier runs' duplicates, applied by :meth:`after_load` in the load transaction."""
        from curate.dedup.engine import Signed
        from curate.dedup.index import update_table

        out = self._side_dir()
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / "index_add.tmp"
        if rows is None:
            empty = Signed(sig=np.empty((0, self.config.num_perm), dtype=np.int32))
            t = update_table(empty, np.zeros(0, dtype=bool), self.config)
            t = t.append_column("kept", pa.array([], pa.bool_())).append_column("strict_key", pa.array([], pa.string()))
            pq.write_table(t, tmp)
        else:
            rows.write_kept(keep, tmp, strict)
        # strict keys computed for records indexed without one (read once: curate/dedup/strict.py)
        (out / "index_strict.json").write_text(json.dumps(rows.strict_update(strict) if rows is not None else []))
        # exact keys computed again for records indexed with a bare or stale one (curate/dedup/exact.py)
        (out / "index_exact.parquet").unlink(missing_ok=True)
        if rows is not None and rows.n_rekeyed:
            rows.write_rekeyed(out / "index_exact.parquet")
        (out / "index_remove.json").write_text(json.dumps(demoted))
        (out / "near_links.json").write_text(json.dumps(links))
        (out / "reclustered.json").write_text(json.dumps(changes))
        os.replace(tmp, out / "index_add.parquet")

    def _decide(
        self,
        d: Any,
        policy: dict[str, Any],
        results: list[StageResult],
        demoted: list[str],
        links: list[dict[str, Any]],
        before: tuple[str, str] | None = None,
    ) -> None:
        """The result (and index change) of one verdict of a multi-member group; ``before``: an active old row's
        standing decision (``("near", representative)``), None for a survivor and a new row."""
        if d.survivor and d.near_duplicate_of and not d.is_new and before == ("near", d.near_duplicate_of):
            return  # decided so before
        if d.survivor and not d.near_duplicate_of and not d.is_new and before is not None:
            demoted.append(d.id)  # an earlier near duplicate is its cluster's representative now: its link goes
            results.append(
                StageResult(
                    d.id,
                    action="near_duplicate_released",
                    mark=False,
                    outcome="near_duplicate_released",
                    detail={"representative": before[1], "reason": RECLUSTERED, "policy": policy},
                )
            )
            return
        if d.survivor and d.near_duplicate_of:
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
                        **({"matched": d.matched, "matched_jaccard": d.matched_jaccard} if d.matched else {}),
                    },
                )
            )
            return
        if d.survivor:
            if d.is_new:
                results.append(StageResult(d.id, outcome="survivor"))
            return
        if not d.is_new:
            demoted.append(d.id)
        results.append(
            StageResult(
                d.id,
                action="duplicate_of",
                set_status="duplicate",
                mark=d.is_new,
                outcome="duplicate",
                detail=duplicate_detail(d, policy),
            )
        )

    def run_statistics(self) -> dict[str, dict[str, float]]:
        """The clustering counters of this run (candidates, verified, rejected, exact/near duplicates)."""
        out: dict[str, dict[str, float]] = {"cluster": dict(getattr(self, "_stats", None) or {})}
        if getattr(self, "_survivors", None) is not None:  # plain survivors have no result row (see after_load)
            out["outcome"] = {"survivor": self._survivors}
        return out

    def after_load(self, con: Any, run_id: str) -> None:
        from curate.dedup.index import apply_update, store_exact_keys, store_strict_keys

        out = self._side_dir()
        add_path = out / "index_add.parquet"
        if not add_path.exists():  # finalize always writes it: lost after the check of the resumed run's files
            from provenance.errors import StageError

            raise StageError(f"dedup: {add_path} is missing; run the same command again (it computes it again)")
        demoted = json.loads((out / "index_remove.json").read_text())
        apply_update(con, self.config, str(add_path), [], run_id)  # every clustered record stays indexed
        strict_path = out / "index_strict.json"  # absent in a run finalized before review 15: nothing to store
        store_strict_keys(con, self.config, json.loads(strict_path.read_text()) if strict_path.exists() else [])
        exact_path = out / "index_exact.parquet"  # absent where the index held no stale exact key: nothing to store
        if exact_path.exists():
            store_exact_keys(con, self.config, str(exact_path))
        fault("dedup_after_load")  # crash tests: killed inside the run's last transaction, the index half updated
        # documents that stayed active are marked done here, in SQL: finalize makes no result row for
        # a document alone in its group (most of them), so memory does not grow with the corpus;
        # the others (group survivors, near duplicates) were marked from their results already
        con.execute(
            "INSERT INTO stage_marks SELECT DISTINCT a.record_id, $stage, $cfg, $run, 'survivor' FROM read_parquet($p) a"
            " WHERE a.kept AND NOT EXISTS (SELECT 1 FROM stage_marks m"
            " WHERE m.record_id = a.record_id AND m.stage = $stage AND m.config_hash = $cfg)",
            {"stage": self.name, "cfg": self.config_hash, "run": run_id, "p": str(add_path)},
        )
        links_path, changes_path = out / "near_links.json", out / "reclustered.json"
        links = json.loads(links_path.read_text()) if links_path.exists() else []
        apply_reclustered(con, json.loads(changes_path.read_text()) if changes_path.exists() else [], run_id)
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
