"""MODA 臺灣主權AI訓練語料庫 (TAIC, taic.moda.gov.tw): structured corpora and PDF documents.

Inputs (files or folders, local only): JSON Lines, JSON, CSV, Parquet, Hugging Face dataset
folders (``save_to_disk`` output or hub-style folders of data files), and PDF/DOCX/HTML/text
documents (read by :mod:`sources.documents`).

* Structured files are read with the ``datasets`` library in streaming mode (memory independent
  of corpus size), except JSON Lines, which is read line by line with the standard library so
  that a line that is not JSON is quarantined with its line number while the rest of the file is
  ingested (``datasets`` aborts the whole file on the first bad line), and CSV, read row by row
  with the standard library (UTF-8, BOM allowed): a row whose number of fields differs from the
  header's is quarantined with its line number (pandas made the first field of a row with one
  field too many its index and shifted the rest), every cell is kept as the string it is (no type
  guessing: an id ``007`` stays ``007``) and an empty cell is a missing value.
* Without ``dataset``, ids are kept apart by their folder's name; one name for two folders (hub-style ``dsA/data``
  and ``dsB/data``) in one ingest, or for another dataset the catalogue holds under it (``held_datasets``, from
  :func:`held_dataset_origins`: another folder, rows named with ``--dataset``, rows of no known folder from other
  files; :mod:`sources.moda_datasets`), is refused: their rows would replace each other.
* A ``save_to_disk`` folder is read only if every data file its ``state.json`` names (each split's, for a
  ``dataset_dict.json``) lies inside it, symlinks resolved; otherwise, or when that JSON is malformed, it is
  quarantined. A file of an input folder whose real path (symlinks resolved) is outside it is quarantined too.
* A row whose id (within its dataset) was already read in this ingest is skipped, counted and named
  (:attr:`ModaReason.DUPLICATE_ID`): the first row is kept (before, the later one silently became
  a new version that superseded it).
* Field mapping is configuration (:class:`ModaFields`); when a field is not named, common names
  are tried (``text``/``content``/``內容``..., ``來源網站`` for the URL). Unmapped fields are kept
  in ``metadata.fields``.
* A row's date (ROC ``113/2/1``, ``1130201``, ``民國113年2月1日`` or western, padded or not) orders its versions by
  the day it names (``as_of``, ISO): an older row never replaces a newer one. A date that does not parse (or names no real
  day) is kept as written in ``metadata.date`` but orders nothing: the row replaces the active version, as an
  undated row does.
* The licence class is an option and required: ``OGDL-Taiwan-1.0`` for open data, or the
  AI-training-only licence (``LicenseRef-MODA-AI-Training`` in the current catalogue; the
  domain notes call it ``LicenseRef-SAITD-Lic-Taiwan-1.0``, its alias). It must be a known licence id; an alias
  is stored as the catalogue's own id.
* A licence granted per applicant (the AI-training licence: ``terms_optional`` in the catalogue) takes the grant's
  terms: ``expiry`` (YYYY-MM-DD, the grant's last day) and ``licensee`` (the audience holding it: ``consortium``,
  or ``member:BANK`` for one bank's own grant; the grant is not transferable, so exports to any other audience are
  refused). They become each record's ``metadata.licence_terms`` and part of its version's identity, as a manifest
  row's terms are: a renewed grant makes new versions. A licence that takes no terms (OGDL) refuses them. A term
  left out that a dataset's current versions hold is refused (:mod:`sources.moda_grants`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

from provenance.errors import ConfigError
from sources import capped, folder_files, moda_text
from sources.base import RawItem, Record, Rejection, Skip, Source, SourceInfo, unsupported_file
from sources.dates import iso_date
from sources.documents import DOCUMENT_SUFFIXES, ExtractConfig, ExtractionError, detect_lang, extract, segment_key
from sources.moda_datasets import check_folder_names, held_dataset_origins
from sources.moda_grants import check_terms_kept, grant_terms, stored_names

__all__ = ["ModaFields", "ModaReason", "ModaSource", "held_dataset_origins"]

STRUCTURED_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".parquet": "parquet",
    ".arrow": "arrow",
}
_TEXT_CANDIDATES = ("text", "content", "內容", "內文", "全文", "body", "文本")
_ID_CANDIDATES = ("id", "uuid", "doc_id", "編號", "識別碼")
_TITLE_CANDIDATES = ("title", "標題", "名稱", "name")
_URL_CANDIDATES = ("url", "來源網站", "source_url", "link", "網址")
_DATE_CANDIDATES = ("date", "日期", "發布日期", "published", "created_at")


class ModaReason:
    """Stable quarantine/skip reasons of the MODA ingestor."""

    BAD_JSON_LINE = "JSONL line is not JSON"
    NOT_AN_OBJECT = "JSONL line is not a JSON object"
    NO_TEXT = "row without text"
    UNREADABLE = "unreadable structured file"
    BAD_CSV_ROW = "CSV row with the wrong number of fields"
    BAD_CSV_QUOTING = "CSV row that cannot be read (a stray or unclosed quote, or a field over the record limit)"
    DUPLICATE_ID = "id already read in this ingest (the first row is kept)"
    UNSUPPORTED = "unsupported file type"
    OUTSIDE_FOLDER = "dataset folder whose state.json or dataset_dict.json names a file outside it"
    LINK_OUTSIDE = folder_files.LINK_OUTSIDE
    EMPTY = "empty file"
    NOT_UTF8_ROW = "CSV row that is not UTF-8 text (the file's other rows are read)"


class _DiskFolderError(Exception):
    """A ``save_to_disk`` folder that may not be read as it says (``reason``: a :class:`ModaReason`)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


def _inside(folder: Path, name: Any, what: str) -> Path:
    """``folder / name`` with symlinks resolved, refused unless it stays inside ``folder`` (``../``, absolute)."""
    if not isinstance(name, str) or not name:
        raise _DiskFolderError(ModaReason.UNREADABLE, f"{what}: {name!r} is not a file name")
    target = (folder / name).resolve()
    if not target.is_relative_to(folder.resolve()):
        raise _DiskFolderError(ModaReason.OUTSIDE_FOLDER, f"{what} names `{name}`, which is not inside the folder")
    return target


def _json_file(path: Path, want: type, what: str) -> Any:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _DiskFolderError(ModaReason.UNREADABLE, f"{what}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(value, want):
        raise _DiskFolderError(ModaReason.UNREADABLE, f"{what} is not a JSON {want.__name__}")
    return value


def _check_disk_folder(folder: Path, what: str = "") -> None:
    """Refuse a ``save_to_disk`` folder whose ``state.json`` (or a split's, named by ``dataset_dict.json``) names a
    data file outside the folder, symlinks resolved: ``datasets`` joins the names to the folder as written, so
    ``../other/data.arrow`` ingested another dataset under this folder's licence (review 6, finding 4)."""
    what = what or folder.name
    state = folder / "state.json"
    if not state.exists() and (folder / "dataset_dict.json").exists():
        splits = _json_file(folder / "dataset_dict.json", dict, f"{what}/dataset_dict.json").get("splits")
        if not isinstance(splits, list):
            raise _DiskFolderError(ModaReason.UNREADABLE, f"{what}/dataset_dict.json has no list of splits")
        for split in splits:
            _check_disk_folder(_inside(folder, split, f"{what}/dataset_dict.json"), f"{what}/{split}")
        return
    files = _json_file(state, dict, f"{what}/state.json").get("_data_files")
    if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
        raise _DiskFolderError(ModaReason.UNREADABLE, f"{what}/state.json has no list of `_data_files`")
    for f in files:
        _inside(folder, f.get("filename"), f"{what}/state.json")


def _excerpt(line: bytes) -> str:
    """The start of a bad JSONL line as text (never as escaped bytes: the ingest's identifier guard reads
    quarantine excerpts for personal values, and ``b'\\xe5...'`` hid them from it)."""
    return line[:200].decode("utf-8", "replace").rstrip("\r\n")


@dataclass(frozen=True, slots=True)
class ModaFields:
    """Which column holds what (None = try the common names)."""

    text: str | None = None
    id: str | None = None
    title: str | None = None
    url: str | None = None
    date: str | None = None


def _pick(row: dict[str, Any], name: str | None, candidates: tuple[str, ...]) -> str | None:
    if name is not None:
        return name if name in row else None
    return next((c for c in candidates if c in row), None)


def _scalar(value: Any) -> Any:
    """JSON-safe metadata value (dates and other objects become strings)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_scalar(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _scalar(v) for k, v in value.items()}
    return str(value)


def _clean_url(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
        return _clean_url(value)
    text = str(value).strip()
    m = re.fullmatch(r"\[\s*(.*?)\s*\]", text)  # "[https://...]" as seen in 來源網站
    return (m.group(1) if m else text) or None


class ModaSource(Source):
    """The MODA sovereign-AI corpus.

    Options: ``licence`` (required), ``fields`` (:class:`ModaFields`) or ``text_field``,
    ``id_field``, ``title_field``, ``url_field``, ``date_field``; ``dataset`` (the dataset's name,
    stored as ``metadata.dataset`` and credited by an attribution statement; without it ``metadata.dataset_key``, the
    file's parent folder name, keeps ids apart and nothing names a dataset); ``source_id`` (default ``moda``);
    ``extract_config``; ``batch_size`` (rows per Arrow batch, default 1000).
    """

    name: ClassVar[str] = "moda"
    licence_id: ClassVar[str | None] = None
    dump_keys: ClassVar[tuple[str, ...]] = ("dataset", "dataset_key")  # a dump is a dataset's rows and documents

    def __init__(self, paths, **options: Any) -> None:
        super().__init__(paths, **options)
        licence = options.get("licence") or options.get("licence_id")
        if not licence:
            raise ConfigError("MODA ingest needs a licence: --licence OGDL-Taiwan-1.0 or the AI-training licence id")
        from sources.manifest import known_licence_ids

        known = known_licence_ids()
        if licence not in known:
            raise ConfigError(f"unknown licence id `{licence}`; known: {', '.join(sorted(known))}")
        from provenance.licences import canonical_licence_id

        self.licence = canonical_licence_id(str(licence))  # an alias stored as typed was a licence change
        fields = options.get("fields")
        if fields is None:
            fields = ModaFields(**{k: options.get(f"{k}_field") for k in ("text", "id", "title", "url", "date")})
        self.fields: ModaFields = fields
        self.source_id = str(options.get("source_id") or self.name)
        self.batch_size = int(options.get("batch_size") or 1000)
        self._key_cache: dict[tuple, dict[str, str | None]] = {}
        #: folder name -> digest of the folder it names, for keys taken from folder names (no ``--dataset``)
        self._origins: dict[str, str] = {} if options.get("dataset") else self._check_origins(options)
        #: digests of the doc keys of rows with an id read in this ingest (12 bytes each: no false match in practice)
        self._ids_seen: set[int] = set()
        self.terms = self._grant_terms(options)

    def _grant_terms(self, options: dict[str, Any]) -> dict[str, Any] | None:
        """The grant's terms or None (:func:`sources.moda_grants.grant_terms`), refused when they leave out a term
        that the current versions of a dataset of this ingest hold (``held_terms``, read by the command)."""
        terms = grant_terms(self.licence, options.get("expiry"), options.get("licensee"))
        if held := options.get("held_terms"):
            named = options.get("dataset")
            names = (
                {str(named)} if named else {self._dataset_of(p, kind) for p, kind, _ in self._inputs(missing_ok=True)}
            )
            names = stored_names(names, None if named else options.get("as_stored"))
            check_terms_kept(self.licence, self.source_id, options, names, held)
        return terms

    def config(self) -> dict[str, Any]:
        return {
            "source": self.name,
            "licence": self.licence,
            "licence_terms": self.terms,
            "fields": asdict(self.fields),
            "paths": [str(p) for p in self.paths],
        }

    def source_infos(self) -> list[SourceInfo]:
        return [
            SourceInfo(
                source_id=self.source_id,
                kind="corpus",
                title="MODA 臺灣主權AI訓練語料庫",
                origin="https://taic.moda.gov.tw",
                licence_id=self.licence,
                pii_expected=self.pii_expected,
                metadata={"fields": asdict(self.fields)},
            )
        ]

    # -- discovery -------------------------------------------------------------------------

    def _check_origins(self, options: dict[str, Any]) -> dict[str, str]:
        """Each folder name that keys rows (no ``--dataset``) -> the digest of the folder it names, refused when the
        name keys another dataset too (:func:`sources.moda_datasets.check_folder_names`; ``held_datasets`` from
        :func:`held_dataset_origins`, ``as_stored``: a name as the ingest stores it, pseudonymised)."""
        folders: dict[str, set[Path]] = {}
        files: dict[str, set[str]] = {}
        for path, kind, base in self._inputs(missing_ok=True):
            if kind not in ("document", "unsupported", "outside"):
                folder = path if kind == "hf_disk" else path.parent
                folders.setdefault(folder.name, set()).add(folder.resolve())
                files.setdefault(folder.name, set()).add(path.relative_to(base).as_posix())
        return check_folder_names(folders, files, options.get("held_datasets") or {}, options.get("as_stored"))

    def _dataset_of(self, path: Path, kind: str) -> str:
        """The dataset an input's rows are stored under: ``--dataset``, else its folder's name."""
        return str(self.options.get("dataset") or (path.name if kind == "hf_disk" else path.parent.name))

    def _inputs(self, *, missing_ok: bool = False) -> Iterator[tuple[Path, str, Path]]:
        """(path, kind, base folder for relative locators); a folder's file whose real path (symlinks resolved) is
        outside the folder is of kind ``outside``: it is not this dataset's, whatever the folder's licence says."""
        for p in self.paths:
            if not p.exists():
                if missing_ok:
                    continue
                raise ConfigError(f"MODA input `{p}` not found")
            if p.is_dir():
                if (p / "dataset_info.json").exists() or (p / "dataset_dict.json").exists():
                    yield p, "hf_disk", p.parent
                    continue
                inside = p.resolve()
                for f in sorted(p.rglob("*")):
                    rel = f.relative_to(p)
                    if f.is_dir() or any(part.startswith(".") for part in rel.parts):  # a FIFO: quarantined
                        continue
                    if f.name in ("README.md", "dataset_infos.json", "state.json") or f.suffix == ".lock":
                        continue
                    yield f, "outside" if folder_files.outside(f, inside) else self._kind(f), p.parent
            else:
                yield p, self._kind(p), p.parent

    @staticmethod
    def _kind(path: Path) -> str:
        suffix = path.suffix.lower()
        if suffix in STRUCTURED_SUFFIXES:
            return STRUCTURED_SUFFIXES[suffix]
        if suffix in DOCUMENT_SUFFIXES:
            return "document"
        return "unsupported"

    # -- raw items -------------------------------------------------------------------------

    def iter_raw(self) -> Iterator[RawItem | Rejection | Skip]:
        self._ids_seen.clear()
        for path, kind, base in self._inputs():
            rel = path.relative_to(base).as_posix()
            dataset = self._dataset_of(path, kind)
            if kind == "outside":  # as manifest rows and save_to_disk folders: the target is never read
                detail = "a symlink to a file outside the folder; copy the file in if the folder's licence covers it"
                yield Rejection(rel, ModaReason.LINK_OUTSIDE, detail, self.source_id)
            elif kind != "hf_disk" and (why := folder_files.not_read(path, kind != "unsupported" and ModaReason.EMPTY)):
                yield Rejection(rel, *why, self.source_id)  # a FIFO named `x.pdf` was an "empty file" (review 17)
            elif kind == "unsupported":
                reads = ", ".join(sorted({*STRUCTURED_SUFFIXES, *DOCUMENT_SUFFIXES})) + " or a save_to_disk folder"
                yield unsupported_file(self.paths, path, rel, ModaReason.UNSUPPORTED, reads, self.source_id)
            elif kind == "document":
                yield RawItem(rel, {"kind": "document", "path": path}, str(path))
            elif kind == "jsonl":
                yield from self._jsonl(path, rel, dataset)
            elif kind == "csv":
                yield from self._csv(path, rel, dataset)
            else:
                yield from self._datasets_rows(path, kind, rel, dataset)

    def _jsonl(self, path: Path, rel: str, dataset: str) -> Iterator[RawItem | Rejection]:
        cap = capped.max_record_chars() * 4  # bytes: at most 4 per character in UTF-8
        if isinstance(encoding := moda_text.checked_encoding(path), tuple):  # UTF-32, or wholly Big5 (review 13)
            yield Rejection(rel, *encoding, self.source_id)
            return
        with path.open("rb") as fh:
            for n, line in enumerate(moda_text.jsonl_lines(fh, encoding, cap), 1):
                loc = f"{rel}#line={n}"
                if isinstance(line, tuple):  # (reason, detail): a line too long (drained), or cut inside a character
                    yield Rejection(loc, *line, self.source_id)
                    continue
                if not line.strip():
                    continue
                try:
                    row = capped.loads(line)
                except capped.InputLimitError as exc:
                    yield Rejection(loc, exc.reason, f"{exc.detail}: {_excerpt(line)}", self.source_id)
                    continue
                except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                    yield Rejection(loc, ModaReason.BAD_JSON_LINE, f"{exc}: {_excerpt(line)}", self.source_id)
                    continue
                if not isinstance(row, dict):
                    yield Rejection(loc, ModaReason.NOT_AN_OBJECT, _excerpt(line), self.source_id)
                    continue
                yield RawItem(loc, {"kind": "row", "row": row, "file": rel, "dataset": dataset}, str(path))

    def _csv(self, path: Path, rel: str, dataset: str) -> Iterator[RawItem | Rejection]:
        """Rows of a CSV file, streamed; locators ``#row=N`` count the data rows from 0, as ``datasets`` did."""
        csv.field_size_limit(capped.max_record_chars())  # a longer field is its row's error (below)
        if isinstance(encoding := moda_text.checked_encoding(path), tuple):  # UTF-32, or wholly Big5 (review 13)
            yield Rejection(rel, *encoding, self.source_id)
            return
        with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
            # strict: a quote opened and never closed is an error at the end of the file, not one field that
            # swallows every later row; after an error the reader goes on at the next line
            reader = csv.reader(fh, strict=True)
            try:
                header = next(reader, None)
                if not header:
                    yield Rejection(rel, ModaReason.EMPTY, "no header row", self.source_id)
                    return
                if moda_text.undecodable(header):
                    detail = "the header row is not UTF-8 (save the file as UTF-8): " + moda_text.printable(
                        ",".join(header)
                    )
                    yield Rejection(rel, ModaReason.UNREADABLE, detail[:500], self.source_id)
                    return
                twice = sorted({c for c in header if header.count(c) > 1})
                if twice:
                    detail = f"the header names {', '.join(f'`{c}`' for c in twice)} more than once"
                    yield Rejection(rel, ModaReason.UNREADABLE, detail, self.source_id)
                    return
                i = 0
                while True:
                    first = reader.line_num + 1
                    try:
                        fields = next(reader)
                    except StopIteration:
                        break
                    except csv.Error as exc:  # this row only (an oversized field, a stray or unclosed quote)
                        lines = f"line {first}" if reader.line_num <= first else f"lines {first}-{reader.line_num}"
                        limit = " (CURATE_MAX_RECORD_CHARS)" if "field limit" in str(exc) else ""
                        detail = f"{lines}: {exc}{limit}"
                        yield Rejection(f"{rel}#row={i}", ModaReason.BAD_CSV_QUOTING, detail[:500], self.source_id)
                        i += 1
                        continue
                    if not fields:
                        continue  # a blank line
                    loc = f"{rel}#row={i}"
                    i += 1
                    if moda_text.undecodable(fields):
                        detail = f"line {reader.line_num}: " + moda_text.printable(",".join(fields))[:200]
                        yield Rejection(loc, ModaReason.NOT_UTF8_ROW, detail, self.source_id)
                        continue
                    if len(fields) != len(header):
                        detail = (
                            f"line {reader.line_num}: row has {len(fields)} fields, the header has {len(header)}: "
                            + ",".join(fields)[:200]
                        )
                        yield Rejection(loc, ModaReason.BAD_CSV_ROW, detail, self.source_id)
                        continue
                    row = {c: (v if v != "" else None) for c, v in zip(header, fields, strict=True)}
                    yield RawItem(loc, {"kind": "row", "row": row, "file": rel, "dataset": dataset}, str(path))
            except (csv.Error, UnicodeDecodeError) as exc:  # the header, or bytes that are not UTF-8
                detail = f"line {reader.line_num}: {type(exc).__name__}: {exc}; the rest of the file was not read"
                yield Rejection(rel, ModaReason.UNREADABLE, detail[:500], self.source_id)

    def _datasets_rows(self, path: Path, kind: str, rel: str, dataset: str) -> Iterator[RawItem | Rejection]:
        os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
        import datasets
        import pyarrow as pa

        try:
            if kind == "hf_disk":
                _check_disk_folder(path)
            splits = self._open_dataset(datasets, path, kind)
            for split, ds in splits:
                prefix = f"{rel}#" + (f"split={split}&" if split else "")
                i = 0
                for batch in ds.iter(batch_size=self.batch_size):
                    columns = list(batch)
                    n = len(batch[columns[0]]) if columns else 0
                    for j in range(n):
                        row = {c: batch[c][j] for c in columns}
                        payload = {"kind": "row", "row": row, "file": rel, "dataset": dataset}
                        yield RawItem(f"{prefix}row={i}", payload, str(path))
                        i += 1
        except (
            datasets.exceptions.DatasetGenerationError,
            pa.ArrowException,
            ValueError,
            OSError,
            UnicodeDecodeError,
            json.JSONDecodeError,
            KeyError,  # a state.json without a key the loader reads
            TypeError,
            IndexError,  # a state.json with no data files (`_data_files: []`)
            AttributeError,  # a state.json whose `_split` is no text
        ) as exc:
            yield Rejection(rel, ModaReason.UNREADABLE, f"{type(exc).__name__}: {exc}"[:500], self.source_id)
        except _DiskFolderError as exc:
            yield Rejection(rel, exc.reason, str(exc)[:500], self.source_id)

    @staticmethod
    def _open_dataset(datasets, path: Path, kind: str) -> list[tuple[str | None, Any]]:
        if kind == "hf_disk":
            loaded = datasets.load_from_disk(str(path))
            if isinstance(loaded, datasets.DatasetDict):
                return [(name, d.to_iterable_dataset()) for name, d in loaded.items()]
            return [(None, loaded.to_iterable_dataset())]
        builder = {"json": "json", "parquet": "parquet", "arrow": "arrow"}[kind]
        ds = datasets.load_dataset(builder, data_files=str(path), split="train", streaming=True)
        return [(None, ds)]

    # -- records ---------------------------------------------------------------------------

    def to_records(self, raw: RawItem) -> Iterable[Record | Rejection | Skip]:
        if raw.payload["kind"] == "document":
            yield from self._document_records(raw)
        else:
            yield from self._row_records(raw)

    def _keys_for(self, row: dict[str, Any]) -> dict[str, str | None]:
        """Resolve the field mapping once per distinct set of columns (rows of a file share one)."""
        sig = tuple(row)
        keys = self._key_cache.get(sig)
        if keys is None:
            f = self.fields
            keys = {
                "text": _pick(row, f.text, _TEXT_CANDIDATES),
                "id": _pick(row, f.id, _ID_CANDIDATES),
                "title": _pick(row, f.title, _TITLE_CANDIDATES),
                "url": _pick(row, f.url, _URL_CANDIDATES),
                "date": _pick(row, f.date, _DATE_CANDIDATES),
            }
            if len(self._key_cache) < 1024:
                self._key_cache[sig] = keys
        return keys

    def _row_records(self, raw: RawItem) -> Iterator[Record | Rejection | Skip]:
        row: dict[str, Any] = raw.payload["row"]
        keys = self._keys_for(row)
        text_key = keys["text"]
        text = row.get(text_key) if text_key else None
        if not isinstance(text, str) or not text.strip():
            want = self.fields.text or "/".join(_TEXT_CANDIDATES)
            detail = f"no non-empty `{want}`; fields: {', '.join(map(str, row))}"
            yield Rejection(raw.locator, ModaReason.NO_TEXT, detail[:300], self.source_id)
            return
        ident = _scalar(row.get(keys["id"])) if keys["id"] else None
        title = _scalar(row.get(keys["title"])) if keys["title"] else None
        url = _clean_url(row.get(keys["url"])) if keys["url"] else None
        raw_date = row.get(keys["date"]) if keys["date"] else None
        date = _scalar(raw_date)
        used = keys.values()
        dataset = raw.payload["dataset"]
        metadata: dict[str, Any] = {
            **self._dataset_meta(dataset),
            "file": raw.payload["file"],
            "licence_class": self.licence,
            **self._terms_meta(),
        }
        extra = {str(k): _scalar(v) for k, v in row.items() if k not in used}
        if extra:
            metadata["fields"] = extra
        for name, value in (("url", url), ("date", date), ("id", ident)):
            if value not in (None, ""):
                metadata[name] = value
        has_id = ident not in (None, "")
        doc_key = f"{self.source_id}:{dataset}:id={ident}" if has_id else f"{self.source_id}:{raw.locator}"
        if has_id:
            # a second row with the id of an earlier one (same dataset) would silently replace it as a new version
            seen = int.from_bytes(hashlib.blake2b(doc_key.encode("utf-8", "surrogatepass"), digest_size=12).digest())
            if seen in self._ids_seen:
                yield Skip(raw.locator, ModaReason.DUPLICATE_ID, self.source_id)
                return
            self._ids_seen.add(seen)
        yield Record(
            doc_key=doc_key,
            locator=raw.locator,
            text=text,
            source_id=self.source_id,
            container=None,  # one row per raw item: the file is not one item
            title=str(title) if title not in (None, "") else None,
            lang=detect_lang(text),
            licence_id=self.licence,
            metadata=metadata,
            version_metadata={"title": title, "url": url, "date": date, **self._terms_meta()},
            # parsed, so versions order by the day (113/10/1 after 113/2/1); a date that does not parse orders nothing
            as_of=iso_date(raw_date),
        )

    def _terms_meta(self) -> dict[str, Any]:
        """``licence_terms`` when the grant's terms were given (in the metadata and the version's identity)."""
        return {"licence_terms": self.terms} if self.terms else {}

    def _dataset_meta(self, dataset: str) -> dict[str, str]:
        """``dataset`` only when ``--dataset`` named it: a folder name (``moda``, ``Downloads``) is no dataset title
        for a credit, which then falls back to the source's title; ``dataset_key`` otherwise (keeps ids apart), with
        ``dataset_origin``, the digest of the folder it names (tells another folder of the same name apart)."""
        if self.options.get("dataset"):
            return {"dataset": dataset}
        origin = self._origins.get(dataset)
        return {"dataset_key": dataset, "dataset_origin": origin} if origin else {"dataset_key": dataset}

    def _document_records(self, raw: RawItem) -> Iterator[Record | Rejection | Skip]:
        path: Path = raw.payload["path"]
        cfg = self.options.get("extract_config") or ExtractConfig()
        try:
            doc = extract(path, cfg)
        except ExtractionError as exc:
            yield Rejection(raw.locator, exc.reason, exc.detail[:500], self.source_id)
            return
        for frag, reason in doc.skipped:  # e.g. scanned pages inside a text PDF: listed for OCR
            yield Rejection(f"{raw.locator}#{frag}", reason, "page without a text layer", self.source_id)
        dataset = str(self.options.get("dataset") or path.parent.name)
        for seg in doc.segments:
            locator = f"{raw.locator}#{seg.fragment}"
            meta = {
                **self._dataset_meta(dataset),
                "file": raw.locator,
                "format": doc.format,
                "licence_class": self.licence,
                **self._terms_meta(),
                **seg.metadata,
            }
            if doc.encoding:
                meta["encoding"] = doc.encoding
            yield Record(
                doc_key=f"{self.source_id}:{raw.locator}#{segment_key(seg.fragment)}",
                locator=locator,
                text=seg.text,
                source_id=self.source_id,
                container=f"{self.source_id}:{raw.locator}",
                title=seg.title or doc.title or path.stem,
                lang=detect_lang(seg.text),
                licence_id=self.licence,
                metadata=meta,
                version_metadata=self._terms_meta(),
            )
