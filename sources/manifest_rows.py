"""Reading a manifest CSV: its text, its rows validated one by one, and rows that name one file compared.

The contract is described in :mod:`sources.manifest` (which re-exports these names).
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError
from sources.base import Rejection, Skip
from sources.documents import ExtractionError, decode_text
from sources.folder_files import NOT_REGULAR, special

__all__ = [
    "AGREEMENT_LICENCE",
    "KNOWN_COLUMNS",
    "LICENCE_REFUSED",
    "RESERVED_COLUMNS",
    "ManifestReason",
    "ManifestRow",
    "folder_key",
    "known_licence_ids",
    "listed_by",
    "listed_path",
    "need_manifest",
    "row_line_path",
    "read_manifest",
    "read_manifests",
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
    "commercial",
    "expiry",
    "attribution",
)
#: accepted spellings of the ``commercial`` column
_YES = ("yes", "y", "true", "1", "是")
_NO = ("no", "n", "false", "0", "否")


class ManifestReason:
    """Stable quarantine/skip reasons of manifest rows."""

    UNKNOWN_LICENCE = "unknown licence id"
    MISSING_LICENCE = "manifest row without licence id"
    MISSING_FILE = "manifest row whose file is missing"
    NOT_IN_MANIFEST = "file not in manifest (no licence)"
    OUTSIDE = "manifest path outside the manifest folder"
    BAD_PATH = "manifest path that cannot be resolved"
    MISSING_PATH = "manifest row without path"
    EXTRA_CELLS = "manifest row with more cells than the header"
    AGREEMENT_INCOMPLETE = "agreement row without agreement_id"
    TERMS_INVALID = "licence terms incomplete or invalid"
    CONFLICTING_ROWS = "file listed in manifest rows that disagree"
    REPEATED_ROW = "file listed again in an identical manifest row"
    SAME_NAME = "another file of the same name in another manifest's folder of this ingest"
    SAME_NAME_HELD = "a file of this name came from another manifest's folder in an earlier ingest"


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
    commercial: bool | str | None = None
    """``commercial`` column: True/False, None when empty, the raw text when not yes/no."""
    term_problems: tuple[str, ...] = ()
    """What the licence engine would refuse at export, each with the allowed values."""

    @property
    def locator(self) -> str:
        """``manifest.csv:LINE:path`` as in reports."""
        return f"{self.manifest_name}:{self.line}:{self.rel_path}"

    manifest_name: str = ""


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _commercial(value: str | None) -> bool | str | None:
    value = _clean(value)
    if value is None:
        return None
    low = value.lower()
    if low in _YES:
        return True
    if low in _NO:
        return False
    return value


#: encodings a manifest may be in (as named by :func:`sources.documents.decode_text`); a guess beyond them could
#: misread the titles and licensors that attributions quote, so such a manifest is refused (GB18030 bytes that are
#: valid Big5 too read as ``gb18030`` there, or are undecodable when it cannot tell: refused either way)
MANIFEST_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "utf-16", "big5", "cp950", "cp950+hkscs"})


_SAVE_AS_UTF8 = "save it as UTF-8"


def _manifest_text(manifest: Path, data: bytes) -> str:
    """The manifest's text: UTF-8 (BOM allowed), UTF-16 with a BOM, or Big5/CP950 as text files are read."""
    hint = f"{_SAVE_AS_UTF8} (e.g. `iconv -f ENCODING -t UTF-8`)"
    try:
        text, encoding = decode_text(data)
    except ExtractionError as exc:
        advice = "" if _SAVE_AS_UTF8 in exc.detail else f"; {hint}"  # the detail may say it already
        raise ConfigError(f"manifest `{manifest}` cannot be decoded: {exc.detail}{advice}") from exc
    if encoding not in MANIFEST_ENCODINGS:
        raise ConfigError(f"manifest `{manifest}` is not UTF-8 or Big5/CP950 text (it reads as {encoding}); {hint}")
    return text


def read_manifest(manifest: Path, known: frozenset[str] | None = None) -> Iterator[ManifestRow | Rejection | Skip]:
    """Validate the rows of ``manifest``; bad rows become :class:`Rejection` (with the line).

    Rows are checked against the licence engine: ``ManifestRow.term_problems`` lists what would
    block the row at export (the caller warns or rejects). A file named by two valid rows is one
    file under one licence: rows that disagree in anything (licence, terms, title, ...) are all
    rejected (``CONFLICTING_ROWS``, each naming the other lines and what differs), and a row
    identical to an earlier one is a :class:`Skip` (``REPEATED_ROW``), the first row kept.
    """
    for _, item in read_manifests([manifest], known):
        yield item


def read_manifests(
    manifests: list[Path], known: frozenset[str] | None = None
) -> Iterator[tuple[Path, ManifestRow | Rejection | Skip]]:
    """:func:`read_manifest` over the manifests of one ingest, with each item's manifest: rows for one file are
    compared across the manifests as within one (all rejected when they disagree, a later identical one skipped)."""
    known = known_licence_ids() if known is None else known
    items = [(m, item) for m in manifests for item in _read_rows(m, known)]
    refused = {
        id(item): path
        for m, item in items
        if isinstance(item, Rejection) and item.reason in LICENCE_REFUSED and (path := listed_by(m, item)) is not None
    }
    verdicts = _compared([item for _, item in items if isinstance(item, ManifestRow)], refused)
    same = _same_names([item for _, item in items if isinstance(item, ManifestRow)])
    # a row its own file's rows reject (they disagree) keeps that verdict: the file is disputed, its records held
    verdicts.update((k, v) for k, v in same.items() if not isinstance(verdicts.get(k), Rejection))
    for manifest, item in items:
        yield manifest, verdicts.get(id(item), item)


#: rows rejected for the licence they state (or whose cells cannot be told apart): a file named by such a row and by a
#: valid one has no licence that holds, and neither has a file named by such a row alone (its records ingested earlier
#: are held: :mod:`sources.manifest`)
LICENCE_REFUSED = (
    ManifestReason.EXTRA_CELLS,
    ManifestReason.UNKNOWN_LICENCE,
    ManifestReason.MISSING_LICENCE,
    ManifestReason.AGREEMENT_INCOMPLETE,
)


def _compared(rows: list[ManifestRow], refused: dict[int, Path] | None = None) -> dict[int, Rejection | Skip]:
    """Verdicts (by ``id`` of the row) on rows that name a file another row names too.

    ``refused``: the files of rows rejected for their licence (by ``id`` of the rejection); a valid row for one of
    them disagrees with it, so it is rejected too (no row silently wins)."""
    by_path: dict[Path, list[ManifestRow]] = {}
    for row in rows:
        by_path.setdefault(row.path, []).append(row)
    refused_paths = set((refused or {}).values())
    verdicts: dict[int, Rejection | Skip] = {}
    for path, group in by_path.items():
        first = group[0]
        if path in refused_paths:
            for row in group:
                detail = (
                    f"{row.rel_path} is also listed on a row whose licence id is unknown, missing or incomplete;"
                    " keep one row per file"
                )
                verdicts[id(row)] = Rejection(row.locator, ManifestReason.CONFLICTING_ROWS, detail)
            continue
        if len(group) < 2:
            continue
        if all(dataclasses.replace(r, line=first.line, manifest_name=first.manifest_name) == first for r in group[1:]):
            verdicts.update((id(r), Skip(r.locator, ManifestReason.REPEATED_ROW)) for r in group[1:])
            continue
        for row in group:
            others = [o for o in group if o is not row]
            differ = sorted(
                {
                    f.name
                    for o in others
                    for f in dataclasses.fields(ManifestRow)
                    if f.name not in ("line", "term_problems", "manifest_name")
                    and getattr(o, f.name) != getattr(row, f.name)
                }
            )
            where = ", ".join(
                str(o.line) if o.manifest_name == row.manifest_name else f"{o.line} of {o.manifest_name}"
                for o in others
            )
            detail = (
                f"{row.rel_path} is also listed on line {where} with another {', '.join(differ)}; keep one row per file"
            )
            verdicts[id(row)] = Rejection(row.locator, ManifestReason.CONFLICTING_ROWS, detail)
    return verdicts


def _same_names(rows: list[ManifestRow]) -> dict[int, Rejection]:
    """Rejections (by ``id`` of the row) of rows of one ingest that name other files under one name (``a/ch1.pdf``
    and ``b/ch1.pdf``, each ``ch1.pdf`` in its manifest): a record's doc key and container are the source and that
    name, so the second file was stored as a new version of the first, whose text left every export with no word
    (review 17). Every such row is rejected, naming the others' manifests: no file silently wins, whatever the order
    of the manifests on the command line."""
    by_name: dict[str, dict[Path, list[ManifestRow]]] = {}
    for row in rows:
        by_name.setdefault(row.rel_path, {}).setdefault(row.path, []).append(row)
    out: dict[int, Rejection] = {}
    for name, files in by_name.items():
        if len(files) < 2:
            continue
        for path, group in files.items():
            lines = ", ".join(sorted({str(o.line) for p, g in files.items() if p != path for o in g}, key=int))
            how = "ingest the folders one at a time, each under its own --source-id, or rename one of the files"
            detail = f"{name} names another file on line {lines} of another manifest; {how}"
            for row in group:
                out[id(row)] = Rejection(row.locator, ManifestReason.SAME_NAME, detail)
    return out


def folder_key(folder: Path) -> str:
    """A manifest folder's key in its records' ``metadata.manifest_folder``: a digest of its resolved path, so that a
    file no longer listed is held only by the manifest of its own folder (:class:`sources.base.Unlisted`).

    >>> len(folder_key(Path("/data/tabf/2024")))
    16
    """
    return hashlib.sha256(str(folder.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]


def listed_by(manifest: Path, item: ManifestRow | Rejection | Skip) -> Path | None:
    """The file a manifest row names, even when the row was rejected (it is listed, under no licence that holds);
    None when the row names none that can be looked up."""
    if isinstance(item, ManifestRow):
        return item.path
    if item.reason in (ManifestReason.MISSING_PATH, ManifestReason.BAD_PATH):
        return None
    try:
        return listed_path(manifest, item.locator)
    except (OSError, RuntimeError, ValueError):  # ValueError: a NUL byte in the name
        return None


def listed_path(manifest: Path, locator: str) -> Path:
    """The file a manifest row's locator (``manifest.csv:LINE:path``) names, as :attr:`ManifestRow.path` holds it."""
    return (manifest.parent.resolve() / row_line_path(manifest, locator)[1]).resolve()


def row_line_path(manifest: Path, locator: str) -> tuple[str, str]:
    """The line and the path of a row's locator (``manifest.csv:LINE:path``) of ``manifest``, whose name is taken off
    whole: a name may hold a colon (``m-10:00.csv``, a script's timestamp), which split the locator at the wrong place
    (the file of a row whose licence was withdrawn was then not held).

    >>> row_line_path(Path("m-10:00.csv"), "m-10:00.csv:3:a.txt")
    ('3', 'a.txt')
    """
    line, _, path = locator.removeprefix(f"{manifest.name}:").partition(":")
    return line, path


def _resolved(base: Path, rel: str) -> Path | str:
    """``base / rel`` resolved, or why it cannot be (a symlink loop, a name too long for the file system, a NUL byte)."""
    try:
        return (base / rel).resolve()
    except RuntimeError as exc:  # pathlib before 3.13: a symlink loop
        return str(exc).split(" from ")[0].lower() or "symlink loop"
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    except ValueError as exc:  # "embedded null byte": no file system takes the name
        return str(exc)


def _refused(path: Path) -> str | None:
    """Why the file system refuses to look ``path`` up (a name too long, ...), None when it can."""
    try:
        path.stat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return exc.strerror or type(exc).__name__
    except ValueError as exc:  # a NUL byte in the name
        return str(exc)
    return None


#: metadata keys the ingest sets on a row's records (:func:`sources.manifest.row_metadata`) or the export reads as
#: licence terms: an extra column of that name replaced the computed value (a steward's ``file_sha256`` column made
#: every later change of the file read as unchanged, never extracted again), so such a header is refused
RESERVED_COLUMNS = (
    "file",
    "file_sha256",
    "manifest",
    "manifest_line",
    "manifest_folder",
    "licence_terms",
    "licence_term_problems",
    "licences",
    "document_title",
)


def _check_columns(manifest: Path, fieldnames: list[str]) -> None:
    """Refuse a header without the required columns, naming one column twice (``licence_id`` and `` licence_id``
    too: names are compared stripped): a row would state two values of it and the later column would win, or naming a
    key the workbench sets itself (:data:`RESERVED_COLUMNS`)."""
    columns = [c.strip() for c in fieldnames]
    required = ("path", "licence_id")
    missing = [c for c in required if c not in columns]
    if missing:
        raise ConfigError(
            f"manifest `{manifest}` lacks column(s) {', '.join(missing)}; "
            f"required: {', '.join(required)}; optional: {', '.join(c for c in KNOWN_COLUMNS if c not in required)}"
        )
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        raise ConfigError(
            f"manifest `{manifest}` names column(s) {', '.join(twice)} more than once; keep one column of each name"
        )
    reserved = [c for c in RESERVED_COLUMNS if c in columns]
    if reserved:
        raise ConfigError(
            f"manifest `{manifest}` has column(s) {', '.join(reserved)}, which the ingest sets itself "
            f"(reserved: {', '.join(RESERVED_COLUMNS)}); rename them (e.g. `steward_{reserved[0]}`)"
        )


def need_manifest(manifest: Path) -> None:
    """Raise :class:`ConfigError` unless ``manifest`` is a regular file. A FIFO (``<(unzip -p m.zip)``), device or
    broken link is named as such and never opened: before review 17 the ingest waited on a FIFO for good and
    `manifest check` called it `not found`."""
    if special(manifest):
        raise ConfigError(f"manifest `{manifest}` is {NOT_REGULAR}; save it to a file and pass that file")
    if manifest.is_dir():
        raise ConfigError(f"manifest `{manifest}` is a folder; pass the CSV in it that lists the files")
    if not manifest.is_file():
        raise ConfigError(f"manifest `{manifest}` not found; pass the CSV that lists the files")


def _missing(base: Path, rel: str) -> str:
    """The excerpt of a row whose file is not there: its path, and the way on where it is written with Windows' ``\\``
    and the file is there under ``/`` (Excel on Windows: ``sub\\ch1.pdf`` was `missing`, the file `not in manifest`,
    with no word of why; review 17). The row is not read under the guess: a name may hold a ``\\`` on Linux. No way
    on is named to a file outside ``base`` (``..\\x``): that path is refused too."""
    slashed = rel.replace("\\", "/")
    try:
        there = slashed != rel and (base / slashed).is_file() and (base / slashed).resolve().is_relative_to(base)
    except (OSError, RuntimeError, ValueError):  # RuntimeError: a symlink loop (pathlib before 3.13)
        there = False
    return f"{rel}: paths are separated by /, not \\; write `{slashed}`" if there else rel


def _read_rows(manifest: Path, known: frozenset[str] | None) -> Iterator[ManifestRow | Rejection]:
    from provenance.licences import credit_problems, term_problems

    need_manifest(manifest)
    known = known_licence_ids() if known is None else known
    base = manifest.parent.resolve()
    try:
        data = manifest.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot open manifest `{manifest}`: {exc}") from exc
    with io.StringIO(_manifest_text(manifest, data), newline="") as fh:
        reader = csv.DictReader(fh)
        _check_columns(manifest, reader.fieldnames or [])
        for row in reader:
            # cells past the header's last column that hold something (an unquoted comma); empty ones are the
            # trailing comma Excel and other writers leave on every row, and a row of commas only is blank
            surplus = row.pop(None, None) or []
            surplus = surplus if any(c.strip() for c in surplus) else []
            row = {(k or "").strip(): (v or "") for k, v in row.items()}
            line = reader.line_num
            rel = _clean(row.get("path"))
            loc = f"{manifest.name}:{line}:{rel or ''}"
            if rel is None:
                if any(v.strip() for v in row.values()) or surplus:
                    yield Rejection(
                        loc, ManifestReason.MISSING_PATH, "the row has cells but no `path`; name the file it licenses"
                    )
                continue  # blank line
            path = _resolved(base, rel)
            if isinstance(path, str):
                yield Rejection(loc, ManifestReason.BAD_PATH, f"{rel[:200]}: {path}")
                continue
            if not path.is_relative_to(base):
                yield Rejection(loc, ManifestReason.OUTSIDE, rel)
                continue
            if surplus:  # every cell after the comma sits one column late: licence, title, licensor are unknown
                header = len(reader.fieldnames or [])
                detail = f"{header + len(surplus)} cells, header has {header}; quote a cell that holds a comma"
                yield Rejection(loc, ManifestReason.EXTRA_CELLS, detail)
                continue
            licence = _clean(row.get("licence_id"))
            if licence is None:
                yield Rejection(loc, ManifestReason.MISSING_LICENCE, rel)
                continue
            if licence not in known:
                yield Rejection(
                    loc,
                    ManifestReason.UNKNOWN_LICENCE,
                    f"`{licence}` is not in the licence catalogue (see `curate licences list`)",
                )
                continue
            agreement = _clean(row.get("agreement_id"))
            if licence == AGREEMENT_LICENCE and agreement is None:
                yield Rejection(loc, ManifestReason.AGREEMENT_INCOMPLETE, rel)
                continue
            refused = _refused(path)
            if refused is not None:
                yield Rejection(loc, ManifestReason.BAD_PATH, f"{rel[:200]}: {refused}")
                continue
            if not path.is_file():  # a FIFO or broken link is there, not missing (review 17)
                yield Rejection(loc, NOT_REGULAR if special(path) else ManifestReason.MISSING_FILE, _missing(base, rel))
                continue
            licensor = _clean(row.get("licensor")) or _clean(row.get("author"))
            commercial = _commercial(row.get("commercial"))
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
                if commercial is not None:
                    terms["commercial"] = commercial
            checked = terms
            if terms is None:  # no agreement: any term given beside a public licence is checked (it conflicts)
                given = {k: _clean(row.get(k)) for k in ("audience", "purposes", "expiry", "attribution")}
                checked = {k: v for k, v in given.items() if v is not None}
                if commercial is not None:
                    checked["commercial"] = commercial
                checked = checked or None
            title = _clean(row.get("title"))
            # the title and licensor a public licence's statement credits in front: one plain line each
            problems = (*term_problems(licence, checked), *credit_problems(licence, title, licensor))
            extra = {k: v for k, v in row.items() if k not in KNOWN_COLUMNS and k and v.strip()}
            yield ManifestRow(
                line=line,
                rel_path=posixpath.normpath(Path(rel).as_posix()),  # sub/../a.txt and ./a.txt name a.txt
                path=path,
                licence_id=licence,
                title=title,
                licensor=licensor,
                agreement_id=agreement,
                audience=_clean(row.get("audience")),
                edition=_clean(row.get("edition")),
                isbn=_clean(row.get("isbn")),
                extra=extra,
                licence_terms=terms,
                commercial=commercial,
                term_problems=problems,
                manifest_name=manifest.name,
            )
