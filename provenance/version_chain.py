"""The walks of a record's version chain (``records.version_of``): one owner for their recursive SQL.

A stage, a licence correction or an annotation pull writes a new version whose ``version_of`` names the version it
replaces, so a document is a chain (a tree where one version was worked on twice). Three walks over it recur:

* :func:`ancestors_cte`: a set of versions and every version they came from (``UNION``);
* :func:`descendants_cte`: a set of versions and every version made from them (``UNION``), optionally tagged with
  the version each walk started from;
* :func:`ancestor_chain_cte`: each start's ancestors with their distance (each once, at its smallest distance; the
  whole chain, or cut at ``max_depth``), for "the nearest ancestor that ..." and "every event on the chain".

Each builder returns common table expressions, ``name(columns) AS (...)`` (one, or several for the chain walk), for the caller's
``WITH RECURSIVE`` (one of several CTEs, before a SELECT or an UPDATE): set-based SQL, a few scans of ``records``
whatever the number of starts (a chain is a few versions long; ``records`` has no index: migration 0101). ``UNION``
ends a cycle a tampered table might hold (the chain walk: see :func:`ancestor_chain_cte`). ``seeds`` is SQL the caller
owns (a query: ``SELECT ...``, not a bare table name): it is pasted as given, never built from user input.

Walks that follow ``version_of`` only under a condition, or over other edges, stay beside their own query: the
relicensing walk (``curate/ingest_terms.py``: ``_RELICENSE_SQL``), when a version's text came
(``provenance/withdraw.py``: ``_TEXT_AT_SQL``), the stage that last changed a text (``provenance/_selection.py``:
``_TEXT_STAGES``) and the PII states earned through creating events (``provenance/crosscheck_gates.py``:
``_PII_UNEARNED``).
"""

from __future__ import annotations

__all__ = ["ancestor_chain_cte", "ancestors_cte", "descendants_cte"]


def ancestors_cte(name: str, seeds: str) -> str:
    """CTE ``name(record_id)``: the ids of ``seeds`` (a query of record ids) and of every version they came from,
    each once.

    >>> print(ancestors_cte("up", "SELECT 'b'"))
    up(record_id) AS (SELECT 'b' UNION SELECT r.version_of FROM records r JOIN up USING (record_id) WHERE r.version_of IS NOT NULL)
    """
    return (
        f"{name}(record_id) AS ({seeds}"
        f" UNION SELECT r.version_of FROM records r JOIN {name} USING (record_id) WHERE r.version_of IS NOT NULL)"
    )


def descendants_cte(name: str, seeds: str, *, start: str | None = None) -> str:
    """CTE ``name(record_id)``: the ids of ``seeds`` (a query of record ids) and of every version made from them,
    each once. With ``start``, ``name(<start>, record_id)``: ``seeds`` gives (start id, record id) pairs and each
    version reached keeps the start id it was reached from (one row per start and version).

    >>> print(descendants_cte("tree", "SELECT record_id FROM records WHERE source_id = ?"))
    tree(record_id) AS (SELECT record_id FROM records WHERE source_id = ? UNION SELECT r.record_id FROM records r JOIN tree t ON r.version_of = t.record_id)
    >>> print(descendants_cte("down", "SELECT record_id, record_id FROM export_items", start="exported_id"))
    down(exported_id, record_id) AS (SELECT record_id, record_id FROM export_items UNION SELECT t.exported_id, r.record_id FROM records r JOIN down t ON r.version_of = t.record_id)
    """
    columns, carried = (f"{start}, record_id", f"t.{start}, ") if start else ("record_id", "")
    return (
        f"{name}({columns}) AS ({seeds}"
        f" UNION SELECT {carried}r.record_id FROM records r JOIN {name} t ON r.version_of = t.record_id)"
    )


def ancestor_chain_cte(name: str, seeds: str, *, max_depth: int | None = None, start: str = "start_id") -> str:
    """CTE ``name(<start>, rid, depth)``: for each (start id, first version id) pair of ``seeds``, the first
    version at depth 0 and each version it came from, one step further each: the whole chain, or with
    ``max_depth`` the versions up to that depth (a longer chain is cut there). One row per start and version, at its
    smallest depth, in no order.

    The first version is the start itself (``SELECT record_id, record_id FROM ...``) or its parent
    (``SELECT record_id, version_of FROM ...``: a NULL parent reaches nothing).

    The steps are a set (``UNION``, then each version's smallest depth): a cycle, or a record id a tampered table
    holds twice with two parents, adds a few rows per step, not twice as many as the step before (a duplicated id
    on a cycle made 6,763 rows at depth 16, a hang at the cut 32 or 64). Without ``max_depth`` the walk first
    counts each start's versions (a set walk, which ends on a cycle) and stops there: a chain of n versions is
    n - 1 steps deep. Several CTEs: ``name``, ``name_steps`` (and ``name_seeds``, ``name_reach``, ``name_len``).

    >>> print(ancestor_chain_cte("chain", "SELECT record_id, record_id FROM cand", max_depth=32))
    chain_steps(start_id, rid, depth) AS (SELECT *, 0 FROM (SELECT record_id, record_id FROM cand) UNION SELECT c.start_id, r.version_of, c.depth + 1 FROM chain_steps c JOIN records r ON r.record_id = c.rid WHERE r.version_of IS NOT NULL AND c.depth < 32), chain(start_id, rid, depth) AS (SELECT start_id, rid, min(depth) FROM chain_steps GROUP BY ALL)
    """
    steps = f"{name}_steps"
    step = f"SELECT c.{start}, r.version_of, c.depth + 1 FROM {steps} c JOIN records r ON r.record_id = c.rid"
    least = f"{name}({start}, rid, depth) AS (SELECT {start}, rid, min(depth) FROM {steps} GROUP BY ALL)"
    if max_depth is not None:
        return (
            f"{steps}({start}, rid, depth) AS (SELECT *, 0 FROM ({seeds})"
            f" UNION {step} WHERE r.version_of IS NOT NULL AND c.depth < {int(max_depth)}), {least}"
        )
    first, reach, length = f"{name}_seeds", f"{name}_reach", f"{name}_len"
    return (
        f"{first}({start}, rid) AS ({seeds}),"
        f" {reach}({start}, rid) AS (SELECT * FROM {first}"
        f" UNION SELECT c.{start}, r.version_of FROM {reach} c JOIN records r ON r.record_id = c.rid"
        f" WHERE r.version_of IS NOT NULL),"
        f" {length}({start}, n) AS (SELECT {start}, count(*) FROM {reach} GROUP BY ALL),"
        f" {steps}({start}, rid, depth, n) AS (SELECT s.{start}, s.rid, 0, l.n FROM {first} s"
        f" JOIN {length} l USING ({start})"
        f" UNION {step.replace('c.depth + 1', 'c.depth + 1, c.n')} WHERE r.version_of IS NOT NULL AND c.depth + 1 < c.n),"
        f" {least}"
    )
