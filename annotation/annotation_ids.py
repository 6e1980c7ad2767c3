"""Which exported annotations a pull imported before: by id on the instance, the id checked by its creation time.

An annotation is imported once, by its Label Studio id (``annotations`` is keyed by instance and id). A Label
Studio reinstalled under the same URL, or given a fresh database, numbers its annotations from 1 again, so its
annotations arrive under the ids of those imported from the old one: known by id alone, one under a project and
task id the old instance used too was counted as imported before and never read (the annotator's work dropped
without a word), and one under another project ended in a constraint error. Label Studio never changes an
annotation's creation time (an edit in place moves ``updated_at`` only), so an id the catalogue holds with another
creation time is another annotation: :func:`imported_before` refuses the pull in one line, before it writes
anything, naming what to do. The times are compared as Label Studio writes them (:func:`same_time`): to the digits
both show (an upgrade that writes milliseconds, or whole seconds, changes no annotation), and a time without a zone
up to the zone it was read in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import duckdb

from annotation.errors import LabelStudioTerminalError
from annotation.label_studio import ls_time


def imported_before(
    con: duckdb.DuckDBPyConnection, instance: str, pid: int, exported: list[dict[str, Any]]
) -> set[int]:
    """Ids of the ``exported`` tasks' annotations imported from this instance before (under any project: a task of
    one the catalogue knows under another project is still the annotation it imported).

    Raises :class:`LabelStudioTerminalError` for an id the catalogue holds with another creation time."""
    made: dict[int, str | None] = {a["id"]: a.get("created_at") for t in exported for a in t.get("annotations") or []}
    if not made:
        return set()
    rows = con.execute(
        "SELECT ls_annotation_id, ls_project_id, ls_task_id, annotated_at FROM annotations"
        " WHERE instance = ? AND ls_annotation_id IN (SELECT unnest(?::BIGINT[])) ORDER BY 1",
        [instance, list(made)],
    ).fetchall()
    for aid, old_pid, old_task, at in rows:
        now = ls_time(made[aid])
        if at is not None and now is not None and at != now and not same_time(at, made[aid] or ""):
            raise LabelStudioTerminalError(
                f"it gives annotation id {aid} (project {pid}) to an annotation made {now:%Y-%m-%d %H:%M:%S} "
                f"UTC, but the catalogue imported annotation {aid} made {at:%Y-%m-%d %H:%M:%S} UTC (project {old_pid}, "
                f"task {old_task}) from this URL before: Label Studio was reinstalled or its database replaced, and "
                "numbers its annotations anew, so its annotations cannot be told from the old ones; nothing of this "
                "project was imported. Restore the old database, or serve the new Label Studio under another URL "
                "(LABEL_STUDIO_URL, or LABEL_STUDIO_URL__BANK: another port or host name) and push again",
                url=instance,
            )
    return {r[0] for r in rows}


_FRACTION = re.compile(r"T\d\d:\d\d:\d\d(?:[.,](\d+))?")


def same_time(stored: dt.datetime, said: str) -> bool:
    """Whether ``said`` (a creation time as Label Studio writes it) is the time the catalogue stored (naive UTC).

    Compared to the digits of a second both show (a stored time that ends in zeros may have been written with
    fewer), and a time without a zone, read as local time, up to a whole quarter of an hour (the zone it was read
    in may have changed since).

    >>> at = dt.datetime(2026, 12, 7, 6, 0, 0, 123456)
    >>> [same_time(at, s) for s in ("2026-12-07T14:00:00.123456+08:00", "2026-12-07T06:00:00.123Z",
    ...                             "2026-12-07T06:00:00Z", "2026-12-07T06:00:00.124Z", "2026-12-08T06:00:00.123456Z")]
    [True, True, True, False, False]
    >>> same_time(dt.datetime(2026, 12, 7, 6, 0, 0), "2026-12-07T06:00:00.123456Z")
    True
    """
    now = ls_time(said)
    if now is None:
        return True
    m = _FRACTION.search(said)
    shown = min(len(m.group(1) or "") if m else 6, 6)
    kept = len(f"{stored.microsecond:06d}".rstrip("0"))
    unit = 10 ** (6 - min(shown, kept))
    a, b = (
        stored.replace(microsecond=stored.microsecond // unit * unit),
        now.replace(microsecond=now.microsecond // unit * unit),
    )
    if dt.datetime.fromisoformat(said.replace("Z", "+00:00")).tzinfo is not None:
        return a == b
    return abs(a - b) <= dt.timedelta(hours=26) and (a - b) % dt.timedelta(minutes=15) == dt.timedelta(0)


__all__ = ["imported_before", "same_time"]
