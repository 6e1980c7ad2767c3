"""One reader and one quarantine for the standalone JSONL tools.

Used by ``curate zh convert``, ``curate pii detect|scrub`` and ``curate dedup``, which read a
user's own file of ``{"id", "text"}`` lines (no catalogue involved).

The contract
------------
**Input.** Lines are separated by ``\\n``; a trailing ``\\r`` is dropped. Bytes must be UTF-8; a
UTF-8 byte-order mark at the start of the file is skipped. Line numbers count every physical
line from 1, blank ones included, so they match an editor's.

**Blank lines** (empty or whitespace only) are not records: they are skipped, not counted and
never quarantined.

**A valid line** is one JSON object with

* ``id``: a non-empty string or an integer (not a boolean). It is read as a string, so ``7``
  and ``"7"`` are the same id and the output says ``"7"``;
* ``text``: a string (it may be empty);
* any other fields, kept in :attr:`JsonlLine.fields` for the tools that use them (dedup reads
  ``source_kind``, ``licence_id`` and ``version``).

The object may not give a key twice (``{"id": 1, "text": "a", "text": "b"}``: readers differ on which value
counts). Neither ``id`` nor ``text`` may hold a lone surrogate (``"\\ud800"``): it cannot be written as
UTF-8. A line longer than ``max_line_bytes`` is never read into memory: it is drained in bounded
pieces and quarantined. With ``unique_ids=True`` (dedup, which keys its output by id) a repeated
id (``1`` after ``"1"`` too) is quarantined and its first occurrence kept.

**Quarantine.** Every other line is skipped, counted, and reported as a :class:`QuarantinedLine`:
line number, reason code (one of :data:`REASONS`), a message that says what is wrong and where
(column, byte offset), and the id when it could be read. The message never quotes the line's
text, which may hold personal data. :class:`QuarantineFile` writes these as JSON lines
``{"line", "id", "reason", "message"}`` to the tool's quarantine file (``zh convert --quarantine``,
``pii --errors``); the file is rewritten, whole, by every run that finishes (empty when nothing was
quarantined), and left as it was with the output by one that fails, so a stale file never misleads. ``curate dedup`` lists them on stderr instead. A command that
quarantined any line processes all good lines and exits with 3.

**Output.** :func:`atomic_output` writes one JSON object per good line, in input order, as UTF-8
without ASCII escapes, each ending in ``\\n``; the file appears only once complete.
"""

from __future__ import annotations

import glob
import json
import os
import re
import secrets
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from provenance.errors import OutputError, UsageError, WorkbenchError
from provenance.export_out import file_target

__all__ = [
    "DEFAULT_MAX_LINE_BYTES",
    "REASONS",
    "InputChangedError",
    "InvalidLine",
    "JsonlLine",
    "QuarantineFile",
    "QuarantinedLine",
    "ReadStats",
    "atomic_output",
    "check_paths",
    "check_unchanged",
    "file_identity",
    "parse_line",
    "read_jsonl",
    "shown",
    "write_line",
]

#: lines longer than this (bytes) are quarantined without being read into memory
DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024
_DRAIN = 1 << 20
_BOM = b"\xef\xbb\xbf"

#: reason code -> what it means
REASONS = {
    "not_utf8": "the line is not valid UTF-8",
    "bad_json": "the line is not JSON",
    "not_object": "the JSON value is not an object",
    "missing_id": "no `id` field",
    "bad_id": "`id` is not a non-empty string or an integer",
    "missing_text": "no `text` field",
    "text_not_string": "`text` is not a string",
    "invalid_surrogate": "`id` or `text` holds a lone surrogate (not encodable as UTF-8)",
    "line_too_long": "the line is longer than the limit",
    "duplicate_id": "the id was seen on an earlier line",
    "duplicate_key": "the line's object gives a key more than once (readers differ on which value counts)",
    "unknown_licence": "`licence_id` is not in the licence catalogue (curate dedup, which ranks copies by licence)",
    "unknown_source_kind": "`source_kind` misspells a source kind (`law-moj`, `LAW_MOJ`; curate dedup, whose policies read it)",
}


class InvalidLine(ValueError):
    """A line that breaks the contract; ``reason`` is a code of :data:`REASONS`."""

    def __init__(self, reason: str, message: str, record_id: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.record_id = record_id


@dataclass(frozen=True, slots=True)
class JsonlLine:
    """One valid input line."""

    lineno: int
    id: str
    text: str
    #: the whole JSON object, ``id`` and ``text`` included
    fields: dict[str, Any]
    #: byte offset in the file where the line's JSON starts (after a BOM)
    offset: int = 0


@dataclass(frozen=True, slots=True)
class QuarantinedLine:
    """One line left out, and why (never its text)."""

    lineno: int
    reason: str
    message: str
    id: str | None = None

    def as_row(self) -> dict[str, Any]:
        """The quarantine file row ``{"line", "id", "reason", "message"}``."""
        return {"line": self.lineno, "id": self.id, "reason": self.reason, "message": self.message}


@dataclass(slots=True)
class ReadStats:
    """Counts of one read: ``lines`` non-blank lines, of which ``quarantined`` were left out."""

    lines: int = 0
    quarantined: int = 0
    reasons: Counter = field(default_factory=Counter)


def shown(value: str, limit: int = 80) -> str:
    r"""``value`` as a message may quote it: characters that are not printable (a newline, a terminal's escape
    sequence, a right-to-left override, a lone surrogate) as ``\uXXXX``, and cut after ``limit`` characters. An
    id is quoted on stderr (``curate dedup``): a newline split the one-line message, an escape coloured the terminal.

    >>> print(shown("a\x1b[31m\nb"))
    a\u001b[31m\u000ab
    >>> shown("x" * 100, limit=5)
    'xxxxx… (100 characters)'
    """
    out = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in value[:limit])
    return out if len(value) <= limit else f"{out}… ({len(value)} characters)"


def _no_surrogate(value: str, name: str, record_id: str | None) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidLine(
            "invalid_surrogate",
            f"`{name}` holds a lone surrogate U+{ord(value[exc.start]):04X} at offset {exc.start}",
            record_id,
        ) from None


class _Repeated(dict):
    """A JSON object in which a key was given more than once (json keeps the last value, other readers the first)."""

    __slots__ = ("repeated",)


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    out = _Repeated(obj)
    seen: set[str] = set()
    out.repeated = sorted({k for k, _ in pairs if k in seen or seen.add(k)})
    return out


_DECODER = json.JSONDecoder(object_pairs_hook=_object)
#: keys a repeated-key message names (any other key may be a value, and is not quoted)
_NAMED_KEYS = ("id", "text", "source_kind", "licence_id", "version", "document")


def _repeated(obj: _Repeated) -> InvalidLine:
    """The line's object gives a key twice (``{"id": 1, "text": "a", "text": "b"}``): which value is the record's
    depends on the reader (this one took the last; another, joining the output back by id, may take the first)."""
    named = [f"`{k}`" for k in obj.repeated if k in _NAMED_KEYS]
    rid = obj.get("id") if "id" not in obj.repeated else None
    rid = str(rid) if isinstance(rid, (str, int)) and not isinstance(rid, bool) and rid != "" else None
    try:
        _no_surrogate(rid or "", "id", None)
    except InvalidLine:  # a lone surrogate cannot be written to the quarantine file (UTF-8): a traceback, no output
        rid = None
    return InvalidLine(
        "duplicate_key",
        f"{', '.join(named) or 'a key'} given more than once in the object: JSON readers differ on which value counts;"
        " keep one",
        rid,
    )


def parse_line(raw: bytes, lineno: int = 1, offset: int = 0) -> JsonlLine:
    """Parse one line (without its newline) or raise :class:`InvalidLine`.

    >>> parse_line(b'{"id": 7, "text": "abc", "version": "2"}').id
    '7'
    >>> parse_line(b'{"text": "abc"}')
    Traceback (most recent call last):
    ...
    curate.jsonl_io.InvalidLine: no `id` field
    >>> parse_line(b'{"id": 1, "text": "abc')
    Traceback (most recent call last):
    ...
    curate.jsonl_io.InvalidLine: not JSON: Unterminated string starting at column 19
    """
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidLine("not_utf8", f"not UTF-8 at byte {exc.start}") from None
    try:
        obj = _DECODER.decode(line)
    except json.JSONDecodeError as exc:
        raise InvalidLine(
            "bad_json", f"not JSON: {exc.msg}{'' if exc.msg.endswith(' at') else ' at'} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InvalidLine("bad_json", "not JSON: nested too deeply") from None
    except ValueError:  # an integer of more digits than Python converts (sys.get_int_max_str_digits)
        raise InvalidLine("bad_json", "not JSON this tool reads: a number with too many digits") from None
    if not isinstance(obj, dict):
        raise InvalidLine("not_object", f"expected a JSON object, got {type(obj).__name__}")
    if isinstance(obj, _Repeated):
        raise _repeated(obj)
    if "id" not in obj or obj["id"] is None:
        raise InvalidLine("missing_id", "no `id` field")
    rid = obj["id"]
    if isinstance(rid, bool) or not isinstance(rid, (str, int)) or rid == "":
        raise InvalidLine("bad_id", f"`id` is {type(rid).__name__}, expected a non-empty string or an integer")
    rid = str(rid)
    _no_surrogate(rid, "id", None)
    if "text" not in obj:
        raise InvalidLine("missing_text", "no `text` field", rid)
    text = obj["text"]
    if not isinstance(text, str):
        raise InvalidLine("text_not_string", f"`text` is {type(text).__name__}, not a string", rid)
    _no_surrogate(text, "text", rid)
    return JsonlLine(lineno, rid, text, obj, offset)


def _physical_lines(fh: BinaryIO, max_bytes: int) -> Iterator[tuple[bytes | None, int]]:
    """(line without its newline, size in bytes); ``None`` for a line over ``max_bytes`` (drained)."""
    while True:
        line = fh.readline(max_bytes + 1)
        if not line:
            return
        if len(line) > max_bytes and not line.endswith(b"\n"):
            size = len(line)
            while True:
                more = fh.readline(_DRAIN)
                size += len(more)
                if not more or more.endswith(b"\n"):
                    break
            yield None, size
            continue
        yield line.rstrip(b"\r\n"), len(line)


def too_long_hint(command: str, option: str | None = None) -> str:
    """What a user of ``command`` (`curate dedup`) can do about a line over the limit besides splitting the record:
    raise it with ``option``, or, where the command has none, know the limit is fixed. Every tool said "`curate pii`
    takes --max-line-bytes", which `curate dedup` and `curate zh convert` do not (review 13).

    >>> too_long_hint("curate pii", "--max-line-bytes")
    'or raise the limit with --max-line-bytes'
    >>> too_long_hint("curate dedup")
    '`curate dedup` takes no longer line: its limit is fixed'
    """
    if option:
        return f"or raise the limit with {option}"
    return f"`{command}` takes no longer line: its limit is fixed"


def read_jsonl(
    path: Path,
    *,
    on_bad: Callable[[QuarantinedLine], None],
    stats: ReadStats | None = None,
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
    unique_ids: bool = False,
    on_progress: Callable[[int], None] | None = None,
    too_long: str = "",
) -> Iterator[JsonlLine]:
    """Yield the valid lines of ``path`` in order; pass each bad one to ``on_bad`` (see the module contract).

    ``stats`` (optional) is updated as lines are read; ``on_progress`` gets the bytes consumed per line. ``too_long``:
    what the command's user can do about a line over the limit besides splitting it (:func:`too_long_hint`).
    """
    stats = stats if stats is not None else ReadStats()
    seen: dict[str, bool] = {}  # id -> whether its first occurrence was a JSON integer
    pos = 0
    with open(path, "rb") as fh:
        for lineno, (raw, size) in enumerate(_physical_lines(fh, max_line_bytes), start=1):
            start, pos = pos, pos + size
            if on_progress is not None:
                on_progress(size)
            if raw is not None and lineno == 1 and raw.startswith(_BOM):
                raw, start = raw[len(_BOM) :], start + len(_BOM)
            if raw is not None and not raw.strip():
                continue
            stats.lines += 1
            try:
                if raw is None:
                    raise InvalidLine(
                        "line_too_long",
                        f"line too long ({size} bytes > limit {max_line_bytes}); split the record into smaller ones"
                        + (f" ({too_long})" if too_long else ""),
                    )
                line = parse_line(raw, lineno, start)
                if unique_ids:
                    is_int = type(line.fields["id"]) is int
                    if line.id in seen:
                        # 1 and "1": one id, since the output writes ids as strings (a join back by id could not
                        # tell two rows "1" apart); say so, or the user sees two different ids called the same. Only
                        # then: "1" twice (numeric ids as strings, as most exports write them) is a plain repeat
                        same = (
                            " (an integer id and the string of its digits are one id)"
                            if seen[line.id] != is_int
                            else ""
                        )
                        raise InvalidLine(
                            "duplicate_id", f"duplicate id `{shown(line.id)}`{same} (first occurrence kept)", line.id
                        )
                    seen[line.id] = is_int
            except InvalidLine as exc:
                stats.quarantined += 1
                stats.reasons[exc.reason] += 1
                on_bad(QuarantinedLine(lineno, exc.reason, str(exc), exc.record_id))
                continue
            yield line


class QuarantineFile:
    """Writes :class:`QuarantinedLine` rows to a JSONL file; use as a context manager and as ``on_bad``.

    The file is written whole and renamed into place (:func:`atomic_output`) when the block ends without error, so
    it always describes the latest finished run: a run that fails or is killed leaves it as it was, beside the output
    it did not replace (it was emptied when a run began, review 10). A path that is not a regular file (a FIFO, a device) or
    a link to nothing is refused (:func:`provenance.export_out.file_target`); a write that fails is an
    :class:`OutputError` naming the file. Enter it inside :func:`atomic_output`, so that a failure here leaves the
    output unreplaced, and flush the output before the block ends: its last buffered bytes are otherwise written
    (and fail, on a full disk) only after this file was renamed.
    """

    def __init__(self, path: Path, *, keep: Sequence[Path] = ()) -> None:
        self.path, self.keep = path, keep
        self._fh: IO[str] | None = None
        self._stack = ExitStack()

    def __enter__(self) -> QuarantineFile:
        self._fh = self._stack.enter_context(atomic_output(self.path, option="the quarantine file", keep=self.keep))
        return self

    def __exit__(self, *exc: Any) -> None:
        self._fh = None
        try:
            self._stack.__exit__(*exc)  # replaces the file only when the block ended without error
        except OSError as err:
            raise self._failed(err) from None

    def __call__(self, bad: QuarantinedLine) -> None:
        assert self._fh is not None, "QuarantineFile used outside its `with` block"
        try:
            write_line(self._fh, bad.as_row())
        except OSError as err:
            raise self._failed(err) from None

    def _failed(self, err: OSError) -> OutputError:
        return OutputError(
            f"the quarantine file `{self.path}` could not be written ({err.strerror or type(err).__name__}); the"
            " output was not replaced: free space there or give another path"
        )


def write_line(fh: IO[str], obj: dict[str, Any]) -> None:
    """Write one output object as a JSON line (UTF-8, no ASCII escapes)."""
    fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


@contextmanager
def atomic_output(path: Path, *, option: str = "--output", keep: Sequence[Path] = ()) -> Iterator[IO[str]]:
    """A text file handle whose content replaces ``path`` only when the block ends without error.

    It is written to a new file beside ``path`` (``<name>.<pid>.<random>.tmp``, created exclusively), so no existing
    file, the input included, is ever opened for writing or removed in its place. The temporary files a killed run
    left for this ``path`` (their process is gone) are removed first: a full-size copy each (review 6); not one of
    ``keep`` (the tool's input). The file
    replaced keeps its permission bits (a private ``chmod 600`` output stays private, review 10). A ``path``
    that is a symbolic link is written at the file it points to; one that is a device, a FIFO or a folder is refused
    (:func:`provenance.export_out.file_target`), never replaced."""
    path = file_target(path, option=option)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans(path, keep)
    mode = _kept_mode(path)
    while True:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            fh = open(tmp, "x", encoding="utf-8", opener=_opener(mode))  # noqa: SIM115 (closed below, before the replace)
            break
        except FileExistsError:
            continue
    try:
        if mode is not None:
            os.fchmod(fh.fileno(), mode)  # the umask took bits from the mode asked for at creation
        with fh:
            yield fh
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _kept_mode(path: Path) -> int | None:
    """The permission bits of the file ``path`` replaces (None when there is none): a file its owner made private
    (``chmod 600``: it holds personal data) stayed private when the tool wrote it again; its new copy had the umask's
    ``0644`` and was readable by every user."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return None


def _opener(mode: int | None) -> Callable[[str, int], int]:
    """An ``open`` opener that creates the file with ``mode`` (no wider than the replaced file's while it is written)."""

    def opener(name: str, flags: int) -> int:
        return os.open(name, flags, 0o666 if mode is None else mode)

    return opener


def _remove_orphans(path: Path, keep: Sequence[Path] = ()) -> None:
    """Remove ``<name>.<pid>.<8 hex>.tmp`` files beside ``path`` whose process no longer runs, except one that is a
    file of ``keep`` (the tool's input: a killed run's temporary file, saved and given as ``--input``, was deleted
    before it was read) or has another link."""
    pattern = re.compile(re.escape(path.name) + r"\.(\d+)\.[0-9a-f]{8}\.tmp")
    for f in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        m = pattern.fullmatch(f.name)
        try:
            st = f.lstat()
        except FileNotFoundError:  # another run for this output removed it first
            continue
        if m is None or not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:  # a link, a folder, or linked elsewhere
            continue
        if any(_same_file(f, k) for k in keep):
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:
            f.unlink(missing_ok=True)
        except (PermissionError, OverflowError, ValueError):
            continue  # a live process of another user, or no pid at all: left alone


class InputChangedError(WorkbenchError):
    """The input file was replaced or written to while a tool that reads it twice (``curate dedup``) ran."""


def file_identity(path: Path, fh: BinaryIO | None = None) -> tuple[int, int, int, int]:
    """What tells that ``path`` (or the open ``fh``) is still the file a tool began with: device, inode, size,
    modification time."""
    st = os.fstat(fh.fileno()) if fh is not None else os.stat(path)
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def check_unchanged(path: Path, identity: tuple[int, int, int, int], fh: BinaryIO | None = None) -> None:
    """Raise :class:`InputChangedError` when ``path`` (``fh``, the file opened there) is no longer the file of
    ``identity`` (:func:`file_identity`)."""
    try:
        now = file_identity(path, fh)
    except FileNotFoundError:
        now = None
    if now != identity:
        raise InputChangedError(
            f"the input `{path}` was replaced or written to while the tool ran (it reads the file twice), so its"
            " lines could not be read again as they were; nothing was written: run it again on a file nothing"
            " else writes to (a copy)"
        )


def check_paths(
    input_path: Path, output_path: Path, *, reads: dict[str, Path] | None = None, **side_files: Path
) -> None:
    """Raise :class:`UsageError` when the input is missing, or when the output or a side file the tool writes
    (``side_files``: option name without dashes -> path, e.g. ``quarantine=...``) is the input or the output, by
    name, symbolic link or hard link, and an output or side file that is not a regular file or is a link to nothing
    (:func:`provenance.export_out.file_target`). ``reads`` (option, or environment variable -> path) names other files the tool reads
    (``zh convert --protected``, ``CURATE_PII_KEY_FILE`` for ``pii``): none of them may be the output or a side file either. Called before anything is opened
    for writing."""
    if not input_path.exists():
        raise UsageError(f"input file `{input_path}` does not exist")
    if not input_path.is_file():
        raise UsageError(
            f"input file `{input_path}` is not a regular file (a FIFO, a device, a folder, a process substitution);"
            " these tools read a regular file: save the lines to one first"
        )
    file_target(output_path)
    _not_a_database(output_path, "--output")
    if _same_file(input_path, output_path):
        raise UsageError("--output must differ from --input")
    inputs = [("--input", input_path)] + [
        (k if k.isupper() else f"--{k}", v) for k, v in (reads or {}).items() if v is not None
    ]  # an option, or an environment variable (CURATE_PII_KEY_FILE)
    for what, path in inputs[1:]:
        if _same_file(output_path, path):
            raise UsageError(
                f"--output `{output_path}` is the {what} file `{path}`, which it would overwrite; give --output another"
                " path"
            )
    for option, side in side_files.items():
        file_target(side, option=f"--{option}")  # a FIFO hung the tool, a device or a dangling link was written to
        _not_a_database(side, f"--{option}")
        for what, path in (*inputs, ("--output", output_path)):
            if _same_file(side, path):
                raise UsageError(
                    f"--{option} `{side}` is the {what} file `{path}`, which it would overwrite; "
                    f"give --{option} another path"
                )


#: bytes 8-11 of a DuckDB database file; bytes 12-19 are its storage version, a small little-endian integer (NULs)
_DUCKDB_MAGIC = b"DUCK"


def _not_a_database(path: Path, option: str) -> None:
    """Refuse a ``path`` that is a DuckDB database: `zh convert --output curate.duckdb` replaced the catalogue (every
    record, the ledger, the vault) by a JSONL file, exit 0."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(20)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return  # none, or one the checks after this name
    # a JSONL file never holds a NUL byte (JSON escapes it): `{"id": "DUCK-001"` has DUCK at byte 8 too
    if head[8:12] == _DUCKDB_MAGIC and b"\0" in head[12:20]:
        raise UsageError(
            f"{option} `{path}` is a DuckDB database (a catalogue?), which the tool would replace; give {option}"
            " the path of a new or JSONL file"
        )


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file: the same inode when both exist, else the same resolved path."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()
