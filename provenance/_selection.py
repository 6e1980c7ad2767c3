"""Which records an export includes, and the row it writes for each (used by :mod:`provenance.export`).

One decision per record, in this order: withdrawn; its file (``container``) held while the file's manifest rows
disagree (``licence_disputed``, :mod:`provenance.holds`: every version of the file, whatever its id); not past
the PII stage; an empty text (hygiene removed all it held); a "（刪除）" stub of a
repealed article (left out unless ``include_deleted_stubs``); a near duplicate kept by the dedup
policy (left out with ``drop_near_duplicates``); an exact duplicate considered because the export leaves its survivor
out, when another copy of its text stands in (``duplicate``, :mod:`provenance.export_stand_ins`); then the licence engine
(:func:`provenance.record_licence.record_use`: :meth:`provenance.licences.LicenceCatalogue.grant` with the record's
credit values, and :meth:`Grant.decide`) for the purpose, audience and the stated commercial choice.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb

from provenance import export_stand_ins
from provenance.holds import REASON as HOLD_REASON
from provenance.holds import held_containers
from provenance.licence_terms import credit_value
from provenance.licences import Grant, LicenceCatalogue, credit_problems
from provenance.pii_rule import PII_PASSED, must_pass_pii
from provenance.record_licence import (
    CREDIT_PATHS,
    TERM_PROBLEMS,
    credit_columns,
    folder_named_pairs,
    record_credit,
    record_use,
    source_rows,
    terms_columns,
    without_folder_dataset,
)

__all__ = ["COLUMNS", "ExportVerdict", "hub_language", "is_blank_text", "is_deleted_stub"]

#: columns of every data shard, in order
COLUMNS: tuple[str, ...] = (
    "record_id",
    "source_id",
    "licence_id",
    "attribution",
    "text",
    "title",
    "locator",
    "lang",
    "script",
    "doc_key",
    "stage",
    "content_sha256",
    "pii_state",
)

#: the placeholder of a repealed article: （刪除） in Chinese, "Deleted." / "(deleted)" in the English law database
#: the placeholder's word, its brackets and its end, after NFKC (full-width forms folded) and without variation
#: selectors or zero-width characters: （刪除）, (删除)。, Deleted., [Deleted], (Repealed), Deleted．
_STUB_RE = re.compile(r"^\s*[(\[【〔]?\s*(?:[刪删]\s*除|deleted|repealed)[\s。.]*[)\]】〕]?[\s。.．]*$", re.IGNORECASE)
_INVISIBLE = dict.fromkeys([*range(0xFE00, 0xFE10), 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF])


def is_deleted_stub(text: str | None) -> bool:
    """True for the "（刪除）" placeholder of a repealed article (no content of its own), in either language.

    >>> is_deleted_stub("（刪除）"), is_deleted_stub(" (删除)。"), is_deleted_stub("本條刪除後之規定如下。")
    (True, True, False)
    >>> is_deleted_stub("Deleted."), is_deleted_stub("(Deleted)"), is_deleted_stub("Deleted by the Act of 2019.")
    (True, True, False)
    >>> [is_deleted_stub(t) for t in ("(Deleted.)", "Deleted．", "[Deleted]", "Repealed.", "（刪除）\ufe0f", "【刪除】")]
    [True, True, True, True, True, True]
    """
    if not text or len(text) > 24:
        return False
    return _STUB_RE.match(unicodedata.normalize("NFKC", text.translate(_INVISIBLE))) is not None


#: characters that show nothing though Unicode does not file them as space or format: fillers (Hangul, braille
#: blank) that pass for a character in a filter and for nothing on screen
_BLANKS = frozenset("\u3164\u2800\u115f\u1160\uffa0\u180e")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs", "Mn", "Me", "Zs", "Zl", "Zp"})


def is_blank_text(text: str | None) -> bool:
    """True when ``text`` shows nothing: empty, or only spaces, format and control characters, marks without a base
    character, variation selectors and fillers (U+3164, U+2800). The export leaves such a version out (``empty_text``),
    dedup flags it, and annotation push refuses it.

    >>> is_blank_text(""), is_blank_text(" \u3000"), is_blank_text("\u3164\u2800\u034f\ufe0f"), is_blank_text("第一條")
    (True, True, True, False)
    """
    return not text or all(
        c in _BLANKS or c.isspace() or unicodedata.category(c) in _INVISIBLE_CATEGORIES for c in text
    )


def hub_language(lang: str | None, script: str | None) -> str | None:
    """The Hugging Face Hub language tag of a record: ``zh-Hant`` / ``zh-Hans`` / ``en``...

    >>> hub_language("zh", "traditional"), hub_language("zh", "simplified"), hub_language("en", None)
    ('zh-Hant', 'zh-Hans', 'en')
    """
    if not lang:
        return None
    base = lang.split("-")[0].lower()
    if base == "zh":
        return "zh-Hans" if script == "simplified" else "zh-Hant"
    return lang


#: the candidates of an export: active records, and withdrawn ones no version was derived from
#: (the versions are looked up among those of withdrawn records only: a ``NOT EXISTS`` over every record's
#: ``version_of`` built a hash table of the whole catalogue for each range, 80 of the 112 MB a range of 21,000
#: articles needed at 100k, and more as the catalogue grew)
CANDIDATE = """(r.status = 'active'
   OR (r.status = 'withdrawn' AND r.record_id NOT IN (
       SELECT c.version_of FROM records c
       WHERE c.version_of IN (SELECT w.record_id FROM records w WHERE w.status = 'withdrawn'))))"""
_SELECT_HEAD = f"""
SELECT r.record_id, r.source_id, r.licence_id, {{texts}}, r.locator, r.lang, r.script, r.doc_key,
       r.stage, {{sha}} AS content_sha256, r.pii_state,
       r.status, {terms_columns("r")}, coalesce(s.pii_expected, FALSE),
       r.near_duplicate_of, {credit_columns("r")}, r.container
FROM records r LEFT JOIN sources s USING (source_id)
WHERE {{where}}
"""
#: the columns that read texts: the text, the title, the content digest; NULL when the text does not hash to the
#: stored digest, or has none (edited in place, or the digest erased: :meth:`Decider.decide` blocks it). A keyed
#: digest (``hmac:``) needs the PII key, which the export does not hold: ``curate audit verify`` checks those
_TEXTS = {
    "texts": "r.text, r.title",
    # NULL (blocked as text_digest) when the text is missing (an active version's text blanked: it shipped as "")
    # or does not hash to its digest; a keyed digest is left to `audit verify` (the export holds no key)
    "sha": "CASE WHEN r.text IS NULL THEN NULL WHEN starts_with(r.content_sha256,"
    " 'hmac:') OR r.content_sha256 = sha256(r.text) THEN r.content_sha256 END",
}
#: ... and the exact duplicates an export considers in place of a survivor it leaves out (list parameter ``$extra``)
_CANDIDATE_OR_EXTRA = f"({CANDIDATE} OR r.record_id IN (SELECT unnest(CAST($extra AS VARCHAR[]))))"
SELECT = _SELECT_HEAD.format(**_TEXTS, where=CANDIDATE) + "ORDER BY r.record_id\n"
#: the rows (as :data:`SELECT`'s, without text and title: :meth:`Decider.licensed` reads neither) of the records
#: named by the list parameter ``$ids``, whatever their status
LICENCE_ROWS_OF = _SELECT_HEAD.format(
    texts="NULL AS text, NULL AS title", sha="r.content_sha256", where="r.record_id IN (SELECT unnest($ids))"
)
#: the rows (as :data:`SELECT`'s) of the records that near duplicates are linked to
REPRESENTATIVES = _SELECT_HEAD.format(
    **_TEXTS, where="r.record_id IN (SELECT near_duplicate_of FROM records WHERE near_duplicate_of IS NOT NULL)"
)
#: candidates sorted per range of at most this many record ids by :func:`candidate_batches`
RANGE_ROWS = 50_000
#: ... and of at most this share of DuckDB's memory cap in texts and titles (plus :data:`ROW_BYTES` a row for the
#: other columns): the sort of a range is held in memory, ~2.5x its rows' size (50,000 law articles of ~600 bytes
#: needed a 112 MB cap, and 160 MB with two more columns: at 100k articles the export ran out of the 128 MB
#: default; longer texts, e.g. MODA documents, ran out with fewer rows)
RANGE_SHARE = 0.2
ROW_BYTES = 512
#: rows fetched from DuckDB per step
FETCH_ROWS = 5_000
_IDS = (
    "SELECT r.record_id, strlen(coalesce(r.text, '')) + strlen(coalesce(r.title, ''))"
    f" FROM records r WHERE {_CANDIDATE_OR_EXTRA} ORDER BY r.record_id"
)
_HEAD = _SELECT_HEAD.format(**_TEXTS, where=_CANDIDATE_OR_EXTRA)
_UNITS = {
    "": 1,
    "B": 1,
    "KB": 1e3,
    "MB": 1e6,
    "GB": 1e9,
    "TB": 1e12,
    "PB": 1e15,
    "KIB": 2**10,
    "MIB": 2**20,
    "GIB": 2**30,
    "TIB": 2**40,
    "PIB": 2**50,
}


def range_bytes(con: duckdb.DuckDBPyConnection) -> int:
    """The text bytes one range may hold: :data:`RANGE_SHARE` of the connection's ``memory_limit``.

    >>> c = duckdb.connect(); _ = c.execute("SET memory_limit = '128MB'"); range_bytes(c)
    25585254
    """
    value = con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    m = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]*)\s*", str(value))
    if not m or m.group(2).upper() not in _UNITS:
        return 24 * 2**20
    return max(2**20, int(float(m.group(1)) * _UNITS[m.group(2).upper()] * RANGE_SHARE))


def candidate_batches(
    con: duckdb.DuckDBPyConnection, decider: Decider | None = None
) -> Iterator[list[tuple[Any, ...]]]:
    """The rows of :data:`SELECT` (every candidate, in ``record_id`` order) in batches of up to :data:`FETCH_ROWS`,
    holding at most :data:`RANGE_ROWS` texts at a time instead of the whole catalogue's; with the exact duplicates
    ``decider`` considers in place of survivors it leaves out (:meth:`Decider.considered_duplicates`).

    One ``ORDER BY`` over every candidate's text holds them all (DuckDB did not spill that sort: at 400k articles
    it ran out of a 128 MB cap). So the ids (with their texts' lengths) alone are sorted first and a boundary
    kept wherever a range reaches :data:`RANGE_ROWS` ids or :func:`range_bytes`; then each range ``[b_i, b_i+1)``
    is selected and sorted on its own. The first range is open below and the last open above, so together they
    cover every id whatever the boundaries: the same rows, in the same order, as the one sorted query.
    """
    extra = {"extra": decider.considered_duplicates(con) if decider is not None else []}
    budget = range_bytes(con)
    bounds: list[str] = []
    cur, rows, size = con.execute(_IDS, extra), 0, 0
    while batch := cur.fetchmany(FETCH_ROWS * 10):
        for rid, n_bytes in batch:
            if rows and (rows >= RANGE_ROWS or size + n_bytes + ROW_BYTES > budget):
                bounds.append(rid)
                rows, size = 0, 0
            rows += 1
            size += n_bytes + ROW_BYTES
    stages = _TextStages(con, extra)
    for lo, hi in zip([None, *bounds], [*bounds, None], strict=True):
        params = {**extra, **{k: v for k, v in (("lo", lo), ("hi", hi)) if v is not None}}
        where = "".join(f"  AND r.record_id {op} ${k}\n" for k, op in (("lo", ">="), ("hi", "<")) if k in params)
        cur = con.execute(f"{_HEAD}{where}ORDER BY r.record_id", params)
        while batch := cur.fetchmany(FETCH_ROWS):
            yield stages.patch(batch)


def _same_text(a: str, b: str, spans: str = "NULL") -> str:
    """SQL: whether versions ``a`` and ``b`` (aliases of ``v``) hold the same text. Their texts' SHA-256 (``fp``)
    where both are stored; else their content digests where both are of one kind (a keyed digest, ``hmac:``, is one
    function of the plain one, so equal keyed digests mean equal texts): a raw version's text lies in the vault and
    only its digest, keyed since, stays in ``records``. A PII version's digest is plain beside its raw parent's keyed
    one: ``spans``, the spans its ``pii_scrubbed`` event masked, says whether it changed the text (none: the same)."""
    return f"""CASE WHEN {a}.fp IS NOT NULL AND {b}.fp IS NOT NULL THEN {a}.fp = {b}.fp
    WHEN {a}.content_sha256 IS NOT NULL AND {b}.content_sha256 IS NOT NULL
         AND starts_with({a}.content_sha256, 'hmac:') = starts_with({b}.content_sha256, 'hmac:')
      THEN {a}.content_sha256 = {b}.content_sha256
    ELSE coalesce({spans} = 0, FALSE) END"""


#: the stage that last changed each derived candidate's text, where that is not its own stage, in one pass over the
#: catalogue: every version paired once with its parent (texts compared as they are, or their digests where the
#: parent's text went to the vault: :func:`_same_text`), then each candidate walked up ``version_of`` to its
#: ingested root over those pairs alone (rowids, no texts). A text the same as its root's is as taken in (the root's
#: stage, ``ingest``: a PII pass that changed nothing, or one stage's change undone by a later one); else the nearest
#: version whose text differs from its parent's names the change (review 5, export #4, #6; review 8, export #5: a
#: raw text in the vault made every later version "modified")
_TEXT_STAGES = f"""
WITH RECURSIVE v AS (SELECT rowid AS rid, record_id, version_of, stage, content_sha256, sha256(text) AS fp FROM records),
masked AS MATERIALIZED (
  SELECT json_extract_string(detail, '$.new_record_id') AS new_id,
         max(coalesce(json_array_length(json_extract(detail, '$.spans')), 1)) AS spans
  FROM provenance_events WHERE action = 'pii_scrubbed' GROUP BY ALL
), steps AS MATERIALIZED (
  SELECT c.rid AS child, p.rid AS parent, c.stage, {_same_text("c", "p", "m.spans")} AS same
  FROM v c JOIN v p ON p.record_id = c.version_of LEFT JOIN masked m ON m.new_id = c.record_id
), chain(leaf, node, changed, depth) AS (
  SELECT r.rowid, r.rowid, NULL::VARCHAR, 0 FROM records r
  WHERE {_CANDIDATE_OR_EXTRA} AND coalesce(r.stage, 'ingest') <> 'ingest' AND r.version_of IS NOT NULL
  UNION  -- a set: a record id held twice on a cycle (a tampered table) doubled UNION ALL rows each step
  SELECT c.leaf, s.parent, coalesce(c.changed, CASE WHEN NOT s.same THEN s.stage END), c.depth + 1
  FROM chain c JOIN steps s ON s.child = c.node
  WHERE c.depth < 10000  -- a version_of cycle (a damaged catalogue) ends here instead of never
)
SELECT l.record_id,
       CASE WHEN {_same_text("l", "root")} THEN root.stage ELSE coalesce(c.changed, root.stage) END AS now
FROM chain c ANTI JOIN steps s ON s.child = c.node
JOIN v l ON l.rid = c.leaf JOIN v root ON root.rid = c.node
WHERE now IS DISTINCT FROM l.stage
ORDER BY l.record_id
"""


class _TextStages:
    """:data:`_TEXT_STAGES` read alongside the candidates (both in ``record_id`` order, on a cursor of its own), so
    a row's ``stage`` becomes the stage that last changed its text: NOTICE and the statements say "modified" only of
    texts that were (review 5, export #5). One query per export; memory holds one fetch of it."""

    def __init__(self, con: duckdb.DuckDBPyConnection, extra: dict[str, list[str]]) -> None:
        self._cur = con.cursor().execute(_TEXT_STAGES, extra)
        self._rows: list[tuple[str, str]] = []
        self._at = 0
        self._next()

    def _next(self) -> tuple[str, str] | None:
        self._at += 1
        if self._at >= len(self._rows):
            self._rows, self._at = self._cur.fetchmany(FETCH_ROWS), 0
        return self._rows[self._at] if self._rows else None

    def patch(self, batch: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        out = []
        for row in batch:
            head = self._rows[self._at] if self._rows else None
            while head is not None and head[0] < row[ID]:
                head = self._next()
            if head is not None and head[0] == row[ID]:
                row = (*row[:STAGE], head[1], *row[STAGE + 1 :])
            out.append(row)
        return out


# positions in a SELECT row
ID, SOURCE, LICENCE, TEXT, TITLE, LOCATOR, LANG, SCRIPT, DOC_KEY, STAGE, SHA, PII, STATUS = range(13)
TERMS, MERGED, PII_EXPECTED, NEAR, CREDIT_META, TAKEN_YEAR, CONTAINER = 13, 14, 15, 16, 17, 18, 19

#: what the processing stages do to a text (CC BY 4.0 §3(a)(1)(B): an adaptation says that it was modified)
STAGE_CHANGES: dict[str, str] = {
    "hygiene": "格式清理 (layout and encoding clean-up)",
    "normalise": "簡轉繁與用語正規化 (Simplified to Traditional Chinese, wording normalised)",
    "pii": "個資遮蔽 (personal data masked)",
    "annotation": "人工校對 (corrected by reviewers)",
}


def modification_note(stage: str | None) -> str:
    """The note a public licence's statement carries for a text the stages changed; empty for an ingested text.

    >>> modification_note("normalise")
    '（本文經修改 modified: 簡轉繁與用語正規化 (Simplified to Traditional Chinese, wording normalised)；見 NOTICE.md）'
    >>> modification_note("ingest")
    ''
    """
    if not stage or stage == "ingest":
        return ""
    return f"（本文經修改 modified: {STAGE_CHANGES.get(stage, stage)}；見 NOTICE.md）"


@dataclass(frozen=True, slots=True)
class ExportVerdict:
    """Export decision for one record."""

    ok: bool
    code: str = ""
    reason: str = ""
    licence: str = ""
    attributions: tuple[str, ...] = ()
    #: an included record's agreement or grant terms (:func:`grant_terms`), empty under a licence without any
    terms: tuple[Any, ...] = ()


class Params(Protocol):
    """The parts of :class:`provenance.export.ExportParams` a decision reads."""

    purpose: str
    audience: str
    commercial: bool | None
    at: dt.date | None
    pii_gate: str
    drop_near_duplicates: bool
    include_deleted_stubs: bool


class Decider:
    """Per-record licence/PII decision, cached per (licence, terms, merged licences, source, the record's credit:
    work, creator, provider, year, dataset; refused terms; stage).

    Only the licence-relevant parts of the metadata come from SQL (as JSON text), so the
    per-record cost is a dict lookup; JSON is parsed once per distinct combination.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, licence_catalogue: LicenceCatalogue, params: Params) -> None:
        self.cat = licence_catalogue
        self.p = params
        self._cache: dict[tuple, ExportVerdict] = {}
        self._held = held_containers(con)  # files whose manifest rows disagree (provenance/holds.py)
        # the representatives' rows (one per cluster: few), read before the candidates' cursor is open
        self._reps = {r[ID]: r for r in con.execute(REPRESENTATIVES).fetchall()} if params.drop_near_duplicates else {}
        self._rep_ok: dict[str, bool] = {}
        self._sources = source_rows(con)
        self._folder_named = folder_named_pairs(con)  # MODA folder names an old release stored as the dataset
        # considered duplicates: id -> (survivor, the copy shipped in its place), or None when decided on their own
        self._stand_ins: dict[str, tuple[str, str] | None] = {}

    def considered_duplicates(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        """The exact duplicates this export considers, each because it leaves out their survivor
        (:func:`provenance.export_stand_ins.stand_ins`); read before the candidates' cursor is open."""
        self._stand_ins = export_stand_ins.stand_ins(
            con,
            lambda where: _SELECT_HEAD.format(**_TEXTS, where=where),
            lambda row: row[STATUS] != "active" or self.decide(row).code not in ("", "near_duplicate"),
            self._shipped_rank,
        )
        return sorted(self._stand_ins)

    def _shipped_rank(self, row: tuple) -> int | None:
        """The licence catalogue's rank of the most restrictive licence this export includes ``row`` under (higher:
        fewer obligations), or None when it leaves the row out: the order in which copies stand in."""
        verdict = self.decide(row)
        if not verdict.ok:
            return None
        return min(self.cat[lid].rank for lid in verdict.licence.split(" AND "))

    def decide(self, row: tuple) -> ExportVerdict:
        if shipped := self._stand_ins.get(row[ID]):
            return ExportVerdict(
                False,
                export_stand_ins.CODE,
                f"exact duplicate of {shipped[0]}, which this export leaves out; its copy {shipped[1]} is included"
                " in its place",
                row[LICENCE] or "",
            )
        verdict = self._gate(row)
        if verdict is not None:
            return verdict
        if self.p.drop_near_duplicates and row[NEAR] and self._kept_copy_exported(row[NEAR]):
            return ExportVerdict(
                False,
                "near_duplicate",
                f"near duplicate of {row[NEAR]}, which this export includes (--drop-near-duplicates)",
                row[LICENCE] or "",
            )
        return self.licensed(row)

    def _gate(self, row: tuple) -> ExportVerdict | None:
        """The verdict of the rules before the near-duplicate one (withdrawn, PII gate, empty text, （刪除） stub), if one
        leaves the record out."""
        licence_id, status, pii_state, pii_expected = row[LICENCE], row[STATUS], row[PII], row[PII_EXPECTED]
        if status == "withdrawn":
            return ExportVerdict(False, "withdrawn", "record or its source was withdrawn", licence_id or "")
        if row[SHA] is None:  # only SELECT's rows, which read the text (see _TEXTS)
            return ExportVerdict(
                False,
                "text_digest",
                "the text is missing or does not hash to its content_sha256 (edited in place, or the digest erased);"
                " run `curate audit verify`",
                licence_id or "",
            )
        held = self.held(row)
        if held is not None:
            return held
        if (must_pass_pii(pii_expected, row[STAGE]) or self.p.pii_gate == "all") and pii_state not in PII_PASSED:
            why = "source expects personal data and " if pii_expected else ""
            return ExportVerdict(
                False,
                "pii_unchecked",
                f"{why}the record has not passed the PII stage (pii_state={pii_state or 'NULL'}); run `curate run pii`",
                licence_id or "",
            )
        if is_blank_text(row[TEXT]):
            return ExportVerdict(
                False,
                "empty_text",
                "the record shows no text (empty, or only invisible characters and fillers); nothing to export",
                licence_id or "",
            )
        if not self.p.include_deleted_stubs and is_deleted_stub(row[TEXT]):
            return ExportVerdict(
                False,
                "deleted_stub",
                "placeholder of a repealed article (（刪除）, Deleted.); --include-deleted-stubs keeps it",
                licence_id or "",
            )
        return None

    def held(self, row: tuple) -> ExportVerdict | None:
        """The hold's refusal when the record's file is held (its manifest rows disagree: :mod:`provenance.holds`),
        else None: a rule of :meth:`decide`, and what the licence recall asks of a past export's records too."""
        if row[CONTAINER] is None or row[CONTAINER] not in self._held:
            return None
        return ExportVerdict(
            False,
            HOLD_REASON,
            "the manifest rows for its file disagree or state no licence that holds (held at ingest); keep one row"
            " per file, under a licence id the catalogue knows, and ingest again",
            row[LICENCE] or "",
        )

    def _kept_copy_exported(self, representative: str) -> bool:
        """Whether this export includes ``representative``: active and included by the same decision. Only then
        may its near duplicates be left out; a link to a record the export leaves out (withdrawn, superseded, not
        licensed for this use) drops nothing, so the provision is never in no exported record."""
        ok = self._rep_ok.get(representative)
        if ok is None:
            self._rep_ok[representative] = False  # a link back to a record being decided drops nothing
            rep = self._reps.get(representative)
            ok = self._rep_ok[representative] = rep is not None and rep[STATUS] == "active" and self.decide(rep).ok
        return ok

    def licensed(self, row: tuple) -> ExportVerdict:
        """The licence engine's verdict alone (cached per licence, terms and credit): the last rule of
        :meth:`decide`, and what the licence recall asks of a past export's records (:mod:`provenance.licence_recall`)."""
        licence_id = row[LICENCE]
        meta = without_folder_dataset(row[CREDIT_META] or [None] * CREDIT_PATHS, self._folder_named)
        # where personal data is expected the title stays out of the credit too (a scrubbed title credits no work)
        work = None if row[PII_EXPECTED] else meta[0]
        credit = record_credit(meta, row[TAKEN_YEAR])
        key = (
            licence_id,
            row[TERMS],
            row[MERGED],
            row[SOURCE],
            work,
            meta[1],
            *credit.values(),
            meta[TERM_PROBLEMS],
            row[STAGE],
        )
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._decide(*key[:6], credit, meta[TERM_PROBLEMS], row[STAGE])
        return hit

    def _decide(
        self,
        licence_id: str | None,
        r_terms: str | None,
        r_merged: str | None,
        source_id: str,
        work: str | None = None,
        creator: str | None = None,
        credit: dict[str, str] | None = None,
        term_problems: str | None = None,
        stage: str | None = None,
    ) -> ExportVerdict:
        source = self._sources.get(source_id) or {"source_id": source_id, "title": None, "metadata": {}}
        p = self.p
        use = record_use(
            self.cat,
            source,
            licence_id,
            r_terms,
            r_merged,
            credit or {},
            term_problems,
            purpose=p.purpose,
            audience=p.audience,
            commercial=bool(p.commercial),
            at=p.at,
        )
        if not use.ok or use.grant is None:
            return ExportVerdict(False, use.code, use.reason, use.licence)
        # the work and creator credited in front come from a manifest row: checked as the row was at ingest (a
        # record ingested before that check carries no problem of its own)
        if problems := credit_problems(licence_id, work, creator, self.cat):
            return ExportVerdict(False, "licence_terms", "; ".join(problems), use.licence)
        attributions = credited(use.grant.attributions, self.cat[licence_id], work, creator, stage)
        return ExportVerdict(True, "", "", use.licence, attributions, grant_terms(use.grant))


def grant_terms(grant: Grant) -> tuple[Any, ...]:
    """What recipients must be told of an agreement or a time-limited grant (NOTICE.md, the card): its ids,
    permitted purposes, audience, commercial use and expiry; empty for a licence without agreement or end date.

    >>> from provenance.licences import default_licence_catalogue
    >>> terms = {"agreement_id": "A1", "licensor": "TABF", "audience": "member:CTBC", "purposes": ["training"],
    ...          "attribution": "© TABF", "expiry": "2027-12-31"}
    >>> grant_terms(default_licence_catalogue().grant("LicenseRef-Written-Agreement", terms))
    (('A1',), ('training',), ('member:CTBC',), False, '2027-12-31')
    >>> grant_terms(default_licence_catalogue().grant("CC-BY-4.0"))
    ()
    """
    if not grant.agreement_ids and grant.expiry is None:
        return ()
    expiry = grant.expiry.isoformat() if grant.expiry else ""
    return (grant.agreement_ids, tuple(sorted(grant.purposes)), grant.audience, grant.commercial, expiry)


def credited(
    attributions: tuple[str, ...], lic, work: str | None, creator: str | None, stage: str | None = None
) -> tuple[str, ...]:
    """A public licence's attribution statements with the work and its creator in front (a manifest row's title
    and licensor: CC BY asks for the creator, not only the collection it came in; the title is left out for
    sources that expect personal data, which CC BY 4.0 allows) and, for a text the stages changed, a note that it
    was modified (:func:`modification_note`). Agreements carry their own statement (``attribution`` column) and are
    left as they are."""
    if lic.template or not lic.attribution_required:
        return attributions
    note = modification_note(stage)
    # a manifest's title and licensor, one plain line each (control and bidi characters dropped): a line break
    # would start a markdown block in NOTICE.md, which escapes the rest (markdown_text); the data's `attribution`
    # column stays plain text; one that cannot be credited is refused first (credit_problems)
    work, creator = (credit_value(x)[0] for x in (work, creator))
    if work or creator:
        credit = "，".join(x for x in (f"「{work}」" if work else "", creator or "") if x)
        attributions = tuple(f"{credit}：{a}" for a in attributions) if attributions else (credit,)
    return tuple(f"{a}{note}" for a in attributions)


def to_row(row: tuple, verdict: ExportVerdict) -> dict[str, str | None]:
    """The data-shard row of an included record (titles of ``pii_expected`` sources left out)."""
    return {
        "record_id": row[ID],
        "source_id": row[SOURCE],
        "licence_id": verdict.licence,
        "attribution": "\n\n".join(verdict.attributions),
        "text": row[TEXT] or "",
        # left out where personal data is expected: a title the PII stage scrubbed still names the case it is about
        "title": None if row[PII_EXPECTED] else row[TITLE],
        "locator": row[LOCATOR],
        "lang": row[LANG],
        "script": row[SCRIPT],
        "doc_key": row[DOC_KEY],
        "stage": row[STAGE],
        "content_sha256": row[SHA],
        "pii_state": row[PII],
    }
