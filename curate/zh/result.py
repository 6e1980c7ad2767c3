"""What :func:`curate.zh.normalise` returns: :class:`Result` with its :class:`Edit` and :class:`Flag` tuples.

Edits made by the batch path are held as positions (:class:`BatchResult` over the batch's :class:`EditRows`)
and become ``Edit`` tuples only when read; the ledger takes them column by column (:meth:`Result.edits_columns`).
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np

#: builds a NamedTuple without its Python-level ``__new__`` (hot loops; all fields given)
_tnew = tuple.__new__


class Edit(NamedTuple):
    """One change: ``before`` at ``offset`` (code points into the input) became ``after``."""

    offset: int
    before: str
    after: str
    #: what made it: "opencc" or "term"
    by: str = "opencc"


class Flag(NamedTuple):
    """A span of the input worth a human proofreader's look."""

    start: int
    end: int
    reason: str
    chars: str = ""


_BY = ("opencc", "term")


class EditRows:
    """The edit positions of one batch, as Python lists once read.

    ``rows``: a 5 x n array, one column per edit (offset, before length, offset in the new text, after length,
    1 if a term made it); see :class:`BatchResult`.

    The lists are made once for the whole batch (one ``tolist``), and each record slices them.
    """

    __slots__ = ("_lists", "rows")

    def __init__(self, rows: np.ndarray) -> None:
        self.rows = rows
        self._lists: list[list] | None = None

    def lists(self) -> list[list]:
        """[offsets, before lengths, new offsets, after lengths, makers ("opencc" | "term")]."""
        got = self._lists
        if got is None:
            got = self.rows.tolist()
            got[4] = [_BY[k] for k in got[4]]
            self._lists = got
        return got


class Result:
    """What :func:`normalise` returns (immutable; edits may be held as positions until read).

    The fields are read-only properties over private slots: plain slot assignment in ``__init__``
    costs ~0.15 µs, a ``__setattr__`` that refuses every write (and ``object.__setattr__`` to get
    past it) ~0.6 µs per result, which the batch path pays once per record.
    """

    __slots__ = ("_counts", "_edits", "_flags", "_script", "_shares", "_text")

    def __init__(
        self,
        text: str,
        script: str,
        shares: dict[str, float],
        edits: tuple[Edit, ...] = (),
        flags: tuple[Flag, ...] = (),
        counts: dict[str, int] | None = None,
    ) -> None:
        self._text = text
        self._script = script
        self._shares = shares
        self._edits = edits
        self._flags = flags
        self._counts = {} if counts is None else counts

    #: the new text (the input object itself when nothing changed)
    text: str = property(attrgetter("_text"))  # type: ignore[assignment]
    #: traditional | simplified | mixed | neutral
    script: str = property(attrgetter("_script"))  # type: ignore[assignment]
    #: shares of script-specific characters
    shares: dict[str, float] = property(attrgetter("_shares"))  # type: ignore[assignment]
    #: proofreading flags, in offset order
    flags: tuple[Flag, ...] = property(attrgetter("_flags"))  # type: ignore[assignment]
    #: simplified_chars, traditional_chars (and converted_segments when something was converted)
    counts: dict[str, int] = property(attrgetter("_counts"))  # type: ignore[assignment]

    @property
    def edits(self) -> tuple[Edit, ...]:
        """Every change (offset into the input, before, after, by), in offset order."""
        return self._edits

    @property
    def n_edits(self) -> int:
        return len(self._edits)

    def edits_columns(self, *, text: bool = True) -> dict[str, list[Any]]:
        """The edits column by column, as the ledger keeps them (one list per field, in offset order).

        ``{"offset", "before", "after", "by"}``; with ``text=False`` (a record not yet through PII)
        ``{"offset", "before_chars", "after_chars", "by"}``: positions and lengths, no characters.
        """
        e = self.edits
        off = [x.offset for x in e]
        by = [x.by for x in e]
        if text:
            return {"offset": off, "before": [x.before for x in e], "after": [x.after for x in e], "by": by}
        return {
            "offset": off,
            "before_chars": [len(x.before) for x in e],
            "after_chars": [len(x.after) for x in e],
            "by": by,
        }

    @property
    def changed(self) -> bool:
        return bool(len(self._edits))

    def edits_json(self) -> list[dict[str, Any]]:
        return [{"offset": o, "before": b, "after": a, "by": k} for o, b, a, k in self.edits]

    def flags_json(self) -> list[dict[str, Any]]:
        return [{"start": a, "end": b, "reason": r, "chars": c} for a, b, r, c in self.flags]

    def flags_columns(self, *, chars: bool = True) -> dict[str, list[Any]]:
        """The flags column by column, as the ledger keeps them (``chars=False``: without the characters)."""
        fl = self.flags
        cols: dict[str, list[Any]] = {
            "start": [f[0] for f in fl],
            "end": [f[1] for f in fl],
            "reason": [f[2] for f in fl],
        }
        if chars:
            cols["chars"] = [f[3] for f in fl]
        return cols

    def _key(self) -> tuple:
        return (self.text, self.script, self.shares, self.edits, self.flags, self.counts)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Result):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Result(text={self.text!r}, script={self.script!r}, shares={self.shares!r}, edits={self.edits!r}, "
            f"flags={self.flags!r}, counts={self.counts!r})"
        )


class BatchResult(Result):
    """A result of the batch path whose edits are positions until read (:func:`curate.zh.normalise_many`).

    Edit ``i`` of the batch's :class:`EditRows`, for ``lo <= i < hi``, is
    ``Edit(offset, src[offset:offset + before length], text[new offset:new offset + after length], by)``;
    the tuples are made on the first read of :attr:`edits`, and the ledger's columns
    (:meth:`edits_columns`) come from the positions without them. A fully Simplified record converted
    whole: script ``simplified``, one segment. One object per record (no separate edit view).
    """

    __slots__ = ("_hi", "_lo", "_rows", "_src")

    def __init__(
        self, text: str, src: str, rows: EditRows, lo: int, hi: int, flags: tuple[Flag, ...], n_simp: int
    ) -> None:
        self._text = text
        self._script = "simplified"
        self._shares = {"traditional": 0.0, "simplified": 1.0}
        self._edits = None  # type: ignore[assignment]
        self._flags = flags
        self._counts = {"simplified_chars": n_simp, "traditional_chars": 0, "converted_segments": 1}
        self._src, self._rows, self._lo, self._hi = src, rows, lo, hi

    def _columns(self) -> list[list]:
        lo, hi = self._lo, self._hi
        return [c[lo:hi] for c in self._rows.lists()]

    @property
    def edits(self) -> tuple[Edit, ...]:
        e = self._edits
        if e is None:
            t, n = self._src, self._text
            e = self._edits = tuple(
                [
                    _tnew(Edit, (o, t[o : o + b], n[p : p + a], k))
                    for o, b, p, a, k in zip(*self._columns(), strict=True)
                ]
            )
        return e

    @property
    def n_edits(self) -> int:
        return self._hi - self._lo

    @property
    def changed(self) -> bool:
        return self._hi > self._lo

    def edits_columns(self, *, text: bool = True) -> dict[str, list[Any]]:
        off, blen, noff, alen, by = self._columns()
        if not text:
            return {"offset": off, "before_chars": blen, "after_chars": alen, "by": by}
        t, n = self._src, self._text
        return {
            "offset": off,
            "before": [t[o : o + b] for o, b in zip(off, blen, strict=True)],
            "after": [n[p : p + a] for p, a in zip(noff, alen, strict=True)],
            "by": by,
        }
