"""Ingestors, one module per source, loaded lazily by name."""

from __future__ import annotations

import importlib

from provenance.errors import ConfigError

#: registry name -> "module:Class"
SOURCES: dict[str, str] = {
    "law_moj": "sources.law_moj:LawMojSource",
    "moda": "sources.moda:ModaSource",
    "fsc": "sources.fsc:FscSource",
    "tabf": "sources.tabf:TabfSource",
    "textbooks": "sources.textbooks:TextbooksSource",
}

__all__ = ["SOURCES", "get_source_class"]


def get_source_class(name: str):
    """Return the :class:`sources.base.Source` subclass registered as ``name``."""
    key = name.replace("-", "_")
    if key not in SOURCES:
        raise ConfigError(f"unknown source `{name}`; valid: {', '.join(sorted(SOURCES))}")
    module_name, cls = SOURCES[key].split(":")
    return getattr(importlib.import_module(module_name), cls)
