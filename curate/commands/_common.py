"""Helpers shared by CLI commands: settings, progress, tables, exit codes."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import click

from curate.cli import EXIT_OK, EXIT_QUARANTINED, Settings


def settings() -> Settings:
    """The global options of the current invocation."""
    return click.get_current_context().find_root().obj


@contextmanager
def progress(label: str, length: int | None = None):
    """Progress on stderr unless --quiet; yields an ``update(n)`` callable.

    With a known ``length`` a click progress bar; otherwise a running count, refreshed at most
    every half second.
    """
    s = settings()
    if s.quiet:
        yield lambda n=1: None
        return
    if length is not None:
        with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True) as bar:
            yield bar.update
        return
    import time

    err = sys.stderr
    state = {"n": 0, "t": 0.0}

    tty = err.isatty()

    def update(n: int = 1) -> None:
        state["n"] += n
        now = time.monotonic()
        if tty and now - state["t"] >= 0.5:
            state["t"] = now
            err.write(f"\r{label}: {state['n']:,} items")
            err.flush()

    yield update
    err.write(f"{chr(13) if tty else ''}{label}: {state['n']:,} items\n")
    err.flush()


def echo_table(cols: Sequence[str], rows: Sequence[Sequence[Any]], *, as_json: bool = False) -> None:
    """Print rows as an aligned text table, or JSON lines with ``as_json``."""
    if as_json:
        for r in rows:
            click.echo(json.dumps(dict(zip(cols, r, strict=True)), ensure_ascii=False, default=str))
        return
    cells = [[("" if v is None else str(v)) for v in r] for r in rows]
    widths = [max([_w(c)] + [_w(r[i]) for r in cells]) for i, c in enumerate(cols)]
    click.echo("  ".join(_pad(c, w) for c, w in zip(cols, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for r in cells:
        click.echo("  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)).rstrip())


def _w(s: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, w: int) -> str:
    return s + " " * (w - _w(s))


def parse_key_values(values: Sequence[str], option: str = "--set") -> dict[str, str]:
    """``("a=1", "b=x")`` -> ``{"a": "1", "b": "x"}``; a malformed item is a usage error.

    >>> parse_key_values(["threshold=0.8", " rows = 5"])
    {'threshold': '0.8', 'rows': ' 5'}
    """
    from provenance.errors import UsageError

    out: dict[str, str] = {}
    for item in values:
        if "=" not in item:
            raise UsageError(f"{option} expects KEY=VALUE, got `{item}`")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def exit_code(quarantined: int) -> int:
    """0, or 3 when the command finished but quarantined some input."""
    return EXIT_QUARANTINED if quarantined else EXIT_OK
