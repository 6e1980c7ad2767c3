"""What a given name may hold: the one public owner of the check that the PII name rules
(:mod:`curate.pii.segmented_names`, :mod:`curate.pii.mixed_names`) and the zh normaliser's surname rule
(:mod:`curate.zh.surnames`: 于本法, 于其 start no name) read, from ``schemas/pii/names.toml``.
"""

from __future__ import annotations

from functools import lru_cache

from curate.pii.names import STOP_AFTER, _tables
from curate.pii.text import is_han


@lru_cache(maxsize=1)
def not_given_chars() -> frozenset[str]:
    """Characters no given name holds: ``names.toml`` ``non_given`` (both scripts) and ``stop_after``."""
    return frozenset(_tables()[3] | STOP_AFTER)


def given_ok(text: str, a: int, b: int) -> bool:
    """``text[a:b]`` lies in the text and holds Han characters only, none of ``non_given`` or ``stop_after``."""
    if b > len(text):
        return False
    bad = not_given_chars()
    for c in text[a:b]:
        if c in bad or not is_han(c):
            return False
    return True
