"""`curate pii detect|scrub|scan|rekey`: PII in users' JSONL files, the leak scan, keyed ids for old catalogues."""

from __future__ import annotations

from pathlib import Path

import click

from curate.cli import EXIT_OK, EXIT_QUARANTINED
from curate.commands._common import json_line, progress

pii = click.Group(
    "pii",
    help='Detect and scrub personal data in JSONL files ({"id", "text"} per line); scan the catalogue for '
    "leaks; rekey a catalogue made before keyed ids.",
)


def _threshold(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """``--threshold`` checked as ``run pii --set score_threshold`` is (a span's score is in [0, 1])."""
    from curate.pii.engine import check_score_threshold
    from provenance.errors import ConfigError

    try:
        return check_score_threshold(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc)) from None


#: the longest line ``--max-line-bytes`` may allow (1 TiB: more than any record, less than a read can be asked for)
MAX_LINE_BYTES_LIMIT = 1 << 40

_common = [
    click.option(
        "--input",
        "in_path",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help='Input JSONL: one {"id", "text"} object per line.',
    ),
    click.option(
        "--output", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Output JSONL."
    ),
    click.option(
        "--errors",
        "errors_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Where bad lines are reported (default: the output's name + `.errors.jsonl`: out.jsonl.errors.jsonl).",
    ),
    click.option(
        "--threshold",
        type=float,
        default=0.4,
        show_default=True,
        callback=_threshold,
        help="Minimum score of a span, in [0, 1].",
    ),
    click.option(
        "--ckip-model",
        type=click.Path(file_okay=False, exists=True),
        default=None,
        help="Local CKIP NER model directory (optional extra `ckip`, GPL-3.0).",
    ),
    click.option(
        "--max-line-bytes",
        type=click.IntRange(1, MAX_LINE_BYTES_LIMIT),
        default=16 * 1024 * 1024,
        show_default=True,
        help="Longer lines are reported as errors, not read into memory.",
    ),
]


def _options(f):
    for opt in reversed(_common):
        f = opt(f)
    return f


def _run(
    in_path: Path,
    out_path: Path,
    errors_path: Path | None,
    threshold: float,
    ckip_model: str | None,
    max_line_bytes: int,
    handle_factory,
) -> int:
    import os

    from curate.pii.engine import DetectorConfig, PiiDetector
    from curate.pii.fileio import process_file
    from curate.pii.keys import ENV_KEY_FILE

    detector = PiiDetector(DetectorConfig(score_threshold=threshold, ckip_model_dir=ckip_model))
    errors_path = errors_path or out_path.with_name(out_path.name + ".errors.jsonl")
    size = in_path.stat().st_size if in_path.is_file() else None
    with progress("pii", length=size) as update:
        report = process_file(
            in_path,
            out_path,
            errors_path,
            handle_factory(detector),
            max_line_bytes=max_line_bytes,
            on_progress=update,
            # `--output $CURATE_PII_KEY_FILE` replaced the key (every pseudonym and digest made with it), exit 0
            reads={ENV_KEY_FILE: Path(key_file)} if (key_file := os.environ.get(ENV_KEY_FILE)) else None,
        )
    click.echo(json_line(report.as_dict()))
    if report.errors:
        click.echo(f"curate: {report.errors} line(s) skipped; reasons in {errors_path}", err=True)
        return EXIT_QUARANTINED
    return EXIT_OK


def _settled(detector, batch: list[tuple[str, str]], *, mode: str, key) -> list:
    """The spans of each ``(id, text)`` the scrub replaces: found, then settled on the scrubbed output as the stage
    does (:func:`curate.pii.settle.settle_texts`), so the output holds nothing `curate pii detect` finds again."""
    from curate.pii.settle import settle_texts

    ids, texts = [rid for rid, _ in batch], [text for _, text in batch]
    return settle_texts(detector, ids, texts, detector.analyze_many(texts), mode=mode, key=key)


@pii.command("detect")
@_options
def detect(
    in_path: Path,
    out_path: Path,
    errors_path: Path | None,
    threshold: float,
    ckip_model: str | None,
    max_line_bytes: int,
) -> int:
    """Write {"id", "spans": [{"start", "end", "entity_type", "score"}]} per line (code-point offsets)."""

    def factory(detector):
        def handle(batch):
            found = _settled(detector, batch, mode="placeholder", key=None)
            return [{"id": rid, "spans": [s.to_dict() for s in spans]} for (rid, _), spans in zip(batch, found)]

        return handle

    return _run(in_path, out_path, errors_path, threshold, ckip_model, max_line_bytes, factory)


@pii.command("scrub")
@_options
@click.option(
    "--mode",
    type=click.Choice(["placeholder", "pseudonym"]),
    default="placeholder",
    show_default=True,
    help="Typed placeholders (〔姓名〕) or consistent keyed pseudonyms (needs CURATE_PII_KEY[_FILE]).",
)
def scrub(
    in_path: Path,
    out_path: Path,
    errors_path: Path | None,
    threshold: float,
    ckip_model: str | None,
    max_line_bytes: int,
    mode: str,
) -> int:
    """Write {"id", "text", "spans"} per line: scrubbed text; spans as type, offsets and HMAC digests only."""
    from curate.pii.keys import load_key
    from curate.pii.scrubber import scrub as scrub_text

    key = load_key(required=mode == "pseudonym", purpose=f"scrub mode `{mode}`")

    def factory(detector):
        def handle(batch):
            found = _settled(detector, batch, mode=mode, key=key)
            out = []
            for (rid, text), spans in zip(batch, found):
                res = scrub_text(text, spans, mode=mode, key=key)
                out.append({"id": rid, "text": res.text, "spans": res.spans})
            return out

        return handle

    return _run(in_path, out_path, errors_path, threshold, ckip_model, max_line_bytes, factory)


@pii.command("scan")
@click.option(
    "--path",
    "paths",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Also scan these files or folders (a scratch folder, a copy of an export); repeatable.",
)
@click.option(
    "--label-studio/--no-label-studio",
    default=True,
    show_default=True,
    help="Read back the tasks of the Label Studio projects pushed to (settings as for `curate annotate`).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
@click.option(
    "--threshold",
    type=float,
    default=0.4,
    show_default=True,
    callback=_threshold,
    help="Minimum score of a detected span, in [0, 1].",
)
def scan(paths: tuple[Path, ...], label_studio: bool, as_json: bool, threshold: float) -> int:
    """Search the catalogue (all tables but the vault) and everything it wrote for personal values.

    Covers the stage working files, the recorded export folders, the Label Studio task files written
    by `curate annotate push --output` and the tasks in the Label Studio projects pushed to. The
    values are learnt from the raw-text vault (needs CURATE_PII_KEY[_FILE]) and the source name
    lists; findings name the place, the entity type and a keyed digest, never the value. Surfaces
    that could not be read are listed as not checked. Exit 0 when nothing survives, 1 otherwise.
    """
    from curate.commands._common import echo_outcome, json_line, settings
    from curate.pii.engine import DetectorConfig, PiiDetector
    from curate.pii.keys import load_key
    from curate.pii.scan import scan as run_scan

    key = load_key(required=True, purpose="`curate pii scan` (reading the raw-text vault)")

    def client_for(bank: str):
        from annotation.config import resolve
        from annotation.label_studio import LabelStudioClient

        return LabelStudioClient(resolve(bank))

    report = run_scan(
        settings().db_path,
        key,
        paths=list(paths),
        detector=PiiDetector(DetectorConfig(score_threshold=threshold)),
        label_studio=client_for if label_studio else None,
    )
    code = EXIT_OK if report.clean else 1
    return echo_outcome([json_line(report.as_dict())] if as_json else _scan_lines(report), code)


def _scan_lines(report) -> list[str]:
    """The lines `curate pii scan` prints for ``report`` (findings by digest, never the value; a place's name as
    visible escapes where it holds control or bidi characters: `a<U+202E>lmth.jsonl` must not read as another file)."""
    from curate.commands._common import printable

    lines = [
        f"scanned {report.strings:,} strings ({report.files:,} files, {report.tasks:,} Label Studio tasks) "
        f"for {report.values:,} known personal values"
    ]
    lines += [
        f"  LEAK {f.surface}: {printable(f.where, keep_breaks=False)} ({f.entity_type}, digest {f.digest[:12]})"
        for f in report.findings
    ]
    lines += [f"  {printable(u, keep_breaks=False)}" for u in report.unchecked]
    lines += [f"  NOT CHECKED {printable(u, keep_breaks=False)}" for u in report.leftovers]
    lines += [f"  VAULT {printable(p, keep_breaks=False)}" for p in report.vault_problems]
    lines += [
        f"  {len(digests)} name(s) of {source} held back as common in the source (pii_names_held), not searched"
        for source, digests in report.held.items()
    ]
    lines.append(
        "no personal value found"
        if report.clean
        else f"{len(report.findings)} finding(s)"
        + (f", {len(report.leftovers)} file(s) not checked" if report.leftovers else "")
        + (f", {len(report.vault_problems)} vault row(s) that do not decrypt" if report.vault_problems else "")
    )
    return lines


@pii.command("rekey")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def rekey(as_json: bool) -> int:
    """Give a catalogue made before keyed ids the keyed ids and digests of sources marked pii_expected.

    Rewrites, in one transaction, the ids and content digests of those sources' records wherever
    they occur (versions, the raw-text vault, exports, dedup tables, stage marks, annotation tables)
    and records the mapping in the ledger as keyed digests of the old ids (the mapping itself is kept
    in the sealed table pii_rekey_map). Ledger rows written before the rekey keep the old ids: the
    hash chain is never rewritten. Needs CURATE_PII_KEY[_FILE]; running it again changes nothing.
    """
    from curate.commands._common import settings
    from curate.pii.keyed_ids import require_key
    from curate.pii.rekey import rekey_catalogue

    key = require_key("keyed record ids and digests", "`curate pii rekey`")
    rep = rekey_catalogue(settings().db_path, key)
    if as_json:
        click.echo(json_line(rep.as_dict()))
    elif rep.run_id is None:  # a run keys annotators' e-mail or manifest digests alone too
        click.echo("nothing to rekey: every record of a pii_expected source has keyed ids and digests")
    else:
        click.echo(
            f"rekeyed {rep.records:,} record versions (run {rep.run_id}): {rep.ids_changed:,} new ids, "
            f"{rep.digests_keyed:,} keyed digests, {rep.vault_rows:,} vault rows re-sealed, "
            f"{rep.batches:,} ingest batches re-declared, "
            f"{rep.tables.get('manifest file and folder digests', 0):,} records' manifest digests keyed"
        )
    return EXIT_OK
