"""Processing stages, loaded lazily by name (`curate run <name>`)."""

from __future__ import annotations

import importlib

from provenance.errors import ConfigError

#: stage name -> "module:Class"
STAGES: dict[str, str] = {
    "hygiene": "curate.stages.hygiene:HygieneStage",
    "normalise": "curate.stages.normalise:NormaliseStage",
    "pii": "curate.stages.pii:PiiStage",
    "dedup": "curate.stages.dedup:DedupStage",
}

__all__ = ["STAGES", "get_stage_class"]


def get_stage_class(name: str):
    """Return the Stage subclass registered as ``name``."""
    if name not in STAGES:
        raise ConfigError(f"unknown stage `{name}`; valid: {', '.join(sorted(STAGES))}")
    module_name, cls = STAGES[name].split(":")
    return getattr(importlib.import_module(module_name), cls)
