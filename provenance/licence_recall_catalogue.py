"""An expiry moved earlier in a licence catalogue file since an export: the catalogue side of ``expiry_shortened``.

An export's NOTICE and card state each time-limited licence's expiry as its catalogue had it; the export records
those days (``licence_catalogue.expiry`` in its ledger event: :func:`catalogue_detail`). A catalogue judged later
(``audit licences|exports|export --catalogue FILE``) whose entry ends earlier, or ends where it had no end date, to a
day the rules still allow on the export's own day, names the export's records under that licence, code
``expiry_shortened``: recipients were told they may use them until the old day. Before review 15 an export kept its
catalogue's sha256 only and such a correction named no export. Exports made before record nothing and are judged as
before (:func:`provenance.licence_recall.licence_refused`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import duckdb

from provenance._selection import ID, LICENCE_ROWS_OF, Decider, ExportVerdict
from provenance.licences import LicenceCatalogue

#: export items read per step
_STEP = 5_000


def catalogue_detail(info: Mapping[str, Any]) -> dict[str, Any]:
    """The export event's ``licence_catalogue``: its sha256, whether it is the shipped one (``audit export`` flags
    another) and ``expiry``, each used entry's expiry as NOTICE stated it (None: no end date)."""
    return {"sha256": info["catalogue_sha256"], "shipped": info["catalogue_shipped"], "expiry": info["licence_expiry"]}


def entry_expiries(cat: LicenceCatalogue, labels: Iterable[str]) -> dict[str, str | None]:
    """Each catalogue entry the licence ``labels`` (``A AND B`` for a merged record) name, with its expiry (ISO date,
    None without one).

    >>> from provenance.licences import default_licence_catalogue
    >>> entry_expiries(default_licence_catalogue(), ["CC-BY-4.0 AND OGDL-Taiwan-1.0"])
    {'CC-BY-4.0': None, 'OGDL-Taiwan-1.0': None}
    """
    ids = sorted({part for label in labels for part in label.split(" AND ")})
    return {i: (lic.expiry.isoformat() if lic.expiry else None) for i in ids if (lic := cat.get(i)) is not None}


def recorded_expiries(con: duckdb.DuckDBPyConnection, export_ids: list[str]) -> dict[str, dict[str, str | None]]:
    """Per export id, the entries' expiries its latest event recorded (exports made before review 15: none)."""
    rows = con.execute(
        "SELECT e.export_id, arg_max(CAST(json_extract(p.detail, '$.licence_catalogue.expiry') AS VARCHAR), e.export_seq)"
        " FROM exports e JOIN provenance_events p ON p.seq = e.export_seq"
        " WHERE e.export_id IN (SELECT unnest($ids)) GROUP BY e.export_id",
        {"ids": export_ids},
    ).fetchall()
    out = {}
    for export_id, text in rows:
        value = _json(text)
        if isinstance(value, dict):
            out[export_id] = {str(k): (str(v) if v else None) for k, v in value.items()}
    return out


def _json(text: str | None) -> Any:
    return json.loads(text) if text else None


def _moved_earlier(cat: LicenceCatalogue, recorded: Mapping[str, str | None]) -> dict[str, dt.date | None]:
    """The entries that end earlier in ``cat`` than the export's catalogue stated, with the stated day, keyed by the
    id the export recorded (its records' ``licence_id``). An id renamed since is found through its alias, as the
    rules judge the records (looked up among the entries' own ids, a renamed entry whose expiry was moved earlier
    named no export)."""
    out = {}
    for lid, then in recorded.items():
        lic = cat.get(lid)
        if lic is None or lic.expiry is None:
            continue  # removed (refused as unknown) or no end date now
        try:
            day = dt.date.fromisoformat(then) if then else None
        except ValueError:
            continue
        if day is None or lic.expiry < day:
            out[lid] = day
    return out


def catalogue_shortened(
    con: duckdb.DuckDBPyConnection,
    cat: LicenceCatalogue,
    exports: Iterable[tuple[str, Any, Mapping[str, str | None]]],
    current: Mapping[str, list[str]],
) -> dict[tuple[str, str, str], ExportVerdict]:
    """Records of each export (``(export id, use, recorded expiries)``) under an entry that ends earlier now, keyed
    by (export id, exported id, current id): the exported version judged by the export's catalogue days and its
    document's current version by ``cat`` are both allowed, and the current one ends earlier (or the old one had no
    end). Only the items under such an entry are read (none, usually)."""
    out: dict[tuple[str, str, str], ExportVerdict] = {}
    for export_id, use, recorded in exports:
        earlier = _moved_earlier(cat, recorded)
        if not earlier:
            continue
        stated = {cat.canonical(i): d for i, d in earlier.items()}  # the entry's own id: what the rules look up
        then_cat = replace(
            cat, licences={**cat.licences, **{i: replace(cat.licences[i], expiry=d) for i, d in stated.items()}}
        )
        then_decider, now_decider = Decider(con, then_cat, use), Decider(con, cat, use)
        items = [
            r
            for (r,) in con.execute(
                "SELECT DISTINCT record_id FROM export_items WHERE export_id = $eid"
                " AND list_has_any(string_split(licence_id, ' AND '), $ids) ORDER BY record_id",
                {"eid": export_id, "ids": sorted(earlier)},
            ).fetchall()
        ]
        for start in range(0, len(items), _STEP):
            step = items[start : start + _STEP]
            ids = sorted({*step, *(n for e in step for n in current.get(e, ()))})
            rows = {row[ID]: row for row in con.execute(LICENCE_ROWS_OF, {"ids": ids}).fetchall()}
            for exported in step:
                for now_id in current.get(exported, ()):
                    if exported not in rows or now_id not in rows:
                        continue
                    then, now = then_decider.licensed(rows[exported]), now_decider.licensed(rows[now_id])
                    if ends := shortened_expiry(then, now):
                        ends_now, ends_then = ends
                        out[(export_id, exported, now_id)] = ExportVerdict(
                            False,
                            "expiry_shortened",
                            f"expiry corrected in the licence catalogue: {now.licence} now ends {ends_now}, the"
                            f" export's catalogue {f'ended it {ends_then}' if ends_then else 'stated no end date'}"
                            f" (as its NOTICE told the recipients): no use after {ends_now}",
                            now.licence,
                        )
    return out


def shortened_expiry(then: ExportVerdict, now: ExportVerdict) -> tuple[str, str | None] | None:
    """``(now's expiry, then's)`` (ISO dates; then's None without one) where both verdicts allow the record and
    ``now`` ends earlier than ``then`` or ``then`` had no end: an ``expiry_shortened`` (here and in
    :func:`provenance.licence_recall.licence_refused`); None otherwise."""
    ends_then, ends_now = _expiry(then), _expiry(now)
    if then.ok and now.ok and ends_now is not None and (ends_then is None or ends_now < ends_then):
        return ends_now, ends_then
    return None


def _expiry(verdict: ExportVerdict) -> str | None:
    """The expiry (ISO date) of an allowed record's agreement or grant terms, None without one."""
    return (verdict.terms[-1] or None) if verdict.terms else None
