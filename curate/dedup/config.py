"""Configuration of exact and near-duplicate detection (one frozen dataclass)."""

from __future__ import annotations

import difflib
import functools
import math
import unicodedata
from dataclasses import dataclass, field
from typing import ClassVar

from provenance.errors import ConfigError

#: The kind each ingestor writes in ``sources.kind`` (what the dedup stage matches the policy against), by the
#: source name the policy is written in: ``authority`` and ``per_document`` entries may name either.
SOURCE_KINDS: dict[str, str] = {
    "law_moj": "law_moj",
    "fsc": "sanctions",
    "tabf": "training-material",
    "textbooks": "textbook",
    "moda": "corpus",
}


def _check_kind(option: str, name: str) -> None:
    """Refuse a policy entry that is a misspelling of a known source or kind (``law-moj``, ``LAW_MOJ``, ``sanction``):
    it would name no source, and silently turn the policy off for the one meant. Other names are kinds of the
    user's own (``source_kind`` of `curate dedup`'s lines) and pass.

    >>> _check_kind("per_document", "law_moj"), _check_kind("per_document", "news")
    (None, None)
    >>> _check_kind("per_document", "law-moj")
    Traceback (most recent call last):
    provenance.errors.ConfigError: dedup: per_document names 'law-moj', no source kind; did you mean 'law_moj'? ...
    """
    near = misspelt_kind(name)
    if near is not None:
        raise ConfigError(
            f"dedup: {option} names {name!r}, no source kind; did you mean {near!r}? (sources: "
            f"{', '.join(SOURCE_KINDS)}; kinds: {', '.join(sorted(set(SOURCE_KINDS.values())))})"
        )


def misspelt_kind(name: str) -> str | None:
    """The known source or kind that ``name`` misspells (``law-moj``, ``LAW_MOJ``, ``sanction``), None when it is one
    or names a kind of the user's own. Policy entries and `curate dedup`'s ``source_kind`` are checked with it.

    >>> misspelt_kind("LAW-MOJ"), misspelt_kind("law_moj"), misspelt_kind("news")
    ('law_moj', None, None)

    Typed in full-width letters (an input method's full-width mode, as a spreadsheet cell often holds them), a kind
    named no source and passed:

    >>> misspelt_kind("ｌａｗ＿ｍｏｊ"), misspelt_kind("ＦＳＣ"), misspelt_kind("ｎｅｗｓ")
    ('law_moj', 'fsc', None)
    """
    known = sorted({*SOURCE_KINDS, *SOURCE_KINDS.values()})
    if name in known:
        return None
    folded = {k.replace("-", "_").lower(): k for k in known}
    name = unicodedata.normalize("NFKC", name)
    return folded.get(name.replace("-", "_").strip().lower()) or next(
        iter(difflib.get_close_matches(name, known, n=1, cutoff=0.75)), None
    )


def kind_of(name: str) -> str:
    """The source kind a policy entry names (``tabf`` and ``training-material`` alike).

    >>> kind_of("tabf"), kind_of("training-material"), kind_of("my_kind")
    ('training-material', 'training-material', 'my_kind')
    """
    return SOURCE_KINDS.get(name, name)


@functools.lru_cache(maxsize=64)
def _kinds(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(kind_of(k) for k in names)


@functools.lru_cache(maxsize=64)
def _ranks(authority: tuple[tuple[str, int], ...]) -> dict[str, int]:
    return {kind_of(k): rank for k, rank in authority}


#: source kind -> authority rank (higher wins): regulator > training institute > textbook > general corpus
DEFAULT_AUTHORITY: tuple[tuple[str, int], ...] = (
    ("law_moj", 40),
    ("fsc", 40),
    ("tabf", 30),
    ("textbooks", 20),
    ("moda", 10),
)

#: source kinds deduplicated per document only: the regulator's articles of different laws are never
#: each other's duplicates (parallel provisions are different law); an identical text within one law is a
#: duplicate. The FSC's sanction cases are the regulator's too: cases against different banks share their wording and
#: differ in the bank, the fine, the date and the 文號, and each is a separate decision (a case listed twice is
#: still a duplicate: an fsc record has no container, so the source is its one document).
DEFAULT_PER_DOCUMENT: tuple[str, ...] = ("law_moj", "fsc")

#: the largest ``ngram``: a shingle longer than this is a copy check, not a near-duplicate one (and a huge one never
#: finished signing)
MAX_NGRAM = 64
#: the most MinHash permutations (``bands * rows``): signatures are held in memory for the banding, 4 bytes per
#: permutation and document (125 by default; 1024 is 4 GB at 1M documents)
MAX_PERM = 1024
#: the largest ``seed`` (a signed 64-bit integer: it is stored with the index and the run's statistics)
MAX_SEED = 2**63 - 1

#: survivor rules, applied in order; the first that separates two records decides
DEFAULT_RULES: tuple[str, ...] = ("authority", "licence", "newest", "longer")


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """Options of :mod:`curate.dedup` (also the ``dedup`` stage's config).

    Attributes:
        ngram: character n-gram (shingle) length over the normalised key.
        bands: LSH bands; ``bands * rows`` = number of MinHash permutations.
        rows: rows per band. 25 x 5 puts the S-curve's 50 % point at J ~ 0.53 and catches a pair at
            J = 0.7 with probability 0.99 (see docs/benchmarks.md, Dedup); candidates are then verified.
        threshold: a candidate pair is a duplicate iff its exact shingle Jaccard is >= this.
        seed: seed of the permutation coefficients (recorded; same seed = same signatures).
        batch_size: documents per signature batch (bounds memory).
        device: "auto" (CUDA when available, else CPU), "cpu" or "cuda".
        backend: "auto" (torch on CUDA, numpy on CPU), "torch" or "numpy"; all give bit-identical
            signatures (same exact integer arithmetic), so it is not part of the index key.
        max_bucket: LSH buckets larger than this compare members to a few anchors only (and their neighbours):
            runs that met such a bucket smaller compared its members in full, so incremental runs can join
            variants that one run over all records leaves apart (more joins, never fewer; each verified).
        prefilter_margin: a candidate pair whose MinHash estimate of the Jaccard is below
            ``threshold - prefilter_margin`` is rejected without reading its texts (most LSH candidates
            are far below the threshold). With 125 permutations the estimate's standard deviation is
            <= 0.045, so the default 0.2 is > 4 standard deviations: a pair at the threshold is lost with
            probability < 1e-5 (measured recall: docs/benchmarks.md, Scale). ``>= threshold`` verifies
            every candidate.
        verify_cache: shingle sets kept between verification blocks (documents; bounds memory).
        authority: (source kind, rank) pairs for the survivor policy; unknown kinds rank 0
            (on the command line: ``--set authority=law_moj:40,fsc:40,tabf:30``).
        rules: survivor rules in order of priority (subset of authority, licence, newest, longer).
        per_document: per-source policy: source kinds whose records are deduplicated within one
            document only (``container``: one law in one language). Within a document an
            identical text is a duplicate; across documents near or identical copies stay active and
            get one ``near_duplicate_of`` link to their cluster's representative (a training export
            may drop them with ``--drop-near-duplicates``). Copies from other sources (a textbook
            quoting an article) still become duplicates of the law
            (``--set per_document=law_moj,fsc``; ``--set per_document=none`` for none: an empty value is an error).
    """

    #: how, not what: results are bit-identical whatever these are, so they are left out of the stage's
    #: config hash (:func:`curate.stages.base.config_hash`): records done on one device are done on the other
    EXECUTION_ONLY: ClassVar[tuple[str, ...]] = ("batch_size", "device", "backend", "verify_cache")

    #: shown by `curate run dedup --help`
    POLICY_HELP: ClassVar[str] = (
        "Per-source policy (per_document, default law_moj,fsc): a source listed there is deduplicated within "
        "one document only (law_moj: one law in one language; fsc: the source): an identical text within one "
        "law version is a duplicate, but articles of different laws are never each other's duplicates (parallel "
        "provisions are different law), nor are sanction cases against different banks: they stay active with "
        "one near_duplicate_of link to their cluster's representative (export --drop-near-duplicates leaves "
        "them out while it exports the representative). Copies from other sources (a textbook quoting an "
        "article) still become duplicates of the law. （刪除） (English: Deleted.) stubs of repealed articles are flagged "
        "(deleted_stub), never clustered. Survivors: authority (law_moj:40, fsc:40, tabf:30, textbooks:20, "
        "moda:10; source names or their kinds: sanctions, training-material, textbook, corpus), then licence, "
        "newest, longer. --set per_document=none turns the policy off (an empty value is refused)."
    )

    ngram: int = 5
    bands: int = 25
    rows: int = 5
    threshold: float = 0.7
    seed: int = 20241004
    batch_size: int = 256
    device: str = "auto"
    backend: str = "auto"
    max_bucket: int = 64
    prefilter_margin: float = 0.2
    verify_cache: int = 50_000
    authority: tuple[tuple[str, int], ...] = field(default=DEFAULT_AUTHORITY)
    rules: tuple[str, ...] = field(default=DEFAULT_RULES)
    per_document: tuple[str, ...] = field(default=DEFAULT_PER_DOCUMENT)

    def __post_init__(self) -> None:
        # `curate run dedup --set authority=law_moj:40,tabf:30` arrives as ("law_moj:40", "tabf:30")
        if any(isinstance(x, str) for x in self.authority):
            pairs = []
            for x in self.authority:
                if isinstance(x, str):
                    kind, _, rank = x.partition(":")
                    try:
                        pairs.append((kind.strip(), int(rank)))
                    except ValueError as exc:
                        raise ConfigError(f"dedup: authority entry {x!r} must be KIND:RANK, e.g. law_moj:40") from exc
                else:
                    pairs.append(tuple(x))
            object.__setattr__(self, "authority", tuple(pairs))
        if isinstance(self.per_document, str):  # as `--set per_document=` reads it: `none` for none, never empty
            kinds = tuple(k.strip() for k in self.per_document.split(",") if k.strip())
            if not kinds and self.per_document.strip().lower() != "none":
                raise ConfigError(
                    "dedup: per_document is empty (an unset shell variable?); give source kinds, comma-separated,"
                    " or `none` to deduplicate every source across documents"
                )
            object.__setattr__(
                self, "per_document", () if tuple(k.lower() for k in kinds) == ("none",) or not kinds else kinds
            )
        else:
            object.__setattr__(self, "per_document", tuple(k for k in self.per_document if k))
        self._check_ranges()
        if not 0.0 < self.threshold <= 1.0:
            raise ConfigError(f"dedup: threshold must be in (0, 1], got {self.threshold}")
        if not 0 <= self.prefilter_margin < math.inf:  # nan too: it rejected every candidate
            raise ConfigError(f"dedup: prefilter_margin must be a number >= 0, got {self.prefilter_margin}")
        if self.device not in ("auto", "cpu", "cuda"):
            raise ConfigError(f"dedup: device must be auto, cpu or cuda, got {self.device!r}")
        if self.backend not in ("auto", "torch", "numpy") or (self.backend, self.device) == ("numpy", "cuda"):
            raise ConfigError(
                f"dedup: backend {self.backend!r} on device {self.device!r} is not supported; use backend auto, torch"
                " (cpu or cuda) or numpy (cpu)"
            )
        bad = [r for r in self.rules if r not in DEFAULT_RULES]
        if bad:
            raise ConfigError(f"dedup: unknown survivor rule(s) {bad}; valid: {', '.join(DEFAULT_RULES)}")
        if not self.rules:
            raise ConfigError(f"dedup: rules is empty; give one or more of {', '.join(DEFAULT_RULES)} in order")
        for option, names in (("per_document", self.per_document), ("authority", [k for k, _ in self.authority])):
            for name in names:
                _check_kind(option, name)

    def _check_ranges(self) -> None:
        """The numbers in the ranges the engine takes (checked when the config is made: before anything runs)."""
        if not 1 <= self.ngram <= MAX_NGRAM:
            raise ConfigError(f"dedup: ngram must be in [1, {MAX_NGRAM}], got {self.ngram}")
        if self.bands < 1 or self.rows < 1:
            raise ConfigError(f"dedup: bands and rows must be >= 1, got {self.bands} x {self.rows}")
        if self.bands * self.rows > MAX_PERM:
            raise ConfigError(
                f"dedup: bands x rows (MinHash permutations) must be at most {MAX_PERM}, got {self.bands} x {self.rows}"
            )
        if not 0 <= self.seed <= MAX_SEED:
            raise ConfigError(f"dedup: seed must be in [0, 2**63 - 1], got {self.seed}")
        for name in ("batch_size", "verify_cache", "max_bucket"):
            if getattr(self, name) < 1:
                raise ConfigError(f"dedup: {name} must be >= 1, got {getattr(self, name)}")

    @property
    def num_perm(self) -> int:
        """Number of MinHash permutations (``bands * rows``)."""
        return self.bands * self.rows

    def document_of(self, kind: str | None, document: str | None) -> str | None:
        """The document a record is deduplicated within, or None when its source is deduplicated globally.

        >>> DedupConfig().document_of("law_moj", "law_moj:G0380001:zh"), DedupConfig().document_of("moda", "x")
        ('law_moj:G0380001:zh', None)
        """
        if not kind or kind_of(kind.split(":", 1)[0]) not in _kinds(self.per_document):
            return None
        return document or ""

    def authority_rank(self, kind: str | None) -> int:
        """Authority rank of a source kind (prefix before ``:`` is used; unknown = 0).

        >>> c = DedupConfig()
        >>> c.authority_rank("law_moj") > c.authority_rank("sanctions") - 1 > c.authority_rank("training-material")
        True
        >>> c.authority_rank("training-material") > c.authority_rank("textbook") > c.authority_rank("corpus") > 0
        True
        """
        if not kind:
            return 0
        base = kind_of(kind.split(":", 1)[0])
        return _ranks(self.authority).get(base, 0)
