"""`curate dedup`: exact + near-duplicate clustering of a JSONL file (no catalogue needed).

For the catalogue use the stage: `curate run dedup`.
"""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands._common import exit_code, progress, settings


@click.command("dedup")
@click.option(
    "--input",
    "inp",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help='JSONL with {"id", "text"} (optional: source_kind, licence_id, version, document: the law or '
    "document a record belongs to; a law_moj/fsc record without one is never a duplicate of another's).",
)
@click.option(
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSONL written: {"id", "cluster", "survivor", "duplicate_of", "match", "rule", ..., "near_duplicate_of", '
    '"deleted_stub"} (a "（刪除）" stub of a repealed article is never clustered).',
)
@click.option("--threshold", type=float, default=None, help="Shingle Jaccard for a duplicate (default 0.7).")
@click.option("--ngram", type=int, default=None, help="Character n-gram length (default 5).")
@click.option(
    "--device",
    type=click.Choice(["auto", "cpu", "cuda"]),
    default="auto",
    show_default=True,
    help="Where signatures are computed.",
)
@click.option(
    "--set", "sets", multiple=True, metavar="KEY=VALUE", help="Any DedupConfig field, e.g. --set bands=25 --set rows=5."
)
def dedup(inp: Path, out: Path, threshold: float | None, ngram: int | None, device: str, sets: tuple[str, ...]) -> int:
    """Find exact and near duplicates in a JSONL file and choose survivors.

    Duplicates: same normalised key (NFKC, punctuation/whitespace removed, Simplified and
    Traditional folded) or character n-gram Jaccard >= threshold (MinHash-LSH candidates,
    verified on the actual shingles), joined into connected components. Exit code 3 when some
    input lines were bad (they are listed on stderr and skipped).
    """
    from curate.commands._common import parse_key_values
    from curate.dedup.config import DedupConfig
    from curate.dedup.jsonl import dedup_jsonl
    from curate.runner import parse_sets

    kv = {k: v.strip() for k, v in parse_key_values(sets).items()}
    if threshold is not None:
        kv["threshold"] = str(threshold)
    if ngram is not None:
        kv["ngram"] = str(ngram)
    kv["device"] = device
    config = parse_sets(kv, DedupConfig)
    with progress("dedup: signatures") as update:
        report = dedup_jsonl(inp, out, config, on_progress=update)
    for bad in report.bad[:50]:
        click.echo(f"curate dedup: {inp}:{bad.lineno}: skipped ({bad.reason}): {bad.message}", err=True)
    if len(report.bad) > 50:
        click.echo(f"curate dedup: ... and {len(report.bad) - 50} more bad lines", err=True)
    if not settings().quiet or report.bad:
        click.echo(
            f"dedup: {report.documents} documents, {report.clusters} clusters, "
            f"{report.exact_duplicates} exact + {report.near_duplicates} near duplicates marked, "
            + (f"{report.deleted_stubs} （刪除） stubs not clustered, " if report.deleted_stubs else "")
            + f"{report.stats.candidates} candidate pairs ({report.stats.rejected} rejected on verification), "
            f"{len(report.bad)} bad lines skipped -> {out}",
            err=True,
        )
    return exit_code(len(report.bad))
