"""The checks of a pipeline file's values (:mod:`curate.pipeline`): types, counts, a stage's ``set`` table, the
``$VARS`` of its paths, and the error class a step's own check raises (a usage error stays one: exit 2)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from provenance.errors import ConfigError, UsageError, WorkbenchError


def _as_set_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):  # an empty array is written on purpose: the empty list (`--set KEY=none`)
        return ",".join(str(x) for x in v) if v else "none"
    return str(v)


def list_value(key: str, value: str) -> tuple[str, ...]:
    """A list option's comma-separated entries; ``none`` is the empty list. An empty value is refused: it is what a
    script's unset shell variable gives (``--set per_document=$KINDS``), and it turned the rule that keeps statutes
    out of dedup off without a word.

    >>> list_value("per_document", "law_moj, fsc"), list_value("per_document", "none")
    (('law_moj', 'fsc'), ())
    >>> list_value("per_document", " ")
    Traceback (most recent call last):
    provenance.errors.UsageError: option `per_document` is empty (an unset shell variable?); ...
    """
    if value.strip().lower() == "none":
        return ()
    entries = tuple(v.strip() for v in value.split(",") if v.strip())
    if not entries:
        raise UsageError(
            f"option `{key}` is empty (an unset shell variable?); give its entries, comma-separated,"
            f" or `{key}=none` for none"
        )
    return entries


#: a variable in a path, as :func:`os.path.expandvars` reads it: ``$NAME`` or ``${NAME}``
_VAR = re.compile(r"\$(\w+|\{[^}]*\})")


def expand_vars(p: str, where: str) -> str:
    """``p`` with its ``$VARS`` expanded; an unset one is an error (expandvars kept it as it is, and the export or
    report went into a folder literally named ``$CURATE_EXPORT_DIR``)."""
    for m in _VAR.finditer(p):
        name = m.group(1).strip("{}")
        if not re.fullmatch(r"\w+", name):  # ${VAR:-default} and the like: a shell's, not this file's
            raise UsageError(f"{where}: ${{{name}}} in {p!r} is not a variable name; write $NAME or ${{NAME}}")
        if not os.environ.get(name, "").strip():  # unset, or empty: "$EMPTY/training" would be /training
            state = "is empty" if name in os.environ else "is not set"
            raise UsageError(f"{where}: ${name} in {p!r} {state}; set it or write the path out")
    return os.path.expandvars(p)


def error_like(exc: WorkbenchError) -> type[WorkbenchError]:
    """The error class for a step's error from a check the command line makes too: a usage error stays one (exit
    2), anything else (an unknown licence id, a catalogue it cannot read) is a ConfigError."""
    return UsageError if isinstance(exc, UsageError) else ConfigError


def file_tables(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    """The ``[[key]]`` tables of the file (none when absent); anything else under ``key`` is refused."""
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(t, dict) for t in items):
        raise UsageError(f"{path}: `{key}` must be [[{key}]] tables (one per step), not {_kind(items)}")
    return items


def _kind(value: Any) -> str:
    """What a TOML value is, for a message: ``a string ("x")``, ``an array``, ``a table`` ..."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:39] + "…"
    names = {str: "a string", int: "an integer", float: "a number"}
    return f"{names.get(type(value), 'a date or time')} ({shown})"


def want(where: str, key: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """``value`` when it is of ``kind`` (a boolean is no integer here), else a one-line error naming the key."""
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, kinds) and (bool in kinds or not isinstance(value, bool)):
        return value
    if value is None:
        raise UsageError(f"{where}: `{key}` is required ({what})")
    raise UsageError(f"{where}: `{key}` must be {what}, not {_kind(value)}")


def count_field(where: str, key: str, value: Any) -> int | None:
    """``workers`` / ``tasks``: absent, or a positive integer."""
    if value is None:
        return None
    if want(where, key, value, int, "a positive integer") < 1:
        raise UsageError(f"{where}: `{key}` must be a positive integer, not {value}")
    return value


_SCALAR = (str, int, float, bool)


def stage_sets(where: str, name: str, sets: Any) -> dict[str, str]:
    """A stage's ``set`` table as the ``--set`` strings :func:`curate.runner.make_stage` reads: values are strings,
    numbers, booleans or arrays of them; a field whose default is a boolean takes a TOML boolean only."""
    from curate.stages import get_config_class

    want(where, "set", sets, dict, "a table (set = { key = value })")
    cls = get_config_class(name)
    defaults = cls() if cls else None
    for key, value in sets.items():
        if isinstance(value, list):
            if not all(isinstance(v, _SCALAR) for v in value):
                raise UsageError(f"{where}: `set.{key}` must be an array of strings or numbers, not nested")
        else:
            want(where, f"set.{key}", value, _SCALAR, "a string, number, boolean or array")
        if isinstance(getattr(defaults, key, None), bool) and not isinstance(value, bool):
            raise UsageError(f"{where}: `set.{key}` must be true or false (a TOML boolean), not {_kind(value)}")
    return {k: _as_set_value(v) for k, v in sets.items()}


def refuse_stage_order(file: Path, names: list[str]) -> None:
    """A file listing ``dedup`` before ``pii`` is refused: dedup made duplicates of records still holding raw personal
    data, which the PII stage (active versions only) then left in the clear, and once it superseded their survivor
    the release made them active again, raw, after a pipeline that said it had run the PII stage.

    >>> refuse_stage_order(Path("p.toml"), ["hygiene", "pii", "normalise", "dedup", "pii"])
    >>> refuse_stage_order(Path("p.toml"), ["dedup", "pii"])
    Traceback (most recent call last):
    provenance.errors.UsageError: p.toml: [[stage]] #1 `dedup` runs before [[stage]] #2 `pii`: ...
    """
    if "pii" not in names or "dedup" not in names[: names.index("pii")]:
        return
    dedup, pii = names.index("dedup") + 1, names.index("pii") + 1
    raise UsageError(
        f"{file}: [[stage]] #{dedup} `dedup` runs before [[stage]] #{pii} `pii`: its duplicates would keep their raw"
        " personal data in the clear (the PII stage reads active records only); list `pii` before `dedup`"
    )


def overlaps(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` are one path (also through a link) or one lies inside the other.

    >>> overlaps(Path("/out/a"), Path("/out")), overlaps(Path("/out/a"), Path("/out/ab"))
    (True, False)
    """
    a, b = a.resolve(), b.resolve()
    if a == b or a.is_relative_to(b) or b.is_relative_to(a):
        return True
    return a.exists() and b.exists() and os.path.samefile(a, b)


def refuse_shared_outputs(file: Path, outputs: list[tuple[str, Path]], inputs: list[tuple[str, Path]]) -> None:
    """Each output (``(where, path)`` of an ``[[export]]`` folder or the ``[report]``) apart from every other and from
    every ``[[ingest]]`` path: an export written inside another shipped that one's records to the other's audience (a
    consortium export inside a public one), a second export into the first's folder replaced it, and an output among
    the inputs is read back as source material by the next run."""
    for i, (where, out) in enumerate(outputs):
        for other, path in outputs[:i]:
            if overlaps(out, path):
                raise ConfigError(
                    f"{file}: {where}: `{out}` overlaps {other}'s `{path}` (the same place, or one inside the other):"
                    " one would be written into or over the other; give each export and the report a place of its own"
                )
        for other, path in inputs:
            if overlaps(out, path):
                raise ConfigError(
                    f"{file}: {where}: `{out}` overlaps the input `{path}` of {other}: the output would be written"
                    " among (or over) the files the pipeline reads; choose a place outside the inputs"
                )


#: an export's keys besides ``out`` and ``overwrite``, with the TOML type each takes (``ExportParams`` fields)
EXPORT_TYPES = {"str": (str, "a string"), "int": (int, "an integer"), "bool": (bool, "true or false")}
