"""English given names (``schemas/pii/english_given_names.txt``, built by ``schemas/pii/build_english_given_names.py``
from Faker's English name lists): the evidence that a capitalised word names a person (``Kevin 黃``:
:mod:`curate.pii.mixed_names`; ``Kevin Liao``: :mod:`curate.pii.romanised_names`). A module of its own, so that both
read it without importing each other."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def english_given_names() -> frozenset[str]:
    """The list's names, as written (``Kevin``).

    >>> "Kevin" in english_given_names(), "Governing" in english_given_names()
    (True, False)
    """
    import importlib.resources

    text = importlib.resources.files("schemas").joinpath("pii", "english_given_names.txt").read_text(encoding="utf-8")
    return frozenset(w for w in text.split("\n") if w and not w.startswith("#"))
