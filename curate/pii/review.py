"""The PII key's side of the review workflow: masked values for reviewers, originals for 非個資 restores.

:class:`VaultReview` implements :class:`annotation.review.PiiVault`. For a record it finds the nearest
version on its chain that the PII stage scrubbed (the ``pii_scrubbed`` event, whose spans hold the
raw text's offsets and types), decrypts that raw text from ``raw_vault``, and pairs each placeholder
of the record's current text with a span, in order. If the placeholders do not match the spans one for
one with the same types (the text was re-scrubbed), nothing is revealed for that record: its review task shows
placeholders. A text a person rewrote since (a version the annotation stage made) is paired only by the keyed
pseudonym each placeholder carries (``mode=pseudonym``): a correction can move placeholders, and a plain one says
nothing of whose value it holds.

Masked values (:func:`curate.pii.masking.mask`) go to Label Studio; originals stay in memory only long
enough to build the restored version on pull. Text an annotator typed that the catalogue keeps (a comment, a
correction not applied) is sealed into ``raw_vault`` here (:func:`curate.pii.vault.seal_texts`), and a
correction of a ``pii_expected`` source's record gets a keyed id and digest (:class:`KeyedIds`).
"""

from __future__ import annotations

import json
from typing import Any

import duckdb

from annotation.review import AllowEntry, placeholders
from curate.pii import allowlist
from curate.pii.keyed_ids import KeyedIds
from curate.pii.keys import PiiKey
from curate.pii.masking import mask
from curate.pii.scrubber import placeholder
from curate.pii.vault import read_raw, seal_raw_records, seal_texts
from provenance.version_chain import ancestor_chain_cte


def _scrub_events(con: duckdb.DuckDBPyConnection, record_ids: list[str]) -> dict[str, tuple[str, dict[str, Any], bool]]:
    """record_id -> (raw ancestor id, pii_scrubbed detail, rewritten) of the nearest scrubbed ancestor; ``rewritten``:
    a person rewrote the text since (a version the annotation stage made: a proofreading correction can move
    placeholders, reordered sentences, and pairing them with the spans in order would show, and restore, a value in
    another's place; a version a PII review made changes its placeholders). Such a text's placeholders are paired
    only by the keyed pseudonym each carries (:meth:`VaultReview._values`)."""
    if not record_ids:
        return {}
    parents = "SELECT record_id, record_id FROM records WHERE record_id IN (SELECT unnest(?::VARCHAR[]))"
    rows = con.execute(
        f"""
        WITH RECURSIVE {ancestor_chain_cte("chain", parents, max_depth=33)},
        hand AS (SELECT c.start_id, min(c.depth) AS depth FROM chain c JOIN records r ON r.record_id = c.rid
                 WHERE r.stage = 'annotation' GROUP BY ALL)
        SELECT c.start_id, c.rid, e.detail, c.depth, h.depth FROM chain c
        JOIN provenance_events e ON e.record_id = c.rid AND e.stage = 'pii' AND e.action = 'pii_scrubbed'
        LEFT JOIN hand h ON h.start_id = c.start_id
        WHERE c.depth > 0
        ORDER BY c.start_id, c.depth, e.seq DESC""",
        [record_ids],
    ).fetchall()
    out: dict[str, tuple[str, dict[str, Any], bool]] = {}
    for start, rid, detail, depth, hand in rows:
        if start not in out:  # rewritten: a version between the raw one and this one was made by a person
            rewritten = hand is not None and hand < depth
            out[start] = (rid, json.loads(detail) if isinstance(detail, str) else detail, rewritten)
    return out


class VaultReview:
    """Reveal masked values and originals of a catalogue's scrubbed spans (needs the PII key)."""

    def __init__(self, key: PiiKey) -> None:
        self.key = key

    @property
    def key_id(self) -> str:
        return self.key.key_id

    def _values(self, con, record_id: str, text: str, found) -> list[tuple[str, str]] | None:
        if record_id not in found:
            return None
        raw_id, detail, rewritten = found[record_id]
        spans = sorted(detail.get("spans") or [], key=lambda s: s["start"])
        ph = placeholders(text)
        if not spans or not ph:
            return None
        if rewritten:
            return self._by_pseudonym(con, raw_id, spans, text, ph)
        if len(spans) != len(ph):
            return None
        if any(placeholder(s["entity_type"])[1:-1] != word for s, (_, _, word) in zip(spans, ph, strict=True)):
            return None
        raw = read_raw(con, raw_id, self.key)
        values = [(s["entity_type"], raw[s["start"] : s["end"]]) for s in spans]
        if any(not v for _, v in values):
            return None
        return values

    def _by_pseudonym(self, con, raw_id: str, spans, text: str, ph) -> list[tuple[str, str]] | None:
        """The values of a rewritten text's placeholders, each found by the keyed pseudonym it carries
        (〔電話#3fa2c1〕: the value's digest under the PII key): where it moved, it names its own value. None unless
        every placeholder carries one that names exactly one value of the spans (plain placeholders say nothing of
        whose value they hold)."""
        raw = read_raw(con, raw_id, self.key)
        named: dict[tuple[str, str], set[tuple[str, str]]] = {}  # (word, digest) -> {(entity type, value)}
        for s in spans:
            value = raw[s["start"] : s["end"]]
            word = placeholder(s["entity_type"])[1:-1]
            named.setdefault((word, self.key.digest(s["entity_type"], value)), set()).add((s["entity_type"], value))
        values = []
        for a, b, word in ph:
            suffix = text[a + 1 : b - 1].partition("#")[2]
            if len(suffix) < 6:
                return None
            hits = {tv for (w, digest), tvs in named.items() if w == word and digest.startswith(suffix) for tv in tvs}
            if len(hits) != 1:
                return None
            values.append(hits.pop())
        return values if all(v for _, v in values) else None

    def masked(self, con: duckdb.DuckDBPyConnection, items: list[tuple[str, str]]) -> dict[str, list[str]]:
        found = _scrub_events(con, [rid for rid, _ in items])
        out = {}
        for rid, text in items:
            values = self._values(con, rid, text, found)
            if values is not None:
                out[rid] = [mask(etype, value) for etype, value in values]
        return out

    def originals(self, con: duckdb.DuckDBPyConnection, record_id: str, text: str) -> list[tuple[str, str]] | None:
        return self._values(con, record_id, text, _scrub_events(con, [record_id]))

    def seal(self, con: duckdb.DuckDBPyConnection, items: list[tuple[str, str]]) -> None:
        seal_texts(con, self.key, items)

    def seal_versions(
        self, con: duckdb.DuckDBPyConnection, record_ids: list[str], *, run_id: str
    ) -> list[tuple[str, str]]:
        if not record_ids:
            return []
        reviewed = "SELECT record_id, record_id FROM records WHERE record_id IN (SELECT unnest(?::VARCHAR[]))"
        chain = con.execute(
            f"""
            WITH RECURSIVE {ancestor_chain_cte("chain", reviewed, start="reviewed")}
            SELECT DISTINCT ON (r.record_id) r.record_id, c.reviewed FROM chain c JOIN records r ON r.record_id = c.rid
            WHERE r.text IS NOT NULL AND r.status <> 'active' ORDER BY r.record_id, c.depth""",
            [record_ids],
        ).fetchall()
        if chain:
            con.execute(
                "UPDATE records SET pii_state = 'raw' WHERE record_id IN (SELECT unnest(?::VARCHAR[]))",
                [[rid for rid, _ in chain]],
            )
            seal_raw_records(con, self.key, run_id=run_id)
        return chain

    def seal_fields(
        self, con: duckdb.DuckDBPyConnection, items: list[tuple[str, str, str, str]], *, run_id: str
    ) -> int:
        from curate.pii.vault import seal_fields

        return seal_fields(con, self.key, items, run_id=run_id)

    def derived_id(self, parent_id: str, stage: str, text: str) -> str:
        return KeyedIds(self.key).derived_id(parent_id, stage, text)

    def content(self, text: str) -> str:
        return KeyedIds(self.key).content(text)

    def allow(self, con: duckdb.DuckDBPyConnection, entries: list[AllowEntry]) -> list[str]:
        return [
            allowlist.add(
                con,
                self.key,
                source_id=e.source_id,
                entity_type=e.entity_type,
                value=e.value,
                bank=e.bank,
                annotator=e.actor,
                record_id=e.record_id,
                ls_annotation_id=e.ls_annotation_id,
            )
            for e in entries
        ]


__all__ = ["VaultReview"]
