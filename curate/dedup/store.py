"""Out-of-core rows for the dedup stage's finalize: memory flat in the number of documents.

The ranks' side files (one Parquet file per rank: ids, exact keys, signatures, bucket keys, policy
facts) are loaded into a scratch DuckDB file in the run folder, sorted by record id (rank
independent), with the catalogue attached read-only. DuckDB spills beyond its small memory cap, so
only per-row numbers stay in Python memory (shingle counts and exact-key codes: 16 bytes a document);
signatures are written once to a flat file read row by row (``os.pread``, not a memory map, so
random reads do not add file pages to the process's resident set), band keys to a band-major file
read one band at a time, and ids, texts and policy facts are queried for the rows that need them
(candidate pairs and multi-member groups). The index lookup runs in the same SQL (hash joins over
the unnested bucket keys of the catalogue's index), and the index update is a ``COPY`` of the kept
rows to Parquet, so no per-document Python object is made anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from curate.dedup.config import DedupConfig
from curate.dedup.engine import Signed, make_hasher
from curate.dedup.exact import rekey_index
from curate.dedup.index import INDEXED_VERSION, buckets_array, index_key, sig_array, sig_matrix
from curate.dedup.keys import exact_key_version
from curate.dedup.lsh import band_keys
from curate.dedup.strict import StrictKeys, from_stored, to_stored
from curate.dedup.survivor import Candidate
from provenance import db
from provenance.envsettings import env_size

#: rows per streamed batch when writing the signature and band files
_BATCH = 8_192

_FACTS = "record_id, source_kind, licence_id, version, length, document"
#: columns of the index update file written with dictionary pages (few distinct values per file)
_DICTIONARY_COLUMNS = ["source_kind", "licence_id", "version", "document"]
_INDEX_COLUMNS = [
    "record_id",
    "exact_key",
    "n_shingles",
    "signature",
    "buckets",
    "source_kind",
    "licence_id",
    "version",
    "length",
    "document",
]


def scratch_memory() -> str:
    """DuckDB buffer pool of the scratch database (it spills to the run folder beyond this):
    ``$CURATE_DEDUP_MEMORY`` (checked), else the runner's cap (``$CURATE_DUCKDB_MEMORY``, default 128 MB):
    raising that one raises this too."""
    return env_size("CURATE_DEDUP_MEMORY", db.bulk_memory_limit())


class DiskRows:
    """:class:`curate.dedup.engine.Rows` of old (index hits, in memory) + new (on disk) documents."""

    def __init__(self, work: Path, files: Sequence[Path], catalogue: Path, config: DedupConfig) -> None:
        self.config, self.work = config, work
        self._hasher: Any = None
        work.mkdir(parents=True, exist_ok=True)
        self.sig_path, self.band_path = work / "sig.bin", work / "bands.bin"
        self.scratch = work / "scratch.duckdb"
        self._remove_files()  # a finalize killed earlier may have left them
        self.con = duckdb.connect(str(self.scratch))
        try:
            self._load(files, catalogue)
        except BaseException:
            self.close()
            raise

    def _load(self, files: Sequence[Path], catalogue: Path) -> None:
        con = self.con
        con.execute(f"SET memory_limit = '{scratch_memory()}'")
        # one thread: the window sorts below (row numbers, exact-key codes) keep a sort state per thread, and
        # with two they ran out of the scratch cap at 1M documents once the snapshot stopped sorting its shards
        con.execute("SET threads = 1")
        con.execute(f"SET temp_directory = '{_quote(self.work / 'spill')}'")
        con.execute("SET preserve_insertion_order = false")  # rows are placed by their number, not their order
        con.execute("SET enable_progress_bar = false")
        db.attach_readonly(con, catalogue, "cat")  # a writer holding the catalogue meanwhile is waited for
        self.files = [str(f) for f in files]
        # new rows' ids and policy facts (no signatures: those are streamed from the side files, never
        # sorted), numbered in record-id order; source ids mapped to source kinds (the policy's terms)
        con.execute(
            """CREATE TABLE new AS
               SELECT CAST(row_number() OVER (ORDER BY p.record_id) - 1 AS BIGINT) AS i, p.record_id, p.exact_key,
                      CAST(dense_rank() OVER (ORDER BY p.exact_key) AS BIGINT) AS code,
                      p.n_shingles, coalesce(s.kind, p.source_kind) AS source_kind, p.licence_id, p.version,
                      p.length, p.document, p.filename AS file, p.file_row_number AS file_row
               FROM (SELECT * REPLACE (CASE WHEN contains(exact_key, ':') THEN exact_key
                                            ELSE $v || ':' || exact_key END AS exact_key)
                     FROM read_parquet($f, filename = true, file_row_number = true)) p
               LEFT JOIN cat.sources s ON s.source_id = p.source_kind""",
            # side files a worker wrote before review 16 hold bare exact keys: tagged, as this process computes them
            {"f": self.files, "v": exact_key_version()},
        )
        self.n_new = con.execute("SELECT count(*) FROM new").fetchone()[0]
        self.old = self._lookup()
        self.n_old = len(self.old)
        self.n = self.n_old + self.n_new
        self._write_files()

    # -- construction --------------------------------------------------------------------------
    def _lookup(self) -> Signed:
        """Indexed, still active records sharing an exact key or an LSH bucket with a new row."""
        con, key = self.con, index_key(self.config)
        # a catalogue opened read-only before migration 0116 has no stored strict keys: each is read from its text
        has_strict = con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE database_name = 'cat' AND table_name = 'dedup_signatures'"
            " AND column_name = 'strict_key'"
        ).fetchone()[0]
        strict = "s.strict_key" if has_strict else "CAST(NULL AS VARCHAR)"
        con.execute("CREATE OR REPLACE TABLE hit (record_id VARCHAR)")
        # a key stored bare or under another version is keyed and signed again from its text first, every such row at
        # once (curate/dedup/exact.py: its old key, signature and buckets would not find the copy an upgrade changed)
        self.n_rekeyed = rekey_index(con, key, self._sign)
        stale = "LEFT JOIN rekeyed x USING (record_id)" if self.n_rekeyed else ""
        buckets = "CASE WHEN x.record_id IS NULL THEN s.buckets ELSE x.buckets END" if self.n_rekeyed else "s.buckets"
        # one band at a time: each join holds one band's keys of the new rows, never all of them
        for b in range(self.config.bands):
            con.execute(
                f"""INSERT INTO hit SELECT s.record_id FROM cat.dedup_signatures s {stale}
                   SEMI JOIN (SELECT buckets[$b] AS bucket FROM read_parquet($f) WHERE n_shingles > 0) q
                        ON ({buckets})[$b] = q.bucket
                   WHERE s.index_key = $k""",
                {"b": b + 1, "f": self.files, "k": key},
            )
        con.execute(
            """INSERT INTO hit SELECT s.record_id FROM cat.dedup_signatures s LEFT JOIN rekeyed x USING (record_id)
               SEMI JOIN new e ON coalesce(x.exact_key, s.exact_key) = e.exact_key WHERE s.index_key = $k""",
            {"k": key},
        )
        # the hits' whole clusters (what a run over all records would join them with): the index holds dropped copies
        # too, and an earlier run's decisions (a duplicate's survivor, a near duplicate's representative) link them
        _decided_links(con)
        con.execute(
            """CREATE OR REPLACE TABLE reach AS WITH RECURSIVE c(record_id) AS (
                   SELECT record_id FROM hit UNION SELECT l.b FROM c JOIN links l ON l.a = c.record_id)
               SELECT record_id FROM c"""
        )
        t = con.execute(
            f"""
            SELECT s.record_id, coalesce(x.exact_key, s.exact_key) AS exact_key,
                   CASE WHEN x.record_id IS NULL THEN s.n_shingles ELSE x.n_shingles END AS n_shingles,
                   CASE WHEN x.record_id IS NULL THEN s.signature ELSE x.signature END AS signature,
                   s.source_kind, s.licence_id, {INDEXED_VERSION},
                   s.length, r.container, {strict} AS strict_key
            FROM cat.dedup_signatures s JOIN cat.records r ON r.record_id = s.record_id
            LEFT JOIN rekeyed x ON x.record_id = s.record_id
            WHERE s.index_key = $k AND s.record_id IN (SELECT record_id FROM reach)
              AND s.record_id NOT IN (SELECT record_id FROM new)
              AND (r.status = 'active' OR s.record_id IN (SELECT record_id FROM decided WHERE target IS NOT NULL))
            ORDER BY s.record_id""",
            {"k": key},
        ).to_arrow_table()
        cols = {c: t.column(c).to_pylist() for c in ("record_id", "exact_key", "source_kind", "licence_id", "version")}
        length, doc, ids = t.column("length").to_pylist(), t.column("container").to_pylist(), cols["record_id"]
        self.old_state, self.old_links = _old_decisions(con, ids)
        self.old_strict = [from_stored(v) for v in t.column("strict_key").to_pylist()]  # None: none, or stale
        return Signed(
            ids=ids,
            exact=cols["exact_key"],
            sig=sig_matrix(t.column("signature"), self.config.num_perm),
            nsh=t.column("n_shingles").to_numpy().astype(np.int64),
            cands=[
                Candidate(
                    ids[i], cols["source_kind"][i], cols["licence_id"][i], cols["version"][i], length[i] or 0, doc[i]
                )
                for i in range(len(ids))
            ],
        )

    def _sign(self, folded: list[np.ndarray]) -> dict[str, pa.Array]:
        """The index's ``n_shingles``, ``signature`` and ``buckets`` of folded texts (rows keyed again: :meth:`_lookup`)."""
        if self._hasher is None:
            self._hasher = make_hasher(self.config)
        sig, nsh = self._hasher.signatures(folded)
        return {
            "n_shingles": pa.array(nsh.astype(np.int32)),
            "signature": sig_array(sig).cast(pa.binary()),
            "buckets": buckets_array(sig, nsh, self.config),
        }

    def write_rekeyed(self, path: Path) -> None:
        """The exact keys, signatures and buckets computed again this run (``rekeyed``: stale or bare in the index) as
        Parquet, for the load (:func:`curate.dedup.index.store_exact_keys`)."""
        self.con.execute(f"COPY (SELECT * FROM rekeyed) TO '{_quote(path)}' (FORMAT parquet)")

    def _catalogue_texts(self, ids: list[str]) -> dict[str, str]:
        """Texts of records by id, from the catalogue."""
        self.con.register("_dd_t", pa.table({"record_id": pa.array(ids, type=pa.string())}))
        try:
            return dict(
                self.con.execute(
                    "SELECT record_id, text FROM cat.records WHERE record_id IN (SELECT record_id FROM _dd_t)"
                ).fetchall()
            )
        finally:
            self.con.unregister("_dd_t")

    def _write_files(self) -> None:
        """Per-row numbers in memory; signatures and band keys of the new rows to flat files."""
        cfg, con, k = self.config, self.con, self.config.num_perm
        # exact keys -> int codes shared by old and new rows (equal codes exactly for equal keys): new rows
        # got theirs in SQL (``code``); an old row takes the code of a new row with its key, else a fresh one
        con.register("_old", pa.table({"exact_key": pa.array(sorted(set(self.old.exact)), pa.string())}))
        try:
            shared = dict(
                con.execute(
                    "SELECT DISTINCT exact_key, code FROM new WHERE exact_key IN (SELECT exact_key FROM _old)"
                ).fetchall()
            )
            top = con.execute("SELECT coalesce(max(code), 0) FROM new").fetchone()[0]
        finally:
            con.unregister("_old")
        for e in self.old.exact:
            if e not in shared:
                top += 1
                shared[e] = top
        old_codes = {"code": np.array([shared[e] for e in self.old.exact], dtype=np.int64)}
        self.exact = np.empty(self.n, dtype=np.int64)
        self.nsh = np.empty(self.n, dtype=np.int64)
        self.exact[: self.n_old] = old_codes["code"] if self.n_old else 0
        self.nsh[: self.n_old] = self.old.nsh
        self._row_bytes = 4 * k
        n_new = self.n_new
        # signatures and band keys in the side files' own order (no sort of the blobs): ``_row`` is the
        # row number of each place in that order, ``_at`` the place of each row
        order = con.execute("SELECT i, code FROM new ORDER BY file, file_row").fetchnumpy()
        self._row = order["i"].astype(np.int64)
        if len(self._row) != n_new:
            raise RuntimeError(f"dedup: side files hold {len(self._row)} rows for {n_new} documents")
        self._at = np.empty(n_new, dtype=np.int64)
        self._at[self._row] = np.arange(n_new)
        self.exact[self.n_old + self._row] = order["code"]
        del order
        with open(self.sig_path, "wb") as fs, open(self.band_path, "wb") as fb:
            fb.truncate(8 * cfg.bands * n_new)
            lo = 0
            for batch in self._side_batches(["n_shingles", "signature"]):
                m = batch.num_rows
                self.nsh[self.n_old + self._row[lo : lo + m]] = batch.column(0).to_numpy()
                sig = sig_matrix(batch.column(1), k)
                fs.write(np.ascontiguousarray(sig, dtype="<i4").tobytes())
                keys = band_keys(sig, cfg.bands, cfg.rows)
                for b in range(cfg.bands):  # band-major: one band of all rows is one contiguous read
                    fb.seek(8 * (b * n_new + lo))
                    fb.write(np.ascontiguousarray(keys[:, b], dtype="<i8").tobytes())
                lo += m
        if lo != n_new:
            raise RuntimeError(f"dedup: wrote {lo} of {n_new} signatures")
        self._old_keys = band_keys(self.old.sig, cfg.bands, cfg.rows) if self.n_old else None

    def _side_batches(self, columns: list[str]) -> Iterator[pa.RecordBatch]:
        """The side files' rows in file order (the order of ``_row``), a bounded batch at a time."""
        pool = pa.default_memory_pool()
        for f in self.files:
            for batch in pq.ParquetFile(f, pre_buffer=False).iter_batches(batch_size=_BATCH, columns=columns):
                if batch.num_rows:
                    yield batch
                # Arrow's allocator keeps freed pages for reuse; handing them back each batch keeps the
                # resident set near one batch (measured at 400k documents: ~100 MiB lower peak)
                pool.release_unused()

    # -- Rows ------------------------------------------------------------------------------------
    def sig(self, rows: np.ndarray) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        out = np.empty((len(rows), self.config.num_perm), dtype=np.int32)
        is_old = rows < self.n_old
        if is_old.any():
            out[is_old] = self.old.sig[rows[is_old]]
        new_pos = np.flatnonzero(~is_old)
        if len(new_pos):
            rb = self._row_bytes
            buf = bytearray(rb * len(new_pos))
            want = self._at[rows[new_pos] - self.n_old]
            order = np.argsort(want, kind="stable")  # sequential reads
            fd = os.open(self.sig_path, os.O_RDONLY)
            try:
                view = memoryview(buf)
                for slot, r in zip(order.tolist(), want[order].tolist(), strict=True):
                    got = os.preadv(fd, [view[slot * rb : (slot + 1) * rb]], r * rb)
                    if got != rb:
                        raise RuntimeError(f"dedup: short read of signature row {r}")
            finally:
                os.close(fd)
            out[new_pos] = np.frombuffer(buf, dtype="<i4").reshape(len(new_pos), -1)
        return out

    def band(self, b: int) -> np.ndarray:
        stored = np.fromfile(self.band_path, dtype="<i8", count=self.n_new, offset=8 * b * self.n_new)
        out = np.empty(self.n, dtype=np.int64)
        out[self.n_old :] = stored[self._at]
        if self.n_old:
            out[: self.n_old] = self._old_keys[:, b]
        return out

    def stored_strict(self, rows: np.ndarray) -> list[str | None]:
        """The strict key the index holds for each row (old rows; None for a new row or where it holds none)."""
        return [self.old_strict[r] if r < self.n_old else None for r in np.asarray(rows).tolist()]

    def strict_update(self, strict: StrictKeys) -> list[list[str]]:
        """``[record_id, stored strict key]`` of the old rows keyed from their text this run (the index held none, or
        a stale one)."""
        rows, keys = strict.of(0, self.n_old)
        return [
            [self.old.ids[r], to_stored(k.decode())]
            for r, k in zip(rows.tolist(), keys, strict=True)
            if not self.old_strict[r]
        ]

    def _facts(self, rows: Sequence[int]) -> dict[int, tuple]:
        """Policy facts of new rows, by row."""
        want = [r - self.n_old for r in rows if r >= self.n_old]
        if not want:
            return {}
        self.con.register("_q", pa.table({"i": pa.array(want, pa.int64())}))
        try:
            got = self.con.execute(f"SELECT i, {_FACTS} FROM new WHERE i IN (SELECT i FROM _q)").fetchall()
        finally:
            self.con.unregister("_q")
        return {r[0] + self.n_old: r[1:] for r in got}

    def cands(self, rows: Sequence[int]) -> list[Candidate]:
        facts = self._facts(rows)
        out = []
        for r in rows:
            if r < self.n_old:
                out.append(self.old.cands[r])
            else:
                rid, kind, lic, ver, length, doc = facts[r]
                out.append(Candidate(rid, kind, lic, ver, length or 0, doc))
        return out

    def ids(self, rows: Sequence[int]) -> list[str]:
        facts = self._facts(rows)
        return [self.old.ids[r] if r < self.n_old else facts[r][0] for r in rows]

    def texts(self, rows: list[int]) -> list[str]:
        """Texts of rows from the catalogue (verification of candidates)."""
        ids = self.ids(rows)
        got = self._catalogue_texts(ids)
        return [got.get(i) or "" for i in ids]

    # -- results ---------------------------------------------------------------------------------
    def write_kept(self, keep_new: np.ndarray, path: Path, strict: StrictKeys | None = None) -> int:
        """Write every new row as the index update Parquet file (dropped copies too: a record arriving later may be
        nearer to one of them than to its survivor), ``kept`` saying which stayed active (``keep_new`` by row number
        ``0..n_new-1``), streamed from the side files (source ids mapped to kinds, as the index stores them), with the
        strict key of each new row of an exact group (``strict``; null for the others)."""
        kinds = dict(self.con.execute("SELECT source_id, kind FROM cat.sources").fetchall())
        keyed = np.full(self.n_new, None, dtype=object)
        if strict is not None:
            rows, keys = strict.of(self.n_old, self.n)
            keyed[rows - self.n_old] = [to_stored(k.decode()) for k in keys]
        writer = None
        lo = 0
        try:
            for batch in self._side_batches(_INDEX_COLUMNS):
                m = batch.num_rows
                at = self._row[lo : lo + m]
                t = pa.Table.from_batches([batch]).append_column("kept", pa.array(keep_new[at]))
                t = t.append_column("strict_key", pa.array(keyed[at].tolist(), pa.string()))
                lo += m
                src = t.column("source_kind").to_pylist()
                t = t.set_column(
                    t.schema.get_field_index("source_kind"),
                    "source_kind",
                    pa.array([kinds.get(x, x) for x in src], pa.string()),
                )
                if writer is None:
                    # dictionary pages only for the policy facts: ids, keys, signatures and bucket lists are
                    # (nearly) unique, and trying a dictionary for each of their column chunks was most of the
                    # write (this step is serial: the run's own process, between the workers and the load)
                    writer = pq.ParquetWriter(path, t.schema, use_dictionary=_DICTIONARY_COLUMNS)
                writer.write_table(t)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise RuntimeError("dedup: no side file to write the index update from")
        return int(keep_new.sum())

    def close(self) -> None:
        """Close the scratch database and remove the working files."""
        self.con.close()
        self._remove_files()

    def _remove_files(self) -> None:
        import shutil

        for p in (self.sig_path, self.band_path, self.scratch, Path(f"{self.scratch}.wal")):
            p.unlink(missing_ok=True)
        shutil.rmtree(self.work / "spill", ignore_errors=True)

    def __enter__(self) -> DiskRows:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _decided_links(con: duckdb.DuckDBPyConnection) -> None:
    """Scratch tables of the catalogue's standing dedup decisions: ``decided(record_id, kind, target)`` (a
    ``duplicate`` naming its survivor, a ``near`` duplicate its representative, both active or duplicates themselves)
    and ``links(a, b)``, each decision both ways."""
    from provenance.dedup_release import dedup_decisions

    home = con.execute("SELECT current_database()").fetchone()[0]
    con.execute("USE cat")  # the catalogue's own queries name its tables unqualified
    try:
        con.execute(
            f"""CREATE OR REPLACE TABLE "{home}".decided AS
                SELECT r.record_id, 'duplicate' AS kind, d.survivor AS target FROM records r
                JOIN ({dedup_decisions(con)}) d USING (record_id)
                JOIN records k ON k.record_id = d.survivor AND k.status IN ('active', 'duplicate')
                WHERE r.status = 'duplicate'
                UNION ALL
                SELECT r.record_id, 'near', r.near_duplicate_of FROM records r
                JOIN records k ON k.record_id = r.near_duplicate_of AND k.status = 'active'
                WHERE r.status = 'active' AND r.near_duplicate_of IS NOT NULL"""
        )
    finally:
        con.execute(f'USE "{home}"')
    con.execute(
        "CREATE OR REPLACE TABLE links AS SELECT record_id AS a, target AS b FROM decided"
        " UNION ALL SELECT target, record_id FROM decided"
    )


def _old_decisions(con: duckdb.DuckDBPyConnection, ids: list[str]) -> tuple[dict[str, tuple[str, str]], np.ndarray]:
    """The standing decision of each old row that has one (``{id: (kind, target)}``) and the row pairs those
    decisions join (old rows of one cluster are one group again, as in the run that decided them)."""
    at = {r: i for i, r in enumerate(ids)}
    con.register("_old_ids", pa.table({"record_id": pa.array(ids, pa.string())}))
    try:
        got = con.execute(
            "SELECT record_id, kind, target FROM decided WHERE record_id IN (SELECT record_id FROM _old_ids)"
        ).fetchall()
    finally:
        con.unregister("_old_ids")
    state = {r: (kind, target) for r, kind, target in got}
    pairs = [(at[r], at[t]) for r, (_, t) in state.items() if t in at]
    return state, np.array(pairs, dtype=np.int64).reshape(-1, 2)


def _quote(p: Path | str) -> str:
    return str(p).replace("'", "''")
