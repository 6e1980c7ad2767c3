"""Lazy import of heavy or optional dependencies with an install hint."""

from __future__ import annotations

import importlib
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
