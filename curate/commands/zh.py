"""``curate zh``: Chinese script tools for users' own files."""

from __future__ import annotations

from pathlib import Path

import click

from curate.commands._common import progress
from curate.zh.config import OPENCC_PROFILES, NormaliseConfig
from provenance.errors import ConfigError, UsageError


@click.group("zh")
def zh() -> None:
    """Chinese script tools (Simplified -> Taiwan Traditional)."""


@zh.command("convert")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSONL file, one {"id", "text"} object per line.',
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help='JSONL output: {"id", "text", "script", "shares", "edits", "flags"} per line.',
)
@click.option(
    "--config",
    "opencc_config",
    default="s2twp",
    show_default=True,
    help=f"OpenCC profile for Simplified segments: {', '.join(OPENCC_PROFILES)}.",
)
@click.option(
    "--protected",
    "protected_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Text file of extra protected words (one per line), e.g. person names.",
)
@click.option(
    "--quarantine",
    "quarantine_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where bad input lines go (default: the output's name + `.quarantine.jsonl`: out.jsonl.quarantine.jsonl).",
)
def convert(
    input_path: Path, output_path: Path, opencc_config: str, protected_file: Path | None, quarantine_path: Path | None
) -> int:
    """Convert only the Simplified sentences of each record to Taiwan Traditional.

    Traditional and neutral text is written back byte-identical. Exit code 3 when some
    input lines were quarantined (the rest is converted).
    """
    from curate.jsonl_io import check_paths
    from curate.zh.jsonl import convert_jsonl

    try:
        cfg = NormaliseConfig(opencc_config=opencc_config)
    except ConfigError as exc:  # an OpenCC config of the command line (`--config s2t`)
        raise UsageError(f"--config: {exc}") from None
    q_path = quarantine_path or output_path.with_name(output_path.name + ".quarantine.jsonl")
    check_paths(input_path, output_path, reads={"protected": protected_file}, quarantine=q_path)
    protected: list[str] = []
    if protected_file is not None:
        if not protected_file.exists():
            raise UsageError(f"protected-word file {protected_file} does not exist")
        try:
            lines = protected_file.read_text(encoding="utf-8-sig").splitlines()  # a BOM is no part of a word
        except UnicodeDecodeError as exc:
            raise UsageError(
                f"protected-word file {protected_file} is not UTF-8 (byte {exc.start}); save it as UTF-8, one word a line"
            ) from None
        protected = [w.strip() for w in lines if w.strip() and not w.startswith("#")]
    size = input_path.stat().st_size
    with progress("converting", length=size, quiet=size == 0) as update:
        rep = convert_jsonl(input_path, output_path, q_path, cfg, protected=protected, progress=update)
    scripts = ", ".join(f"{k}={v}" for k, v in sorted(rep.scripts.items()))
    click.echo(
        f"read {rep.read}, written {rep.written}, changed {rep.changed}, flagged {rep.flagged}, "
        f"quarantined {rep.quarantined}" + (f"; scripts: {scripts}" if scripts else "")
    )
    if rep.quarantined:
        reasons = ", ".join(f"{k}={v}" for k, v in sorted(rep.reasons.items()))
        click.echo(f"quarantined lines ({reasons}) written to {q_path}", err=True)
        return 3
    return 0
