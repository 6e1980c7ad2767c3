"""Single-script character sets derived from OpenCC's own character dictionaries.

OpenCC ships ``STCharacters`` (Simplified -> Traditional candidates) and ``TSCharacters``
(Traditional -> Simplified candidates). A Simplified key that is *not* among its own
candidates (``发 -> 發 髮``) exists only in Simplified text; a Traditional key that is not
among its own candidates (``發 -> 发``) exists only in Traditional text. Keys that are their
own candidate (``干 -> 幹 乾 干 榦``, ``后 -> 後 后``) are valid in both scripts and count as
neutral; those with more than one candidate are the conversion ambiguities flagged for
proofreading.

The dictionaries are read with OpenCC's ``opencc_dict`` tool shipped in the ``opencc`` wheel
(binary ``.ocd2`` -> text). Where that tool is missing, the sets are derived with the
converters instead (each CJK code point converted alone with ``s2t`` and ``t2s``), which
sees only the first candidate and is therefore a coarser fallback.
"""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from curate._optional import require

log = logging.getLogger(__name__)

#: CJK blocks scanned by the converter fallback: URO, Ext A, compatibility ideographs
_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


@dataclass(frozen=True, slots=True)
class ScriptSets:
    """Characters that exist in one script only, and the one-to-many Simplified characters."""

    simplified_only: frozenset[str]
    traditional_only: frozenset[str]
    #: Simplified character -> its Traditional candidates, where there are several
    ambiguous: dict[str, tuple[str, ...]]
    #: how the sets were derived ("opencc_dict" or "converters")
    method: str


def _opencc_paths() -> tuple[Path, Path]:
    opencc = require("opencc", extra="zh", purpose="Chinese script detection")
    base = Path(opencc.__file__).parent / "clib"
    return base / "bin" / "opencc_dict", base / "share" / "opencc"


def _read_dict(tool: Path, share: Path, name: str) -> dict[str, list[str]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}.txt"
        subprocess.run(
            [str(tool), "-i", str(share / f"{name}.ocd2"), "-o", str(out), "-f", "ocd2", "-t", "text"],
            check=True,
            capture_output=True,
        )
        table: dict[str, list[str]] = {}
        for line in out.read_text(encoding="utf-8").splitlines():
            key, _, values = line.partition("\t")
            if key and values:
                table[key] = values.split(" ")
        return table


def _from_dicts(tool: Path, share: Path) -> ScriptSets:
    st = _read_dict(tool, share, "STCharacters")
    ts = _read_dict(tool, share, "TSCharacters")
    simp = {k for k, v in st.items() if len(k) == 1 and k not in v}
    # Taiwan standard forms that OpenCC's own standard spells otherwise (床 vs 牀) are not
    # Simplified-only: s2tw leaves them as they are
    simp -= _unchanged_by("s2tw", simp)
    trad = {k for k, v in ts.items() if len(k) == 1 and k not in v}
    overlap = simp & trad
    simp -= overlap
    trad -= overlap
    ambiguous = {k: tuple(v) for k, v in st.items() if len(k) == 1 and len(v) > 1}
    return ScriptSets(frozenset(simp), frozenset(trad), ambiguous, "opencc_dict")


def _unchanged_by(config: str, chars: set[str]) -> set[str]:
    import opencc

    ordered = sorted(chars)
    out = opencc.OpenCC(config).convert("\n".join(ordered)).split("\n")
    if len(out) != len(ordered):  # pragma: no cover - defensive
        conv = opencc.OpenCC(config)
        out = [conv.convert(c) for c in ordered]
    return {c for c, o in zip(ordered, out, strict=True) if c == o}


def _from_converters() -> ScriptSets:
    import opencc

    chars = [chr(c) for lo, hi in _RANGES for c in range(lo, hi + 1)]
    s2t = opencc.OpenCC("s2t").convert("\n".join(chars)).split("\n")
    t2s = opencc.OpenCC("t2s").convert("\n".join(chars)).split("\n")
    simp_img = {t for c, t in zip(chars, t2s, strict=True) if t != c}
    trad_img = {t for c, t in zip(chars, s2t, strict=True) if t != c}
    simp = {c for c, t in zip(chars, s2t, strict=True) if t != c and c not in trad_img}
    trad = {c for c, s in zip(chars, t2s, strict=True) if s != c and c not in simp_img}
    overlap = simp & trad
    return ScriptSets(frozenset(simp - overlap), frozenset(trad - overlap), {}, "converters")


@functools.cache
def script_sets() -> ScriptSets:
    """The sets for this process (derived once).

    >>> s = script_sets()
    >>> "发" in s.simplified_only, "發" in s.traditional_only, "干" in s.simplified_only
    (True, True, False)
    """
    tool, share = _opencc_paths()
    if tool.exists() and os.access(tool, os.X_OK):
        try:
            return _from_dicts(tool, share)
        except (OSError, subprocess.CalledProcessError) as exc:  # pragma: no cover - broken wheel
            log.warning("opencc_dict failed (%s); deriving script sets from converters", exc)
    return _from_converters()
