"""Tuning settings read from the environment (``CURATE_DUCKDB_MEMORY``, ``CURATE_LOAD_BATCH``, ...), checked.

Read when used, never at import, and checked before they reach DuckDB or a loop: a bad value is a
:class:`ConfigError` that names the variable, what it got and what it takes, instead of a parser traceback or
a silent fallback to the default. Sizes are interpolated into ``SET`` statements, so the pattern also keeps
anything but a number and a unit out of the SQL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from provenance.errors import ConfigError

_SIZE = re.compile(r"^\s*\d+(?:\.\d+)?\s*(?:B|BYTES|KB|KIB|MB|MIB|GB|GIB|TB|TIB)\s*$", re.IGNORECASE)


def _raw(name: str, env: Mapping[str, str] | None = None) -> str | None:
    raw = (os.environ if env is None else env).get(name) or ""
    return raw.strip() or None


def env_size(name: str, default: str) -> str:
    """A DuckDB memory size (``128MB``, ``1.5GB``, ``512MiB``) from ``$name``, else ``default``.

    >>> env_size("CURATE_DOCTEST_UNSET_SIZE", "128MB")
    '128MB'
    """
    raw = _raw(name)
    if raw is None:
        return default
    if not _SIZE.match(raw):
        raise ConfigError(f"{name} must be a size with a unit, such as 128MB or 1GB, not {raw!r}")
    return raw


_UNITS = {"": 1, "b": 1, "bytes": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS |= {"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40}
_BYTES = re.compile(r"^(\d+(?:\.\d+)?)\s*([a-z]*)$", re.IGNORECASE)


def _bytes(raw: str) -> int:
    m = _BYTES.match(raw.replace("_", ""))
    if not m or m.group(2).lower() not in _UNITS:
        raise ValueError(raw)
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def env_bytes(name: str, default: int, *, minimum: int = 0) -> int:
    """A size in bytes from ``$name``, as DuckDB writes sizes (``1MB`` = 10^6, ``1MiB`` = 2^20) or a whole number of
    bytes, of at least ``minimum``; else ``default``.

    >>> env_bytes("CURATE_DOCTEST_UNSET_BYTES", 1 << 20), _bytes("1MiB"), _bytes("1.5 KB"), _bytes("4096")
    (1048576, 1048576, 1500, 4096)
    """
    what = f"a size such as 1MB or 512KiB (or a whole number of bytes) of at least {minimum:,} bytes"
    return _number(name, default, _bytes, lambda v: v >= minimum, what)


#: the values an on/off setting takes
_SWITCH = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def env_switch(name: str, default: bool) -> bool:
    """An on/off setting from ``$name`` (``1``/``0``, ``true``/``false``, ``yes``/``no``, ``on``/``off``), else
    ``default``; any other value is a ConfigError, never a silent default.

    >>> env_switch("CURATE_DOCTEST_UNSET_SWITCH", True)
    True
    """
    return _number(name, default, lambda raw: _SWITCH[raw.lower()], lambda v: True, "1 or 0 (on/off, true/false)")


def _number(name: str, default, parse, ok, what: str, env: Mapping[str, str] | None = None):
    """``parse($name)`` when set and ``ok`` of it holds, else a ConfigError saying it must be ``what``."""
    raw = _raw(name, env)
    if raw is None:
        return default
    try:
        value = parse(raw)
    except (ValueError, KeyError):
        value = None
    if value is None or not ok(value):
        raise ConfigError(f"{name} must be {what}, not {raw!r}")
    return value


def env_int(name: str, default: int, *, minimum: int = 1, unit: str = "", env: Mapping[str, str] | None = None) -> int:
    """A whole number of at least ``minimum`` from ``$name`` (in ``env``, default ``os.environ``), else ``default``.

    >>> env_int("CURATE_DOCTEST_UNSET_INT", 50_000)
    50000
    """
    what = f"a whole number{' of ' + unit if unit else ''} of at least {minimum:,}"
    return _number(name, default, lambda raw: int(raw.replace("_", "")), lambda v: v >= minimum, what, env)


def env_seconds(name: str, default: float, *, env: Mapping[str, str] | None = None) -> float:
    """A number of seconds (0 or more) from ``$name`` (in ``env``, default ``os.environ``), else ``default``.

    >>> env_seconds("CURATE_DOCTEST_UNSET_SECONDS", 10.0)
    10.0
    """
    return _number(name, default, float, lambda v: 0 <= v < float("inf"), "a number of seconds (0 or more)", env)


#: default per-record character cap (``CURATE_MAX_RECORD_CHARS`` overrides it): an ingested record, a correction
DEFAULT_MAX_RECORD_CHARS = 5_000_000


def max_record_chars() -> int:
    """The per-record character cap: ``CURATE_MAX_RECORD_CHARS`` or :data:`DEFAULT_MAX_RECORD_CHARS`.

    One owner for the sources' readers (:mod:`sources.capped`) and annotators' corrections (:mod:`annotation.pull`).
    """
    return env_int("CURATE_MAX_RECORD_CHARS", DEFAULT_MAX_RECORD_CHARS, unit="characters")
