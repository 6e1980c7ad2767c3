"""Which versions show no text, title or metadata until the PII stage has checked them: one rule for every reader.

A version of a ``pii_expected`` source, and a version made by the annotation stage whatever its source says: an
annotator's correction is text a person typed (pull resets its ``pii_state`` to NULL so that ``curate run pii``
checks it), and a typed ID number (``A123456789``) in a correction of a source not marked ``pii_expected`` was read
at once by ``curate sql``, the portal and ``export --pii-gate expected`` (review 15). Readers: the auditor's masking
view (:func:`provenance.db.unchecked_masked`), the portal (``curate.web.data.text_visible`` and its search), the
export's PII gate (``provenance._selection``).
"""

from __future__ import annotations

#: ``pii_state`` values of a version that passed the PII stage (export and annotation gates)
PII_PASSED: tuple[str, ...] = ("clean", "scrubbed")

#: stages whose versions hold text a person typed (``annotation.pull_batch.STAGE``)
TYPED_STAGES: tuple[str, ...] = ("annotation",)


def must_pass_pii(pii_expected: bool | None, stage: str | None) -> bool:
    """Whether a version's text waits for the PII stage before it is shown or exported.

    >>> must_pass_pii(True, "ingest"), must_pass_pii(False, "annotation"), must_pass_pii(None, "normalise")
    (True, True, False)
    """
    return bool(pii_expected) or stage in TYPED_STAGES


def pii_unchecked(pii_state: str | None, pii_expected: bool | None, stage: str | None) -> bool:
    """Whether a version is hidden as not PII-checked (the Python twin of :func:`pii_unchecked_sql`).

    >>> pii_unchecked(None, False, "annotation"), pii_unchecked("clean", False, "annotation")
    (True, False)
    """
    return must_pass_pii(pii_expected, stage) and pii_state not in PII_PASSED


def pii_unchecked_sql(r: str = "r", pii_expected: str = "s.pii_expected") -> str:
    """:func:`pii_unchecked` in SQL for a ``records`` row aliased ``r`` and its source's ``pii_expected`` column.

    >>> "r.stage IN ('annotation')" in pii_unchecked_sql()
    True
    """
    passed = ", ".join(f"'{p}'" for p in PII_PASSED)
    typed = ", ".join(f"'{s}'" for s in TYPED_STAGES)
    return (
        f"((coalesce({pii_expected}, false) OR coalesce({r}.stage IN ({typed}), false))"
        f" AND coalesce({r}.pii_state, '') NOT IN ({passed}))"
    )


def typed_unchecked_sql(r: str = "r") -> str:
    """SQL: ``r`` is a version a person typed that the PII stage has not checked yet. Only the PII stage takes it
    (:func:`curate.snapshot.input_where`): a hygiene or normalise version derived from it carried its ``pii_state``
    NULL under its own stage, which no reader hid, and dedup kept unkeyed digests of it in its index (``exact_key``,
    ``strict_key``: a guess of a typed ID number checked against them; review 15).

    >>> typed_unchecked_sql()
    "coalesce(r.stage IN ('annotation') AND r.pii_state IS NULL, false)"
    """
    typed = ", ".join(f"'{s}'" for s in TYPED_STAGES)
    return f"coalesce({r}.stage IN ({typed}) AND {r}.pii_state IS NULL, false)"


__all__ = ["PII_PASSED", "TYPED_STAGES", "must_pass_pii", "pii_unchecked", "pii_unchecked_sql", "typed_unchecked_sql"]
