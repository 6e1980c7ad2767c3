"""Exact + near-duplicate clustering: sign documents, band, verify, connect, choose survivors.

The flow, in memory bounded by the signature matrix (4 bytes x permutations per document):

1. :func:`sign` streams documents through the normalised key (:mod:`curate.dedup.keys`) and the
   batched MinHash kernel (:mod:`curate.dedup.minhash`), keeping only signatures, exact keys and
   survivor-policy facts -- never the texts.
2. :func:`cluster` merges exact-key groups, takes LSH candidates among one representative per
   exact group, verifies every candidate pair against its actual shingle-set Jaccard (texts are
   fetched again only for candidate rows), joins verified pairs into connected components and
   applies the survivor policy.

Old (already clustered) documents can be passed in from the persistent index so that a new batch is
deduplicated against the corpus without recomputing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np

from curate.dedup.clustering import UnionFind
from curate.dedup.config import DedupConfig
from curate.dedup.exact import tagged
from curate.dedup.keys import exact_key, normalise_codepoints
from curate.dedup.lsh import band_keys, candidate_pairs_banded, has_shingles
from curate.dedup.minhash import MinHasher
from curate.dedup.strict import StrictKeys, split_exact_groups
from curate.dedup.survivor import Candidate, choose, deciding_rule, seen_length

__all__ = [
    "DedupDoc",
    "DedupVerdict",
    "Signed",
    "Rows",
    "MemRows",
    "Clustered",
    "sign",
    "cluster",
    "cluster_rows",
    "dedup_texts",
]


@dataclass(frozen=True, slots=True)
class DedupDoc:
    """One input document with the facts the survivor policy uses."""

    id: str
    text: str
    source_kind: str | None = None
    licence_id: str | None = None
    version: str | None = None
    document: str | None = None


@dataclass
class Signed:
    """Signatures and policy facts of a set of documents (no texts)."""

    ids: list[str] = field(default_factory=list)
    exact: list[str] = field(default_factory=list)
    sig: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=np.int32))
    nsh: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    cands: list[Candidate] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.ids)

    @staticmethod
    def concat(parts: Sequence[Signed], num_perm: int) -> Signed:
        """One :class:`Signed` from several (in order)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return Signed(sig=np.empty((0, num_perm), dtype=np.int32))
        return Signed(
            ids=[i for p in parts for i in p.ids],
            exact=[e for p in parts for e in p.exact],
            sig=np.concatenate([p.sig for p in parts]),
            nsh=np.concatenate([p.nsh for p in parts]),
            cands=[c for p in parts for c in p.cands],
        )


@dataclass(frozen=True, slots=True)
class DedupVerdict:
    """The outcome for one document.

    Attributes:
        id: record id.
        cluster: cluster label (the survivor's id).
        survivor: True if this copy stays.
        duplicate_of: survivor id for removed copies.
        match: "exact" (same normalised key as the survivor) or "near".
        rule: survivor rule that decided (authority, licence, newest, longer, id).
        jaccard_est: MinHash estimate of the Jaccard with the survivor.
        jaccard: actual shingle Jaccard with the survivor (may be < threshold via a chain).
        is_new: False for an already-indexed document whose status changes now.
        near_duplicate_of: for a survivor kept by the per-document policy although it is a copy of
            another document's record: the cluster's representative.
        matched, matched_jaccard: for a copy joined through a chain (``jaccard`` < threshold), the member it matched.
    """

    id: str
    cluster: str
    survivor: bool
    duplicate_of: str | None = None
    match: str | None = None
    rule: str | None = None
    jaccard_est: float | None = None
    jaccard: float | None = None
    is_new: bool = True
    near_duplicate_of: str | None = None
    matched: str | None = None
    matched_jaccard: float | None = None


def make_hasher(config: DedupConfig) -> MinHasher:
    """The MinHash kernel for a config."""
    return MinHasher(
        num_perm=config.num_perm,
        ngram=config.ngram,
        seed=config.seed,
        device=config.device,
        batch_size=config.batch_size,
        backend=config.backend,
    )


def sign(
    docs: Iterable[DedupDoc],
    config: DedupConfig,
    *,
    hasher: MinHasher | None = None,
    chunk: int | None = None,
    on_chunk: Callable[[int], None] | None = None,
) -> Signed:
    """Signatures of a stream of documents, ``chunk`` documents at a time (texts not kept)."""
    hasher = hasher or make_hasher(config)
    chunk = chunk or config.batch_size * 8
    parts: list[Signed] = []
    buf: list[DedupDoc] = []

    def flush() -> None:
        cps = [normalise_codepoints(d.text) for d in buf]
        sig, nsh = hasher.signatures(cps)
        parts.append(
            Signed(
                ids=[d.id for d in buf],
                exact=[tagged(exact_key(c)) for c in cps],
                sig=sig,
                nsh=nsh,
                cands=[
                    Candidate(d.id, d.source_kind, d.licence_id, d.version, seen_length(d.text), d.document)
                    for d in buf
                ],
            )
        )
        if on_chunk:
            on_chunk(len(buf))
        buf.clear()

    for d in docs:
        buf.append(d)
        if len(buf) >= chunk:
            flush()
    if buf:
        flush()
    return Signed.concat(parts, config.num_perm)


_VERIFY_BLOCK = 8192  # candidate pairs (and group rows) verified per block; bounds the shingle sets held at once
CHAIN_MEMBERS_MAX = 4096  # the largest cluster whose chained members get the member they matched


class _ShingleCache:
    """Shingle-hash sets of rows, fetched in blocks, oldest dropped beyond ``limit`` documents."""

    def __init__(self, limit: int, fetch: Callable[[list[int]], list[str]], hasher: MinHasher) -> None:
        self.limit, self.fetch, self.hasher = max(1, limit), fetch, hasher
        self.sets: dict[int, np.ndarray] = {}

    def load(self, rows: list[int]) -> None:
        """Make sure every row of ``rows`` is cached (one fetch for the missing ones)."""
        need = sorted({r for r in rows if r not in self.sets})
        if not need:
            return
        overflow = len(self.sets) + len(need) - max(self.limit, len(set(rows)))
        if overflow > 0:  # dicts keep insertion order: drop the oldest entries not needed now
            keep = set(rows)
            for r in [r for r in self.sets if r not in keep][:overflow]:
                del self.sets[r]
        keys = [normalise_codepoints(text) for text in self.fetch(need)]
        for r, hashes in zip(need, self.hasher.shingle_hashes_many(keys), strict=True):
            self.sets[r] = hashes.astype(np.uint32)

    def __getitem__(self, row: int) -> np.ndarray:
        return self.sets[row]


def _prefilter(rows: Rows, pairs: np.ndarray, floor: float, stats: ClusterStats) -> np.ndarray:
    """Candidate pairs whose signature estimate of the Jaccard is at least ``floor``."""
    if floor <= 0 or not len(pairs):
        return pairs
    keep = np.empty(len(pairs), dtype=bool)
    step = 65_536
    for s in range(0, len(pairs), step):
        p = pairs[s : s + step]
        keep[s : s + step] = (rows.sig(p[:, 0]) == rows.sig(p[:, 1])).mean(axis=1) >= floor
    stats.prefiltered = int((~keep).sum())
    stats.rejected += stats.prefiltered
    return pairs[keep]


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) == 0 or len(b) == 0:
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


@dataclass
class ClusterStats:
    """Counts of one clustering pass."""

    documents: int = 0
    old: int = 0
    candidates: int = 0
    verified: int = 0
    rejected: int = 0
    prefiltered: int = 0
    exact_duplicates: int = 0
    near_duplicates: int = 0
    kept_near_duplicates: int = 0
    empty_keys: int = 0
    strict_key_texts: int = 0  # texts read to key exact groups (the index holds the others' keys)


class Rows(Protocol):
    """The documents being clustered, row by row (old rows first): in memory (:class:`MemRows`) or
    on disk (:class:`curate.dedup.store.DiskRows`). Only per-row numbers are held whole; signatures,
    ids and policy facts are read for the rows that need them."""

    n: int
    n_old: int
    nsh: np.ndarray  # (n,) shingle counts
    exact: np.ndarray  # (n,) int64 codes, equal exactly when the exact keys are equal

    def sig(self, rows: np.ndarray) -> np.ndarray: ...  # (len(rows), num_perm) int32

    def band(self, b: int) -> np.ndarray: ...  # (n,) int64 bucket keys of band b

    def cands(self, rows: Sequence[int]) -> list[Candidate]: ...


class MemRows:
    """:class:`Rows` over an in-memory :class:`Signed` (old rows first)."""

    def __init__(self, allp: Signed, n_old: int, config: DedupConfig) -> None:
        self.allp, self.n, self.n_old, self.config = allp, len(allp), n_old, config
        self.nsh = allp.nsh
        codes: dict[str, int] = {}
        self.exact = np.array([codes.setdefault(e, len(codes)) for e in allp.exact], dtype=np.int64)
        self._keys: np.ndarray | None = None

    def sig(self, rows: np.ndarray) -> np.ndarray:
        return self.allp.sig[rows]

    def band(self, b: int) -> np.ndarray:
        if self._keys is None:
            self._keys = band_keys(self.allp.sig, self.config.bands, self.config.rows)
        return self._keys[:, b]

    def cands(self, rows: Sequence[int]) -> list[Candidate]:
        return [self.allp.cands[r] for r in rows]


def cluster(
    new: Signed,
    config: DedupConfig,
    fetch: Callable[[list[int]], list[str]],
    *,
    old: Signed | None = None,
    hasher: MinHasher | None = None,
    stats: ClusterStats | None = None,
) -> list[DedupVerdict]:
    """Cluster ``new`` (against ``old``, the accepted corpus) and choose survivors.

    Args:
        new: signatures of the incoming documents.
        config: thresholds, banding and survivor policy.
        fetch: texts for row indices of the combined ``old + new`` list (old rows first);
            called only for rows in candidate pairs.
        old: signatures of already accepted documents (the persistent index), or None.
        hasher: kernel used for shingle hashes during verification.
        stats: filled with counts when given.

    Returns:
        One :class:`DedupVerdict` per new document, plus one for each old document that stops being
        a survivor (``is_new=False``).
    """
    old = old if old is not None else Signed(sig=np.empty((0, config.num_perm), dtype=np.int32))
    allp = Signed.concat([old, new], config.num_perm) if len(old) else new
    res = cluster_rows(MemRows(allp, len(old), config), config, fetch, hasher=hasher, stats=stats)
    # one verdict list in row order of each group's first member (singletons are their own group)
    out: list[tuple[int, list[DedupVerdict]]] = [(ms[0], ds) for ms, ds in res.groups]
    out += [(int(r), [DedupVerdict(allp.ids[r], allp.ids[r], True)]) for r in res.singles]
    out.sort(key=lambda g: g[0])
    return [d for _, ds in out for d in ds]


@dataclass
class Clustered:
    """What :func:`cluster_rows` decided: per group of two or more rows, its member rows (ascending)
    and their verdicts (one each, same order), groups in order of their first row; and the new rows that are alone in their group (survivors, no verdict
    object each: at a million documents those would be most of the memory)."""

    groups: list[tuple[list[int], list[DedupVerdict]]]
    singles: np.ndarray
    strict: StrictKeys = field(default_factory=StrictKeys)  # the exact groups' strict keys (for the index)


def cluster_rows(
    rows: Rows,
    config: DedupConfig,
    fetch: Callable[[list[int]], list[str]],
    *,
    hasher: MinHasher | None = None,
    stats: ClusterStats | None = None,
) -> Clustered:
    """Cluster the new rows of ``rows`` (against its old rows): exact groups, verified LSH candidates,
    connected components, survivors. Memory: per-row numbers, one band's keys at a time, candidate
    pairs, and the bounded shingle cache; signatures and policy facts are read per block."""
    hasher = hasher or make_hasher(config)
    stats = stats if stats is not None else ClusterStats()
    n_old, n = rows.n_old, rows.n
    stats.documents, stats.old = n - n_old, n_old
    uf = UnionFind(n)
    stats.empty_keys = int((rows.nsh[n_old:] == 0).sum())
    rows.exact, strict = split_exact_groups(rows, fetch)
    stats.strict_key_texts = strict.read
    for a, b in getattr(rows, "old_links", ()):  # old rows an earlier run clustered together stay together
        uf.union(int(a), int(b))
    is_rep = _join_exact(rows, uf)
    # shingle sets stay in a bounded cache (memory does not grow with the number of candidate
    # documents, and a document's shingles are computed about once)
    shingles = _ShingleCache(config.verify_cache, fetch, hasher)
    _join_near(rows, is_rep, config, uf, shingles, stats)
    res = _verdicts(rows, config, uf, shingles, stats)
    res.strict = strict
    return res


def _join_exact(rows: Rows, uf: UnionFind) -> np.ndarray:
    """Phase 1: documents with the same exact key are joined to the key's first row (in row order);
    returns which row represents its key."""
    idx = np.flatnonzero(rows.nsh > 0)
    is_rep = np.zeros(rows.n, dtype=bool)
    if not len(idx):
        return is_rep
    _, first_pos, inv = np.unique(rows.exact[idx], return_index=True, return_inverse=True)
    first = idx[first_pos][inv.reshape(-1)]
    is_rep[idx[first == idx]] = True
    dup = first != idx
    for j, i in zip(first[dup].tolist(), idx[dup].tolist(), strict=True):
        uf.union(j, i)
    return is_rep


def _join_near(
    rows: Rows,
    is_rep: np.ndarray,
    config: DedupConfig,
    uf: UnionFind,
    shingles: _ShingleCache,
    stats: ClusterStats,
) -> None:
    """Phase 2: LSH candidates among representatives (each involving a new row), verified on real shingles."""
    involve = None
    if rows.n_old:  # a pair involves a new row, or an old row representing an exact group with a new row
        involve = np.isin(rows.exact, rows.exact[rows.n_old :])
    pairs = candidate_pairs_banded(
        rows.band, config.bands, is_rep & has_shingles(rows.nsh), max_bucket=config.max_bucket, involve=involve
    )
    stats.candidates = len(pairs)
    # signature pre-filter: candidates whose MinHash estimate is far below the threshold are
    # rejected without reading texts (vectorised, block by block)
    pairs = _prefilter(rows, pairs, config.threshold - config.prefilter_margin, stats)
    for start in range(0, len(pairs), _VERIFY_BLOCK):
        block = [(a, b) for a, b in pairs[start : start + _VERIFY_BLOCK].tolist() if uf.find(a) != uf.find(b)]
        shingles.load([r for ab in block for r in ab])
        for a, b in block:
            if uf.find(a) == uf.find(b):
                continue
            if _jaccard(shingles[a], shingles[b]) >= config.threshold:
                uf.union(a, b)
                stats.verified += 1
            else:
                stats.rejected += 1


def _verdicts(
    rows: Rows, config: DedupConfig, uf: UnionFind, shingles: _ShingleCache, stats: ClusterStats
) -> Clustered:
    """Phase 3: connected components, a survivor each, and one verdict per member (exact Jaccard to the
    survivor computed group-block by group-block)."""
    n_old = rows.n_old
    labels = uf.labels()
    order = np.argsort(labels, kind="stable")  # members of a group stay in row order
    sl = labels[order]
    starts = np.flatnonzero(np.r_[True, sl[1:] != sl[:-1]]) if len(sl) else np.empty(0, dtype=np.int64)
    ends = np.r_[starts[1:], len(sl)]
    firsts = order[starts]
    single = (ends - starts) == 1
    singles = firsts[single & (firsts >= n_old)]
    multi = np.flatnonzero(~single)
    multi = multi[np.argsort(firsts[multi], kind="stable")]
    groups: list[tuple[list[int], list[DedupVerdict]]] = []
    pending: list[np.ndarray] = []
    rows_pending = 0
    for g in multi.tolist():
        members = order[starts[g] : ends[g]]
        if n_old and members[-1] < n_old:  # settled before: only old rows
            continue
        pending.append(members)
        rows_pending += len(members)
        if rows_pending >= _VERIFY_BLOCK:
            groups += _group_verdicts(pending, rows, config, shingles, stats)
            pending, rows_pending = [], 0
    groups += _group_verdicts(pending, rows, config, shingles, stats)
    return Clustered(groups=groups, singles=singles)


def _group_verdicts(
    pending: list[np.ndarray],
    rows: Rows,
    config: DedupConfig,
    shingles: _ShingleCache,
    stats: ClusterStats,
) -> list[tuple[list[int], list[DedupVerdict]]]:
    """Verdicts of the members of a block of groups (member rows, ascending)."""
    if not pending:
        return []
    n_old = rows.n_old
    block = np.concatenate(pending)
    cands = dict(zip(block.tolist(), rows.cands(block.tolist()), strict=True))
    sigs = dict(zip(block.tolist(), rows.sig(block), strict=True))
    ex = dict(zip(block.tolist(), rows.exact[block].tolist(), strict=True))
    chosen = []
    for members in pending:
        ms = members.tolist()
        surv = choose([cands[m] for m in ms], config)
        s = next(m for m in ms if cands[m].id == surv.id)
        chosen.append((ms, s, surv))
    need = [m for ms, s, _ in chosen for m in ms if ex[m] != ex[s]]
    need += [s for ms, s, _ in chosen if any(ex[m] != ex[s] for m in ms)]
    shingles.load(need)
    out: list[tuple[list[int], list[DedupVerdict]]] = []
    chains: list[tuple[int, list[int]]] = []  # (index in out, positions of chained members)
    for ms, s, surv in chosen:
        decisions: list[DedupVerdict] = []
        targets = _targets(ms, s, cands, ex, config)
        for m in ms:
            if m == s:
                decisions.append(DedupVerdict(cands[s].id, surv.id, True, is_new=s >= n_old))
                continue
            t = targets[m]
            kept = t is None
            t = s if kept else t
            exact = ex[m] == ex[t]
            jac_est = round(float((sigs[m] == sigs[t]).mean()), 4)
            jac = 1.0 if exact else round(_jaccard(shingles[m], shingles[t]), 4)
            if kept:  # the per-document policy keeps it: one link to the representative
                stats.kept_near_duplicates += 1
                decisions.append(
                    DedupVerdict(
                        id=cands[m].id,
                        cluster=surv.id,
                        survivor=True,
                        match="exact" if exact else "near",
                        jaccard_est=jac_est,
                        jaccard=jac,
                        is_new=m >= n_old,
                        near_duplicate_of=surv.id,
                    )
                )
                continue
            if exact:
                stats.exact_duplicates += 1
            else:
                stats.near_duplicates += 1
            decisions.append(
                DedupVerdict(
                    id=cands[m].id,
                    cluster=surv.id,
                    survivor=False,
                    duplicate_of=cands[t].id,
                    match="exact" if exact else "near",
                    rule=deciding_rule(cands[t], cands[m], config),
                    jaccard_est=jac_est,
                    jaccard=jac,
                    is_new=m >= n_old,
                )
            )
        chained = [i for i, d in enumerate(decisions) if d.jaccard is not None and d.jaccard < config.threshold]
        if chained and len(ms) <= CHAIN_MEMBERS_MAX:
            chains.append((len(out), chained))
        out.append((ms, decisions))
    for k, chained in chains:  # after every group's verdicts: loading these may drop the others' shingles
        _name_matches(out[k], chained, ex, cands, sigs, shingles, config.threshold)
    return out


def _name_matches(group: tuple, chained: list[int], ex, cands, sigs, shingles, th: float) -> None:
    """Give each chained member (positions ``chained``) the member it is most alike at ``th`` or more, not the row
    order's choice: the members its signature is most alike (ties all, up to 64 by id) are checked on shingles."""
    ms, decisions = group
    sig, exs = np.stack([sigs[o] for o in ms]), np.array([ex[o] for o in ms])
    for i in chained:
        est = (sig == sig[i]).mean(axis=1)
        est[exs == exs[i]] = -1.0
        top = np.flatnonzero(est >= max(0.0, np.sort(est)[-min(8, len(est))]))
        near = sorted((ms[j] for j in top.tolist()), key=lambda o: cands[o].id)[:64]
        shingles.load([ms[i], *near])
        alike = [(-j, cands[o].id) for o in near if (j := round(_jaccard(shingles[ms[i]], shingles[o]), 4)) >= th]
        if alike:
            jac, o = min(alike)
            decisions[i] = replace(decisions[i], matched=o, matched_jaccard=-jac)


def _targets(
    members: list[int], s: int, cands: dict[int, Candidate], ex: dict[int, int], config: DedupConfig
) -> dict[int, int | None]:
    """Per-source policy: for each member (not the survivor ``s``), the row it is a duplicate of, or None
    when it stays active as a near duplicate (a per-document source's record of another document).

    Records of per-document sources are duplicates only of an identical text in the same document;
    other records go to an identical kept copy if there is one, else to the survivor.
    """
    docs = {m: config.document_of(cands[m].source_kind, cands[m].document) for m in members}
    if all(d is None for d in docs.values()):
        return dict.fromkeys((m for m in members if m != s), s)
    # within each (document, exact text): the best copy stays, the others are its duplicates
    best: dict[tuple[str, int], int] = {}
    for m in members:
        if docs[m] is None:
            continue
        key = (docs[m], ex[m])
        cur = best.get(key)
        if cur is None or m == s or (cur != s and choose([cands[cur], cands[m]], config) is cands[m]):
            best[key] = m
    kept_by_exact: dict[int, int] = {}
    for (_, e), m in sorted(best.items(), key=lambda kv: (kv[1] != s, cands[kv[1]].id)):
        kept_by_exact.setdefault(e, m)
    out: dict[int, int | None] = {}
    for m in members:
        if m == s:
            continue
        if docs[m] is None:
            out[m] = kept_by_exact.get(ex[m], s)
        else:
            b = best[(docs[m], ex[m])]
            out[m] = None if b == m else b
    return out


def dedup_texts(docs: Sequence[DedupDoc], config: DedupConfig | None = None) -> list[DedupVerdict]:
    """In-memory convenience: decisions for a list of documents.

    >>> ds = dedup_texts([DedupDoc("a", "第一條 銀行應依法辦理存款業務。"), DedupDoc("b", "第一条 银行应依法办理存款业务")])
    >>> sorted((d.id, d.survivor) for d in ds)
    [('a', True), ('b', False)]
    """
    config = config or DedupConfig()
    hasher = make_hasher(config)
    signed = sign(docs, config, hasher=hasher)
    return cluster(signed, config, lambda rows: [docs[r].text for r in rows], hasher=hasher)
