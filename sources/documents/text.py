"""Plain text: decoding (UTF-8, Big5/CP950, charset-normalizer), language guess, and the text extractor."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

from sources.documents.cleanup import is_heading, join_broken_lines, remove_headers_footers, split_paged
from sources.documents.model import ExtractConfig, ExtractedDocument, ExtractionError, Reason, Segment

__all__ = ["decode_declared", "decode_text", "detect_lang", "extract_text"]

# byte classes of UTF-8 for a fast language guess: lead bytes of U+3400..U+9FFF, and letters
_CJK_LEADS = bytes(range(0xE3, 0xEA))
_OTHER_LETTERS = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B)) + bytes(range(0xC3, 0xE0))
_ALL_BYTES = bytes(range(256))
_DROP_NON_CJK = bytes(b for b in range(256) if b not in _CJK_LEADS)
_DROP_NON_OTHER = bytes(b for b in range(256) if b not in _OTHER_LETTERS)


def detect_lang(text: str) -> str:
    """``zh`` when CJK characters make up at least 10 % of the letters (first 2,000 chars), else ``en``.

    Counted on UTF-8 lead bytes (fast, approximate: CJK punctuation counts as CJK).

    >>> detect_lang("金融監督管理委員會"), detect_lang("Financial Supervisory Commission")
    ('zh', 'en')
    """
    data = text[:2000].encode("utf-8", "replace")
    cjk = len(data.translate(_ALL_BYTES, _DROP_NON_CJK))
    other = len(data.translate(_ALL_BYTES, _DROP_NON_OTHER))
    return "zh" if cjk and cjk / (cjk + other) >= 0.1 else "en"


#: tried after UTF-8; Taiwanese legacy files are Big5 or its Microsoft superset CP950, what Windows writes. CP950
#: decodes every byte sequence Python's ``big5`` does, and reads 11 punctuation marks as Windows wrote them (A1E3 ～
#: not ∼, A145 ‧ not •, A241 ∕ with ／ at A1FE): ``big5`` first turned a UTF-8 and a Big5 copy of one text into two
#: different records, so it is not tried at all. A pair CP950 lacks is read on its own (:func:`_cp950_fallback`), never
#: the whole file by ``big5hkscs``, which keeps ``big5``'s punctuation
_CP950 = "cp950"
#: the reading of a CP950 text with HKSCS characters, as ``metadata.encoding`` names it
_CP950_HKSCS = "cp950+hkscs"
_FALLBACK = "curate-cp950-fallback"
#: readings of :func:`decode_text` that are decided, not guessed: a declared charset they contradict is wrong (one
#: that needed HKSCS is not among them: Windows-1252 quotes before a letter, ’s, read as HKSCS Han)
_CHINESE_READINGS = frozenset({"utf-8", "utf-8-sig", "utf-16", _CP950, "gb18030"})
#: Windows' user-defined areas of CP950 (EUDC, 造字: a glyph in a private font, no character any encoding names),
#: each lead byte's 157 codes (trail 40-7E, A1-FE) mapped in order into the Private Use Area as Windows maps them:
#: (first lead, last lead, first trail of the first lead, first code point). FA40-FEFE is the area Windows' EUDC
#: editor fills first, where Taiwanese 造字 (rare names) are; HKSCS also assigns it, so a pair there is never guessed
#: as HKSCS. The other areas are read as HKSCS where it assigns the pair.
_EUDC_AREAS = (
    (0xFA, 0xFE, 0x40, 0xE000),
    (0x8E, 0xA0, 0x40, 0xE311),
    (0x81, 0x8D, 0x40, 0xEEB8),
    (0xC6, 0xC8, 0xA1, 0xF6B1),
)
#: charset labels of the Big5 family a file may declare (HTML ``<meta charset>``, XML ``encoding=``), read as CP950
BIG5_LABELS = frozenset({"big5", "big5-tw", "csbig5", "x-x-big5", "cn-big5", "cp950", "ms950", "windows-950"})


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes as UTF-8, else Big5/CP950 (or GB18030 where its bytes read as common GB2312 characters and rare
    Big5 ones; refused where the two cannot be told apart), else charset-normalizer's best guess.

    Returns ``(text, encoding)``; raises :class:`ExtractionError` (undecodable) otherwise.

    >>> decode_text("臺灣銀行".encode("big5"))
    ('臺灣銀行', 'cp950')
    >>> decode_text("\\ufeff臺灣".encode("utf-8"))
    ('臺灣', 'utf-8-sig')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise ExtractionError(Reason.UNDECODABLE, f"UTF-8 BOM but invalid UTF-8 at byte {exc.start + 3}") from exc
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16: FF FE starts both
        raise ExtractionError(Reason.UNDECODABLE, "UTF-32 byte-order mark: convert the file to UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise ExtractionError(Reason.UNDECODABLE, f"UTF-16 BOM but invalid UTF-16: {exc}") from exc
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    legacy = _read_cp950(data)
    if legacy is not None:
        try:
            text, encoding = _checked(*_big5_or_gb(data, *legacy))
        except ExtractionError as exc:
            if exc.detail.startswith(_AMBIGUOUS):
                raise
        else:
            return _without_user_defined(text, encoding)
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise ExtractionError(Reason.UNDECODABLE, "not UTF-8, Big5, CP950 or any encoding charset-normalizer knows")
    return _checked(str(best), best.encoding)


def _read_cp950(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` of ``data`` as CP950, each pair CP950 lacks read on its own (:func:`_cp950_fallback`);
    None when a byte sequence is neither."""
    try:
        return data.decode(_CP950), _CP950
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(_CP950, _FALLBACK), _CP950_HKSCS
    except UnicodeDecodeError:
        return None


def _eudc_code_point(pair: bytes) -> int | None:
    """The Private Use Area code point Windows reads a user-defined pair of CP950 as (:data:`_EUDC_AREAS`), or None.

    >>> hex(_eudc_code_point(b"\\xfa\\x40")), hex(_eudc_code_point(b"\\xfe\\xfe")), _eudc_code_point(b"\\xa4\\x40")
    ('0xe000', '0xe310', None)
    """
    lead, trail = pair[0], pair[1] if len(pair) > 1 else 0
    if not (0x40 <= trail <= 0x7E or 0xA1 <= trail <= 0xFE):
        return None
    index = trail - 0x40 if trail <= 0x7E else trail - 0xA1 + 63
    for first, last, first_trail, start in _EUDC_AREAS:
        if first <= lead <= last:
            skipped = 63 if first_trail == 0xA1 else 0  # C6A1: the area starts at the lead's second half
            if lead == first and index < skipped:
                return None
            return start + (lead - first) * 157 + index - skipped
    return None


def _cp950_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: a pair CP950 lacks, read on its own: a user-defined one (造字) as the Private Use Area
    character Windows reads it as (named by :func:`_without_user_defined`, never guessed), else as HKSCS (香港增補字符集:
    嘅), else the error stands."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    pair = exc.object[exc.start : exc.start + 2]
    code = _eudc_code_point(pair)
    if code is not None and (pair[0] >= 0xFA or not _hkscs(pair)):
        return chr(code), exc.start + 2
    if text := _hkscs(pair):
        return text, exc.start + 2
    raise exc


def _hkscs(pair: bytes) -> str | None:
    try:
        return bytes(pair).decode("big5hkscs") if len(pair) == 2 else None
    except UnicodeDecodeError:
        return None


codecs.register_error(_FALLBACK, _cp950_fallback)


def _without_user_defined(text: str, encoding: str) -> tuple[str, str]:
    """``(text, encoding)``, or :class:`ExtractionError` (undecodable) naming the user-defined characters (造字) a
    Big5 reading holds: which character each one draws lives in a private font, and a guess (HKSCS reads FA40 as 𠕇)
    would store a wrong name silently."""
    if encoding != _CP950_HKSCS:
        return text, encoding
    found = [(i, ch) for i, ch in enumerate(text) if "\ue000" <= ch <= "\uf848"]
    if not found:
        return text, encoding
    at, ch = found[0]
    raise ExtractionError(
        Reason.UNDECODABLE,
        f"{_USER_DEFINED} (造字, Windows EUDC) name no standard character: {len(found)} of them, the first bytes"
        f" {_eudc_bytes(ord(ch))} at character {at + 1}; replace each with its standard character or a description,"
        " then save it as UTF-8",
    )


_USER_DEFINED = "user-defined Big5 characters"


def _eudc_bytes(code: int) -> str:
    """The CP950 pair, in hex, that Windows reads as the Private Use Area character ``code`` (:data:`_EUDC_AREAS`).

    >>> _eudc_bytes(0xE000), _eudc_bytes(0xE310), _eudc_bytes(0xF6B1), _eudc_bytes(0xF6B1 + 94)
    ('FA40', 'FEFE', 'C6A1', 'C740')
    """
    for first, _last, first_trail, start in sorted(_EUDC_AREAS, key=lambda a: a[3], reverse=True):
        if code >= start:
            lead, index = divmod(code - start + (63 if first_trail == 0xA1 else 0), 157)
            trail = 0x40 + index if index < 63 else 0xA1 + index - 63
            return f"{first + lead:02X}{trail:02X}"
    return f"U+{code:04X}"


#: Big5 and GB18030 read most of each other's bytes without an error (GB2312 text is mostly valid Big5: "银行授信" reads
#: "窅俴忨陓"), so a Big5 decode is checked against GB18030 by how common its characters are: each standard orders its
#: characters by frequency, Big5 its 5,401 常用字 (A440-C67E) before the 7,652 次常用字, GB2312 its 3,755 level-1
#: hanzi (B0A1-D7F9) before level 2; both put symbols and punctuation in A1-A3. Real text of either reads mostly
#: common in its own encoding and less so in the other (measured on chunks of schemas/zh/terminology.tsv: from 8
#: characters on, Taiwan text at least 0.12 more common as Big5 (median 0.75), Simplified text never more common as
#: Big5 (median 0.5 less)); a decode whose share is not :data:`_MARGIN` above the other's is read as Big5 (the Taiwan
#: prior) while it holds fewer than :data:`_MIN_HAN` Han characters, too few to tell (匯款, 楊琇雯: common in both),
#: and refused from there on, where neither reading has the evidence it should have.
_MARGIN = 0.1
_MIN_HAN = 8
_AMBIGUOUS = "cannot tell Big5 from GB18030"


def _common_shares(data: bytes) -> tuple[float, float]:
    """The shares of the double-byte characters of ``data`` that are common in Big5 and in GB2312 (see above)."""
    n = big5 = gb = 0
    i, end = 0, len(data) - 1
    while i < end:
        lead = data[i]
        if lead < 0x80:
            i += 1
            continue
        trail = data[i + 1]
        n += 1
        big5 += 0xA1 <= lead <= 0xC5 or (lead == 0xC6 and trail <= 0x7E)
        gb += trail >= 0xA1 and (0xA1 <= lead <= 0xA3 or 0xB0 <= lead <= 0xD7)
        i += 2
    return (big5 / n, gb / n) if n else (1.0, 0.0)


def _han(text: str) -> int:
    """How many Han characters ``text`` holds (CJK unified ideographs, extension A and compatibility ones)."""
    return sum(
        1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"
    )


def _big5_or_gb(data: bytes, text: str, encoding: str) -> tuple[str, str]:
    """``(text, encoding)`` of a Big5-family decode, or GB18030's when the bytes read as common GB2312 characters
    and rare Big5 ones; the Big5 decode when the two cannot be told apart in a text of fewer than :data:`_MIN_HAN`
    Han characters, :class:`ExtractionError` (undecodable) when they cannot in a longer one.

    >>> _big5_or_gb("銀行授信實務".encode("big5"), "銀行授信實務", "big5")[1]
    'big5'
    >>> _big5_or_gb("匯款".encode("big5"), "匯款", "big5")  # common in both: too short to tell
    ('匯款', 'big5')
    >>> _big5_or_gb("银行授信实务讲义".encode("gb18030"), "窅俴忨陓妗昢蔡砱", "big5")
    ('银行授信实务讲义', 'gb18030')
    """
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        return text, encoding
    big5, gb = _common_shares(data)
    if big5 - gb >= _MARGIN:
        return text, encoding
    if gb - big5 >= _MARGIN:
        return gb_text, "gb18030"
    if _han(text) < _MIN_HAN:
        return text, encoding
    raise ExtractionError(
        Reason.UNDECODABLE,
        f"{_AMBIGUOUS}: {big5:.0%} of its characters are common as {encoding}, {gb:.0%} as GB18030;"
        " save it as UTF-8 (e.g. `iconv -f BIG5 -t UTF-8` or `iconv -f GB18030 -t UTF-8`)",
    )


def decode_declared(data: bytes, declared: str | None) -> tuple[str, str]:
    """Decode bytes by the charset the file declares (a Big5 label as CP950), else as :func:`decode_text` does.

    A declaration is overruled only on evidence: its reading looks like mojibake (:func:`_mojibake`) and the bytes
    read as substantially Chinese text (:func:`_chinese`; Big5 bytes under ``<meta charset="iso-8859-1">``: a
    single-byte codec never fails). Which reading is meant cannot be known then: :class:`ExtractionError`
    (undecodable), never mojibake stored silently. An accented letter before an ASCII letter (São, Québec) is a
    valid Big5 character too, no evidence.

    >>> decode_declared("臺灣".encode("cp950"), "big5")
    ('臺灣', 'cp950')
    >>> decode_declared("café in São Paulo".encode("latin-1"), "iso-8859-1")
    ('café in São Paulo', 'iso-8859-1')
    """
    if not declared:
        return decode_text(data)
    codec = "cp950" if declared.lower() in BIG5_LABELS else declared.lower()
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return decode_text(data)
    if _han(text) or data.isascii() or not _mojibake(text):
        return text, codec
    try:
        other, encoding = decode_text(data)
    except ExtractionError as exc:
        if exc.detail.startswith((_AMBIGUOUS, _USER_DEFINED)):  # Chinese text: not the declared codec's either
            raise
        return text, codec
    if _chinese(other, encoding):
        raise ExtractionError(
            Reason.UNDECODABLE,
            f"declares charset {declared} but reads as {encoding} Chinese text ({_han(other)} Han characters,"
            f" none as {declared}); correct the charset or save it as UTF-8",
        )
    return text, codec


#: evidence that overrules a declared charset: under this share of the declared reading's non-ASCII characters are
#: letters (real Latin text's are: é, ñ, ü, 100 % on every sample; Big5 or UTF-8 Chinese read by a single-byte codec
#: is mostly symbols and C1 controls, ¥»¦æ¨Ì: 25-58 %), and the other reading holds at least :data:`_OVERRULE_HAN`
#: Han characters, at least half of its non-ASCII characters
_LATIN_LETTERS = 0.75
_OVERRULE_HAN = 4


def _mojibake(declared_text: str) -> bool:
    """Whether a declared reading without Han looks like mojibake, not Latin text (:data:`_LATIN_LETTERS`).

    >>> _mojibake("¥»¦æ¨Ì¾Ú»È¦æªk"), _mojibake("Ma Québec, Zürich")
    (True, False)
    """
    foreign = [ch for ch in declared_text if not ch.isascii()]
    letters = sum(1 for ch in foreign if unicodedata.category(ch).startswith("L"))
    return letters < _LATIN_LETTERS * len(foreign)


def _chinese(text: str, encoding: str) -> bool:
    """Whether :func:`decode_text`'s reading is substantially Chinese (:data:`_OVERRULE_HAN`), and decided, not one
    of charset-normalizer's guesses (it reads café as UTF-16).

    >>> _chinese("本行依據銀行法", "cp950"), _chinese("Ma Qu嶵ec", "cp950")
    (True, False)
    """
    han = _han(text)
    return encoding in _CHINESE_READINGS and han >= _OVERRULE_HAN and han * 2 >= sum(not ch.isascii() for ch in text)


def _checked(text: str, encoding: str) -> tuple[str, str]:
    bad = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if text and bad / len(text) > 0.01:
        raise ExtractionError(Reason.UNDECODABLE, f"{bad} control characters after decoding as {encoding}")
    return text, encoding


def extract_text(path: Path, data: bytes, config: ExtractConfig) -> ExtractedDocument:
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:  # form feeds = pages
        pages = remove_headers_footers([pg.split("\n") for pg in text.split("\f")], config)
        return ExtractedDocument("text", split_paged(None, pages, config), encoding=encoding, pages=len(pages))
    lines = text.removesuffix("\n").split("\n")
    heads = [i for i, ln in enumerate(lines) if is_heading(ln)]
    segments: list[Segment] = []
    if len(heads) >= config.min_headings:
        bounds = ([0] if heads[0] > 0 else []) + heads + [len(lines)]
        for n, (a, b) in enumerate(zip(bounds[:-1], bounds[1:]), start=0 if heads[0] > 0 else 1):
            body = join_broken_lines(lines[a:b])
            if body.strip():
                title = lines[a].strip() if a in heads else None
                segments.append(
                    Segment(
                        f"section={n}&lines={a + 1}-{b}",
                        body,
                        title,
                        {"section": n, "section_title": title, "line_start": a + 1, "line_end": b},
                    )
                )
    else:
        start, size = 0, 0
        for i, ln in enumerate(lines + [""]):
            size += len(ln) + 1
            end_of_para = i == len(lines) or not ln.strip()
            if (size >= config.max_part_chars and end_of_para) or i == len(lines):
                body = join_broken_lines(lines[start:i])
                if body.strip():
                    part = len(segments) + 1
                    segments.append(
                        Segment(
                            f"part={part}&lines={start + 1}-{i}",
                            body,
                            None,
                            {"part": part, "line_start": start + 1, "line_end": i},
                        )
                    )
                start, size = i + 1, 0
    return ExtractedDocument("text", segments, encoding=encoding)
