"""An OpenCC profile with the terminology layer compiled in (one C++ call per record).

The shipped ``s2tw``/``s2twp`` configs are rebuilt with two extra text dictionaries:

* ``terms.txt`` (Simplified -> Taiwan) placed first in the segmentation dictionary and first
  in the Simplified -> Traditional step (``short_circuit``: a term wins at its position);
* ``keep.txt`` (every term target and protected word mapped to itself) placed first in the
  Taiwan step, so that ``s2twp`` phrase rules cannot drift a term's meaning afterwards
  (窗口 stays 窗口, 程序 stays 程序).

The files are written to a temporary folder, loaded by OpenCC (which reads them into memory
at construction) and removed.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from curate._optional import require


def _ocd2(share: Path, name: str) -> dict[str, str]:
    return {"type": "ocd2", "file": str(share / name)}


def _text(path: Path) -> dict[str, str]:
    return {"type": "text", "file": str(path)}


def _write_dict(path: Path, table: Mapping[str, str]) -> None:
    lines = [f"{k}\t{v}" for k, v in sorted(table.items()) if k and "\t" not in k + v and " " not in v
             and "\n" not in k + v]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _compiled(tmp: Path, name: str) -> dict[str, str]:
    """The text dictionary compiled to OpenCC's own ``ocd2`` format when the tool is there.

    OpenCC looks text dictionaries up far slower than its ``ocd2`` tries.
    """
    opencc = require("opencc", extra="zh", purpose="Simplified -> Traditional conversion")
    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
    src, dst = tmp / f"{name}.txt", tmp / f"{name}.ocd2"
    if tool.exists():
        proc = subprocess.run([str(tool), "-i", str(src), "-o", str(dst), "-f", "text", "-t", "ocd2"],
                              capture_output=True, check=False)
        if proc.returncode == 0 and dst.exists():
            return {"type": "ocd2", "file": str(dst)}
    return _text(src)


def build_converter(base: str, terms: Mapping[str, str], keep: set[str]) -> Any:
    """An ``opencc.OpenCC`` for ``base`` (``s2tw`` or ``s2twp``) with the terms compiled in.

    Args:
        base: the shipped profile the new one extends.
        terms: Simplified source -> Taiwan target.
        keep: words the Taiwan step must leave as they are.
    """
    opencc = require("opencc", extra="zh", purpose="Simplified -> Traditional conversion")
    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    cfg = json.loads((share / f"{base}.json").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="curate-zh-") as tmp_name:
        return _build(opencc, share, cfg, Path(tmp_name), base, terms, keep)


def _build(opencc: Any, share: Path, cfg: dict[str, Any], tmp: Path, base: str,
           terms: Mapping[str, str], keep: set[str]) -> Any:
    _write_dict(tmp / "terms.txt", terms)
    _write_dict(tmp / "keep.txt", {w: w for w in keep})
    terms_dict, keep_dict = _compiled(tmp, "terms"), _compiled(tmp, "keep")

    def absolute(node: Any) -> Any:
        if isinstance(node, dict):
            if node.get("type") == "ocd2":
                return _ocd2(share, node["file"])
            return {k: absolute(v) for k, v in node.items()}
        if isinstance(node, list):
            return [absolute(x) for x in node]
        return node

    cfg = absolute(cfg)
    cfg["segmentation"]["dict"] = {"type": "group", "match_policy": "union",
                                   "dicts": [terms_dict, cfg["segmentation"]["dict"]]}
    chain = cfg["conversion_chain"]
    chain[0]["dict"] = {"type": "group", "match_policy": "short_circuit",
                        "dicts": [terms_dict, chain[0]["dict"]]}
    for step in chain[1:]:
        step["dict"] = {"type": "group", "match_policy": "short_circuit", "dicts": [keep_dict, step["dict"]]}
    if len(chain) == 1:  # pragma: no cover - every shipped s2t* profile has a Taiwan step
        chain.append({"dict": keep_dict})
    path = tmp / f"{base}-curate.json"
    path.write_text(json.dumps(cfg, ensure_ascii=False, indent=1), encoding="utf-8")
    return opencc.OpenCC(str(path))
