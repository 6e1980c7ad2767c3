"""One exception root for the workbench (the catalogue kernel owns it).

Every error a user can cause is a :class:`WorkbenchError`; its message says what went wrong,
where, and how to fix it. The CLI turns these into one-line messages and exit code 1
(``UsageError``, ``KeyRequiredError`` and ``ReadOnlyError`` -> exit code 2, ``CatalogueBusyError`` -> 75). Anything
else is a bug and shows a traceback with ``--debug``.
Errors pickle by the arguments they were made with: those raised in a stage's worker processes come back to
the runner through pickle.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Root of all errors the workbench raises on purpose.

    Pickled by the arguments it was made with (``BaseException`` pickles ``args``, the message alone, which a
    subclass whose constructor builds the message from other arguments would wrap again or refuse): errors
    raised in a stage's worker processes reach the runner through pickle.
    """

    exit_code = 1

    def __new__(cls, *args: object, **kwargs: object):
        self = super().__new__(cls, *args)
        self._made_with = (args, kwargs)
        return self

    def __reduce__(self):
        args, kwargs = self._made_with
        return _rebuild, (type(self), args, kwargs, self.__dict__)


def _rebuild(cls: type, args: tuple, kwargs: dict, state: dict) -> WorkbenchError:
    err = cls(*args, **kwargs)
    err.__dict__.update(state)
    return err


class ConfigError(WorkbenchError):
    """A configuration value or option is invalid."""


class KeyRequiredError(ConfigError):
    """A secret key is needed and none is configured (exit code 2): e.g. ingesting a ``pii_expected`` source."""

    exit_code = 2


class UsageError(WorkbenchError):
    """The command line was used wrongly (exit code 2)."""

    exit_code = 2


class CatalogueError(WorkbenchError):
    """The DuckDB catalogue is missing, locked, read-only or inconsistent."""


class CatalogueBusyError(CatalogueError):
    """Another process held the catalogue's file lock for longer than ``$CURATE_LOCK_WAIT`` (``provenance/db.py``).

    Exit code 75 (``EX_TEMPFAIL``: try again), apart from 1: ``audit verify`` then checked nothing, and a script that
    reads its 1 as "tampered" must not raise that alarm because a steward's run held the file."""

    exit_code = 75


class OutputBusyError(UsageError):
    """Another live process writes the same output (an export into the same ``--out``): exit code 75 (``EX_TEMPFAIL``:
    run it again once that one has finished), as :class:`CatalogueBusyError` and a live stage run's lock; it exited 2,
    "a usage error", which a script does not retry (review 14 of the fixes, crash)."""

    exit_code = 75


class ReadOnlyError(CatalogueError):
    """A write, file access or sealed table was attempted on a read-only (auditor) path (exit code 2)."""

    exit_code = 2


class QueryAbandonedError(ReadOnlyError):
    """An auditor query did not stop when interrupted (one call of a function DuckDB cannot interrupt, such as
    ``levenshtein`` over long strings): its connection is left open, never closed (closing waits for the call), so
    the process must end to let go of the catalogue (``provenance/sqlrun.py``)."""


class OutputError(WorkbenchError):
    """An output (an export folder, a report) could not be written: the disk is full, a quota is reached, a write
    failed. What was half-written is removed; the message names the path and the cause."""


class StageError(WorkbenchError):
    """A processing stage failed."""


class MissingDependencyError(WorkbenchError, ImportError):
    """An optional dependency is not installed."""

    def __init__(self, package: str, extra: str | None = None, purpose: str = "") -> None:
        hint = f"pip install 'finllm-curate[{extra}]'" if extra else f"pip install {package}"
        what = f" (needed for {purpose})" if purpose else ""
        super().__init__(f"the optional package `{package}` is not installed{what}; install it with: {hint}")
        self.package = package
        self.extra = extra
        self.purpose = purpose


class LicenceError(WorkbenchError):
    """A licence id is unknown or a licence forbids what was asked."""

    def __init__(self, licence_id: str | None, message: str) -> None:
        super().__init__(f"licence `{licence_id}`: {message}")
        self.licence_id = licence_id


class LedgerError(WorkbenchError):
    """The provenance ledger is broken or was written wrongly."""
