"""The text encoding of MODA's line-based files (JSON Lines, CSV): UTF-8 (BOM allowed) or UTF-16 with its BOM.

* A UTF-16 file (its byte-order mark says so) is read as UTF-16: split on bytes, its lines were halves of
  characters, each quarantined as not JSON (one more than the file had), and a UTF-16 CSV was one unreadable file.
* A UTF-32 file is refused whole (:data:`sources.capped.REASON_UTF32`); its mark starts with UTF-16's.
* A CSV file is decoded with ``surrogateescape``: bytes that are not UTF-8 (a Big5/CP950 cell in a UTF-8 file) make
  their row's error (:func:`undecodable`), not the file's; before, the first such byte stopped the file, and the
  rows after it (and those read into the same buffer before it) were never read.
* A CSV file none of whose lines is UTF-8 text beyond ASCII, and some of whose lines are not UTF-8 (Excel on
  Traditional Chinese Windows saves "CSV" as Big5/CP950), is refused whole in one line naming the encoding it reads
  as and the ``iconv`` command that converts it (:func:`legacy_encoding`, review 13); before, every row with Chinese
  was quarantined on its own, one row each, and the ASCII rows were ingested as if the file were fine.
"""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sources import capped

__all__ = [
    "TRUNCATED",
    "file_encoding",
    "jsonl_lines",
    "NOT_UTF8_FILE",
    "checked_encoding",
    "legacy_encoding",
    "undecodable",
    "printable",
]

#: the quarantine reason of a file written wholly in a legacy encoding (Big5/CP950 from Excel)
NOT_UTF8_FILE = "file that is not UTF-8 text (nothing of it was read)"
#: bytes read to name a legacy encoding (the whole file is scanned for UTF-8 lines)
_SAMPLE = 1 << 20

#: a JSON Lines file's last line, cut inside a UTF-16 character (its other lines are read)
TRUNCATED = "JSONL line cut short (the file ends inside a character)"

#: a byte that was not UTF-8, as ``surrogateescape`` decodes it (U+DC80..U+DCFF)
_ESCAPED = re.compile("[\udc80-\udcff]")


def file_encoding(path: Path) -> str | None:
    """The codec to read ``path`` with: ``utf-16`` (its BOM), ``utf-8-sig``, or None for UTF-32 (refused).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes("id".encode("utf-16")); file_encoding(p)
    'utf-16'
    >>> _ = p.write_bytes("id".encode("utf-32")); file_encoding(p) is None
    True
    """
    with path.open("rb") as fh:
        head = fh.read(4)
    if capped.utf32_bom(head):
        return None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8-sig"


def checked_encoding(path: Path) -> str | tuple[str, str]:
    """:func:`file_encoding`'s codec, or ``(reason, detail)`` of a file refused whole: UTF-32, or a legacy encoding
    (:func:`legacy_encoding`)."""
    if (encoding := file_encoding(path)) is None:
        return capped.REASON_UTF32, "a UTF-32 byte-order mark"
    if (legacy := legacy_encoding(path)) is not None:
        return NOT_UTF8_FILE, "it reads as " + legacy
    return encoding


def jsonl_lines(fh: BinaryIO, encoding: str, cap: int) -> Iterator[bytes | tuple[str, str]]:
    """Lines of ``fh`` as UTF-8 bytes, never more than ``cap + 1`` bytes (characters, for UTF-16) of one held; a
    line that cannot be read is given as its ``(reason, detail)``: a longer line (drained), or a UTF-16 file's last
    line cut inside a character (a truncated file: the lines before it are read).

    A UTF-8 file's lines are its own bytes (a line that is not UTF-8 stays so, and is its line's error); a UTF-16
    file's are decoded (an unpaired surrogate kept, to fail its line's JSON decoding) and encoded as UTF-8. Lines end
    at ``\\n`` only, as a UTF-8 file's do (a lone ``\\r`` is JSON whitespace, never a line break).
    """
    reader: BinaryIO | io.TextIOWrapper = fh
    if encoding == "utf-16":
        reader = io.TextIOWrapper(fh, encoding="utf-16", errors="surrogatepass", newline="\n")
    newline = "\n" if encoding == "utf-16" else b"\n"
    while True:
        try:
            line: bytes | str | None = reader.readline(cap + 1)
            if len(line) > cap and not line.endswith(newline):
                while (rest := reader.readline(1 << 20)) and not rest.endswith(newline):
                    pass  # drain the rest of the line without keeping it
                line = None
        except UnicodeDecodeError as exc:  # surrogatepass takes any surrogate: only half a character at the end
            yield TRUNCATED, f"the file ends inside a UTF-16 character ({exc.reason}): truncated?"
            return
        if line is None:
            yield capped.REASON_TOO_LARGE, f"line longer than {cap} bytes"
        elif not line:
            return
        else:
            yield line.encode("utf-8", "surrogatepass") if isinstance(line, str) else line


def undecodable(fields: list[str]) -> bool:
    """True when a CSV row holds bytes that were not UTF-8 (read with ``surrogateescape``).

    >>> undecodable(["a1", b"\\xa4\\xfd".decode("utf-8", "surrogateescape")]), undecodable(["a1", "王"])
    (True, False)
    """
    return any(_ESCAPED.search(f) for f in fields)


def printable(text: str) -> str:
    """``text`` with each byte that was not UTF-8 shown as U+FFFD (never as the escaped surrogate, which a
    catalogue cannot store as UTF-8).

    >>> printable("a" + b"\\xa4".decode("utf-8", "surrogateescape"))
    'a\\ufffd'
    """
    return _ESCAPED.sub("\ufffd", text)


def legacy_encoding(path: Path) -> str | None:
    """How to convert a CSV without a byte-order mark written wholly in a legacy encoding (no line of it is UTF-8
    beyond ASCII, one at least is not UTF-8): ``the encoding it reads as; convert it: iconv ...``, else None.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = p.write_bytes("id,text\\n1,臺灣銀行授信業務規範\\n".encode("cp950")); legacy_encoding(p).split(" (")[0]
    'Big5/CP950'
    >>> _ = p.write_bytes("id,text\\n1,臺灣\\n".encode("utf-8") + "2,銀行".encode("cp950")); legacy_encoding(p) is None
    True
    """
    with path.open("rb") as fh:
        head = fh.read(_SAMPLE)
        if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        fh.seek(0)
        bad = judged = False  # some line is not UTF-8; the line being read was judged
        sample = bytearray()  # the lines that are not UTF-8 (the head may be ASCII alone): what the encoding is told by
        decoder = codecs.getincrementaldecoder("utf-8")()
        # streamed in pieces of at most _SAMPLE bytes, one line's kept across them: a 2 GB line is never held
        for piece in iter(lambda: fh.readline(_SAMPLE), b""):
            if not judged and not piece.isascii():
                try:
                    text = decoder.decode(piece, final=piece.endswith(b"\n"))
                except UnicodeDecodeError:
                    bad = judged = True
                    sample += piece[: _SAMPLE - len(sample)]
                else:
                    if not text.isascii():  # a line of UTF-8 beyond ASCII: a UTF-8 file whose bad rows are
                        return None  # each its row's error
            if piece.endswith(b"\n"):
                decoder.reset()
                judged = False
    if not bad:
        return None
    from sources.documents.model import ExtractionError
    from sources.documents.text import decode_text

    try:
        encoding = decode_text(bytes(sample))[1]
    except ExtractionError:
        encoding = "unknown"
    src, dst = _shell_word(path.name), _shell_word(f"{path.stem}.utf8{path.suffix}")
    names = {"cp950": "Big5/CP950", "big5": "Big5/CP950", "cp950+hkscs": "Big5-HKSCS", "gb18030": "GB18030/GBK"}
    if encoding in ("cp950", "big5", "gb18030") and _double_byte(sample):
        name, iconv = names[encoding], "GB18030" if encoding == "gb18030" else "CP950"
        return (
            f"{name} (Excel on Chinese Windows saves CSV so); convert it and ingest the copy:"
            f" `iconv -f {iconv} -t UTF-8 {src} > {dst}` (or save it from Excel as CSV UTF-8)"
        )
    if encoding == "cp950+hkscs" and _double_byte(sample):  # user-defined characters (造字) or HKSCS ones
        return (
            "Big5 with characters CP950 lacks (user-defined 造字, or HKSCS): save it from Excel as CSV UTF-8, or"
            f" convert it with the table its characters were made with: `iconv -f ENCODING -t UTF-8 {src} > {dst}`"
        )
    # a guess on a few bytes, or one no Chinese Excel writes: a command naming it could turn the text into other
    # characters without an error (a CP1252 `bank’s` reads as Big5-HKSCS, `naïve` as CP950), so none is given
    guess = "" if encoding == "unknown" else f" (perhaps {names.get(encoding, encoding)}, not told for sure)"
    return (
        f"no one encoding{guess}; save it from Excel as CSV UTF-8, or convert it naming the encoding it was written"
        f" in: `iconv -f ENCODING -t UTF-8 {src} > {dst}`"
    )


#: what a POSIX shell takes as part of a word: every character beyond ASCII, and these ASCII ones
_SHELL_SAFE = re.compile(r"[^\x00-\x7f]|[A-Za-z0-9_.,+@%=:/-]")


def _shell_word(name: str) -> str:
    r"""``name`` as one shell word, each special ASCII character escaped by a backslash: ``shlex.quote``'s quotes
    glued to a file name (``'王小明.csv'``), so the ingest's identifier guard (whose file-name segments a backslash or
    white space ends, not a quote) did not see the name it pseudonymises in the locator, and the excerpt kept it raw.

    >>> _shell_word("授信 規範.csv"), _shell_word("王小明.csv"), _shell_word("a'b$.csv")
    ('授信\\ 規範.csv', '王小明.csv', "a\\'b\\$.csv")
    """
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):  # a line end cannot be escaped so: quoted instead
        import shlex

        return shlex.quote(name)
    return "".join(c if _SHELL_SAFE.fullmatch(c) else "\\" + c for c in name)


def _double_byte(sample: bytes) -> bool:
    """Whether most bytes beyond ASCII in ``sample`` stand beside another (Chinese text in Big5 or GBK), not alone
    between ASCII bytes as a Western code page's accents and quotes do.

    >>> _double_byte("臺灣銀行授信".encode("cp950")), _double_byte("naïve café".encode("cp1252"))
    (True, False)
    """
    high = len(re.findall(rb"[\x80-\xff]", sample))
    alone = len(re.findall(rb"(?<![\x80-\xff])[\x80-\xff](?![\x80-\xff])", sample))
    return high > 0 and 2 * alone < high
