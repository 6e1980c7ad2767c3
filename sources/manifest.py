"""The manifest CSV contract of licensed document sources (TABF material, textbooks).

A manifest is a UTF-8 CSV beside the files it licenses. Columns:

* ``path`` (required): file path relative to the manifest's folder;
* ``licence_id`` (required): must exist in the licence catalogue;
* ``title``, ``licensor`` (or ``author``), ``agreement_id``, ``audience``, ``edition``, ``isbn``;
* ``purposes``, ``expiry``, ``attribution``: terms of agreement-based rows;
* any other column is kept in the record's ``metadata``.

Rows under ``LicenseRef-Written-Agreement`` (or any row with an ``agreement_id``) put
``{agreement_id, licensor, audience, purposes, expiry, attribution}`` into
``metadata.licence_terms``. A file in the folder that no row names, and a row whose file is
missing, are reported and never ingested: nothing enters the catalogue without a licence.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from provenance.errors import ConfigError
from sources.base import RawItem, Record, Rejection, Skip, Source, SourceInfo
from sources.documents import ExtractConfig, ExtractionError, detect_lang, extract, segment_key

__all__ = [
    "AGREEMENT_LICENCE",
    "ManifestRow",
    "ManifestSource",
    "known_licence_ids",
    "read_manifest",
]

AGREEMENT_LICENCE = "LicenseRef-Written-Agreement"
KNOWN_COLUMNS = (
    "path",
    "title",
    "licensor",
    "author",
    "licence_id",
    "agreement_id",
    "audience",
    "edition",
    "isbn",
    "purposes",
    "expiry",
    "attribution",
)


class ManifestReason:
    """Stable quarantine/skip reasons of manifest rows."""

    UNKNOWN_LICENCE = "unknown licence id"
    MISSING_LICENCE = "manifest row without licence id"
    MISSING_FILE = "manifest row whose file is missing"
    NOT_IN_MANIFEST = "file not in manifest (no licence)"
    OUTSIDE = "manifest path outside the manifest folder"
    AGREEMENT_INCOMPLETE = "agreement row without agreement_id"


def known_licence_ids(licence_catalogue: Path | None = None) -> frozenset[str]:
    """Licence ids (and aliases) a manifest may name, read by the one catalogue reader.

    >>> "OGDL-Taiwan-1.0" in known_licence_ids()
    True
    """
    from provenance import licences

    cat = (
        licences.load_licence_catalogue(licence_catalogue)
        if licence_catalogue
        else licences.default_licence_catalogue()
    )
    return frozenset(cat.licences) | frozenset(cat.aliases)


@dataclass(frozen=True, slots=True)
class ManifestRow:
    """One validated manifest row."""

    line: int
    rel_path: str
    path: Path
    licence_id: str
    title: str | None = None
    licensor: str | None = None
    agreement_id: str | None = None
    audience: str | None = None
    edition: str | None = None
    isbn: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    licence_terms: dict[str, Any] | None = None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def read_manifest(manifest: Path, known: frozenset[str] | None = None) -> Iterator[ManifestRow | Rejection]:
    """Validate the rows of ``manifest``; bad rows become :class:`Rejection` (with the line)."""
    known = known_licence_ids() if known is None else known
    base = manifest.parent.resolve()
    try:
        fh = manifest.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ConfigError(f"cannot open manifest `{manifest}`: {exc}") from exc
    with fh:
        reader = csv.DictReader(fh)
        columns = [c.strip() for c in (reader.fieldnames or [])]
        missing = [c for c in ("path", "licence_id") if c not in columns]
        if missing:
            raise ConfigError(
                f"manifest `{manifest}` lacks column(s) {', '.join(missing)}; "
                f"required: path, licence_id; optional: {', '.join(KNOWN_COLUMNS[1:])}"
            )
        for row in reader:
            row = {(k or "").strip(): (v or "") for k, v in row.items() if k is not None}
            line = reader.line_num
            rel = _clean(row.get("path"))
            loc = f"{manifest.name}:{line}:{rel or ''}"
            if rel is None:
                continue  # blank line
            path = (base / rel).resolve()
            if not path.is_relative_to(base):
                yield Rejection(loc, ManifestReason.OUTSIDE, rel)
                continue
            licence = _clean(row.get("licence_id"))
            if licence is None:
                yield Rejection(loc, ManifestReason.MISSING_LICENCE, rel)
                continue
            if licence not in known:
                yield Rejection(loc, ManifestReason.UNKNOWN_LICENCE, f"{licence!r} is not in the licence catalogue")
                continue
            agreement = _clean(row.get("agreement_id"))
            if licence == AGREEMENT_LICENCE and agreement is None:
                yield Rejection(loc, ManifestReason.AGREEMENT_INCOMPLETE, rel)
                continue
            if not path.is_file():
                yield Rejection(loc, ManifestReason.MISSING_FILE, rel)
                continue
            licensor = _clean(row.get("licensor")) or _clean(row.get("author"))
            terms = None
            if agreement is not None:
                purposes = _clean(row.get("purposes"))
                terms = {
                    "agreement_id": agreement,
                    "licensor": licensor,
                    "audience": _clean(row.get("audience")),
                    "purposes": [p.strip() for p in re.split(r"[;|,、]", purposes) if p.strip()] if purposes else [],
                    "expiry": _clean(row.get("expiry")),
                    "attribution": _clean(row.get("attribution")),
                }
            extra = {k: v for k, v in row.items() if k not in KNOWN_COLUMNS and k and v.strip()}
            yield ManifestRow(
                line=line,
                rel_path=Path(rel).as_posix(),
                path=path,
                licence_id=licence,
                title=_clean(row.get("title")),
                licensor=licensor,
                agreement_id=agreement,
                audience=_clean(row.get("audience")),
                edition=_clean(row.get("edition")),
                isbn=_clean(row.get("isbn")),
                extra=extra,
                licence_terms=terms,
            )


class ManifestSource(Source):
    """A folder of licensed documents described by a manifest CSV.

    ``paths`` are manifest files. Options: ``source_id`` (default: the source name),
    ``extract_config`` (:class:`~sources.documents.ExtractConfig`), ``report_unlisted``
    (default True: files in the manifest folder that no row names are reported as skips).
    """

    licence_id: ClassVar[str | None] = None
    kind: ClassVar[str] = "documents"
    title: ClassVar[str] = "licensed documents"

    @property
    def source_id(self) -> str:
        return str(self.options.get("source_id") or self.name)

    def source_infos(self) -> list[SourceInfo]:
        return [
            SourceInfo(
                source_id=self.source_id,
                kind=self.kind,
                title=self.title,
                origin=";".join(str(p) for p in self.paths),
                licence_id=None,
                pii_expected=self.pii_expected,
                metadata={"manifests": [str(p) for p in self.paths]},
            )
        ]

    def _extract_config(self) -> ExtractConfig:
        cfg = self.options.get("extract_config")
        if cfg is None:
            limit = self.options.get("max_uncompressed_bytes")
            return ExtractConfig(max_uncompressed_bytes=int(limit)) if limit else ExtractConfig()
        return cfg

    def iter_raw(self) -> Iterator[RawItem | Rejection | Skip]:
        known = known_licence_ids()
        for manifest in self.paths:
            if not manifest.is_file():
                raise ConfigError(f"manifest `{manifest}` not found; pass the CSV that lists the files")
            listed: set[Path] = set()
            for row in read_manifest(manifest, known):
                if isinstance(row, Rejection):
                    yield Rejection(row.locator, row.reason, row.excerpt, self.source_id)
                    continue
                listed.add(row.path)
                yield RawItem(locator=row.rel_path, payload=row, origin=str(manifest))
            if self.options.get("report_unlisted", True):
                yield from self._unlisted(manifest, listed)

    def _unlisted(self, manifest: Path, listed: set[Path]) -> Iterator[Skip]:
        base = manifest.parent.resolve()
        for f in sorted(base.rglob("*")):
            if not f.is_file() or f.resolve() in listed or f.resolve() == manifest.resolve():
                continue
            rel = f.relative_to(base)
            if any(part.startswith(".") for part in rel.parts) or f.suffix.lower() == ".csv":
                continue  # hidden files; CSVs are manifests (of this or another batch)
            yield Skip(rel.as_posix(), ManifestReason.NOT_IN_MANIFEST, self.source_id)

    def to_records(self, raw: RawItem) -> Iterable[Record | Rejection | Skip]:
        row: ManifestRow = raw.payload
        try:
            doc = extract(row.path, self._extract_config())
        except ExtractionError as exc:
            yield Rejection(row.rel_path, exc.reason, exc.detail[:500], self.source_id)
            return
        for frag, reason in doc.skipped:  # e.g. scanned pages inside a text PDF: listed for OCR
            yield Rejection(f"{row.rel_path}#{frag}", reason, "page without a text layer", self.source_id)
        base_meta: dict[str, Any] = {
            "file": row.rel_path,
            "format": doc.format,
            "manifest_line": row.line,
            "licensor": row.licensor,
            "edition": row.edition,
            "isbn": row.isbn,
            "audience": row.audience,
            "agreement_id": row.agreement_id,
            "document_title": row.title or doc.title,
        }
        if doc.encoding:
            base_meta["encoding"] = doc.encoding
        if doc.pages is not None:
            base_meta["pages"] = doc.pages
        base_meta.update(row.extra)
        if row.licence_terms is not None:
            base_meta["licence_terms"] = row.licence_terms
        base_meta = {k: v for k, v in base_meta.items() if v is not None}
        for seg in doc.segments:
            if not seg.text.strip():
                continue
            locator = f"{row.rel_path}#{seg.fragment}"
            title = row.title or doc.title
            if seg.title and seg.title != title:
                title = f"{title} — {seg.title}" if title else seg.title
            yield Record(
                doc_key=f"{self.source_id}:{row.rel_path}#{segment_key(seg.fragment)}",
                locator=locator,
                text=seg.text,
                source_id=self.source_id,
                container=f"{self.source_id}:{row.rel_path}",
                title=title,
                lang=detect_lang(seg.text),
                licence_id=row.licence_id,
                metadata={**base_meta, **seg.metadata},
                version_metadata={
                    "licence_id": row.licence_id,
                    "edition": row.edition,
                    "agreement_id": row.agreement_id,
                },
                as_of=row.extra.get("as_of"),
            )
