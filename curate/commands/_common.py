"""Helpers shared by CLI commands: settings, progress, tables, exit codes."""

from __future__ import annotations

import json
import re
import shlex
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from curate.argtext import UTF8_TEXT, Utf8Text  # noqa: F401  (re-exported: the commands' text type)
from curate.cli import EXIT_OK, EXIT_QUARANTINED, Settings
from curate.textchars import printable  # noqa: F401  (re-exported: the commands' one way to print a value)


def settings() -> Settings:
    """The global options of the current invocation."""
    return click.get_current_context().find_root().obj


def actor() -> str:
    """Who runs the command, for the ledger: ``$CURATE_ACTOR``, else the login name."""
    import getpass
    import os

    return os.environ.get("CURATE_ACTOR") or getpass.getuser()


def _bar(label: str, total: int | None):
    """A tqdm bar on stderr (count, rate, ETA when the total is known); tqdm itself switches it off
    when stderr is not a terminal."""
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="item", file=sys.stderr, mininterval=0.5, disable=None, leave=True)


@contextmanager
def progress(label: str, length: int | None = None, *, quiet: bool = False):
    """Progress on stderr unless --quiet (or ``quiet``); yields an ``update(n)`` callable.

    One library (tqdm) for every long command: a bar with count, rate and ETA when ``length`` is
    known, else a running count with rate. Off when stderr is not a terminal; then, for an unknown
    length, one final line gives the count.
    """
    s = settings()
    if s.quiet or quiet:
        yield lambda n=1: None
        return
    bar = _bar(label, length)
    state = {"n": 0}

    def update(n: int = 1) -> None:
        state["n"] += n
        bar.update(n)

    try:
        yield update
    finally:
        bar.close()
    if bar.disable and length is None:
        sys.stderr.write(f"{label}: {state['n']:,} items\n")
        sys.stderr.flush()


class LazyProgress:
    """A ``progress(n, total)`` callback for library calls that learn their total as they go.

    The tqdm bar (stderr) is created on the first call; nothing is shown when ``quiet`` or when
    stderr is not a terminal. Call :meth:`close` when done.
    """

    def __init__(self, label: str, quiet: bool) -> None:
        self.label, self.quiet, self.bar = label, quiet, None

    def __call__(self, n: int, total: int) -> None:
        if self.quiet:
            return
        if self.bar is None:
            self.bar = _bar(self.label, max(total, 1))
        self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")


def echo_json(obj: Any) -> None:
    """Print JSON (UTF-8 kept, stable key order; values as :func:`json_values` writes them)."""
    click.echo(_json_safe(json.dumps(json_values(obj), ensure_ascii=False, indent=2, sort_keys=True, default=str)))


#: rows printed in one write by :func:`echo_json_rows` and :func:`echo_table`
_ECHO_ROWS = 1000


def echo_json_rows(keys: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Print ``rows`` as :func:`echo_json` prints the list of their dicts (keyed by ``keys``), one row at a time:
    the same text without first holding every row as a dict and the whole document as one string (review 16:
    `curate audit sql --json` of three million rows grew to 2.3 GB).

    >>> echo_json_rows(["b", "a"], [(1, None)])
    [
      {
        "a": null,
        "b": 1
      }
    ]
    """
    lead, chunk = "[\n", []

    def flush() -> None:
        # a chunk written as one list and its brackets cut off: one json.dumps per row (its pure-Python indenting
        # encoder made again for each) took twice the CPU of the whole document
        text = json.dumps(chunk, ensure_ascii=False, indent=2, sort_keys=True, default=str)
        click.echo(lead + _json_safe(text[2:-2]), nl=False)

    for r in rows:
        chunk.append(json_values(dict(zip(keys, r, strict=True))))
        if len(chunk) == _ECHO_ROWS:
            flush()
            lead, chunk = ",\n", []
    if chunk:
        flush()
        lead = ",\n"
    click.echo("[]" if lead == "[\n" else "\n]")


def json_values(obj: Any) -> Any:
    """``obj`` with the values JSON has no number for written as DuckDB writes them: a float NaN or infinity as
    ``"nan"``, ``"inf"``, ``"-inf"`` (``json.dumps`` wrote ``NaN``/``Infinity``, which strict readers and ``jq``
    refuse), an infinite date or timestamp of an auditor query (:class:`provenance.sqlinf.Infinite`) as
    ``"infinity"``, ``"-infinity"`` (it was ``9999-12-31``). Every other value is left as it is.

    >>> json_values({"a": [float("nan"), 1.5], "b": (float("-inf"),), "c": "inf"})
    {'a': ['nan', 1.5], 'b': ['-inf'], 'c': 'inf'}
    """
    import math

    from provenance.sqlinf import Infinite

    if isinstance(obj, float):
        return obj if math.isfinite(obj) else "nan" if math.isnan(obj) else "inf" if obj > 0 else "-inf"
    if isinstance(obj, Infinite):
        return obj.text
    if isinstance(obj, dict):
        return {k: json_values(v) for k, v in _json_keyed(obj, json_key_text).items()}
    if isinstance(obj, list | tuple):
        return [json_values(v) for v in obj]
    return obj


#: the keys ``json.dumps`` writes itself; any other (a MAP's DATE, DECIMAL, UUID or BLOB key) it refuses
_JSON_KEY = (str, int, float, bool, type(None))


def _json_keyed(d: dict, text: Any = str) -> dict:
    """``d`` with keys ``json.dumps(sort_keys=True)`` can write: a key of another type written as ``str`` writes
    such a value (``text``: ``default=str``), and keys of mixed types (a MAP keyed by a UNION) all as their JSON text.
    Review 16: ``SELECT histogram(CAST(created_at AS DATE)) FROM records`` (a MAP keyed by date) was a
    traceback in every layout of `curate sql` and `curate audit sql`, and, its rows now printed a thousand at a
    time, half a JSON document before it.

    Two keys that print the same (integer 1 and text '1' of a UNION key) kept one entry, the other lost without a
    word: the text keys are then written as their JSON text too (``"1"``), so both stay.

    >>> import datetime
    >>> _json_keyed({datetime.date(2024, 1, 2): 3}), _json_keyed({1: "a", "b": 2}), _json_keyed({2: 0, 10: 1})
    ({'2024-01-02': 3}, {'1': 'a', 'b': 2}, {2: 0, 10: 1})
    >>> _json_keyed({1: "a", "1": "b"})
    {'1': 'a', '"1"': 'b'}
    """
    kinds = {type(k) for k in d}
    if len(kinds) <= 1 and all(issubclass(k, _JSON_KEY) for k in kinds):
        return d
    mixed = len(kinds) > 1
    out = {
        k if isinstance(k, str) else json.dumps(k) if mixed and isinstance(k, _JSON_KEY) else text(k): v
        for k, v in d.items()
    }
    if len(out) < len(d):  # two keys printed the same: the text ones quoted
        out = {
            json.dumps(k, ensure_ascii=False)
            if isinstance(k, str)
            else json.dumps(k)
            if isinstance(k, _JSON_KEY)
            else text(k): v
            for k, v in d.items()
        }
    if len(out) < len(d):  # still (a date and a timestamp printed alike): never a silent loss
        raise ValueError(f"a MAP's keys of different types print the same ({', '.join(map(repr, d))})")
    return out


def json_key_text(key: Any) -> str:
    """A key JSON cannot write, as :func:`json_values` writes such a value (an infinite date key: ``infinity``)."""
    text = json_values(key)
    return text if isinstance(text, str) else str(key)


def json_keyable(obj: Any) -> Any:
    """``obj`` with every dict in it keyed as :func:`_json_keyed` keys it, its values left as they are (a table
    cell or a vertical block is JSON text of the value itself)."""
    if isinstance(obj, dict):
        return {k: json_keyable(v) for k, v in _json_keyed(obj).items()}
    if isinstance(obj, list | tuple):
        return [json_keyable(v) for v in obj]
    return obj


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide/fullwidth characters count 2, combining marks 0.

    >>> display_width("abc"), display_width("銀行法"), display_width("ｅ"), display_width("e\u0301")
    (3, 6, 2, 1)
    """
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _truncate(text: str, max_width: int) -> str:
    """Cut ``text`` to at most ``max_width`` columns, ending in ``...`` when cut."""
    if display_width(text) <= max_width:
        return text
    out, width, room = [], 0, max(max_width - 3, 0)
    for ch in text:
        w = display_width(ch)
        if width + w > room:
            break
        out.append(ch)
        width += w
    return "".join(out) + "..."


def _cell(value: Any, max_width: int | None) -> str:
    if isinstance(value, (dict, list)):
        # a list of dates (`curate sql`), a MAP keyed by dates (`histogram(day)`)
        value = json.dumps(json_keyable(value), ensure_ascii=False, sort_keys=True, default=str)
    text = "" if value is None else str(value)
    text = printable(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    return text if max_width is None else _truncate(text, max_width)


def format_table(
    columns: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]], *, max_width: int | None = None
) -> str:
    """Rows as a fixed-width text table whose columns line up in a terminal, Chinese included.

    ``rows`` are sequences in column order or mappings keyed by column name; ``None`` prints empty,
    lists and dicts as JSON, line breaks as spaces, control characters as escapes (:func:`printable`); a cell wider
    than ``max_width`` columns is cut.

    >>> print(format_table(["id", "title"], [("a", "銀行法"), {"id": "bb", "title": "law"}]))
    id  title
    --  ------
    a   銀行法
    bb  law
    """
    return "\n".join(table_lines(columns, rows, max_width=max_width))


def table_lines(
    columns: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]], *, max_width: int | None = None
) -> Iterator[str]:
    """The lines of :func:`format_table`, one at a time: a large result (`curate sql`) is printed without also
    holding every line and their joined text (review 16: three times the rows' own memory)."""
    body = [
        [_cell(r.get(c) if isinstance(r, Mapping) else r[i], max_width) for i, c in enumerate(columns)] for r in rows
    ]
    # a header is a value too: `curate sql 'SELECT 1 AS "<ESC>[2J"'` names its own columns
    heads = [_cell(c, None) for c in columns]
    widths = [max([display_width(h), *(display_width(b[i]) for b in body)]) for i, h in enumerate(heads)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(v + " " * (w - display_width(v)) for v, w in zip(cells, widths, strict=True)).rstrip()

    yield line(heads)
    yield "  ".join("-" * w for w in widths)
    for b in body:
        yield line(b)


def json_line(obj: Any, *, indent: int | None = None) -> str:
    r"""``obj`` as one JSON line (``indent``: laid out over lines), non-ASCII text as itself, and the C1 controls
    (``\x9b`` is a CSI) and bidi controls that ``json.dumps`` leaves raw escaped as ``\uXXXX`` (the same value to a
    JSON reader). Every JSON a command prints goes through it: its values come from third parties (file names).

    >>> json_line({"t": "銀\x9b2J\u202e", "\x1b": 1})
    '{"t": "銀\\u009b2J\\u202e", "\\u001b": 1}'
    """
    return _json_safe(json.dumps(json_values(obj), ensure_ascii=False, indent=indent, default=str))


#: what :func:`printable` escapes (C0/C1 controls, bidi controls) but JSON's own layout (line breaks, tabs): inside
#: a JSON string json.dumps has escaped C0 already, C1 and bidi it leaves raw; and a lone surrogate (a file name's
#: bytes that are not UTF-8) it leaves raw too, which no UTF-8 stream can write
_JSON_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u061c\u200e\u200f\ud800-\udfff]")


def _json_safe(text: str) -> str:
    """JSON text with the characters :func:`printable` would escape written as ``\\uXXXX``."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo_table(
    columns: Sequence[str],
    rows: Sequence[Sequence[Any] | Mapping[str, Any]],
    *,
    as_json: bool = False,
    max_width: int | None = None,
) -> None:
    """Print rows with :func:`format_table`, or as JSON lines with ``as_json``."""
    if as_json:
        echo_lines(json_line(dict(r) if isinstance(r, Mapping) else dict(zip(columns, r, strict=True))) for r in rows)
        return
    echo_lines(table_lines(columns, rows, max_width=max_width))


def echo_lines(lines: Iterable[str]) -> None:
    """Print ``lines``, :data:`_ECHO_ROWS` in one write (a large result is never held as one text)."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == _ECHO_ROWS:
            click.echo("\n".join(chunk))
            chunk = []
    if chunk:
        click.echo("\n".join(chunk))


def parse_key_values(values: Sequence[str], option: str = "--set") -> dict[str, str]:
    """``("a=1", "b=x")`` -> ``{"a": "1", "b": "x"}``; a malformed item is a usage error.

    >>> parse_key_values(["threshold=0.8", " rows = 5"])
    {'threshold': '0.8', 'rows': ' 5'}
    >>> parse_key_values(["rows=5", "rows=6"])
    Traceback (most recent call last):
    provenance.errors.UsageError: --set gives `rows` twice (`5`, `6`); give it once
    """
    from provenance.errors import UsageError

    out: dict[str, str] = {}
    for item in values:
        if "=" not in item:
            raise UsageError(f"{option} expects KEY=VALUE, got `{item}`")
        key, value = item.split("=", 1)
        if key.strip() in out and out[key.strip()] != value:  # the last won silently (review 9)
            raise UsageError(f"{option} gives `{key.strip()}` twice (`{out[key.strip()]}`, `{value}`); give it once")
        out[key.strip()] = value
    return out


def exit_code(quarantined: int) -> int:
    """0, or 3 when the command finished but quarantined some input."""
    return EXIT_QUARANTINED if quarantined else EXIT_OK


def no_personal_data(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Click callback for free text that goes into the ledger for good (``--reason``): refused when the PII
    detector finds a personal value in it (an erasure request tends to quote the person's ID)."""
    if not value:
        return value
    from curate.pii.engine import personal_kinds

    kinds = ", ".join(personal_kinds(value))
    if kinds:
        raise click.BadParameter(
            f"it holds personal data ({kinds}) and the ledger keeps it for good; describe the request without it"
            " (a ticket or case number)",
            ctx=ctx,
            param=param,
        )
    return value


def echo_outcome(lines: Iterable[str], code: int) -> int:
    """Print ``lines`` on stdout and return ``code``. A reader that went away (`curate pii scan | head`) ends a command
    with 141 only when ``code`` is 0: a finding (a non-zero ``code``) is never hidden behind the closed pipe (review 7:
    a script that took 141 as harmless no longer saw a leak)."""
    try:
        for line in lines:
            click.echo(line)
        sys.stdout.flush()
    except BrokenPipeError:
        if code == EXIT_OK:
            raise
        _silence_stdout()
    return code


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail on the closed pipe again."""
    import io
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a file descriptor (a test's captured stdout): nothing is flushed to a pipe


def no_catalogue_at(db_path: str | Path) -> bool:
    """Whether ``db_path`` holds no catalogue yet (missing, a 0-byte file or an empty DuckDB database): a write command
    would create one (an ingest on an empty DuckDB file said nothing of it)."""
    from provenance.dbnew import holds_no_catalogue

    return holds_no_catalogue(db_path)


def refuse_no_catalogue(db_path: str | Path, what: str) -> None:
    """Raise :class:`CatalogueError` when ``db_path`` holds no catalogue: ``what`` (a stage run) has no records to take
    there, and made one in silence, "0 records in", exit 0, from a mistyped --db or $CURATE_DB while the real
    catalogue's stage never ran (review 13 made an ingest say so; a stage run has nothing to create it for)."""
    from provenance.dbnew import no_catalogue_reason
    from provenance.errors import CatalogueError

    how = f"check --db or $CURATE_DB (or make it with `curate --db {shlex.quote(str(db_path))} init` and ingest first)"
    what_is = no_catalogue_reason(db_path)  # a writer makes an empty file or DuckDB database one as it makes a new path
    if what_is:
        raise CatalogueError(f"{what}: catalogue `{db_path}` {what_is}, so there are no records to run on; {how}")


def note_new_catalogue(db_path: str | Path, what: str) -> None:
    """Warn on stderr that ``what`` created a new catalogue at ``db_path``: a mistyped --db or $CURATE_DB is seen at
    once, never a catalogue of its own in silence (review 13). A warning, as `nothing to ingest` is: --quiet keeps it
    (it hides progress, not what went where; the note said `curate: note:` and README's --quiet promised nothing of
    it)."""
    if Path(db_path).exists():
        click.echo(
            f"warning: created a new catalogue `{Path(db_path).resolve()}` for this {what} (no catalogue was"
            " there); if you meant another one, check --db or $CURATE_DB, and remove this one",
            err=True,
        )


def json_keys(columns: Sequence[str]) -> list[str]:
    """The keys of a free query's rows as JSON objects (``sql --json``, ``audit sql --json``): each column's name;
    a second, third... column of one name (``SELECT * FROM records v JOIN records p ...``, DuckDB gives both
    ``licence_id``) is keyed as DuckDB names it in a subquery (``SELECT * FROM (...)``) and pandas in a data frame,
    ``licence_id_1``, ``licence_id_2``, skipping a name another column has, with a note on stderr. Keyed by name
    alone, one value per object was lost without a word (review 14 refused such a query, which broke every
    ``SELECT *`` of a join); a name given once is never changed, and ``a`` and ``A`` are two keys already.

    >>> json_keys(["licence_id", "x", "licence_id", "licence_id_1", "A", "a"])
    ['licence_id', 'x', 'licence_id_2', 'licence_id_1', 'A', 'a']
    """
    taken, seen, keys, renamed = set(columns), set(), [], []
    for name in columns:
        key, n = name, 0
        while key in seen or (n and key in taken):  # a later column's own name is its, never a renamed one's
            n += 1
            key = f"{name}_{n}"
        seen.add(key)
        keys.append(key)
        if key != name:
            renamed.append(f"`{name}` as `{key}`")
    if renamed:
        click.echo(
            f"note: columns share a name; JSON keys a later one {', '.join(renamed)} (name each with AS to choose)",
            err=True,
        )
    return keys
