"""The dedup index's exact keys, tagged with the version of the key (``<version>:<digest>``), as strict keys are.

An exact key is a digest of :func:`curate.dedup.keys.normalise_codepoints`, which folds through the Unicode database
and OpenCC's table: after a Python or OpenCC upgrade the same text may get another key. Stored bare (before review
16), an earlier record's key was compared as it stood, so an identical copy arriving after such an upgrade missed its
exact group: a near duplicate at best (a statute's copy kept active), or no duplicate at all for a text too short to
share an LSH bucket with its old signature (one shingle, folded otherwise). A key stored under another version, or
bare (an index written before review 16), is computed again from the record's text (:func:`rekey_index`).

That cannot wait until a run meets the record: the old key (and signature) is what would find it, and an upgrade
that changed the key changed exactly what finds it (review 16's first fix looked stale rows up by their old digest,
so a short text whose fold changed stayed active beside its copy). The first run under a new version keys every
stale row a run may compare (an active record's, or a standing duplicate's, with its text: never a withdrawn or
superseded one, nor a version still waiting for the PII stage), once: the load stores them, later runs find none.

A row's MinHash signature and LSH buckets are computed over the same folded text: stale with its key (the key's
version is theirs). Review 16 compared them as they stood, so a near copy arriving after the upgrade shared no bucket
with the record it copies (every shingle holding a character the fold now changes differed) and stayed active beside
it. They are computed again with the key (``sign``), in the same pass.
"""

from __future__ import annotations

from collections.abc import Callable

from curate.dedup.keys import exact_key, exact_key_version, normalise_codepoints
from provenance.pii_rule import pii_unchecked_sql

#: texts read per block when keying stale rows (bounds the texts held at once)
_BLOCK = 8192


def tagged(digest: str) -> str:
    """The index's form of an exact key: tagged with the version of the function that computed it."""
    return f"{exact_key_version()}:{digest}"


def current_prefix() -> str:
    """``LIKE`` pattern of a key stored under this version."""
    return exact_key_version() + ":%"


def _folded(text: str) -> tuple:
    """A text's code points as the key and the signature read them (folded once for both), and its stored key."""
    cps = normalise_codepoints(text)
    return cps, tagged(exact_key(cps))


def text_key(text: str) -> str:
    """The stored exact key of a text."""
    return tagged(exact_key(normalise_codepoints(text)))


#: the index rows keyed again (``s``: ``cat.dedup_signatures``, ``r``: its record in ``cat.records``): stale or bare,
#: of a record a run may compare, whose text may be read
_STALE = (
    "s.index_key = $k AND s.exact_key NOT LIKE $cur AND r.text IS NOT NULL AND r.status IN ('active', 'duplicate')"
    " AND NOT " + pii_unchecked_sql("r", "(SELECT x.pii_expected FROM cat.sources x WHERE x.source_id = r.source_id)")
)


#: what ``sign`` gives for a block of folded texts (:func:`normalise_codepoints`, as the key reads them): the columns
#: ``n_shingles``, ``signature``, ``buckets`` of the index
Sign = Callable[[list], dict]


def rekey_index(con, key: str, sign: Sign) -> int:
    """Scratch table ``rekeyed(record_id, exact_key, n_shingles, signature, buckets)``: the current key, signature and
    buckets of every stale or bare exact key of the catalogue's index (``cat``) under ``key`` that a run may compare,
    from its record's text, a block at a time. Returns how many (0 once the index is keyed under this version)."""
    import pyarrow as pa

    con.execute(
        "CREATE OR REPLACE TABLE rekeyed (record_id VARCHAR, exact_key VARCHAR, n_shingles INTEGER, signature BLOB,"
        " buckets BIGINT[])"
    )
    params = {"k": key, "cur": current_prefix()}
    # most runs: every key current, one column scanned (no join with the records)
    if not con.execute(
        "SELECT count(*) FROM (SELECT 1 FROM cat.dedup_signatures WHERE index_key = $k AND exact_key NOT LIKE $cur"
        " LIMIT 1)",
        params,
    ).fetchone()[0]:
        return 0
    cur = con.cursor()  # streams the texts while the blocks are written through ``con``
    try:
        cur.execute(
            f"SELECT s.record_id, r.text FROM cat.dedup_signatures s JOIN cat.records r USING (record_id)"
            f" WHERE {_STALE}",
            params,
        )
        n = 0
        while block := cur.fetchmany(_BLOCK):
            memo: dict[str, tuple] = {}  # a text pasted thousands of times is folded and keyed once a block
            folded = [memo[t] if t in memo else memo.setdefault(t, _folded(t)) for _, t in block]
            cols = {
                "record_id": [r for r, _ in block],
                "exact_key": [k for _, k in folded],
                **sign([c for c, _ in folded]),
            }
            con.register("_dd_rk", pa.table(cols))
            try:
                con.execute(
                    "INSERT INTO rekeyed SELECT record_id, exact_key, n_shingles, signature, buckets FROM _dd_rk"
                )
            finally:
                con.unregister("_dd_rk")
            n += len(block)
        return n
    finally:
        cur.close()
