"""Lazy import of heavy or optional dependencies with an install hint."""

from __future__ import annotations

import importlib
import importlib.abc
import sys
from types import ModuleType

from provenance.errors import MissingDependencyError


def require(module: str, *, extra: str | None = None, purpose: str = "") -> ModuleType:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the pip line.

    >>> require("json").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(module.split(".")[0], extra, purpose) from exc


class _Blocker(importlib.abc.MetaPathFinder):
    """Refuses to find the given top-level packages (``import`` raises ``ModuleNotFoundError``)."""

    def __init__(self, blocked: frozenset[str]) -> None:
        self.blocked = blocked

    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] in self.blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (not imported here on purpose)", name=name)
        return None


def import_without(modules: tuple[str, ...], blocked: tuple[str, ...]) -> None:
    """Import ``modules`` while the packages in ``blocked`` cannot be imported.

    For libraries that import a heavy optional dependency only because it is installed, and work
    without it: presidio imports transformers (and with it torch) whenever transformers is
    installed, which costs seconds at every ``curate pii`` start-up, although the workbench never
    uses presidio's transformers engine. A blocked package that is already imported stays usable.
    Nothing is blocked after this returns.

    >>> import sys
    >>> import_without(("json",), blocked=("no_such_package",))
    >>> "json" in sys.modules
    True
    """
    block = frozenset(b for b in blocked if b not in sys.modules)
    if all(m in sys.modules for m in modules):
        return
    finder = _Blocker(block)
    sys.meta_path.insert(0, finder)
    try:
        for m in modules:
            importlib.import_module(m)
    finally:
        sys.meta_path.remove(finder)
