"""One rule for cutting a stream into batches: at most ``max_items`` items, and (optionally) a batch also ends
once its items hold ``max_chars`` characters. Used by the stages (:meth:`curate.stages.base.Stage.run`) and by
``curate zh convert``; the zh benchmark and tests cut their inputs with it to match the stage."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batches(
    items: Iterable[T], *, max_items: int, max_chars: int | None = None, size: Callable[[T], int] = len
) -> Iterator[list[T]]:
    """``items`` in order, in lists of at most ``max_items``; a list also ends once the ``size`` of its items
    reaches ``max_chars`` (a single item may exceed it). A new list is yielded each time.

    >>> [len(b) for b in batches(["ab", "cd", "e", "fgh"], max_items=3, max_chars=4)]
    [2, 2]
    >>> [len(b) for b in batches(range(5), max_items=2)]
    [2, 2, 1]
    """
    batch: list[T] = []
    chars = 0
    for item in items:
        batch.append(item)
        if max_chars is not None:
            chars += size(item)
        if len(batch) >= max_items or (max_chars is not None and chars >= max_chars):
            yield batch
            batch, chars = [], 0
    if batch:
        yield batch
