"""`curate pii scan`: is any personal value left anywhere outside the raw-text vault?

The scan learns the personal values of the catalogue from the vault itself: it decrypts every
sealed raw text, title and metadata (the key is required), runs the detector on them, and adds
the source name lists (``pii_source_names``). It then searches every surface that can leave the
catalogue for those values:

* every text column of every catalogue table except the vault and the name lists (records with all their string
  columns and metadata, the ledger, quarantine, runs, sources, exports, annotation tables ...);
* every file under the catalogue's working folder (stage snapshots, results, logs, copies of the catalogue such
  as the portal's snapshots and a killed portal's half-made ``.tmp`` copy, opened read-only and searched table by
  table; a write-ahead log without its database cannot be searched and makes the scan fail), the folders of
  recorded exports (data files JSONL/Parquet, card, manifest, NOTICE, blocked.csv), the Label
  Studio task files written for a manual import (``annotation_task_files``), and any extra path
  given; JSON ``\\uXXXX`` escapes are decoded first, nested Parquet columns read as JSON and binary ones as UTF-8;
* the tasks held by the Label Studio projects the bridge pushed to (``annotation_projects``), read
  back through the API when a client is given, listed as not checked otherwise;

and runs the detector on the text, title and metadata strings of the versions that passed the PII
stage and of every version that never went through it (``pii_state`` NULL: a version withdrawn or made a
duplicate before the stage ran keeps its raw text in the clear); the values found in the latter are searched
everywhere too. Findings name the surface, where, the entity type and a keyed digest, never the value.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curate.pii.keys import PiiKey
from curate.pii.propagate import MIN_CHARS, PROPAGATED_TYPES

#: entity types whose values are searched verbatim (addresses too: a surviving address is a leak)
SEARCHED_TYPES = PROPAGATED_TYPES | {"TW_ADDRESS"}
#: tables never scanned: they hold ciphertext only
SEALED_TABLES = ("raw_vault", "pii_source_names")
#: file suffixes read as text; Parquet is read column by column; anything else is read as UTF-8 if it decodes
_PARQUET = (".parquet",)
_DUCKDB = (".duckdb",)  # a copy of the catalogue (the portal's snapshots): opened read-only, every table searched
#: what a DuckDB database file holds at bytes 8-11, whatever its name (a portal killed while copying leaves
#: ``snapshot-N.tmp``, a whole catalogue copy)
_DUCKDB_MAGIC = b"DUCK"
_MAX_FILE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Finding:
    """One surviving value: where, what kind, and a keyed digest of it (never the value)."""

    surface: str  # table / file / detector
    where: str  # table.column + row key, or a path
    entity_type: str
    digest: str

    def as_dict(self) -> dict:
        return {"surface": self.surface, "where": self.where, "entity_type": self.entity_type, "digest": self.digest}


@dataclass
class ScanReport:
    values: int = 0
    strings: int = 0
    files: int = 0
    tasks: int = 0  # Label Studio tasks read from the server
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)  # recorded surfaces that could not be read
    #: files that could not be searched, with why: a catalogue write-ahead log without its database (a copy
    #: interrupted by a kill, which may hold text from before the PII stage), a file that is not UTF-8 text or not
    #: a regular file, one that cannot be read; a scan that meets one is not clean
    leftovers: list[str] = field(default_factory=list)
    #: ``{source: [keyed digest]}``: names the PII stage held back as common in their source (``pii_names_held``),
    #: not searched (a string in one record in two hundred of a source is in its exports by design)
    held: dict[str, list[str]] = field(default_factory=dict)
    #: vault rows sealed under this key that do not decrypt (altered), named as `curate audit verify` names them
    vault_problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.findings and not self.leftovers and not self.vault_problems

    def as_dict(self) -> dict:
        return {
            "known_values": self.values,
            "strings_scanned": self.strings,
            "files_scanned": self.files,
            "labelstudio_tasks_scanned": self.tasks,
            "unchecked": self.unchecked,
            "leftovers": self.leftovers,
            "held_names": self.held,
            "vault_problems": self.vault_problems,
            "findings": [f.as_dict() for f in self.findings],
        }


def held_names(con) -> dict[str, list[str]]:
    """``{source: [keyed digest]}`` of the names the newest PII run that logged a ``pii_names_held`` event for a
    source held back from its source-wide scrub (:func:`curate.pii.source_names.common_names`)."""
    rows = con.execute("""
        SELECT src, json_extract_string(d, '$.names[*].digest') FROM (
            SELECT json_extract_string(detail, '$.source_id') AS src, arg_max(CAST(detail AS VARCHAR), seq) AS d
            FROM provenance_events WHERE action = 'pii_names_held' GROUP BY 1)
        ORDER BY 1""").fetchall()
    return {src: sorted(digests) for src, digests in rows if digests}


def known_values(con, key: PiiKey, detector, problems: list[str] | None = None) -> dict[str, str]:
    """``{value: entity_type}`` of the personal values sealed in the vault and the source name lists; a vault row
    that does not decrypt is named in ``problems`` (:func:`curate.pii.vault.sealed_texts`)."""
    from curate.pii.fields import CREDIT_KEPT, is_credit_path
    from curate.pii.source_names import source_names
    from curate.pii.text import halfwidth
    from curate.pii.vault import sealed_texts

    texts: list[str] = []
    credits: list[str] = []  # licences' credits: the names in them are kept (curate.pii.fields.CREDIT_PATH)
    for rid, raw in sealed_texts(con, key, problems):
        if rid.endswith("#metadata"):
            for path, v in _leaves(_json(raw), "metadata"):
                (credits if is_credit_path(path) else texts).append(v)
        else:
            texts.append(raw)
    values: dict[str, str] = {}
    for text, spans in zip(texts, detector.analyze_many(texts), strict=True):
        _learn(values, halfwidth(text), spans)
    for text, spans in zip(credits, detector.analyze_many(credits), strict=True):
        _learn(values, halfwidth(text), [s for s in spans if s.entity_type not in CREDIT_KEPT])
    for (source_id,) in con.execute("SELECT DISTINCT source_id FROM pii_source_names").fetchall():
        for name in source_names(con, key, source_id):
            if len(name) >= MIN_CHARS:
                values.setdefault(name, "PERSON")
    return values


def _learn(values: dict[str, str], text: str, spans) -> None:
    """Add the searchable values of ``spans`` found in ``text`` (already half-width) to ``values``."""
    for s in spans:
        v = text[s.start : s.end].strip()
        if s.entity_type in SEARCHED_TYPES and len(v) >= MIN_CHARS:
            values.setdefault(v, s.entity_type)


#: the versions the detector reads: those that passed the PII stage and are active, and those that never went
#: through it (their raw text, title and metadata are in the clear, whatever their status)
_DETECTED = """SELECT record_id, text, title, CAST(metadata AS VARCHAR), pii_state IS NULL FROM records
               WHERE (pii_state IN ('clean', 'scrubbed') AND status = 'active') OR pii_state IS NULL
               ORDER BY record_id"""


def _detect(rows, detector, key: PiiKey) -> tuple[list[Finding], dict[str, str]]:
    """Findings of the detector on the fields of ``rows`` (:data:`_DETECTED`), and ``{value: entity_type}`` of the
    searchable values found in versions that never passed the PII stage. Read :data:`SCAN_CHUNK` versions at a
    time (memory bounded by a chunk, not the catalogue); a string read several times in a chunk is analysed once."""
    findings: list[Finding] = []
    values: dict[str, str] = {}
    while chunk := rows.fetchmany(SCAN_CHUNK):
        _detect_chunk(chunk, detector, key, findings, values)
    return findings, values


#: versions read and analysed at a time by :func:`_detect` (their texts are held in memory together)
SCAN_CHUNK = 2_000


def _detect_chunk(chunk, detector, key: PiiKey, findings: list, values: dict) -> None:
    from curate.pii.fields import (
        CREDIT_KEPT,
        is_credit_path,
        labelled_text,
        leaf_labels,
        load_metadata,
        string_leaves,
        unlabelled,
    )
    from curate.pii.text import halfwidth

    fields_of = []
    for rid, text, title, meta, unpassed in chunk:
        extra = load_metadata(meta)
        fields = {"text": text or "", "title": title or "", **dict(string_leaves(extra, keys=True))}
        labels = leaf_labels(extra)  # a metadata value is read after its key, as the PII stage reads it
        fields_of.append((rid, unpassed, [(n, labels.get(n), v) for n, v in fields.items()]))
    distinct = list(dict.fromkeys(labelled_text(label, v) for _, _, fs in fields_of for _, label, v in fs))
    found = dict(zip(distinct, detector.analyze_many(distinct), strict=True))
    for rid, unpassed, fields in fields_of:
        for name, label, value in fields:
            spans = unlabelled(label, found[labelled_text(label, value)])
            if is_credit_path(name):  # an author's or licensor's name in a licence's credit, kept by the PII stage
                spans = [s for s in spans if s.entity_type not in CREDIT_KEPT]
            # the field, not its path: a metadata path is made of keys, and a key can be the value found
            findings.extend(
                Finding(
                    "detector",
                    f"records.{_field(name)} {rid}",
                    s.entity_type,
                    key.digest(s.entity_type, value[s.start : s.end]),
                )
                for s in spans
            )
            if unpassed:
                _learn(values, halfwidth(value), spans)


def _json(raw: str):
    try:
        return json.loads(raw)
    except (TypeError, json.JSONDecodeError):
        return raw


def _leaves(value, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{path}[{i}]")


class _Matcher:
    """Known values searched as the detector reads text (:func:`compact_view`): a value the vault holds spaced
    (受處分人：石　家銘, hygiene keeps a tab or U+3000 between CJK characters since review 11) is found where a text
    spells it 石家銘, and the reverse; a finding names the digest of the value as known."""

    def __init__(self, values: dict[str, str], key: PiiKey) -> None:
        from curate.pii.text import compact_view, halfwidth

        self.key, self._hw, self._compact = key, halfwidth, compact_view
        self.values: dict[str, tuple[str, str]] = {}
        for v, etype in values.items():
            self.values.setdefault(compact_view(v)[0], (etype, v))
        alts = sorted(self.values, key=len, reverse=True)
        self.regex = re.compile("|".join(re.escape(a) for a in alts)) if alts else None

    def find(self, text: str) -> Iterator[tuple[str, str]]:
        if self.regex is None or not text:
            return
        for m in self.regex.finditer(self._compact(self._hw(text))[0]):
            etype, value = self.values[m.group(0)]
            yield etype, self.key.digest(etype, value)


def _table_strings(con, prefix: str = "") -> Iterator[tuple[str, str, str]]:
    """``(table, where, string)`` for every text/JSON value of every scanned table (``where`` after ``prefix``)."""
    cols = con.execute("""
        SELECT table_name, column_name FROM information_schema.columns
        WHERE table_schema = 'main' AND (data_type LIKE 'VARCHAR%' OR data_type = 'JSON')
        ORDER BY table_name, ordinal_position""").fetchall()
    by_table: dict[str, list[str]] = {}
    for t, c in cols:
        if t not in SEALED_TABLES and not t.startswith("_"):
            by_table.setdefault(t, []).append(c)
    for table, columns in by_table.items():
        sel = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in columns)
        for i, row in enumerate(con.execute(f'SELECT {sel} FROM "{table}"').fetchall()):
            for c, v in zip(columns, row, strict=True):
                if v:
                    yield table, f"{prefix}{table}.{c} row {i}", v


_JSON_ESCAPE = re.compile(r"(?:\\u[0-9a-fA-F]{4})+")


def _unescape_json(text: str) -> str:
    """``text`` with its JSON ``\\uXXXX`` escapes decoded (a value written with ``ensure_ascii`` is found too)."""
    if "\\u" not in text:
        return text

    def _one(m: re.Match) -> str:
        try:
            return json.loads(f'"{m.group(0)}"')
        except json.JSONDecodeError:
            return m.group(0)

    return _JSON_ESCAPE.sub(_one, text)


def _is_duckdb(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(12)[8:] == _DUCKDB_MAGIC
    except OSError:
        return False


def _file_strings(
    paths: Iterable[Path],
    *,
    skip: Iterable[Path] = (),
    leftovers: list[str] | None = None,
) -> Iterator[tuple[str, str, str]]:
    """``(path, where, string)`` pieces of every file under ``paths`` but ``skip``. A DuckDB database is searched
    table by table whatever its name (``.duckdb``, a killed copy's ``.tmp``), with its write-ahead log beside it.
    A file that cannot be searched is named in ``leftovers`` with why, so the scan is not clean (review 7: most were
    skipped without a word): a ``.wal`` without its database, a DuckDB or Parquet file that cannot be opened, a
    file that is not UTF-8 text (compressed, an archive, Big5, UTF-16), a line of text over 256 MiB, a FIFO or
    other file that is not a regular one, a file that cannot be read."""
    leftovers = leftovers if leftovers is not None else []
    seen: set[Path] = {Path(p).resolve() for p in skip}
    for root in paths:
        for p in _files_under(Path(root), leftovers):
            rp = p.resolve()
            if rp in seen:
                continue
            seen.add(rp)
            try:
                yield from _one_file(p, leftovers)
            except (OSError, UnicodeDecodeError, _NotSearched) as exc:
                leftovers.append(f"file {p}: not checked, {_why(exc)}")


class _NotSearched(Exception):
    """A file the scan cannot search (its message says why)."""


def _why(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text (compressed, an archive, binary, or another encoding such as Big5 or UTF-16)"
    if isinstance(exc, OSError):
        return f"it cannot be read ({exc.strerror or type(exc).__name__})"
    return str(exc)


def _files_under(root: Path, leftovers: list[str]) -> Iterator[Path]:
    """``root`` itself unless it is a folder, else every entry under it that is not a folder, through the symbolic
    links to folders too (review 7: a ``latest -> export-2026-12`` link was skipped), each folder once (a link to
    an ancestor is not walked again). A link that points nowhere holds nothing and is left out; a folder that
    cannot be listed is named in ``leftovers``."""
    if not root.is_dir():
        if root.exists():
            yield root
        return
    walked: set[str] = set()

    def unlisted(exc: OSError) -> None:
        leftovers.append(f"file {exc.filename}: not checked, {_why(exc)}")

    for folder, dirs, files in os.walk(root, onerror=unlisted, followlinks=True):
        real = os.path.realpath(folder)
        if real in walked:
            dirs.clear()
            continue
        walked.add(real)
        dirs.sort()
        for name in sorted(files):
            if (p := Path(folder, name)).exists():
                yield p


def _one_file(p: Path, leftovers: list[str]) -> Iterator[tuple[str, str, str]]:
    if not p.is_file():
        raise _NotSearched("not a regular file (a FIFO, a socket or a device)")
    if p.suffix == ".wal":  # replayed when its database is opened (read-only, in memory)
        if not Path(str(p)[: -len(".wal")]).exists():
            leftovers.append(
                f"file {p}: a catalogue's write-ahead log without its database (a copy interrupted by a "
                "kill), not checked: it may hold text from before the PII stage; delete it (`curate serve` "
                "deletes a killed portal's leftovers when it starts)"
            )
        return
    if p.suffix in _DUCKDB or _is_duckdb(p):  # read table by table, whatever its size
        yield from _duckdb_strings(p)
    elif p.suffix in _PARQUET:
        yield from _parquet_strings(p, leftovers)
    elif p.stat().st_size > _MAX_FILE_BYTES:
        yield from _text_pieces(p)
    else:
        yield str(p), str(p), _unescape_json(p.read_bytes().decode("utf-8"))


def _text_pieces(path: Path) -> Iterator[tuple[str, str, str]]:
    """A text file over :data:`_MAX_FILE_BYTES` in pieces of whole lines of about that size (a value never spans
    a line of JSONL); a line longer than that is :class:`_NotSearched`."""
    with path.open("rb") as fh:
        while True:
            piece, size, line = [], 0, b""
            while size < _MAX_FILE_BYTES and len(line := fh.readline(_MAX_FILE_BYTES + 1)) <= _MAX_FILE_BYTES:
                if not line:
                    break
                piece.append(line)
                size += len(line)
            if piece:
                yield str(path), str(path), _unescape_json(b"".join(piece).decode("utf-8"))
            if len(line) > _MAX_FILE_BYTES:
                raise _NotSearched(
                    f"a line longer than {_MAX_FILE_BYTES >> 20} MiB (the lines before it were searched)"
                )
            if not line:
                return


def _duckdb_strings(path: Path) -> Iterator[tuple[str, str, str]]:
    """The strings of every table of a DuckDB file (a copy of the catalogue), as for the catalogue itself; one
    that cannot be opened is :class:`_NotSearched`."""
    import duckdb

    from provenance import db
    from provenance.errors import WorkbenchError

    try:
        con = db.connect_readonly(path, catalogue=False)
    except (WorkbenchError, duckdb.Error) as exc:
        raise _NotSearched(f"a DuckDB file that could not be opened ({str(exc)[:200]})") from None
    try:
        for _, where, text in _table_strings(con, prefix=f"{path}: "):
            yield str(path), where, text
    finally:
        con.close()


def _parquet_strings(path: Path, leftovers: list[str]) -> Iterator[tuple[str, str, str]]:
    """The strings of a Parquet file, read a row group at a time (memory bounded by one, whatever the file's size);
    a file that cannot be read as Parquet is :class:`_NotSearched`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
        for i in range(pf.num_row_groups):
            yield from _table_values(path, pf.read_row_group(i), leftovers)
    except pa.ArrowException as exc:
        raise _NotSearched(f"not a readable Parquet file ({str(exc)[:200]})") from None


def _table_values(path: Path, table, leftovers: list[str]) -> Iterator[tuple[str, str, str]]:
    """The strings of every column that may hold text: every type but numbers, booleans, dates and times (review 7:
    ``string_view``, ``binary`` and dictionaries of bytes were skipped without a word). Bytes are read as UTF-8 (an
    undecodable byte replaced), nested values as JSON; a column whose values cannot be read is named in
    ``leftovers``."""
    import pyarrow as pa

    for name in table.column_names:
        col = table.column(name)
        if _textless(col.type):
            continue
        try:
            values = col.to_pylist()
        except pa.ArrowException as exc:
            leftovers.append(f"file {path}: column {name} ({col.type}) not checked, it cannot be read ({exc})"[:400])
            continue
        for v in values:
            if text := _as_text(v):
                yield str(path), f"{path}:{name}", text


def _textless(arrow_type) -> bool:
    """Whether a column of ``arrow_type`` cannot hold text (numbers, booleans, dates, times, nulls)."""
    import pyarrow as pa

    t = arrow_type.storage_type if isinstance(arrow_type, pa.ExtensionType) else arrow_type
    return (
        any(
            check(t) for check in (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean, pa.types.is_temporal)
        )
        or pa.types.is_decimal(t)
        or pa.types.is_null(t)
    )


def _as_text(value) -> str:
    """``value`` of a Parquet cell as text: a string as it is, bytes as UTF-8, a nested value as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(_decoded(value), ensure_ascii=False, default=str)
    return ""


def _decoded(value):
    """``value`` with the bytes nested in it read as UTF-8 (``json.dumps`` would write ``b'\\xe6...'``)."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {k: _decoded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_decoded(v) for v in value]
    return value


def _label_studio_strings(
    projects: list[tuple[str, str, str, int]], client_for: Callable[[str], object], report: ScanReport
) -> Iterator[tuple[str, str, str]]:
    """``(surface, where, string)`` of the tasks held by the Label Studio projects the bridge pushed to."""
    for instance, bank, project, pid in projects:
        what = f"Label Studio {instance} project {pid} ({bank}/{project})"
        try:
            client = client_for(bank)
            if client.config.instance != instance:
                report.unchecked.append(f"{what}: not checked, {bank} is now configured for {client.config.instance}")
                continue
            tasks = client.export(pid, all_tasks=True)
        except Exception as exc:  # noqa: BLE001 (any failure to reach it: say so, scan the rest)
            report.unchecked.append(f"{what}: not checked ({type(exc).__name__}: {str(exc)[:200]})")
            continue
        for task in tasks:
            yield "labelstudio", f"{what} task {task.get('id')}", json.dumps(task, ensure_ascii=False, default=str)


def scan(
    db_path: str | Path,
    key: PiiKey,
    *,
    paths: Iterable[Path] = (),
    detector=None,
    label_studio: Callable[[str], object] | None = None,
) -> ScanReport:
    """Search the catalogue and everything it wrote for surviving personal values.

    Besides the catalogue's tables: the stage working files (the run folders beside the catalogue),
    the folders of recorded exports (data files, card, manifest, NOTICE, blocked.csv), the Label
    Studio task files written for a manual import (``annotation_task_files``), the tasks held by
    the Label Studio projects pushed to (``label_studio`` gives a client for a bank; without it they
    are listed as not checked), and ``paths``. A recorded file or folder that no longer exists is
    listed in ``unchecked``.
    """
    from curate.pii.engine import PiiDetector
    from curate.pii.keyed_ids import refuse_key_file_read_before
    from curate.workfiles import leftover_notes, work_root
    from provenance import db

    detector = detector or PiiDetector()
    report = ScanReport()
    con = db.connect_readonly(db_path)
    try:
        refuse_key_file_read_before(con, key, "`curate pii scan`")  # not "the vault row was altered"
        # the detector on what passed the PII stage and on what never went through it; the values found in the
        # latter are raw personal data in the clear, searched everywhere like the vault's
        detected, unpassed = _detect(con.execute(_DETECTED), detector, key)
        values = {**unpassed, **known_values(con, key, detector, report.vault_problems)}
        report.held = held_names(con)
        held = {d for ds in report.held.values() for d in ds}
        values = {v: t for v, t in values.items() if t != "PERSON" or key.digest("PERSON", v) not in held}
        report.values = len(values)
        match = _Matcher(values, key)
        for table, where, text in _table_strings(con):
            report.strings += 1
            report.findings.extend(Finding(table, where, t, d) for t, d in match.find(text))
        report.findings.extend(detected)
        export_dirs = [
            Path(r[0]) for r in con.execute("SELECT DISTINCT out_dir FROM exports WHERE out_dir IS NOT NULL").fetchall()
        ]
        task_files = [Path(r[0]) for r in con.execute("SELECT DISTINCT path FROM annotation_task_files").fetchall()]
        projects = con.execute(
            "SELECT instance, bank, project, ls_project_id FROM annotation_projects ORDER BY bank, project"
        ).fetchall()
        work_notes = leftover_notes(con, db_path)
    finally:
        con.close()
    surfaces = [
        ("workfile", [work_root(db_path)]),
        ("export", export_dirs),
        ("labelstudio-file", task_files),
        ("file", list(paths)),
    ]
    # a run killed before its load leaves its input snapshot (the text before the stage: raw for a PII run, whose
    # values are not known yet), one killed after its last commit its files too: a clean result does not clear them
    report.unchecked.extend(work_notes)
    files = set()
    for surface, roots in surfaces:
        if surface in ("export", "labelstudio-file"):
            report.unchecked.extend(f"{surface} {p}: not checked, it no longer exists" for p in roots if not p.exists())
        live = (Path(db_path), Path(f"{db_path}.wal"))  # the catalogue itself was searched above
        for path, where, text in _file_strings(roots, skip=live, leftovers=report.leftovers):
            files.add(path)
            report.strings += 1
            report.findings.extend(Finding(surface, where, t, d) for t, d in match.find(text))
    report.files = len(files)
    if projects and label_studio is None:
        report.unchecked.extend(
            f"Label Studio {i} project {pid} ({b}/{p}): not checked (no Label Studio client)"
            for i, b, p, pid in projects
        )
    elif projects:
        for surface, where, text in _label_studio_strings(projects, label_studio, report):
            report.strings += 1
            report.tasks += 1
            report.findings.extend(Finding(surface, where, t, d) for t, d in match.find(text))
    return report


def _field(path: str) -> str:
    """``text``, ``title``, ``metadata`` or ``metadata key`` for a field path of :func:`string_leaves`."""
    from curate.pii.fields import KEY_PATH

    if path.startswith(KEY_PATH):
        return "metadata key"
    return "metadata" if path.startswith("metadata") else path
