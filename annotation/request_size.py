"""How many tasks go into one Label Studio import request: a count and a size bound.

Label Studio refuses a request body over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (250 MB by default) with an HTTP 500 that
reads as a server fault, and a push retried it, then stopped with "is it running and reachable? Re-running
continues", and every run stopped there again: 1,000 proofreading tasks (each text sent twice, as the task's text and
the pre-filled correction) of textbook chapters of ~45,000 characters make such a body (review 15). A request now
carries at most ``max_bytes`` of JSON as well as at most the batch's count of tasks; a task larger than that alone
goes alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

#: the JSON a push sends in one import request, at most (a single larger task goes alone)
MAX_REQUEST_BYTES = 64 * 1024 * 1024


def request_slices(tasks: Sequence[dict[str, Any]], max_bytes: int | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive runs of ``tasks`` whose JSON (as sent: UTF-8) is at most ``max_bytes``
    (None: :data:`MAX_REQUEST_BYTES`).

    >>> request_slices([{"t": "a" * 10}] * 5, max_bytes=50)
    [(0, 2), (2, 4), (4, 5)]
    >>> request_slices([{"t": "a" * 100}, {"t": "b"}], max_bytes=40)
    [(0, 1), (1, 2)]
    """
    max_bytes = MAX_REQUEST_BYTES if max_bytes is None else max_bytes
    out: list[tuple[int, int]] = []
    start, size = 0, 2  # the list's brackets
    for i, task in enumerate(tasks):
        n = len(json.dumps(task, ensure_ascii=False).encode()) + 2  # (", " between tasks)
        if i > start and size + n > max_bytes:
            out.append((start, i))
            start, size = i, 2
        size += n
    if start < len(tasks):
        out.append((start, len(tasks)))
    return out


__all__ = ["MAX_REQUEST_BYTES", "request_slices"]
