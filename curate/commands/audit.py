"""``curate audit``: read-only auditor commands (verify, record, export, licences, withdrawn, sql).

Every command opens the catalogue read-only; nothing here can write.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from curate.commands._common import (
    JSON_OPTION,
    UTF8_TEXT,
    display_width,
    echo_json,
    echo_json_rows,
    echo_lines,
    format_table,
    json_keyable,
    json_keys,
    printable,
    settings,
    table_lines,
)
from curate.commands.licences import CATALOGUE_OPTION
from provenance.db import connect_readonly

if TYPE_CHECKING:
    from provenance.licences import LicenceCatalogue

#: widest cell of an audit table, in terminal columns (longer values end in ``...``)
MAX_CELL = 80

#: the section of records (or exports) whose documents the licence rules refuse now for the export's use: after a
#: licence correction, a held file, or a rule of the licence engine added since (the reason names which)
REFUSED_TITLE = (
    "{what} the current licence rules refuse for the export's use (a licence correction, a held file or a rule"
    " added since: see the reason; tell its recipients)"
)


def _layout_options(fn):
    """``--full`` (never cut a cell) and ``--vertical`` (one ``column: value`` block per row, nothing cut)."""
    fn = click.option("--vertical", "-x", is_flag=True, help="One block per row, `column: value`, nothing cut.")(fn)
    return click.option("--full", is_flag=True, help=f"Do not cut cells at {MAX_CELL} columns.")(fn)


def _vertical(columns: Sequence[str], rows: Iterable[Any]) -> str:
    """Rows as blocks of ``column: value`` lines; JSON values pretty-printed, nothing cut."""
    return "\n".join(_vertical_lines(columns, rows))


def _vertical_lines(columns: Sequence[str], rows: Iterable[Any]) -> Iterator[str]:
    """The lines of :func:`_vertical`, one at a time."""
    import json
    from collections.abc import Mapping

    width = max((display_width(printable(c, keep_breaks=False)) for c in columns), default=0)
    for i, r in enumerate(rows, 1):
        yield f"-[ {i} ]" + "-" * 40
        for j, c in enumerate(columns):
            v = r.get(c) if isinstance(r, Mapping) else r[j]
            if isinstance(v, (dict, list)):
                v = json.dumps(json_keyable(v), ensure_ascii=False, indent=2, sort_keys=True, default=str).replace(
                    "\n", "\n" + " " * (width + 3)
                )
            name = printable(c, keep_breaks=False)  # a column name is the query's text (`AS "<ESC>]0;x"`)
            yield f"{name}{' ' * (width - display_width(name))} : {printable(v)}"


def _table(columns: Sequence[str], rows: Iterable[Any], full: bool = False, vertical: bool = False) -> str:
    rows = list(rows)
    if vertical:
        return _vertical(columns, rows)
    return format_table(columns, rows, max_width=None if full else MAX_CELL)


def _section(
    title: str, rows: Iterable[dict[str, Any]], columns: Sequence[str], full: bool = False, vertical: bool = False
) -> None:
    rows = list(rows)
    click.echo(f"\n{title} ({len(rows)})")
    if rows:
        click.echo(_table(columns, rows, full, vertical))


audit = click.Group(
    "audit", help="Read-only auditor queries: ledger (verify, anchor), records, exports, licences, withdrawals."
)


@audit.command("verify")
@click.option(
    "--anchor",
    "anchor_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Anchor file (from `curate audit anchor --append`): every head in it must still be in the chain.",
)
@JSON_OPTION
def verify_cmd(anchor_file: str | None, as_json: bool) -> int:
    """Check the ledger chain and the tables against it; exit 1 naming what is broken.

    Without --anchor, events cut off the end of the chain are noticed only while a later run,
    export or withdrawal still points at them; keep anchors outside the database to prove more.
    """
    from curate.catalogue_check import check_catalogue
    from provenance.anchors import read_anchors

    anchors = read_anchors(anchor_file) if anchor_file else None
    con = connect_readonly(settings().db_path)
    try:
        check = check_catalogue(con, anchors)  # first, that the tables are those its migrations made
    finally:
        con.close()
    res, keyed, ok = check.full, check.keyed, check.ok
    if as_json:
        echo_json({**res.as_dict(), "ok": ok, "keyed": keyed})
        return 0 if ok else 1

    def _line(text: str) -> None:
        # what is verified is what a tamperer wrote: a record id or event id holding ESC or a carriage return
        # could erase the FAILED lines above it on the auditor's terminal and print its own "ok"
        click.echo(printable(text, keep_breaks=False))

    c = res.chain
    seq, head = res.head
    if c.ok:
        _line(f"ledger ok: {c.checked} events verified (head seq {seq}, hash {head[:16]}…)")
    else:
        _line(f"ledger BROKEN at {c.at} (event_id {c.first_bad_event_id}): {c.reason}; {c.checked} events checked")
    x = res.cross
    checked = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in x.checked.items())
    if x.ok:
        _line(f"cross-checks ok: {checked}")
    else:
        _line(f"cross-checks FAILED ({checked}):")
        for problem, n in x.problems.items():
            _line(f"  {n} x {problem}")
        for f in x.findings:
            _line(f"    {f.check}: {f.subject}: {f.problem}")
    for note in x.notes:
        _line(f"note: {note}")
    if anchors is not None:
        if res.anchor_problems:
            _line(f"anchors FAILED ({len(anchors)} checked):")
            for p in res.anchor_problems:
                _line(f"  {p}")
        else:
            _line(f"anchors ok: {len(anchors)} anchored heads still in the chain")
    else:
        _line(
            "note: no --anchor given; truncation of the newest events is caught only while a run, export or withdrawal points past them"
        )
    if keyed is None:
        _line("note: CURATE_PII_KEY not set: the raw-text vault and keyed digests were not checked")
    elif keyed.get("not_checked"):
        _line(f"keyed checks NOT DONE: {keyed['not_checked']}")
    elif keyed["problems"]:
        _line(f"keyed checks FAILED ({keyed['checked']} sealed items checked):")
        for p in keyed["problems"][:20]:
            _line(f"  {p}")
    else:
        other = f"; {keyed['other_key']} sealed under another key, not checked" if keyed["other_key"] else ""
        _line(f"keyed checks ok: {keyed['checked']} sealed texts and names decrypt and match their digests{other}")
    return 0 if ok else 1


@audit.command("verify-export")
@click.argument("out_dir", type=click.Path())  # a file (an archive of the folder): one line from verify_export
@click.option("--export", "export_id", default=None, help="Export id (default: found by the folder's manifest).")
@JSON_OPTION
def verify_export_cmd(out_dir: str, export_id: str | None, as_json: bool) -> int:
    """Recompute an export folder's file hashes against the catalogue; name changed, missing, extra files."""
    from curate.pii.keys import load_key
    from provenance.verify_export import verify_export

    key = load_key(required=False)  # digests keyed after the export are checked only with the PII key
    con = connect_readonly(settings().db_path)
    try:
        res = verify_export(con, out_dir, export_id, key_digest=key.key_plain_digest if key else None)
    finally:
        con.close()
    if as_json:
        echo_json(res)
    else:
        # the folder is untrusted and its file names are printed: each line shows one value, escaped (a name
        # holding ESC or a line break could otherwise erase the verdict and print its own "ok")
        head = "ok" if res["ok"] else "FAILED"
        click.echo(
            f"export {printable(res['export_id'], keep_breaks=False)} (ledger seq {res['export_seq']}, "
            f"made at state seq {res['state']['seq']}): {head}, {res['checked_files']} files checked"
        )
        for p in res["problems"]:
            click.echo(f"  {printable(p, keep_breaks=False)}")
        for n in res.get("notes", []):
            click.echo(f"note: {printable(n, keep_breaks=False)}")
    return 0 if res["ok"] else 1


@audit.command("anchor")
@click.option(
    "--append",
    "append_to",
    type=click.Path(dir_okay=False),
    default=None,
    help="Append the head as a JSON line to this file (keep it outside the catalogue's reach).",
)
@JSON_OPTION
def anchor_cmd(append_to: str | None, as_json: bool) -> int:
    """Print the ledger head (seq, hash, count), or append it to an anchor file for `verify --anchor`."""
    from provenance.anchors import append_anchor, current_anchor
    from provenance.export_out import catalogue_files

    db_path = settings().db_path
    con = connect_readonly(db_path)
    try:
        a = current_anchor(con, str(Path(db_path).resolve()))  # the file's name, not as typed (relative to what?)
        if append_to:  # with the catalogue open: the file's heads must be in its chain (anchors.refuse_other_chain)
            append_anchor(append_to, a, catalogue_files(con), con)
    finally:
        con.close()
    if as_json:
        echo_json(a.as_dict())
    else:
        click.echo(
            f"head seq {a.seq} hash {a.hash} ({a.count} events) at {a.at}"
            + (f"; appended to {append_to}" if append_to else "")
        )
    if append_to and a.seq == 0:  # the genesis is in every chain: it vouches for no event (anchors.check_anchors)
        click.echo(
            "note: the ledger has no event yet: this anchor vouches for none; append another once it has events"
            " (until then `audit verify --anchor` fails once events are recorded)",
            err=True,
        )
    return 0


@audit.command("record")
@click.argument("record_id", type=UTF8_TEXT)
@CATALOGUE_OPTION
@JSON_OPTION
@_layout_options
def record_cmd(record_id: str, licence_catalogue_file: Path | None, as_json: bool, full: bool, vertical: bool) -> int:
    """Source, licence (and what it permits; with --catalogue, by that licence catalogue's rules), every event,
    derived versions and exports of RECORD_ID.

    RECORD_ID may be an unambiguous prefix of at least 8 hex characters.
    """
    from provenance import audit as lib

    cat = _licence_catalogue(licence_catalogue_file)
    con = connect_readonly(settings().db_path)
    try:
        rep = lib.record_report(con, lib.resolve_record_id(con, record_id))
        permits = lib.licence_permits(con, rep["record"]["record_id"], cat)
    finally:
        con.close()
    rep["permits"] = permits
    if as_json:
        echo_json(rep)
        return 0
    r, s = rep["record"], rep["source"] or {}
    # one value per line, each escaped on its own: a line break in a file name must not forge a header line
    r = {k: printable(f"{v}", keep_breaks=False) for k, v in r.items()}
    s = {k: printable(f"{v}", keep_breaks=False) for k, v in s.items()}
    click.echo(
        f"record   {r['record_id']}\nstatus   {r['status']} (stage {r['stage']}, pii_state {r['pii_state']})\n"
        f"source   {r['source_id']} ({s.get('kind')}) from {s.get('origin')}\nlocator  {r['locator']}\n"
        f"licence  {r['licence_id']}: {printable(permits['summary'], keep_breaks=False)}\n"
        f"sha256   {r['content_sha256']}\nrules    {_judged_by(cat)}"  # what `licence` permits
    )
    if rep.get("hold"):
        h = rep["hold"]
        click.echo(
            f"held     from export since {h['held_at']} (licence_disputed: the manifest rows for"
            f" {printable(h['container'], keep_breaks=False)} disagree; run {h['run_id']})"
        )
    lay = {"full": full, "vertical": vertical}
    cols = ["record_id", "version_of", "stage", "status", "licence_id", "pii_state"]
    _section("versions", rep["versions"], cols, **lay)
    _section("events", rep["events"], ["seq", "created_at", "record_id", "stage", "action", "actor", "detail"], **lay)
    if rep.get("events_before_rekey"):
        click.echo(
            f"note: {rep['events_before_rekey']} older events name this chain by its ids before `curate pii rekey`; "
            "the old->new mapping is sealed, so they are not shown here"
        )
    _section(
        "checked, unchanged (stage marks)",
        rep["marks"],
        ["record_id", "stage", "outcome", "run_id", "finished_at"],
        **lay,
    )
    _section("exports", rep["exports"], ["export_id", "record_id", "purpose", "audience", "created_at"], **lay)
    return 0


def _with_replaced(rows: list[dict[str, Any]], replaced: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    """``rows`` (exports) with ``replaced_dirs``: each of their folders a later export replaced (``--overwrite``),
    naming the export now there; before review 16 the folder was listed as if it still held the export."""
    return [
        {**r, "replaced_dirs": [f"{d} (now {n})" for d, n in sorted(replaced.get(r["export_id"], {}).items())]}
        for r in rows
    ]


@audit.command("exports")
@CATALOGUE_OPTION
@JSON_OPTION
@_layout_options
def exports_cmd(licence_catalogue_file: Path | None, as_json: bool, full: bool, vertical: bool) -> int:
    """Every export: id, when, purpose, audience, commercial use, records, blocked, folder, and how many of its
    records the current licence rules refuse for its use (licence_refused: see `curate audit licences`; with
    --catalogue, the rules of that licence catalogue, e.g. the corrected one exports are made with)."""
    from provenance import audit as lib

    cat = _licence_catalogue(licence_catalogue_file)
    con = connect_readonly(settings().db_path)
    try:
        rows = _with_replaced(lib.exports_report(con, cat), lib.replaced_dirs(con))
    finally:
        con.close()
    if as_json:
        echo_json(rows)
    elif not rows:
        click.echo("no exports yet; make one with `curate export dataset`")
    else:
        cols = [
            "export_id",
            "created_at",
            "purpose",
            "audience",
            "commercial",
            "records",
            "blocked",
            "runs",
            "out_dirs",
            "replaced_dirs",
            "licence_refused",
        ]
        click.echo(_table(cols, rows, full, vertical))
        click.echo(f"\n{_judged_by(cat)}")  # licence_refused
    return 0


@audit.command("export")
@click.argument("export_id", type=UTF8_TEXT)
@CATALOGUE_OPTION
@JSON_OPTION
@_layout_options
def export_cmd(export_id: str, licence_catalogue_file: Path | None, as_json: bool, full: bool, vertical: bool) -> int:
    """Licence breakdown and blocked counts of export EXPORT_ID, and its records the licence rules refuse now (with
    --catalogue, the rules of that licence catalogue)."""
    from provenance import audit as lib

    cat = _licence_catalogue(licence_catalogue_file)
    con = connect_readonly(settings().db_path)
    try:
        rep = lib.export_report(con, export_id, cat)
    finally:
        con.close()
    if as_json:
        echo_json(rep)
        return 0
    click.echo(
        printable(
            f"export {rep['export_id']}: {rep['records']} records, {rep['blocked_total']} blocked", keep_breaks=False
        )
    )
    for o in rep["overrides"]:  # a custom catalogue's path is the steward's text
        click.echo(printable(f"OVERRIDE: {o}", keep_breaks=False))
    click.echo(_judged_by(cat))  # the records its rules refuse now
    lay = {"full": full, "vertical": vertical}
    _section(
        "runs",
        rep["runs"],
        ["export_seq", "created_at", "purpose", "audience", "commercial", "as_of", "format", "run_id", "out_dir"],
        **lay,
    )
    cols = ["licence_id", "source_id", "records", "characters", "withdrawn_since"]
    _section("licences", rep["licences"], cols, **lay)
    _section("blocked", [{"reason": k, "records": v} for k, v in rep["blocked"].items()], ["reason", "records"], **lay)
    if rep["licence_refused"]:
        cols = ["record_id", "current_id", "licence_then", "licence_now", "code", "reason"]
        _section(REFUSED_TITLE.format(what="records"), rep["licence_refused"], cols, **lay)
    return 0


@audit.command("licences")
@CATALOGUE_OPTION
@JSON_OPTION
@_layout_options
def licences_cmd(licence_catalogue_file: Path | None, as_json: bool, full: bool, vertical: bool) -> int:
    """Active records and characters per licence per source (unknown licences flagged), then the past exports
    holding records that the current licence rules refuse for the export's use, after a licence correction, a held
    file or a rule added since (`audit export ID` names them, with the licence engine's reason). --json: the list of
    per-licence rows, each with `recall`: the exports holding its records that the rules refuse now, each with its
    folders and records. --catalogue: judge by that licence catalogue (a corrected copy that exports are made with)
    instead of the shipped one."""
    from provenance import audit as lib
    from provenance.licence_recall import licence_refused, with_recall

    cat = _licence_catalogue(licence_catalogue_file)
    con = connect_readonly(settings().db_path)
    try:
        rows = lib.licences_report(con, cat)
        refused = licence_refused(con, cat)
        if as_json:  # the list scripts read stays one; each row names its exports to recall (`recall`)
            echo_json(with_recall(con, rows, refused, cat))
            return 0
    finally:
        con.close()
    for r in rows:
        r["flag"] = "" if r["known"] else "UNKNOWN: never exported"
    click.echo(_table(["licence_id", "source_id", "records", "characters", "flag"], rows, full, vertical))
    click.echo(f"\n{_judged_by(cat)}")
    if not refused:
        click.echo("\nno past export holds records that the current licence rules refuse for its use")
        return 0
    for e in refused:
        e["reasons"] = ", ".join(f"{code} {n}" for code, n in e["reasons"].items())
    cols = ["export_id", "exported_at", "purpose", "audience", "commercial", "refused_records", "reasons", "out_dirs"]
    _section(REFUSED_TITLE.format(what="past exports holding records"), refused, cols, full, vertical)
    return 0


@audit.command("withdrawn")
@JSON_OPTION
@_layout_options
def withdrawn_cmd(as_json: bool, full: bool, vertical: bool) -> int:
    """Withdrawals (records and reasons) and the past exports that held withdrawn records (tell their recipients)."""
    from provenance import audit as lib

    con = connect_readonly(settings().db_path)
    try:
        rows = _with_replaced(lib.withdrawn_report(con), lib.replaced_dirs(con))
        withdrawals = lib.withdrawals_report(con)
        tasks = lib.withdrawn_tasks(con)
    finally:
        con.close()
    if as_json:
        echo_json({"exports": rows, "withdrawals": withdrawals, "label_studio_tasks": tasks})
        return 0
    lay = {"full": full, "vertical": vertical}
    for w in withdrawals:
        w["exports"] = [e["export_id"] for e in w["exports"]]
    _section(
        "withdrawals",
        withdrawals,
        ["withdrawal_seq", "created_at", "scope", "target", "reason", "records", "actor", "record_ids", "exports"],
        **lay,
    )
    if not rows:
        click.echo("\nno past export contains withdrawn records")
    else:
        cols = [
            "export_id",
            "exported_at",
            "purpose",
            "audience",
            "withdrawn_records",
            "sources",
            "out_dirs",
            "replaced_dirs",
        ]
        _section("exports holding withdrawn records", rows, cols, **lay)
    if not tasks:
        click.echo("\nno Label Studio task was pushed for a withdrawn record")
    else:
        cols = ["instance", "bank", "project", "deleted", "kept_annotated", "not_taken_out", "on_server"]
        _section(
            "Label Studio tasks of withdrawn records, and of records whose licence no longer opens them to the bank "
            "(not_taken_out: the bank's next `curate annotate push` or pull deletes them; kept_annotated: delete "
            "them by hand)",
            tasks,
            cols,
            **lay,
        )
    return 0


@audit.command("sql")
@click.argument("query", type=UTF8_TEXT)
@JSON_OPTION
@_layout_options
def sql_cmd(query: str, as_json: bool, full: bool, vertical: bool) -> int:
    """Run one read-only QUERY (writes and raw PII tables are refused)."""
    from provenance import audit as lib

    cols, rows = lib.sql(settings().db_path, query)
    if as_json:
        echo_json_rows(json_keys(cols), rows)
    elif vertical and not rows:  # one empty line, as `_vertical`'s empty text printed before review 16
        click.echo("")
    else:  # line by line: a large result is not also held as one text
        echo_lines(
            _vertical_lines(cols, rows) if vertical else table_lines(cols, rows, max_width=None if full else MAX_CELL)
        )
    return 0


def _licence_catalogue(path: Path | None) -> LicenceCatalogue | None:
    """The licence catalogue at ``path`` (``--catalogue``, checked like an export's), or None for the shipped one."""
    from provenance.export import load_licence_catalogue_for

    return load_licence_catalogue_for(path) if path else None


def _judged_by(cat: LicenceCatalogue | None) -> str:
    """The line naming the licence catalogue whose rules judged (``shipped``, or ``custom `FILE` (sha256 ...)``):
    the verdicts of `audit licences|exports|export|record` depend on ``--catalogue``, and a saved output of a custom
    catalogue's verdict read as the shipped one's (review 18; before its review only `audit licences` said it)."""
    from curate.reporting.catalogue_label import catalogue_label

    return printable(f"judged by the licence rules of the {catalogue_label(cat)} licence catalogue", keep_breaks=False)
