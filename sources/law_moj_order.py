"""The order law.moj input files are read in under ``--scope fsc``: English files last.

An English law carries no category: it is in scope when its Chinese law is, read earlier in the same
run or held by the catalogue. Read in the order given (or a folder's name order, where
``Eng_FalVMingLing.xml`` sorts before ``FalVMingLing.xml``), an English file before its Chinese one
was skipped whole as out of scope (review 9). Moving a file later never changes what it yields, only
when, so a file is moved when the head of it (or of a ZIP member) shows an English law's field.
"""

from __future__ import annotations

import lzma
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from sources.law_moj_xml import _DECLARED_RE, _UTF16

#: the head read of a file or ZIP member to look for an English law's fields
HEAD_BYTES = 64 * 1024
#: what only an English law has (a Chinese law has `EngLawName`, `<英文法規名稱>` too): the fields
#: :meth:`sources.law_moj.LawMojSource` and :func:`sources.law_moj_xml.xml_to_law` tell English by
ENGLISH_MARKS = ('"EngLawURL"', '"EngLawArticles"', '"EngLawModifiedDate"', "<最新英文異動日期", "<中文法規名稱")


def english_last(files: Iterable[Path]) -> list[Path]:
    """``files`` with those that hold English laws moved after the others, each group in its own order.

    >>> english_last([])
    []
    """
    files = list(files)
    english = [english_head(f) for f in files]
    return [f for f, e in zip(files, english, strict=True) if not e] + [
        f for f, e in zip(files, english, strict=True) if e
    ]


def english_head(path: Path) -> bool:
    """True when the head of ``path`` (of any member, for a ZIP) shows an English law; False when it cannot tell
    (an unreadable file or member keeps its place, and the other members are still looked at: the reading
    reports it)."""
    try:
        if path.suffix.lower() != ".zip":
            with open(path, "rb") as fh:
                return _marked(fh.read(HEAD_BYTES))
        with zipfile.ZipFile(path) as zf:
            return any(
                _member_marked(zf, m)
                for m in zf.infolist()
                if m.filename.lower().endswith((".json", ".xml")) and not m.flag_bits & 0x1
            )
    except (OSError, ValueError, RuntimeError, NotImplementedError, EOFError, zipfile.BadZipFile):
        return False


def _member_marked(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    try:
        with zf.open(info) as fh:
            return _marked(fh.read(HEAD_BYTES))
    except (
        OSError,
        ValueError,
        RuntimeError,
        NotImplementedError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
        lzma.LZMAError,
    ):
        return False  # a broken deflate or LZMA stream too (it raised out of the ingest): the reading quarantines it


def _marked(head: bytes) -> bool:
    """The marks in ``head`` read in its encoding: UTF-8, or UTF-16 (by BOM or ``<?``) or a declared one (Big5
    as CP950), as :func:`sources.law_moj_xml.xml_bytes` reads a file; a character cut at the end is dropped.

    >>> _marked('<?xml version="1.0" encoding="UTF-16"?><法規><中文法規名稱>銀行法'.encode("utf-16"))
    True
    >>> _marked('<?xml version="1.0" encoding="Big5"?><法規><中文法規名稱>銀行法'.encode("cp950"))
    True
    >>> _marked('<?xml version="1.0" encoding="Big5"?><法規><英文法規名稱>x</英文法規名稱>'.encode("cp950"))
    False
    """
    codec = next((c for bom, c in _UTF16 if head.startswith(bom)), None)
    if codec is None:
        declared = _DECLARED_RE.match(head)
        codec = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        codec = "cp950" if codec in ("big5", "big5-hkscs", "cp950") else codec
    try:
        text = head.decode(codec, "ignore")
    except LookupError:  # an encoding Python does not know: as UTF-8
        text = head.decode("utf-8", "ignore")
    return any(mark in text for mark in ENGLISH_MARKS)
