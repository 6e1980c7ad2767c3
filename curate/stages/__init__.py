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

#: stage name -> "module:Class" of its options (``--set``); light modules, so that listing the options
#: (``curate run --help``, pipeline files) imports neither the stages nor datatrove. Each stage's
#: ``config_class`` is the same class.
CONFIGS: dict[str, str] = {
    "hygiene": "curate.stages.config:HygieneConfig",
    "normalise": "curate.zh.config:NormaliseConfig",
    "pii": "curate.stages.config:PiiConfig",
    "dedup": "curate.dedup.config:DedupConfig",
}

__all__ = ["CONFIGS", "STAGES", "get_config_class", "get_stage_class"]


def _load(target: str):
    module_name, attr = target.split(":")
    return getattr(importlib.import_module(module_name), attr)


def get_stage_class(name: str):
    """Return the Stage subclass registered as ``name``."""
    if name not in STAGES:
        raise ConfigError(f"unknown stage `{name}`; valid: {', '.join(sorted(STAGES))}")
    return _load(STAGES[name])


def get_config_class(name: str) -> type | None:
    """Return the options class of the stage registered as ``name`` (None for a stage without options).

    >>> get_config_class("hygiene").__name__
    'HygieneConfig'
    """
    if name not in STAGES:
        raise ConfigError(f"unknown stage `{name}`; valid: {', '.join(sorted(STAGES))}")
    return _load(CONFIGS[name]) if name in CONFIGS else None
