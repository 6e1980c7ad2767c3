"""``curate manifest check``: dry run of a licence manifest (TABF material, textbooks)."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands.audit import JSON_OPTION, echo_json

manifest = click.Group("manifest", help="Licence manifests of document sources (TABF, textbooks).")


@manifest.command("check")
@click.argument("manifest_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--pii-expected",
    is_flag=True,
    help="Names in file names count too, as `ingest tabf --pii-expected` counts them (default: structured "
    "identifiers only).",
)
@click.option(
    "--source",
    "source_name",
    type=click.Choice(["textbooks", "tabf"]),
    default="textbooks",
    show_default=True,
    help="The source that will ingest the manifest: its title fills a statement's {provider}/{dataset} where the "
    "row names none, so the attributions shown are those the export writes for its records.",
)
@JSON_OPTION
def check_cmd(manifest_csv: Path, pii_expected: bool, source_name: str, as_json: bool) -> int:
    """Print each row's effective licence terms and the exports it would be allowed into; writes nothing.

    Exit 0 when every row is usable, 3 when a row has problems (each named by manifest line, with
    the allowed values), a file is listed twice (rows that disagree are rejected, an identical
    repeat is skipped) or a file in the folder is not in the manifest. Personal values in file names
    and problems (a national ID in `王小明_F131104093_講義.txt`) are shown as the keyed pseudonyms ingest
    stores (`curate/pii/identifiers.py`; the PII key is needed only when one is found).
    """
    from curate.commands._common import exit_code, printable
    from curate.pii.identifiers import IdentifierGuard
    from sources import get_source_class
    from sources.manifest import check_manifest

    info = get_source_class(source_name)([manifest_csv], pii_expected=pii_expected).source_infos()[0]
    source = {"source_id": info.source_id, "title": info.title, "metadata": info.metadata}
    guard = IdentifierGuard()
    rows = [
        {
            **r,
            "path": guard(r["path"], all_types=pii_expected),
            "problems": guard.walk(r["problems"], all_types=pii_expected),
        }
        for r in check_manifest(manifest_csv, source, pii_expected=info.pii_expected)
    ]
    bad = sum(1 for r in rows if r["status"] != "ok")
    if as_json:
        echo_json(rows)
        return exit_code(bad)
    for r in rows:
        where = f"line {r['line']}" if r["line"] else "no row"
        # a path's control characters (a NUL byte of a rejected row) shown as escapes, as every catalogue value is
        click.echo(f"{where}: {printable(r['path'], keep_breaks=False)} [{r['licence_id'] or '-'}] {r['status']}")
        for p in r["problems"]:
            click.echo(f"  problem: {printable(p, keep_breaks=False)}")
        t = r["terms"]
        if t:
            click.echo(
                f"  terms: purposes {', '.join(t['purposes']) or 'none'}; audience {', '.join(t['audience']) or 'none'};"
                f" commercial {'yes' if t['commercial'] else 'no'}; expiry {t['expiry'] or 'none'}"
                + (f"; agreement {', '.join(t['agreement_id'])}" if t["agreement_id"] else "")
            )
            for a in t["attribution"]:
                click.echo(f"  attribution: {a.splitlines()[0]}" + (" ..." if "\n" in a else ""))
        if r["status"] in ("ok", "problems") and t is not None:
            click.echo(f"  allowed: {'; '.join(r['allowed']) or 'no export'}")
        elif r["status"] not in ("not in manifest", "skipped"):
            click.echo("  allowed: no export (every export would block these records)")
    if any(r["terms"] and r["terms"]["attribution"] for r in rows):
        click.echo(f"attribution: as the export credits the records of `curate ingest {source_name}` (--source)")
    click.echo(f"{len(rows)} entries, {bad} with problems; nothing was written")
    return exit_code(bad)
