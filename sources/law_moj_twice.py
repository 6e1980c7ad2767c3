"""A law read twice in one ingest for one snapshot: the second copy is quarantined unless it is the same law.

Two law objects of one PCODE and language with the same ``LawModifiedDate`` in one file (a dump that lists a
PCODE twice), or in two dumps that name the same ``UpdateDate`` (two dumps of one day given to one ``curate ingest
law-moj``), cannot be ordered.
Before review 14 the one read last became the active version and every article only the first had was
superseded as removed: a second ``G0380001`` of one article took 203 articles of 銀行法 out of every export,
in silence. The second copy is now quarantined (:data:`REASON`, naming where the first was read) and the first
kept. The same law given twice, alike but for white space (``ChLaw.json`` and ``FalVMingLing.xml`` of one
day: the XML wraps lines), is read as before, and so are two files of one law that name no ``UpdateDate`` (single
law files: MOJ changes a law's category under an unchanged LawModifiedDate, and the file read last is taken as
the later one). The set-based path (:mod:`sources.law_moj_bulk`) registers its laws
here too and sends a file that clashes to the Python path, which quarantines the copy.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from sources.base import Record, Rejection
from sources.law_moj_sql import PY_WHITESPACE

#: the quarantine reason of the second copy (the detail names the PCODE, the snapshot and the first copy)
REASON = "law given twice for one snapshot with other articles or law data"

#: a law's snapshot: ``(container, LawModifiedDate, UpdateDate or the file it was read from)``
Key = tuple[str, str | None, str]


def snapshot(update: str | None, origin: str) -> str:
    """The dump a law was read from: its ``UpdateDate`` when it names one, else its file.

    >>> snapshot(None, "a.json"), snapshot("2024/1/1", "a.json")
    ('file a.json', 'UpdateDate 2024/1/1')
    """
    return f"UpdateDate {update}" if update else f"file {origin}"


def digest(pairs: Iterable[tuple[str, str]], version_meta_json: str | None) -> str:
    """What makes two copies one law: its articles' ``(doc_key, text)`` in key order, the texts without white space
    (FalVMingLing XML wraps the lines of an article its JSON twin has on one line), and its version metadata.

    Each article is hashed on its own and the law's digest hashes those (in key order): the set-based path computes
    the same value in SQL (:data:`DIGEST_SQL`), where one string of all a law's texts per law ran a 200k-article
    ChLaw.json out of DuckDB's memory (the file then took the Python path: 4-7x the time).

    >>> digest([("k:2", "b"), ("k:1", "a")], "{}") == digest([("k:1", "a\\n"), ("k:2", "b")], "{}")
    True
    """
    body = "\x1e".join(_sha(f"{k}\x1f{t.translate(_NO_SPACE)}") for k, t in sorted(pairs))
    return _sha(f"{body}\x1d{version_meta_json or ''}")


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


#: white space as Python's ``str.isspace`` knows it, removed from the texts compared
_NO_SPACE = str.maketrans("", "", PY_WHITESPACE)

#: :func:`digest` per container of the staged records, with the snapshot's ``as_of``, from each record's hash
#: (``_blr.k_twin``, made with the ids: a query over the records view, its texts joined and aggregated once more,
#: ran a 200k-article ChLaw.json out of DuckDB's memory and the file took the Python path, 4-7x the time)
DIGEST_SQL = """
SELECT l.container, any_value(l.as_of), any_value(f.item_loc),
       sha256(string_agg(r.k_twin, chr(30) ORDER BY r.key_no) || chr(29) || coalesce(any_value(l.version_meta), ''))
FROM _blr r JOIN _bll l USING (law_i) JOIN _blf f USING (law_i) GROUP BY l.container
"""


class LawsRead:
    """The snapshots of laws read in this ingest, with where each was read first and its :func:`digest`."""

    def __init__(self) -> None:
        self._seen: dict[Key, tuple[str, str]] = {}

    def first_other(self, key: Key, digest_: str) -> str | None:
        """Where a law of ``key`` with another digest was read first, or None (``key`` read nowhere, or alike)."""
        seen = self._seen.get(key)
        return seen[0] if seen is not None and seen[1] != digest_ else None

    def note(self, key: Key, locator: str, digest_: str) -> None:
        """``key`` read at ``locator`` (the first reading stays)."""
        self._seen.setdefault(key, (locator, digest_))

    def bulk_clash(self, con: Any, update: str | None, origin: str) -> tuple[str | None, list]:
        """For a file staged by the set-based path: ``(why, [])`` when one of its laws clashes with a law read
        earlier (the file takes the Python path, which quarantines it), else ``(None, rows)`` to :meth:`note` once
        the file is written."""
        rows = [
            ((c, a or None, snapshot(update, origin)), loc, d) for c, a, loc, d in con.execute(DIGEST_SQL).fetchall()
        ]
        clash = next((k for k, _, d in rows if self.first_other(k, d) is not None), None)
        return (f"{clash[0]} read earlier in this ingest with other articles", []) if clash else (None, rows)

    def check(self, locator: str, update: str | None, origin: str, outs: list[Any]) -> Rejection | None:
        """The rejection of a law whose records are ``outs`` when another law of its snapshot was read, else None
        (the law is noted)."""
        recs = [o for o in outs if isinstance(o, Record)]
        if not recs:
            return None
        first = recs[0]
        vm = first.version_metadata
        vm_json = vm if isinstance(vm, str) or vm is None else json.dumps(vm, sort_keys=True, ensure_ascii=False)
        key: Key = (first.container or "", first.as_of or None, snapshot(update, origin))
        d = digest(((r.doc_key, r.text) for r in recs), vm_json)
        other = self.first_other(key, d)
        if other is None:
            self.note(key, locator, d)
            return None
        detail = (
            f"{key[0]} (LawModifiedDate {key[1] or 'none'}, {key[2]}) was read at {other} with"
            " other articles or law data; the first is kept: check which copy is right and ingest it alone"
        )
        return Rejection(locator, REASON, excerpt=detail, source_id=first.source_id)
