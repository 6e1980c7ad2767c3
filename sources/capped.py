"""Bounded inputs: byte caps on archive members, nesting depth, record size, odd encodings.

One place for the limits every source applies, so a hostile or broken file is quarantined with
its own reason instead of exhausting memory or crashing the batch:

* :func:`read_member` reads a ZIP member with a hard cap on the uncompressed bytes (declared
  sizes can lie) and refuses members whose declared size or compression ratio is over the limit;
* :func:`loads` is ``json.loads`` that turns a ``RecursionError`` (deeply nested JSON) into a
  ``ValueError`` the caller quarantines;
* :func:`max_record_chars` is the per-record character cap (``CURATE_MAX_RECORD_CHARS``), applied
  by the ingest driver to every record of every source (owned by :mod:`provenance.envsettings`, which
  the annotation pull applies to annotators' corrections too);
* :func:`utf32_bom` recognises a UTF-32 byte-order mark (which starts with the UTF-16 one).
"""

from __future__ import annotations

import json
import zipfile
from typing import Any

from provenance.envsettings import DEFAULT_MAX_RECORD_CHARS, max_record_chars  # noqa: F401 (one owner, names kept here)

#: largest uncompressed ZIP member a source reads (ChLaw.json is ~200 MB)
MAX_MEMBER_BYTES = 512 * 1024 * 1024
#: largest uncompressed/compressed ratio of a ZIP member (JSON and XML compress ~10x)
MAX_RATIO = 200

REASON_ZIP_BOMB = "zip bomb (uncompressed size or ratio over limit)"
REASON_TOO_DEEP = "JSON nested too deeply"
REASON_TOO_LARGE = "record too large"
REASON_UTF32 = "UTF-32 text (not supported; convert to UTF-8)"


class InputLimitError(ValueError):
    """An input is over a limit; ``reason`` is the quarantine reason, ``detail`` the numbers."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def check_member(info: zipfile.ZipInfo, max_bytes: int | None = None, max_ratio: int | None = None) -> None:
    """Refuse a member whose declared size or compression ratio is over the limits."""
    max_bytes = MAX_MEMBER_BYTES if max_bytes is None else max_bytes
    max_ratio = MAX_RATIO if max_ratio is None else max_ratio
    if info.file_size > max_bytes:
        raise InputLimitError(
            REASON_ZIP_BOMB, f"{member_name(info)}: {info.file_size} bytes uncompressed > {max_bytes}"
        )
    if info.compress_size and info.file_size / info.compress_size > max_ratio and info.file_size > 1 << 20:
        raise InputLimitError(
            REASON_ZIP_BOMB,
            f"{member_name(info)}: ratio {info.file_size // info.compress_size}:1 > {max_ratio}:1",
        )


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int | None = None) -> bytes:
    """The member's bytes, never more than ``max_bytes`` in memory whatever its header says."""
    max_bytes = MAX_MEMBER_BYTES if max_bytes is None else max_bytes
    check_member(info, max_bytes)
    with zf.open(info) as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputLimitError(REASON_ZIP_BOMB, f"{member_name(info)}: inflates past {max_bytes} bytes")
    return data


def member_name(info: zipfile.ZipInfo) -> str:
    """A ZIP member's name as written: ``zipfile`` reads a name without the UTF-8 flag as CP437, but such names
    are UTF-8 (Info-ZIP) or the writer's code page, CP950 on a Traditional Chinese Windows (``公告.json``
    became ``ñ╜ºi.json`` in a quarantine row); a name neither decodes is kept as ``zipfile`` read it.

    >>> info = zipfile.ZipInfo("x.json"); info.filename = "公告.json".encode("cp950").decode("cp437")
    >>> member_name(info), member_name(zipfile.ZipInfo("ChLaw.json"))
    ('公告.json', 'ChLaw.json')
    """
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    raw = name.encode("cp437")
    for codec in ("utf-8", "cp950"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            continue
    return name


class FirstValueDict(dict):
    """A JSON object whose name that occurs twice keeps its first value, as DuckDB's JSON reader does (RFC 8259
    leaves it open; ``json.loads`` keeps the last): a source read both by DuckDB and in Python (law.moj's SQL and
    Python paths) then reads one file alike (review 6). ``ijson.items(..., map_type=FirstValueDict)`` builds them.

    >>> import ijson, io
    >>> list(ijson.items(io.BytesIO(b'[{"a": 1, "a": 2, "b": [{"c": 3, "c": 4}]}]'), "item", map_type=FirstValueDict))
    [{'a': 1, 'b': [{'c': 3}]}]
    """

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self:
            super().__setitem__(key, value)


def first_values(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` of :func:`loads` with ``first_value=True`` (see :class:`FirstValueDict`).

    >>> loads('{"a": 1, "a": 2}', first_value=True), loads('{"a": 1, "a": 2}')
    ({'a': 1}, {'a': 2})
    """
    out: dict[str, Any] = {}
    for key, value in pairs:
        out.setdefault(key, value)
    return out


def loads(text: str | bytes, *, first_value: bool = False) -> Any:
    """``json.loads``; deeply nested input raises :class:`InputLimitError` instead of ``RecursionError``.
    ``first_value``: a name twice in one object keeps its first value (:class:`FirstValueDict`)."""
    try:
        return json.loads(text, object_pairs_hook=first_values) if first_value else json.loads(text)
    except RecursionError as exc:
        raise InputLimitError(REASON_TOO_DEEP, "nesting exceeds the parser's depth limit") from exc


def utf32_bom(data: bytes) -> bool:
    """True when ``data`` starts with a UTF-32 (LE or BE) byte-order mark.

    >>> utf32_bom("x".encode("utf-32")), utf32_bom("x".encode("utf-16"))
    (True, False)
    """
    return data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"))
