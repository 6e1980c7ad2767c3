"""The manifest CSV contract of licensed document sources (TABF material, textbooks).

A manifest is a CSV beside the files it licenses, in UTF-8 (BOM allowed) or Big5/CP950 (read as text
files are, :func:`sources.documents.decode_text`; another encoding is a one-line error). Columns:

* ``path`` (required): file path relative to the manifest's folder;
* ``licence_id`` (required): must exist in the licence catalogue;
* ``title``, ``licensor`` (or ``author``), ``agreement_id``, ``audience``, ``edition``, ``isbn``;
* ``purposes`` (separated by ``;``; ``|``, ``,`` and ``、`` are accepted too), ``commercial``
  (``yes``/``no``), ``expiry`` (YYYY-MM-DD), ``attribution``: terms of agreement-based rows;
* any other column is kept in the record's ``metadata`` (one named as a key the ingest sets, e.g.
  ``file_sha256``, refuses the manifest: :data:`sources.manifest_rows.RESERVED_COLUMNS`).

A header naming a column twice (compared stripped) is a one-line error; a row with more cells than the header (an
unquoted comma) is rejected by line (``EXTRA_CELLS``), as is a path the file system cannot look up (``BAD_PATH``: a
symlink loop, a name too long, a NUL byte).

Rows under ``LicenseRef-Written-Agreement`` (or any row with an ``agreement_id``) put
``{agreement_id, licensor, audience, purposes, commercial, expiry, attribution}`` into
``metadata.licence_terms``. The terms are part of a version's identity: correcting them in the
manifest makes new versions (see :mod:`curate.ingest_terms`). Rows whose terms the licence engine
would refuse at export (:func:`provenance.licences.term_problems`) are reported by manifest line
with the allowed values and kept (a :class:`~sources.base.Notice`), or rejected with ``strict``; such a
record is never exported (code ``licence_terms``). Agreement terms on a row whose licence takes none (e.g.
``CC-BY-4.0`` with an ``agreement_id``, ``audience``, ``purposes``, ``expiry``, ``attribution`` or ``commercial``
``no``) are such a problem: the row states two sets of terms, so it is refused rather than either set dropped.
A file in the folder that no row names, and a row whose file is missing, are reported by name and
never ingested: nothing enters the catalogue without a licence. Rows that name one file and disagree
are all rejected (no row silently wins), across the manifests of one ingest too, and so is a valid row beside one
rejected for its licence id (unknown, missing, agreement incomplete); an identical repeat is skipped. Such a file is
*disputed* (a :class:`~sources.base.Dispute` after its rows), and so is a file whose only row is rejected for its
licence id (the licensor withdrew it, or names one the catalogue does not know: default deny): records of it
ingested earlier are held from export (``licence_disputed``) until an ingest whose rows for it agree again under a
licence that holds.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

from sources.base import Dispute, Notice, RawItem, Record, Rejection, Skip, Source, SourceInfo, Unlisted
from sources.documents import ExtractConfig, ExtractionError, Reason, detect_lang, extract, segment_key
from sources.folder_files import real
from sources.manifest_rows import (
    AGREEMENT_LICENCE,
    LICENCE_REFUSED,
    ManifestReason,
    ManifestRow,
    folder_key,
    known_licence_ids,
    listed_by,
    need_manifest,
    read_manifest,
    read_manifests,
    row_line_path,
)

#: the source row of a dry run that names none: a statement's {provider} and {dataset} left to the row's columns
_NO_SOURCE: dict[str, Any] = {"source_id": "", "title": None, "metadata": {}}

__all__ = [
    "AGREEMENT_LICENCE",
    "ManifestReason",
    "ManifestRow",
    "ManifestSource",
    "check_manifest",
    "known_licence_ids",
    "read_manifest",
    "row_metadata",
    "row_version_metadata",
]


class ManifestSource(Source):
    """A folder of licensed documents described by a manifest CSV.

    ``paths`` are manifest files. Options: ``source_id`` (default: the source name),
    ``extract_config`` (:class:`~sources.documents.ExtractConfig`), ``report_unlisted``
    (default True: files in the manifest folder that no row names are reported as skips),
    ``strict`` (default False: a row with term problems is kept with a :class:`Notice`; True:
    it is rejected).
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

    #: container -> the manifest folders (``folder_key``) its active records came from (:meth:`know_catalogue`)
    _held_folders: dict[str, set[str]] = {}  # noqa: RUF012 (replaced per instance, never mutated)

    def know_catalogue(self, con: Any) -> None:
        """Where each file of this source held active came from: a row naming a file of that name in another folder
        is its new version, warned (review 18). A pii_expected source's folders are keyed: not compared."""
        if self.pii_expected:
            return
        held: dict[str, set[str]] = {}
        for container, folder in con.execute(
            "SELECT DISTINCT container, json_extract_string(metadata, '$.manifest_folder') FROM records"
            " WHERE source_id = ? AND status = 'active' AND container IS NOT NULL",
            [self.source_id],
        ).fetchall():
            if folder:
                held.setdefault(container, set()).add(folder)
        self._held_folders = held

    def _extract_config(self) -> ExtractConfig:
        cfg = self.options.get("extract_config")
        if cfg is None:
            limit = self.options.get("max_uncompressed_bytes")
            return ExtractConfig(max_uncompressed_bytes=int(limit)) if limit else ExtractConfig()
        return cfg

    def iter_raw(self) -> Iterator[RawItem | Rejection | Skip]:
        for manifest in self.paths:
            need_manifest(manifest)
        listed: set[Path] = set()  # over all manifests: a file a sibling manifest lists is not unlisted
        disputed: dict[str, str] = {}  # file -> the first conflict's detail
        named: set[str] = set()  # the files the rows name, as their records' containers spell them
        for manifest, row in read_manifests(list(self.paths), known_licence_ids()):
            listed.add(listed_by(manifest, row))
            named.add(
                f"{self.source_id}:{row.rel_path if isinstance(row, ManifestRow) else _rel(manifest, row.locator)}"
            )
            if isinstance(row, Skip):
                yield Skip(row.locator, row.reason, self.source_id)
                continue
            if isinstance(row, Rejection):
                if row.reason == ManifestReason.CONFLICTING_ROWS or row.reason in LICENCE_REFUSED:
                    disputed.setdefault(_rel(manifest, row.locator), f"{row.reason}: {row.excerpt}")
                yield Rejection(row.locator, row.reason, row.excerpt, self.source_id)
                continue
            if row.term_problems:
                detail = "; ".join(row.term_problems)
                if self.options.get("strict"):
                    yield Rejection(row.locator, ManifestReason.TERMS_INVALID, detail, self.source_id)
                    continue
                yield Notice(row.locator, ManifestReason.TERMS_INVALID, detail, self.source_id)
            if (held := self._held_folders.get(f"{self.source_id}:{row.rel_path}")) and folder_key(
                manifest.parent
            ) not in held:  # another folder's file of this name (or this one moved): its new version, said
                how = "if it is another file, withdraw this version and ingest the folder under its own --source-id"
                detail = f"{row.rel_path} replaces the version a manifest of another folder gave; {how}"
                yield Notice(row.locator, ManifestReason.SAME_NAME_HELD, detail, self.source_id)
            yield RawItem(locator=row.rel_path, payload=row, origin=str(manifest))
        for rel, detail in disputed.items():  # its records already in the catalogue are held from export
            yield Dispute(f"{self.source_id}:{rel}", rel, detail, self.source_id)
        # a file an earlier ingest took from a manifest of this name that no row names now: its licence is gone
        yield Unlisted(
            self.source_id,
            frozenset(p.name for p in self.paths),
            frozenset(named),
            frozenset((p.name, str(p.parent.resolve())) for p in self.paths),
        )
        if self.options.get("report_unlisted", True):
            yield from self._unlisted(self.paths, listed)

    def _unlisted(self, manifests: list[Path], listed: set[Path | None]) -> Iterator[Skip]:
        """Files in the manifests' folders (each folder once) that no row names."""
        folders = dict.fromkeys(m.parent.resolve() for m in manifests)
        own = {m.resolve() for m in manifests}
        for base in folders:
            for f in sorted(base.rglob("*")):
                if f.is_dir() or real(f) in listed or real(f) in own:  # a FIFO, a link loop unlisted too (review 17)
                    continue
                rel = f.relative_to(base)
                if any(part.startswith(".") for part in rel.parts) or f.suffix.lower() == ".csv":
                    continue  # hidden files; CSVs are manifests (of this or another batch)
                yield Skip(_shown(rel.as_posix()), ManifestReason.NOT_IN_MANIFEST, self.source_id)

    def to_records(self, raw: RawItem) -> Iterable[Record | Rejection | Skip]:
        row: ManifestRow = raw.payload
        try:
            doc = extract(row.path, self._extract_config())
        except ExtractionError as exc:
            yield Rejection(row.rel_path, exc.reason, exc.detail[:500], self.source_id)
            return
        for frag, reason in doc.skipped:  # e.g. scanned pages inside a text PDF: listed for OCR
            detail = "page without a text layer" if reason == Reason.NEEDS_OCR else "left out of the document"
            yield Rejection(f"{row.rel_path}#{frag}", reason, detail, self.source_id)
        base_meta: dict[str, Any] = {
            "format": doc.format,
            **row_metadata(row),
            "document_title": row.title or doc.title,
            # which folder's manifest of that name licensed the file (a digest: no server path in the metadata)
            "manifest_folder": folder_key(Path(raw.origin).parent) if raw.origin else None,
        }
        if doc.encoding:
            base_meta["encoding"] = doc.encoding
        if doc.pages is not None:
            base_meta["pages"] = doc.pages
        base_meta = {k: v for k, v in base_meta.items() if v is not None}
        version_metadata = row_version_metadata(row)
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
                version_metadata=version_metadata,
                as_of=row.extra.get("as_of"),
            )


def _rel(manifest: Path, locator: str) -> str:
    """The file a rejected row's locator (``manifest.csv:LINE:path``) names, as its records' container spells it
    (:attr:`ManifestRow.rel_path`: ``./a.txt`` and ``sub/../a.txt`` name ``a.txt``).

    >>> _rel(Path("m-10:00.csv"), "m-10:00.csv:3:./sub/../a.txt")
    'a.txt'
    """
    return posixpath.normpath(Path(row_line_path(manifest, locator)[1]).as_posix())


def row_metadata(row: ManifestRow) -> dict[str, Any]:
    """The metadata a manifest row gives each of its records (terms, edition, extra columns...).

    ``file_sha256`` lets a terms-only correction reuse the stored text (:mod:`curate.ingest_terms`).
    """
    import hashlib

    h = hashlib.sha256()
    with row.path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    meta: dict[str, Any] = {
        "file": row.rel_path,
        "file_sha256": h.hexdigest(),
        "manifest": row.manifest_name or None,
        "manifest_line": row.line,
        "licensor": row.licensor,
        "edition": row.edition,
        "isbn": row.isbn,
        "audience": row.audience,
        "agreement_id": row.agreement_id,
        "commercial": row.commercial,
        **row.extra,
    }
    if row.licence_terms is not None:
        meta["licence_terms"] = row.licence_terms
    if row.term_problems:
        meta["licence_term_problems"] = list(row.term_problems)
    return {k: v for k, v in meta.items() if v is not None}


#: metadata keys a manifest row sets (replaced wholesale when its terms are corrected)
ROW_METADATA_KEYS: tuple[str, ...] = (
    "file",
    "file_sha256",
    "manifest",
    "manifest_line",
    "licensor",
    "edition",
    "isbn",
    "audience",
    "agreement_id",
    "commercial",
    "licence_terms",
    "licence_term_problems",
)


def row_version_metadata(row: ManifestRow) -> dict[str, Any]:
    """What besides the text defines a version of a row's records: licence, edition and the terms.

    A change of terms alone (e.g. an added attribution) therefore makes a new version.
    """
    vm: dict[str, Any] = {"licence_id": row.licence_id, "edition": row.edition, "agreement_id": row.agreement_id}
    if row.licence_terms is not None:
        vm["licence_terms"] = row.licence_terms
    return vm


def check_manifest(
    manifest: Path, source: Mapping[str, Any] | None = None, *, pii_expected: bool = False
) -> list[dict[str, Any]]:
    """Dry run of a manifest: each row's effective terms and the exports it would be allowed into.

    One dict per manifest row (``line, path, licence_id, status, problems, terms, allowed``; ``status`` is
    ``ok``, ``problems``, ``blocked``, ``rejected`` or ``skipped`` for a row repeating an earlier one) plus
    one per file in the folder that no row names (``status = not in manifest``). Writes nothing.
    ``allowed`` lists ``PURPOSE AUDIENCE (commercial|non-commercial)`` for the audiences
    ``public``, ``consortium`` and each ``member:BANK`` the terms name. ``terms.attribution`` is the statement the
    export writes for the row's records when ``source`` (``source_id``, ``title``, ``metadata``) is the row of the
    source that ingests them (its title fills a statement's ``{provider}``/``{dataset}`` where the row names none)
    and ``pii_expected`` is the source's (its titles are then not credited).
    """
    from provenance._selection import credited
    from provenance.errors import LicenceError
    from provenance.licences import PURPOSES, default_licence_catalogue, licence_today, record_terms
    from provenance.record_licence import credit_meta, record_credit

    need_manifest(manifest)
    cat = default_licence_catalogue()
    out: list[dict[str, Any]] = []
    listed: set[Path] = set()
    for row in read_manifest(manifest, known_licence_ids()):
        if isinstance(row, (Rejection, Skip)):
            line, path = row_line_path(manifest, row.locator)
            excerpt = getattr(row, "excerpt", "")
            listed.add(listed_by(manifest, row))
            out.append(
                {
                    "line": int(line) if line.isdigit() else None,
                    "path": path,
                    "licence_id": None,
                    "status": "rejected" if isinstance(row, Rejection) else "skipped",
                    "problems": [row.reason + (f": {excerpt}" if excerpt else "")],
                    "terms": None,
                    "allowed": [],
                }
            )
            continue
        listed.add(row.path)
        entry: dict[str, Any] = {
            "line": row.line,
            "path": row.rel_path,
            "licence_id": row.licence_id,
            "status": "problems" if row.term_problems else "ok",
            "problems": list(row.term_problems),
            "terms": None,
            "allowed": [],
        }
        lic = cat.get(row.licence_id)
        try:
            terms = row.licence_terms if lic is not None and (lic.template or lic.terms_optional) else None
            # the record's metadata as ingest writes it, read as the export reads it (provider / agency, year,
            # dataset columns), taken this year
            meta = credit_meta({**row.extra, "licensor": row.licensor, "document_title": row.title})
            credit = record_credit(meta, licence_today().year)
            grant = cat.grant(row.licence_id, terms, source or _NO_SOURCE, credit)
        except LicenceError as exc:
            entry["status"] = "blocked"
            if str(exc) not in entry["problems"] and not entry["problems"]:
                entry["problems"].append(str(exc))
            out.append(entry)
            continue
        entry["terms"] = {
            "purposes": sorted(grant.purposes),
            "audience": list(grant.audience),
            "commercial": grant.commercial,
            "expiry": grant.expiry.isoformat() if grant.expiry else None,
            # as the export credits an ingested text: the row's title and licensor in front of a public licence's
            "attribution": list(
                credited(grant.attributions, lic, None if pii_expected else row.title, row.licensor, "ingest")
            ),
            "agreement_id": list(grant.agreement_ids),
        }
        # the export's own rule: terms refused at ingest, or agreement terms beside a licence that takes none,
        # keep the row out of every export (code `licence_terms`)
        _, refused = record_terms(row.licence_id, row.licence_terms, None, list(row.term_problems) or None, cat)
        if refused:
            if not entry["problems"]:
                entry["problems"].append(refused)
            out.append(entry)
            continue
        audiences = ["public", "consortium", *sorted(a for a in grant.audience if a.startswith("member:"))]
        for purpose in PURPOSES:
            for audience in audiences:
                for commercial in (False, True):
                    if grant.decide(purpose=purpose, audience=audience, commercial=commercial).ok:
                        entry["allowed"].append(
                            f"{purpose} {audience} ({'commercial' if commercial else 'non-commercial'})"
                        )
        out.append(entry)
    source = ManifestSource([manifest], source_id="manifest")
    for skip in source._unlisted([manifest], listed):
        out.append(
            {
                "line": None,
                "path": skip.locator,
                "licence_id": None,
                "status": "not in manifest",
                "problems": [ManifestReason.NOT_IN_MANIFEST],
                "terms": None,
                "allowed": [],
            }
        )
    return out


def _shown(name: str) -> str:
    r"""``name`` as the catalogue can hold it: a name in bytes that are not UTF-8 (a Big5 file copied from a Windows
    share beside the manifest, never read) with those bytes escaped; it was a traceback writing the run's counts,
    the run left ``running``.

    >>> _shown("a.pdf"), _shown("\udcbb\udcc8.txt")
    ('a.pdf', '\\xbb\\xc8.txt')
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name
