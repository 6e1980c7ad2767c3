"""OpenCC converters that take any text.

OpenCC's C API reads its input as a NUL-terminated string: everything after a U+0000 is dropped
without a word (``"空字符\\x00在这里。"`` came back as ``"空字元這裡。"``). No other code point does this
(each of the 1,112,064 scalar values was converted between two Han characters with s2twp, s2tw and
tw2s). :class:`Converter` cuts the text at each NUL, converts the pieces and puts the NULs back, so
the text comes back whole and the same length around each NUL; a NUL is a word boundary for OpenCC.
"""

from __future__ import annotations

from curate._optional import require

#: the code points OpenCC stops at
STOPS = "\0"


class Converter:
    """``opencc.OpenCC(config)`` whose :meth:`convert` never loses text after a NUL."""

    __slots__ = ("_convert",)

    def __init__(self, config: str) -> None:
        opencc = require("opencc", extra="zh", purpose="Simplified -> Traditional conversion")
        self._convert = opencc.OpenCC(config).convert

    def convert(self, text: str) -> str:
        if STOPS not in text:
            return self._convert(text)
        return STOPS.join(self._convert(p) if p else p for p in text.split(STOPS))
