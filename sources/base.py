"""The ingestor contract: iterate raw items, then map each to records.

A source is one module with one :class:`Source` subclass, registered by name in
``sources/__init__.py``. ``iter_raw`` yields raw items (with a locator: ZIP member, PCODE,
page...) or :class:`Rejection` / :class:`Skip` for what cannot be read; ``to_records`` maps a raw
item to :class:`Record` objects (or rejections/skips). The ingest driver
(:func:`curate.ingest.ingest`) stamps ids, run ids, versions, licences and quarantine rows.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar


class ErrorPolicy(enum.Enum):
    """What the ingest driver does with input it cannot parse."""

    RAISE = "raise"  # stop at the first problem (tests)
    QUARANTINE = "quarantine"  # default: row in `quarantine`, keep going
    SKIP_COUNTED = "skip"  # count it in the run report only


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """A row of the ``sources`` table."""

    source_id: str
    kind: str
    title: str | None = None
    origin: str | None = None
    licence_id: str | None = None
    pii_expected: bool = False
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RawItem:
    """One unit read from an input (a law object, a file, a CSV row...)."""

    locator: str
    payload: Any
    origin: str = ""


@dataclass(frozen=True, slots=True)
class Record:
    """A record as produced by a source, before the driver stamps ids and runs.

    ``container`` groups the records that one input item fully describes (e.g. every article of
    one law in one language): after a container is ingested, its active records that were not
    seen again are marked superseded. ``version_metadata`` is hashed into ``record_id`` together
    with source, locator and text, so a metadata-only change (e.g. a law's category) creates a
    new version. ``as_of`` orders snapshots of a container (e.g. LawModifiedDate + snapshot).
    """

    doc_key: str
    locator: str
    text: str
    source_id: str
    container: str | None = None
    title: str | None = None
    lang: str | None = "zh"
    licence_id: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    version_metadata: dict[str, Any] = field(default_factory=dict)
    as_of: str | None = None
    #: optional precomputed JSON of ``metadata`` (sources with large shared metadata build it once)
    metadata_json: str | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    """Input that could not be parsed: goes to ``quarantine`` with the reason."""

    locator: str
    reason: str
    excerpt: str = ""
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class Skip:
    """Input deliberately not ingested (e.g. out of scope): counted, never silent."""

    locator: str
    reason: str
    source_id: str | None = None


def unsupported_file(named: list[Path], path: Path, locator: str, reason: str, reads: str, source_id: str) -> Any:
    """A file of a type the source does not read. One of a folder's files is a :class:`Skip` (counted; the folder's
    other files are read, exit 0); a file named as input is a :class:`Rejection` (quarantined, exit 3): a command
    that read nothing from the file it was given must not look like success (`ingest law-moj corpus.jsonl`)."""
    if path not in named:
        return Skip(locator, reason, source_id)
    how = "give it to the source that reads it (`curate ingest --help`), or leave it out"
    return Rejection(locator, reason, f"named as input, but this source reads {reads}; {how}", source_id)


@dataclass(frozen=True, slots=True)
class Notice:
    """Input that is ingested but has a problem someone must fix (e.g. incomplete licence terms).

    Yielded by ``iter_raw`` before the raw item it concerns; counted and named in the run report.
    """

    locator: str
    reason: str
    detail: str = ""
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class Dispute:
    """A file whose manifest rows disagree or state no licence that holds (all of them rejected): ``container`` (every version of its records in
    the catalogue) is held from export until its rows agree again (:mod:`provenance.holds`). ``detail`` quotes the
    file's path: the ingest pseudonymises it like the container before it is stored.

    Yielded by ``iter_raw`` after the rows' rejections; not an item of its own (the rows are counted).
    """

    container: str
    locator: str
    detail: str = ""
    source_id: str | None = None


@dataclass(frozen=True, slots=True)
class Unlisted:
    """The files ``manifests`` (their names) list now, as containers (``named``): a file whose records came from a
    manifest of that name and that it names no more (its row deleted, the file renamed) has lost the licence its
    row gave, so its records are held from export like a disputed file's (:mod:`curate.ingest_holds`).

    ``folders``: each manifest's name and resolved folder. Only a file of a manifest in one of these folders is held
    (its records' ``metadata.manifest_folder``, or, for records without one, the file still in the folder): another
    batch's ``manifest.csv`` in its own folder names other files and holds none of them.

    Yielded by a manifest source after its rows; not an item of its own.
    """

    source_id: str | None = None
    manifests: frozenset[str] = frozenset()
    named: frozenset[str] = frozenset()
    folders: frozenset[tuple[str, str]] = frozenset()


class Source(ABC):
    """Base class of all ingestors. Per-source facts are class attributes."""

    #: registry name, e.g. "law_moj"
    name: ClassVar[str]
    #: default licence of this source's records (None = must come from a manifest)
    licence_id: ClassVar[str | None] = None
    #: records may name people: nothing leaves before the PII stage ran
    pii_expected: ClassVar[bool] = False
    #: metadata fields naming the unit one input is a whole dump of (MODA: its dataset): the ingest counts the
    #: records of earlier dumps of the units it read that it did not read, and the option ``complete`` marks them
    #: removed from the source (:mod:`curate.ingest_absent`); empty: no such unit
    dump_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, paths: Sequence[str | Path], **options: Any) -> None:
        self.paths = [Path(p) for p in paths]
        self.options = options
        if options.get("pii_expected"):
            # option `pii_expected` (`--pii-expected`): this input may name people (keyed ids, PII gate);
            # it can mark a source, never unmark one whose class expects personal data
            self.pii_expected = True  # type: ignore[misc]

    @abstractmethod
    def source_infos(self) -> list[SourceInfo]:
        """Rows for the ``sources`` table that this ingest touches."""

    @abstractmethod
    def iter_raw(self) -> Iterator[RawItem | Rejection | Skip | Notice | Dispute | Unlisted]:
        """Yield raw items, rejections and skips, streaming (never load the corpus at once)."""

    @abstractmethod
    def to_records(self, raw: RawItem) -> Iterable[Record | Rejection | Skip]:
        """Map one raw item to records."""

    def know_catalogue(self, con: Any) -> None:
        """Read what this source must know of the catalogue (an open DuckDB connection) before its input is read:
        called by the ingest driver (:func:`curate.ingest.ingest`) for library callers and the CLI alike. Default:
        nothing. A value the caller gave the source explicitly wins."""
        return None

    def config(self) -> dict[str, Any]:
        """The options that determine the output (hashed into the run's config_hash)."""
        return {"source": self.name, **{k: str(v) for k, v in sorted(self.options.items())}}
