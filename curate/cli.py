"""The ``curate`` command line: a thin mirror of the library.

Each command lives in ``curate/commands/<area>.py`` and is registered below by name, loaded
lazily so that ``curate --help`` stays fast and optional dependencies stay optional.
Errors raised on purpose (:class:`provenance.errors.WorkbenchError`) become one line on stderr
and an exit code (0 ok, 1 error, 2 usage, 3 finished with quarantined input); ``--debug``
shows the traceback.
"""

from __future__ import annotations

import importlib
import logging
import os
import re
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import click

from curate.argtext import utf8_text_params
from curate.interrupts import Terminated
from provenance.errors import WorkbenchError

#: command name -> "module:attribute" (a click command or group)
COMMANDS: dict[str, str] = {
    "init": "curate.commands.core:init_cmd",
    "status": "curate.commands.core:status_cmd",
    "sql": "curate.commands.core:sql_cmd",
    "ingest": "curate.commands.ingest:ingest",
    "run": "curate.commands.run:run",
    "zh": "curate.commands.zh:zh",
    "pii": "curate.commands.pii:pii",
    "dedup": "curate.commands.dedup:dedup",
    "licences": "curate.commands.licences:licences",
    "manifest": "curate.commands.manifest:manifest",
    "export": "curate.commands.export:export",
    "provenance": "curate.commands.provenance:provenance",
    "audit": "curate.commands.audit:audit",
    "annotate": "curate.commands.annotate:annotate",
    "runs": "curate.commands.runs:runs",
    "report": "curate.commands.report:report",
    "serve": "curate.commands.serve:serve",
    "pipeline": "curate.commands.pipeline:pipeline",
}

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_QUARANTINED = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Settings:
    """Global options shared by every command."""

    db_path: Path
    quiet: bool = False
    debug: bool = False


class SuggestingGroup(click.Group):
    """A click group whose "No such command" names the nearest command (`curate ingest lawmoj`: law-moj)."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            name, cmd, rest = super().resolve_command(ctx, args)
        except click.UsageError as exc:
            import difflib

            typed = (args[0] if args else "").replace("_", "-").lower()
            near = difflib.get_close_matches(typed, self.list_commands(ctx), n=1, cutoff=0.6)
            if not near or exc.message.endswith("?"):
                raise
            raise click.UsageError(f"{exc.message} Did you mean '{near[0]}'?", ctx) from None
        # a group that loads its commands itself (`curate ingest`'s sources): their text is UTF-8 too
        return name, (utf8_text_params(cmd) if cmd is not None else None), rest


class LazyGroup(SuggestingGroup):
    """A click group whose sub-commands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:  # command not built yet
                return None
            raise
        return utf8_text_params(getattr(module, attr))


def default_db_path() -> Path:
    """``CURATE_DB`` if set and not empty (an empty one read as ``.``, the folder), else ``./curate.duckdb``."""
    return Path(os.environ.get("CURATE_DB") or "curate.duckdb")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Catalogue file (default: $CURATE_DB or ./curate.duckdb).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print only results, warnings and errors; no progress bars.")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.version_option(package_name="finllm-curate")
@click.pass_context
def cli(ctx: click.Context, db_path: Path | None, quiet: bool, debug: bool) -> None:
    """FinLLM curation & licence-provenance workbench."""
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = Settings(db_path=db_path or default_db_path(), quiet=quiet, debug=debug)


#: global options also accepted after the command (``curate status --db X``): moved to the front
_GLOBAL_VALUE_OPTS = ("--db",)
_GLOBAL_FLAGS = ("--quiet", "-q", "--debug")


def hoist_global_options(argv: list[str]) -> list[str]:
    """Move ``--db PATH`` / ``--db=PATH``, ``--quiet`` (``-q``) and ``--debug`` given after a command to the front.

    Nothing after a ``--`` is touched, nor a value of another option that happens to look like one.

    >>> hoist_global_options(["status", "--db", "x.duckdb", "--json"])
    ['--db', 'x.duckdb', 'status', '--json']
    >>> hoist_global_options(["run", "pii", "-q"])
    ['-q', 'run', 'pii']
    >>> hoist_global_options(["sql", "--", "--db"])
    ['sql', '--', '--db']
    """
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--":
            rest.extend(argv[i:])
            break
        if a in _GLOBAL_VALUE_OPTS and i + 1 < len(argv):
            front += [a, argv[i + 1]]
            i += 2
            continue
        if any(a.startswith(o + "=") for o in _GLOBAL_VALUE_OPTS) or a in _GLOBAL_FLAGS:
            front.append(a)
        else:
            rest.append(a)
        i += 1
    return front + rest


def run(argv: list[str]) -> int:
    """Run the CLI on ``argv``; print errors as one line; return the exit code."""
    args = hoist_global_options(list(argv))
    debug = "--debug" in args
    try:
        rv = cli.main(args=args, prog_name="curate", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort as exc:  # click's wrapping of Ctrl-C (and of SIGTERM: Terminated)
        if isinstance(exc.__cause__, Terminated):
            click.echo("curate: terminated (SIGTERM); what was not recorded is removed", err=True)
            return 128 + signal.SIGTERM
        if _stopped(debug):  # click made a worker's EOFError an Abort, SIGTERM to the group having stopped it
            return 128 + signal.SIGTERM
        if isinstance(exc.__cause__, KeyboardInterrupt):  # Ctrl-C: the shell's code for SIGINT
            click.echo("curate: interrupted", err=True)
            return 128 + signal.SIGINT
        click.echo("curate: aborted", err=True)
        return EXIT_ERROR
    except SystemExit as exc:  # click ends a broken pipe (`curate status | head`) with exit 1, "error", after it
        # wrapped stdout in its _PacifyFlushWrapper (which keeps the interpreter's last flush quiet)
        if isinstance(exc.__context__, BrokenPipeError) or type(sys.stdout).__name__ == "_PacifyFlushWrapper":
            return 128 + signal.SIGPIPE  # what a shell reports for a reader that went away, as other CLIs do
        raise
    except click.ClickException as exc:  # usage errors
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else EXIT_ERROR
    except WorkbenchError as exc:
        if debug:
            raise
        from curate.textchars import printable

        # an error can quote catalogue values a tamperer wrote (the candidates of an ambiguous record id, export
        # ids): ESC or a carriage return in them must not drive the terminal (line breaks are the message's own)
        click.echo(f"curate: error: {printable(exc)}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("curate: interrupted", err=True)
        return 130
    except OSError as exc:
        if _stopped(debug):  # SIGTERM to the process group: a worker's pipe broke before the handler ran
            return 128 + signal.SIGTERM
        if not debug and _disk_full(exc):
            return EXIT_ERROR
        if debug or not exc.filename:
            raise
        # a path the user gave that cannot be read or written (a missing folder, no permission, /proc)
        click.echo(
            f"curate: error: {exc.strerror or type(exc).__name__}: `{exc.filename}`; check the path and its permissions",
            err=True,
        )
        return EXIT_ERROR
    except Exception as exc:
        from provenance.db import out_of_memory

        if _stopped(debug):
            return 128 + signal.SIGTERM
        if not debug and _disk_full(exc):
            return EXIT_ERROR
        if not debug and (wal := _unwritable_wal(exc)):
            click.echo(
                f"curate: error: cannot write `{wal}`, the catalogue's write-ahead log ({str(exc).splitlines()[0]}):"
                " DuckDB writes it beside the catalogue, so its folder must be writable too; nothing of the failed"
                " transaction was kept: make the folder writable, or copy the catalogue to one, and run it again",
                err=True,
            )
            return EXIT_ERROR
        if debug or not out_of_memory(exc):
            raise
        click.echo(
            f"curate: error: DuckDB ran out of its memory cap ({str(exc).splitlines()[0]}). Nothing of the failed"
            " transaction was kept; raise the cap (e.g. 2GB) with CURATE_DUCKDB_MEMORY for stage runs and exports,"
            " CURATE_INGEST_MEMORY for an ingest, and run the same command again (a stage run keeps its committed"
            " batches and resumes after them).",
            err=True,
        )
        return EXIT_ERROR
    return rv if isinstance(rv, int) else EXIT_OK


def _disk_full(exc: BaseException) -> bool:
    """Say in one line that a file could not be written because the disk is full (a file-size limit, a quota), if
    that is what ``exc`` is (:func:`curate.diskfull.write_failure`): it showed DuckDB's traceback."""
    from curate.diskfull import write_failure

    full = write_failure(exc)
    if full:
        why, file = full
        click.echo(
            f"curate: error: a file could not be written{f' (`{file}`)' if file else ''}: {why}. What was committed"
            " before is kept, the failed transaction is not: free space there (or raise the file-size limit or quota)"
            " and run the same command again",
            err=True,
        )
    return bool(full)


def _unwritable_wal(exc: BaseException) -> str:
    """The write-ahead log DuckDB could not create beside the catalogue ('' for any other error): a read-only
    folder holding a writable catalogue file fails only at the first commit."""
    if "duckdb" not in (type(exc).__module__ or ""):  # not imported here: `curate --help` stays fast
        return ""
    found = re.search(r'Cannot open file "([^"]+\.wal)"', str(exc))
    return found.group(1) if found else ""


def _stopped(debug: bool) -> bool:
    """Whether an error came from this process being stopped (SIGTERM, :mod:`curate.interrupts`); says so if it did."""
    from curate.interrupts import terminated

    if debug or not terminated():
        return False
    click.echo("curate: terminated (SIGTERM); what was not recorded is removed", err=True)
    return True


#: process-wide defaults of a ``curate`` process (a value the user's environment sets wins), set before any
#: library reads them:
#: * pyarrow's allocator: its default (mimalloc) handed freed memory back to the kernel and took it again as
#:   transparent huge pages, which the kernel zeroes on each first touch: 18 % of a 400k ``run hygiene
#:   --workers 2``'s CPU (``perf``), the workers' parquet reads and the snapshot's; glibc's ``malloc`` reuses it
#:   (that run 6.9-7.1 s -> 5.7-6.1 s, 1 worker 9.4-9.8 s -> 8.7-8.9 s; docs/benchmarks.md, "Fifteenth pass");
#: * OpenBLAS (loaded with numpy, unused by the stages) starts a thread per core that spins after start-up.
PROCESS_DEFAULTS = {"ARROW_DEFAULT_MEMORY_POOL": "system", "OPENBLAS_NUM_THREADS": "1"}


def _on_sigterm(main_pid: int):
    def handler(signum: int, frame: object) -> None:
        if os.getpid() != main_pid:  # a forked worker inherited the handler: it ends as SIGTERM always ended it
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        from curate.interrupts import note_terminated

        note_terminated()
        raise Terminated()

    return handler


def _on_sigint(main_pid: int):
    """Ctrl-C raises KeyboardInterrupt, as Python's own handler does, and is noted first (in the run's process):
    an exception lost where the signal landed is raised again (:func:`curate.interrupts.stop_if_asked`)."""

    def handler(signum: int, frame: object) -> None:
        if os.getpid() == main_pid:
            from curate.interrupts import note_interrupted

            note_interrupted()
        raise KeyboardInterrupt

    return handler


def _json_escape(exc: UnicodeError) -> tuple[str, int]:
    """A codecs error handler: each character the encoding cannot write as ``\\uXXXX`` (a surrogate pair beyond
    the BMP), the one escape JSON and the eye both read: Python's ``backslashreplace`` wrote ``\\xe9`` and
    ``\\U0002000b``, which made ``--json`` output invalid JSON under a Latin-1 or Big5 (cp950) stdout."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), exc.end


def _escape_unencodable() -> None:
    """Characters stdout's or stderr's encoding cannot write (catalogue text in a Latin-1 or Big5 locale,
    ``PYTHONIOENCODING=latin-1``) are written as ``\\uXXXX`` escapes (:func:`_json_escape`), not a
    UnicodeEncodeError traceback."""
    import codecs

    codecs.register_error("curate-json-escape", _json_escape)
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="curate-json-escape")


def main(argv: list[str] | None = None) -> None:
    """Console entry point."""
    for name, value in PROCESS_DEFAULTS.items():
        os.environ.setdefault(name, value)
    signal.signal(signal.SIGTERM, _on_sigterm(os.getpid()))
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # not where Ctrl-C is ignored (nohup, `&`)
        signal.signal(signal.SIGINT, _on_sigint(os.getpid()))
    _escape_unencodable()
    sys.exit(run(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":  # pragma: no cover
    main()
