"""The order law.moj input files are read in under ``--scope fsc``: English files last.

An English law carries no category: it is in scope when its Chinese law is, read earlier in the same
run or held by the catalogue. Read in the order given (or a folder's name order, where
``Eng_FalVMingLing.xml`` sorts before ``FalVMingLing.xml``), an English file before its Chinese one
was skipped whole as out of scope (review 9). Moving a file later never changes what it yields, only
when, so a file is moved when the head of it (or of a ZIP member) shows an English law's field.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

#: the head read of a file or ZIP member to look for an English law's fields
HEAD_BYTES = 64 * 1024
#: what only an English law has (a Chinese law has `EngLawName`, `<英文法規名稱>` too): the fields
#: :meth:`sources.law_moj.LawMojSource` and :func:`sources.law_moj_xml.xml_to_law` tell English by (UTF-8)
ENGLISH_MARKS = (b'"EngLawURL"', b'"EngLawArticles"', b'"EngLawModifiedDate"') + tuple(
    f"<{tag}".encode() for tag in ("最新英文異動日期", "中文法規名稱")
)


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
    (an unreadable file keeps its place: the reading reports it)."""
    try:
        if path.suffix.lower() == ".zip":
            with zipfile.ZipFile(path) as zf:
                for m in zf.infolist():
                    if m.filename.lower().endswith((".json", ".xml")) and not m.flag_bits & 0x1:
                        with zf.open(m) as fh:
                            if _marked(fh.read(HEAD_BYTES)):
                                return True
            return False
        with open(path, "rb") as fh:
            return _marked(fh.read(HEAD_BYTES))
    except (OSError, ValueError, RuntimeError, NotImplementedError, EOFError, zipfile.BadZipFile):
        return False


def _marked(head: bytes) -> bool:
    return any(mark in head for mark in ENGLISH_MARKS)
