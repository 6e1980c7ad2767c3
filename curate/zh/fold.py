"""Script-invariant folding for deduplication keys (never written as record text).

``fold(text)`` maps every Han character to one representative across Simplified and
Traditional forms, using OpenCC's own Traditional->Simplified character table (``t2s``),
so that a Simplified copy and its Traditional original produce the same key, and variant
pairs such as 台/臺 or 裡/裏 collapse too. The table is derived once per process by
converting each CJK code point alone (no phrase rules), then applied with ``str.translate``.
"""

from __future__ import annotations

import functools
import unicodedata

#: CJK blocks folded: URO, Ext A, compatibility ideographs
_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@functools.cache
def fold_table() -> dict[int, str]:
    """Code point -> folded character, derived from OpenCC ``t2s`` (+ ``tw2s`` variants)."""
    import opencc

    chars = [chr(c) for lo, hi in _RANGES for c in range(lo, hi + 1)]
    table: dict[int, str] = {}
    for config in ("t2s", "tw2s"):
        conv = opencc.OpenCC(config)
        out = conv.convert("\n".join(chars)).split("\n")
        if len(out) != len(chars):  # pragma: no cover - defensive: fall back char by char
            out = [conv.convert(c) for c in chars]
        for src, dst in zip(chars, out, strict=True):
            if len(dst) == 1 and dst != src and ord(src) not in table:
                table[ord(src)] = dst
    # make the mapping idempotent: fold(fold(x)) == fold(x)
    for k, v in list(table.items()):
        seen = {k}
        while ord(v) in table and ord(v) not in seen:
            seen.add(ord(v))
            v = table[ord(v)]
        table[k] = v
    return table


def fold(text: str) -> str:
    """NFKC, then fold Simplified/Traditional variants to one form.

    >>> fold("臺灣銀行帳戶") == fold("台湾银行帐户")
    True
    """
    return unicodedata.normalize("NFKC", text).translate(fold_table())
