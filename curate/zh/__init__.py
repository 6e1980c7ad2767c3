"""Chinese script handling: detection, Simplified -> Taiwan Traditional conversion, folding.

>>> from curate.zh import normalise
>>> normalise("他准时到达银行，但窗口已经关闭。").text
'他準時到達銀行，但窗口已經關閉。'

The names below are imported on first use, so that the light parts (``curate.zh.config``,
``curate.zh.ledger``, which the CLI's help and ``curate runs`` use) do not import numpy and OpenCC.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from curate.zh.batch import normalise_many
    from curate.zh.config import OPENCC_PROFILES, NormaliseConfig
    from curate.zh.fold import fold
    from curate.zh.normalise import Edit, Flag, Result, normalise

#: exported name -> the module defining it
_EXPORTS: dict[str, str] = {
    "OPENCC_PROFILES": "curate.zh.config",
    "Edit": "curate.zh.normalise",
    "Flag": "curate.zh.normalise",
    "NormaliseConfig": "curate.zh.config",
    "Result": "curate.zh.normalise",
    "fold": "curate.zh.fold",
    "normalise": "curate.zh.normalise",
    "normalise_many": "curate.zh.batch",
}

__all__ = [
    "OPENCC_PROFILES",
    "Edit",
    "Flag",
    "NormaliseConfig",
    "Result",
    "fold",
    "normalise",
    "normalise_many",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


class _Package(types.ModuleType):
    """``curate.zh.normalise`` and ``curate.zh.fold`` are the functions, as they were when this package
    imported everything eagerly, although submodules of the same names exist: importing a submodule
    sets the package attribute of its name, which would otherwise replace the function by the module.
    The submodules stay importable (``from curate.zh.normalise import ...``)."""

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == f"{__name__}.{name}":
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
