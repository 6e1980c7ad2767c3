"""The dedup index's exact keys, tagged with the version of the key (``<version>:<digest>``), as strict keys are.

An exact key is a digest of :func:`curate.dedup.keys.normalise_codepoints`, which folds through the Unicode database
and OpenCC's table: after a Python or OpenCC upgrade the same text may get another key. Stored bare (before review
16), an earlier record's key was compared as it stood, so an identical copy arriving after such an upgrade missed its
exact group: a near duplicate at best (a statute's copy kept active), or no duplicate at all for a text too short to
shingle, where one run over both decides an exact duplicate. A key stored under another version, or bare (an index
written before review 16), is read again from the record's text and rewritten (:func:`rekey_stale`); its bare digest
still finds the index rows a new record may share a key with.
"""

from __future__ import annotations

from collections.abc import Callable

from curate.dedup.keys import exact_key, exact_key_version, normalise_codepoints

#: texts read per block when keying stale rows (bounds the texts held at once)
_BLOCK = 8192


def tagged(digest: str) -> str:
    """The index's form of an exact key: tagged with the version of the function that computed it."""
    return f"{exact_key_version()}:{digest}"


def is_current(value: str) -> bool:
    """Whether a stored exact key was computed under this version (else it is stale, or bare: computed again)."""
    return value.startswith(exact_key_version() + ":")


def current_prefix() -> str:
    """``LIKE`` pattern of a key stored under this version."""
    return exact_key_version() + ":%"


def text_key(text: str) -> str:
    """The stored exact key of a text."""
    return tagged(exact_key(normalise_codepoints(text)))


def rekey_stale(
    ids: list[str], keys: list[str], fetch: Callable[[list[str]], dict[str, str]]
) -> tuple[list[str], list[list[str]]]:
    """``keys`` with each stale or bare one computed again from its record's text (``fetch``: record id -> text, for
    the ids asked), and ``[[record_id, key], ...]`` of those rewritten (for the index). A record without text keeps
    its key: keyed as the empty text, every such record would be one exact group."""
    out = list(keys)
    stale = [i for i, k in enumerate(keys) if not is_current(k)]
    rewritten: list[list[str]] = []
    for start in range(0, len(stale), _BLOCK):
        block = stale[start : start + _BLOCK]
        texts = fetch([ids[i] for i in block])
        for i in block:
            text = texts.get(ids[i])
            if text is None:  # no text to key (none is indexed so): the stale key matches no current one, as it stands
                continue
            out[i] = text_key(text)
            rewritten.append([ids[i], out[i]])
    return out, rewritten
