"""Exact + near-duplicate clustering: sign documents, band, verify, connect, choose survivors.

The flow, in memory bounded by the signature matrix (4 bytes x permutations per document):

1. :func:`sign` streams documents through the normalised key (:mod:`curate.dedup.keys`) and the
   batched MinHash kernel (:mod:`curate.dedup.minhash`), keeping only signatures, exact keys and
   survivor-policy facts -- never the texts.
2. :func:`cluster` merges exact-key groups, takes LSH candidates among one representative per
   exact group, verifies every candidate pair against its actual shingle-set Jaccard (texts are
   fetched again only for candidate rows), joins verified pairs into connected components and
   applies the survivor policy.

Old (already accepted) documents can be passed in from the persistent index so that a new batch is
deduplicated against the corpus without recomputing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from curate.dedup.clustering import UnionFind
from curate.dedup.config import DedupConfig
from curate.dedup.keys import exact_key, normalise_codepoints
from curate.dedup.lsh import band_keys, candidate_pairs, has_shingles
from curate.dedup.minhash import MinHasher
from curate.dedup.survivor import Candidate, choose, deciding_rule

__all__ = ["DedupDoc", "DedupVerdict", "Signed", "sign", "cluster", "dedup_texts"]


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
                exact=[exact_key(c) for c in cps],
                sig=sig,
                nsh=nsh,
                cands=[Candidate(d.id, d.source_kind, d.licence_id, d.version, len(d.text), d.document) for d in buf],
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


#: candidate pairs (and group rows) verified per block; bounds the shingle sets held at once
_VERIFY_BLOCK = 8192


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
        for r, text in zip(need, self.fetch(need), strict=True):
            self.sets[r] = self.hasher.shingle_hashes(normalise_codepoints(text)).astype(np.uint32)

    def __getitem__(self, row: int) -> np.ndarray:
        return self.sets[row]


def _prefilter(sig: np.ndarray, pairs: np.ndarray, floor: float, stats: ClusterStats) -> np.ndarray:
    """Candidate pairs whose signature estimate of the Jaccard is at least ``floor``."""
    if floor <= 0 or not len(pairs):
        return pairs
    keep = np.empty(len(pairs), dtype=bool)
    step = 65_536
    for s in range(0, len(pairs), step):
        p = pairs[s : s + step]
        keep[s : s + step] = (sig[p[:, 0]] == sig[p[:, 1]]).mean(axis=1) >= floor
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
    hasher = hasher or make_hasher(config)
    stats = stats if stats is not None else ClusterStats()
    old = old if old is not None else Signed(sig=np.empty((0, config.num_perm), dtype=np.int32))
    allp = Signed.concat([old, new], config.num_perm) if len(old) else new
    n_old, n = len(old), len(allp)
    stats.documents, stats.old = len(new), n_old
    uf = UnionFind(n)
    stats.empty_keys = int((allp.nsh[n_old:] == 0).sum())
    is_rep = _join_exact(allp, uf)
    # shingle sets stay in a bounded cache (memory does not grow with the number of candidate
    # documents, and a document's shingles are computed about once)
    shingles = _ShingleCache(config.verify_cache, fetch, hasher)
    _join_near(allp, is_rep, n_old, config, uf, shingles, stats)
    return _verdicts(allp, n_old, config, uf, shingles, stats)


def _join_exact(allp: Signed, uf: UnionFind) -> np.ndarray:
    """Phase 1: documents with the same exact key are joined; returns which row represents its key."""
    nonempty = allp.nsh > 0
    is_rep = np.zeros(len(allp), dtype=bool)
    first: dict[str, int] = {}
    for i, k in enumerate(allp.exact):
        if not nonempty[i]:
            continue
        j = first.setdefault(k, i)
        if j == i:
            is_rep[i] = True
        else:
            uf.union(j, i)
    return is_rep


def _join_near(
    allp: Signed,
    is_rep: np.ndarray,
    n_old: int,
    config: DedupConfig,
    uf: UnionFind,
    shingles: _ShingleCache,
    stats: ClusterStats,
) -> None:
    """Phase 2: LSH candidates among representatives (each involving a new row), verified on real shingles."""
    keys = band_keys(allp.sig, config.bands, config.rows)
    involve = None
    if n_old:
        involve = np.zeros(len(allp), dtype=bool)
        involve[n_old:] = True
    pairs = candidate_pairs(keys, is_rep & has_shingles(allp.nsh), max_bucket=config.max_bucket, involve=involve)
    stats.candidates = len(pairs)
    del keys
    # signature pre-filter: candidates whose MinHash estimate is far below the threshold are
    # rejected without reading texts (vectorised, block by block)
    pairs = _prefilter(allp.sig, pairs, config.threshold - config.prefilter_margin, stats)
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
    allp: Signed, n_old: int, config: DedupConfig, uf: UnionFind, shingles: _ShingleCache, stats: ClusterStats
) -> list[DedupVerdict]:
    """Phase 3: connected components, a survivor each, and one verdict per member (exact Jaccard to the
    survivor computed group-block by group-block)."""
    groups: dict[int, list[int]] = {}
    for i in range(len(allp)):
        groups.setdefault(uf.find(i), []).append(i)
    decisions: list[DedupVerdict] = []
    pending: list[tuple[list[int], int, Candidate]] = []
    rows_pending = 0
    for members in groups.values():
        if n_old and all(m < n_old for m in members):
            continue
        if len(members) == 1:
            m = members[0]
            decisions.append(DedupVerdict(allp.ids[m], allp.ids[m], True))
            continue
        surv = choose([allp.cands[m] for m in members], config)
        s = next(m for m in members if allp.ids[m] == surv.id)
        pending.append((members, s, surv))
        rows_pending += len(members)
        if rows_pending >= _VERIFY_BLOCK:
            decisions += _group_verdicts(pending, allp, n_old, config, shingles, stats)
            pending, rows_pending = [], 0
    decisions += _group_verdicts(pending, allp, n_old, config, shingles, stats)
    return decisions


def _group_verdicts(
    pending: list[tuple[list[int], int, Candidate]],
    allp: Signed,
    n_old: int,
    config: DedupConfig,
    shingles: _ShingleCache,
    stats: ClusterStats,
) -> list[DedupVerdict]:
    """Verdicts of the members of a block of groups ``(members, survivor row, survivor)``."""
    need = [m for members, s, _ in pending for m in members if allp.exact[m] != allp.exact[s]]
    need += [s for members, s, _ in pending if any(allp.exact[m] != allp.exact[s] for m in members)]
    shingles.load(need)
    decisions: list[DedupVerdict] = []
    for members, s, surv in pending:
        targets = _targets(members, s, allp, config)
        for m in members:
            if m == s:
                decisions.append(DedupVerdict(allp.ids[s], surv.id, True, is_new=s >= n_old))
                continue
            t = targets[m]
            kept = t is None
            t = s if kept else t
            exact = allp.exact[m] == allp.exact[t]
            jac_est = round(float((allp.sig[m] == allp.sig[t]).mean()), 4)
            jac = 1.0 if exact else round(_jaccard(shingles[m], shingles[t]), 4)
            if kept:  # the per-document policy keeps it: one link to the representative
                stats.kept_near_duplicates += 1
                decisions.append(
                    DedupVerdict(
                        id=allp.ids[m],
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
                    id=allp.ids[m],
                    cluster=surv.id,
                    survivor=False,
                    duplicate_of=allp.ids[t],
                    match="exact" if exact else "near",
                    rule=deciding_rule(allp.cands[t], allp.cands[m], config),
                    jaccard_est=jac_est,
                    jaccard=jac,
                    is_new=m >= n_old,
                )
            )
    return decisions


def _targets(members: list[int], s: int, allp: Signed, config: DedupConfig) -> dict[int, int | None]:
    """Per-source policy: for each member (not the survivor ``s``), the row it is a duplicate of, or None
    when it stays active as a near duplicate (a per-document source's record of another document).

    Records of per-document sources are duplicates only of an identical text in the same document;
    other records go to an identical kept copy if there is one, else to the survivor.
    """
    docs = {m: config.document_of(allp.cands[m].source_kind, allp.cands[m].document) for m in members}
    if all(d is None for d in docs.values()):
        return dict.fromkeys((m for m in members if m != s), s)
    # within each (document, exact text): the best copy stays, the others are its duplicates
    best: dict[tuple[str, str], int] = {}
    for m in members:
        if docs[m] is None:
            continue
        key = (docs[m], allp.exact[m])
        cur = best.get(key)
        if cur is None or m == s or (cur != s and choose([allp.cands[cur], allp.cands[m]], config) is allp.cands[m]):
            best[key] = m
    kept_by_exact: dict[str, int] = {}
    for (_, ex), m in sorted(best.items(), key=lambda kv: (kv[1] != s, allp.ids[kv[1]])):
        kept_by_exact.setdefault(ex, m)
    out: dict[int, int | None] = {}
    for m in members:
        if m == s:
            continue
        if docs[m] is None:
            out[m] = kept_by_exact.get(allp.exact[m], s)
        else:
            b = best[(docs[m], allp.exact[m])]
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
