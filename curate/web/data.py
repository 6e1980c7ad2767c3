"""What the portal's pages show, read from a snapshot cursor. Every query is parameterised.

Text is shown by one rule (:func:`text_visible`): never a raw version (its text is sealed in the
vault and cleared here anyway), and for ``pii_expected`` sources only versions that have passed
the PII stage. Titles and metadata follow the rule of ``curate sql`` (:func:`provenance.db.unchecked_masked`):
NULL for such a version that has not passed it, so search neither shows nor matches them. A bank user sees only records the licence catalogue allows for ``member:<BANK>``
and the chosen purpose, by the export rule itself (:func:`provenance.export.iter_verdicts`).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import duckdb

from curate.catalogue_check import CatalogueCheck, check_catalogue
from provenance.audit import export_report, record_report, require_provenance_schema
from provenance.db import unchecked_masked
from provenance.errors import WorkbenchError
from provenance.export import ExportParams, iter_verdicts
from provenance.licences import PURPOSES, LicenceCatalogue
from provenance.pii_rule import pii_unchecked, pii_unchecked_sql

SEARCH_LIMIT = 50
_HEX = re.compile(r"^[0-9a-f]{4,64}$")


def _dicts(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def text_visible(pii_state: str | None, pii_expected: bool, text: str | None, stage: str | None = None) -> bool:
    """Whether a version's text may be shown: not raw, and past the PII stage where personal data is expected or a
    person typed it (an annotator's correction: :mod:`provenance.pii_rule`).

    >>> text_visible("scrubbed", True, "x"), text_visible(None, True, "x"), text_visible(None, False, "x")
    (True, False, True)
    >>> text_visible(None, False, "x", "annotation"), text_visible("clean", False, "x", "annotation")
    (False, True)
    """
    if text is None or pii_state == "raw":
        return False
    return not pii_unchecked(pii_state, pii_expected, stage)


def bank_allowed(
    con: duckdb.DuckDBPyConnection, bank: str, record_ids: Iterable[str], purpose: str, cat: LicenceCatalogue
) -> dict[str, str]:
    """``{record_id: ""}`` for allowed records, ``{record_id: code}`` for refused ones (missing = not a candidate).

    The refusing rule's code (``audience``, ``purpose``, ``withdrawn`` ...), never the engine's reason: a bank is
    shown it for records it may not see, and the reason names their licence's audience (another bank), agreement
    and duplicates."""
    out: dict[str, str] = {}
    ids = list(record_ids)
    if not ids:
        return out
    params = ExportParams(purpose=purpose, audience=f"member:{bank}", commercial=False)
    for rv in iter_verdicts(con, params, licence_catalogue=cat, record_ids=ids):
        out[rv.record_id] = "" if rv.verdict.ok else (rv.verdict.code or "refused")
    return out


def resolve_record(con: duckdb.DuckDBPyConnection, ref: str) -> tuple[str | None, list[str]]:
    """A record id from an id or an unambiguous prefix (8+ hex); ``(None, candidates)`` otherwise."""
    ref = ref.strip().lower()
    found = [
        r[0]
        for r in con.execute(
            "SELECT record_id FROM records WHERE starts_with(record_id, ?) ORDER BY record_id LIMIT 21", [ref]
        ).fetchall()
    ]
    if ref in found:
        return ref, []
    if len(found) == 1 and len(ref) >= 8:
        return found[0], []
    return None, found


#: most matches a filtered search (:func:`search_filtered`) examines for one page before it says the list was cut
SEARCH_SCAN = 5_000


def search_filtered(
    con: duckdb.DuckDBPyConnection,
    q: str,
    keep: Callable[[list[dict[str, Any]]], list[dict[str, Any]]] | None = None,
    *,
    limit: int = SEARCH_LIMIT,
    scan: int = SEARCH_SCAN,
) -> tuple[list[dict[str, Any]], bool]:
    """Up to ``limit`` matches of ``q`` (:func:`search`, in its order) that ``keep`` lets through (a bank's view),
    and whether the list was cut: more matches were kept, or ``scan`` matches were examined before the rest.

    The filter runs before the limit: a page of matches the filter refuses does not hide an allowed one after it.
    """
    if keep is None:
        rows = search(con, q, limit=limit + 1)
        return rows[:limit], len(rows) > limit
    out: list[dict[str, Any]] = []
    page, offset = max(4 * limit, 200), 0
    while offset < scan:
        rows = search(con, q, limit=min(page, scan - offset), offset=offset)
        out += keep(rows)
        offset += len(rows)
        if len(out) > limit:
            return out[:limit], True
        if len(rows) < page:
            return out, False
    return out, bool(search(con, q, limit=1, offset=offset))


def search(
    con: duckdb.DuckDBPyConnection, q: str, *, limit: int = SEARCH_LIMIT, offset: int = 0
) -> list[dict[str, Any]]:
    """Records matching ``q``: an id prefix, a doc_key, a law name with article number, or a text snippet.

    Text matches only where the text may be shown (:func:`text_visible`), titles only where they are not masked
    (:func:`provenance.db.unchecked_masked`); all values are bound.
    """
    q = (q or "").strip()
    if not q:
        return []
    compact = re.sub(r"\s+", "", q)
    hex_q = q.lower() if _HEX.match(q.lower()) else None
    sql = f"""
        SELECT r.record_id, r.title, r.source_id, r.status, r.licence_id, r.pii_state, r.doc_key, r.stage,
               CASE WHEN starts_with(r.record_id, $hex) THEN 'id'
                    WHEN r.doc_key = $q OR starts_with(r.doc_key, $q) THEN 'doc_key'
                    WHEN contains(replace(coalesce(r.title, ''), ' ', ''), $compact) THEN 'title'
                    ELSE 'text' END AS matched
        FROM (SELECT r.* REPLACE ({unchecked_masked("title")}), s.pii_expected
              FROM records r LEFT JOIN sources s ON s.source_id = r.source_id) r
        WHERE ($hex IS NOT NULL AND starts_with(r.record_id, $hex))
           OR r.doc_key = $q OR starts_with(r.doc_key, $q)
           OR contains(replace(coalesce(r.title, ''), ' ', ''), $compact)
           OR (contains(r.text, $q) AND r.pii_state IS DISTINCT FROM 'raw'
               AND NOT {pii_unchecked_sql("r", "r.pii_expected")})
        ORDER BY (r.status = 'active') DESC, r.title NULLS LAST, r.record_id
        LIMIT $limit OFFSET $offset
    """
    params = {"hex": hex_q, "q": q, "compact": compact}
    return _dicts(con.execute(sql, {**params, "limit": int(limit), "offset": int(offset)}))


#: most characters compared for one pair of lines or blocks (SequenceMatcher's cost grows with the product of the two
#: lengths, faster on repetitive text): a longer pair is shown removed and inserted whole
PAIR_WORK = 1_000_000
#: most characters compared for one version's diff in all (its pairs' products); the rest is shown whole
DIFF_WORK = 20_000_000
#: most lines compared for one version (the product of the two counts)
LINE_WORK = 25_000_000


#: a line with its end (LF, CRLF or CR alone: str.splitlines also splits at a form feed, which hygiene removes)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
#: what a line is matched by is its text without spaces, line ends and invisible characters, in NFKC: lines are
#: matched as hygiene left them (it removes those and collapses blank lines: with the lines matched as they were, a
#: text with a line fewer matched none and was shown removed and inserted whole, 2,700 characters of CRLF included)
_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]+")


def _line_key(line: str) -> str:
    r"""What a line is matched by on the record page's diff.

    >>> _line_key("  第 1 條　本法\r\n") == _line_key("第 1 條本法\n")
    True
    """
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", line))


def _diff(before: str, after: str) -> list[tuple[str, str]]:
    r"""Character diff as ``(op, text)`` segments: ``=`` same, ``-`` removed, ``+`` inserted.

    The work is bounded whatever the texts (a record page diffs every version): the common start and end are
    taken off, the rest is matched line by line, and changed lines (or blocks of them) are diffed character by
    character within :data:`PAIR_WORK` each and :data:`DIFF_WORK` in all, else shown removed and inserted whole.
    A whole-text character diff took minutes on a 20,000-character text whose hygiene changed every line (CRLF),
    and a line diff (``difflib.ndiff``) nearly a minute on 11,000 characters.

    >>> _diff("銀行 法", "銀行法")
    [('=', '銀行'), ('-', ' '), ('=', '法')]
    >>> _diff("a\r\nb\r\n", "a\nb\n")
    [('=', 'a'), ('-', '\r'), ('=', '\nb'), ('-', '\r'), ('=', '\n')]
    """
    n = len(os.path.commonprefix([before, after]))
    m = len(os.path.commonprefix([before[n:][::-1], after[n:][::-1]]))
    a, b = before[n : len(before) - m], after[n : len(after) - m]
    out: list[tuple[str, str]] = [("=", before[:n])] if n else []
    budget = [DIFF_WORK]
    if len(a) * len(b) <= PAIR_WORK:
        _char_diff(a, b, out, budget)
    else:
        la, lb = _LINE.findall(a), _LINE.findall(b)
        if len(la) * len(lb) > LINE_WORK:
            _char_diff(a, b, out, budget)  # too many lines to match: shown whole
        else:
            ka, kb = [_line_key(x) for x in la], [_line_key(y) for y in lb]
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=ka, b=kb).get_opcodes():
                if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):  # line by line
                    for x, y in zip(la[i1:i2], lb[j1:j2], strict=True):
                        if x == y:
                            out.append(("=", x))
                        else:
                            _char_diff(x, y, out, budget)
                else:
                    _char_diff("".join(la[i1:i2]), "".join(lb[j1:j2]), out, budget)
    if m:
        out.append(("=", before[len(before) - m :]))
    merged: list[tuple[str, str]] = []
    for op, text in out:  # neighbouring segments of one kind read as one
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def _char_diff(a: str, b: str, out: list[tuple[str, str]], budget: list[int]) -> None:
    """Append ``a`` -> ``b`` to ``out`` character by character when the pair is within :data:`PAIR_WORK` and
    ``budget`` (what is left of :data:`DIFF_WORK`), else as removed and inserted whole."""
    work = len(a) * len(b)
    if not a or not b or work > PAIR_WORK or work > budget[0]:
        out += [("-", a), ("+", b)]
        return
    budget[0] -= work
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            out.append(("=", a[i1:i2]))
        else:
            out += [("-", a[i1:i2]), ("+", b[j1:j2])]


def record_page(con: duckdb.DuckDBPyConnection, record_id: str, cat: LicenceCatalogue) -> dict[str, Any]:
    """Everything the record page shows: versions with diffs, every event (full details), licence
    terms, the dedup cluster, exports. Reuses :func:`provenance.audit.record_report`."""
    rep = record_report(con, record_id)
    source = rep["source"] or {}
    pii_expected = bool(source.get("pii_expected"))
    ids = [v["record_id"] for v in rep["versions"]]
    lits = ", ".join("'" + i.replace("'", "''") + "'" for i in ids)  # ids from the catalogue; literal IN uses the index
    texts = {
        rid: (text, state, title, stage)
        for rid, text, state, title, stage in con.execute(
            f"SELECT r.record_id, r.text, r.pii_state, {unchecked_masked('title')}, r.stage FROM records r"
            f" LEFT JOIN sources s ON s.source_id = r.source_id WHERE r.record_id IN ({lits})"
        ).fetchall()
    }
    versions = []
    prev_text: str | None = None
    for v in rep["versions"]:
        text, state, title, stage = texts.get(v["record_id"], (None, None, None, None))
        shown = text if text_visible(state, pii_expected, text, stage) else None
        v = {**v, "title": title, "text": shown, "hidden": text is not None and shown is None, "diff": None}
        if shown is not None and prev_text is not None and shown != prev_text:
            v["diff"] = _diff(prev_text, shown)  # bounded work, however long the texts
        prev_text = shown if shown is not None else prev_text
        versions.append(v)
    event_banks(con, rep["events"])
    for e in rep["events"]:
        e["detail_json"] = json.dumps(e.get("detail"), ensure_ascii=False, indent=2, sort_keys=True)
    lic = cat.get(rep["record"]["licence_id"])
    meta = rep["record"].get("metadata") or {}
    terms = meta.get("licence_terms") if isinstance(meta, dict) else None
    if terms is None:
        smeta = source.get("metadata") or {}
        terms = smeta.get("licence_terms") if isinstance(smeta, dict) else None
    permits = []
    for purpose in PURPOSES:
        for audience in ("public", "consortium"):
            for rv in iter_verdicts(
                con,
                ExportParams(purpose=purpose, audience=audience, commercial=False),
                licence_catalogue=cat,
                record_ids=[record_id],
            ):
                permits.append(
                    {"purpose": purpose, "audience": audience, "ok": rv.verdict.ok, "why": rv.verdict.reason}
                )
    return {
        **rep,
        "versions": versions,
        "licence": lic.as_dict() if lic else None,
        "terms": terms,
        "permits": permits,
        "cluster": dedup_cluster(con, ids),
        "pii_expected": pii_expected,
    }


def event_banks(con: duckdb.DuckDBPyConnection, events: list[dict[str, Any]]) -> None:
    """Set each event's ``bank``: the one its detail names, else, for an annotation event, the bank of its run
    (`annotate push`/`pull` record it in the run's params: a 漏標's ``missed_pii_sealed`` event names none, and it
    names the reviewed and masking versions of a review made by that bank), else None."""
    runs = {e["run_id"] for e in events if e.get("stage") == "annotation" and e.get("run_id")}
    of_run = dict(
        con.execute(
            "SELECT run_id, json_extract_string(params, '$.bank') FROM runs WHERE list_contains($ids, run_id)",
            {"ids": sorted(runs)},
        ).fetchall()
        if runs
        else []
    )
    for e in events:
        detail = e.get("detail")
        bank = detail.get("bank") if isinstance(detail, dict) else None
        if bank is None and e.get("stage") == "annotation":
            bank = of_run.get(e.get("run_id"))
        e["bank"] = bank


def dedup_cluster(con: duckdb.DuckDBPyConnection, ids: list[str]) -> dict[str, Any] | None:
    """The duplicate cluster that any version in ``ids`` belongs to now (as a duplicate or as the survivor): its
    survivor and members with rule, match and Jaccard (:func:`provenance.dedup_release.current_duplicates`; a
    released duplicate is in none, one clustered again shows its new survivor)."""
    from provenance.dedup_release import current_duplicates

    lits = ", ".join("'" + i.replace("'", "''") + "'" for i in ids)  # catalogue ids as literals (no binding)
    dups = current_duplicates(con)
    rows = con.execute(
        f"SELECT survivor FROM ({dups}) WHERE record_id IN ({lits}) OR survivor IN ({lits}) ORDER BY seq DESC LIMIT 1"
    ).fetchall()
    if not rows:
        return None
    survivor = rows[0][0]
    members = _dicts(
        con.execute(
            "SELECT record_id, json_extract_string(detail, '$.rule') AS rule, json_extract_string(detail, '$.match')"
            f" AS match, json_extract(detail, '$.jaccard') AS jaccard FROM ({dups}) WHERE survivor = $s ORDER BY seq",
            {"s": survivor},
        )
    )
    return {"survivor": survivor, "members": members}


def exports_list(con: duckdb.DuckDBPyConnection, cat: LicenceCatalogue | None = None) -> list[dict[str, Any]]:
    """Every export, with its records the licence rules of ``cat`` (the portal's) refuse now."""
    from provenance.audit import exports_report

    return exports_report(con, cat)


def export_audience(con: duckdb.DuckDBPyConnection, ref: str) -> str | None:
    """The audience of the export ``ref`` names (its id or its sequence number; its newest run's, as the export page
    reads it), None when it names none. Read before the page is built: an export a bank may not see then costs what
    one that is not there costs (built first, its licence recall and its folder's files made the 404 several times
    slower, which told a bank counting up ``/exports/N`` which numbers hold another bank's export)."""
    require_provenance_schema(con)
    row = con.execute(
        "SELECT audience FROM exports WHERE export_id = ? OR CAST(export_seq AS VARCHAR) = ?"
        " ORDER BY export_seq DESC LIMIT 1",
        [ref, ref],
    ).fetchone()
    return None if row is None else row[0]


def export_page(con: duckdb.DuckDBPyConnection, export_id: str, cat: LicenceCatalogue | None = None) -> dict[str, Any]:
    """The export's report (its recall by the licence rules of ``cat``, the portal's) plus its card and NOTICE when
    the folder is reachable."""
    from pathlib import Path

    rep = export_report(con, export_id, cat)
    out_dirs = _out_dirs(rep)
    files: dict[str, str | None] = {"README.md": None, "NOTICE.md": None}
    here = [d for d in out_dirs if Path(d).is_dir()]
    if here:
        for name in files:
            files[name] = _plain_file_text(Path(here[0]) / name)
    return {**rep, "out_dirs": out_dirs, "reachable": bool(here), "files": files}


#: largest card or NOTICE the export page shows
SHOWN_FILE_BYTES = 2_000_000


def _plain_file_text(path: Path) -> str | None:
    """The text of ``path`` when it is a regular file (not a link: whoever can write the export folder could point
    one at the portal's key or users file) under :data:`SHOWN_FILE_BYTES`; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # missing, a link (ELOOP), unreadable
        return None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode) or st.st_size >= SHOWN_FILE_BYTES:
            return None
        return fh.read(SHOWN_FILE_BYTES).decode("utf-8", errors="replace")


def _out_dirs(rep: dict[str, Any]) -> list[str]:
    """Every folder the export was written to (one export id, several copies: each must be recalled and checked)."""
    return sorted({r["out_dir"] for r in rep["runs"] if r.get("out_dir")})


def verify_export_folder(con: duckdb.DuckDBPyConnection, export_id: str) -> dict[str, Any]:
    """``curate audit verify-export`` on the export's folder (:func:`provenance.verify_export.verify_export`):
    every file's sha256, the manifest against ``export_items``, the export's ledger state."""
    from provenance.verify_export import verify_export

    rep = export_report(con, export_id)
    out: dict[str, Any] = {"ok": True, "problems": [], "checked_files": 0}
    for folder in _out_dirs(rep) or [""]:  # every copy
        if not folder or not Path(folder).is_dir():
            out["ok"] = False
            out["problems"].append(f"{folder or '(no folder)'} is not reachable from the portal")
            continue
        try:
            got = verify_export(con, Path(folder), rep["export_id"])
        except WorkbenchError as exc:
            got = {"ok": False, "problems": [str(exc)], "checked_files": 0}
        out["ok"] = out["ok"] and got["ok"]
        out["problems"] += [f"{folder}: {p}" for p in got["problems"]]
        out["checked_files"] += got.get("checked_files", 0)
    return out


#: withdrawals on one page of the portal's list (each costs a recall query)
WITHDRAWALS_PER_PAGE = 50


def withdrawals_page(con: duckdb.DuckDBPyConnection, page: int = 1) -> dict[str, Any]:
    """Page ``page`` (from 1) of the withdrawals, newest first, each with its records, reason and the past exports
    that held them, and how many there are in all: a takedown list withdrawn record by record holds thousands, and
    the page that showed them all at once ran a recall query for each (2,000: half a minute)."""
    from provenance.audit import withdrawals_report

    total = con.execute("SELECT count(*) FROM withdrawals").fetchone()[0]
    pages = max(1, -(-total // WITHDRAWALS_PER_PAGE))
    page = min(max(1, page), pages)
    rows = withdrawals_report(con, skip=(page - 1) * WITHDRAWALS_PER_PAGE, count=WITHDRAWALS_PER_PAGE)
    return {"rows": rows, "total": total, "page": page, "pages": pages, "first": (page - 1) * WITHDRAWALS_PER_PAGE}


def ledger_page(
    con: duckdb.DuckDBPyConnection, anchor_file: str | Path | None = None, check: CatalogueCheck | None = None
) -> dict[str, Any]:
    """What ``curate audit verify`` proves (``check``, of this snapshot, or run here: the chain and the tables
    against it, :mod:`curate.catalogue_check`), head, recent events, and anchors: the heads each export recorded
    and, when the portal was given one, the auditor's anchor file (each anchored head must still be in the chain)."""
    check = check or check_catalogue(con)
    head = _dicts(
        con.execute(
            "SELECT seq, event_id, hash, created_at, stage, action FROM provenance_events ORDER BY seq DESC LIMIT 25"
        )
    )
    exports = _dicts(
        con.execute(
            "SELECT e.export_id, min(e.created_at) AS created_at, any_value(e.state_hash) AS state_hash,"
            " bool_or(p.hash IS NOT NULL) AS in_chain FROM exports e LEFT JOIN provenance_events p"
            " ON p.hash = e.state_hash GROUP BY e.export_id ORDER BY 2"
        )
    )
    anchors: dict[str, Any] | None = None
    if anchor_file:
        from provenance.anchors import check_anchors, read_anchors

        try:
            items = read_anchors(anchor_file)
            anchors = {"file": str(anchor_file), "items": items, "problems": check_anchors(con, items)}
        except WorkbenchError as exc:
            anchors = {"file": str(anchor_file), "items": [], "problems": [str(exc)]}
    return {
        "verify": check.summary(),
        "events": check.full.chain.checked,
        "head": head[0] if head else None,
        "recent": head,
        "exports": exports,
        "anchors": anchors,
    }


def record_ids_of(rows: list[dict[str, Any]]) -> list[str]:
    return [r["record_id"] for r in rows]
