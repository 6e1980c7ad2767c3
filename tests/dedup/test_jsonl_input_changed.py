"""`curate dedup` on a JSONL file reads the lines of candidate pairs again, by offset: the input must not change."""

from __future__ import annotations

import json
import os
import re

import pytest

from curate.dedup.config import DedupConfig
from curate.dedup.jsonl import dedup_jsonl
from curate.jsonl_io import InputChangedError

BASE = "第十二條 銀行辦理授信，應依主管機關所定之規定，審核借款人之信用狀況與還款能力，並訂定內部作業程序。"


def _write(path, texts):
    path.write_text(
        "".join(json.dumps({"id": f"r{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)),
        encoding="utf-8",
    )


@pytest.mark.parametrize("how", ["replaced", "rewritten"])
def test_an_input_changed_while_dedup_runs_is_an_error_not_a_wrong_answer(tmp_path, how):
    """An editor's save (a new file at the path) or a rewrite in place put other lines at the offsets the
    verification re-read: near duplicates were judged on another file's texts, silently."""
    inp, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    near = BASE.replace("審核", "查核")  # a near duplicate: a candidate pair, verified on its texts
    _write(inp, [BASE, near])
    other = re.sub(r"[^ ]", "甲", BASE), re.sub(r"[^ ]", "乙", near)  # same bytes: the offsets still fit
    seen = []

    def change(n: int) -> None:
        if seen:
            return
        seen.append(n)
        if how == "replaced":
            _write(tmp_path / "new.jsonl", other)
            os.replace(tmp_path / "new.jsonl", inp)
        else:
            stat = inp.stat()
            _write(inp, other)
            os.utime(inp, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))

    with pytest.raises(InputChangedError, match="replaced or written to while the tool ran"):
        dedup_jsonl(inp, out, DedupConfig(device="cpu"), on_progress=change)
    assert seen and not out.exists()

    _write(inp, [BASE, near])  # unchanged, the pair is a near duplicate
    dedup_jsonl(inp, out, DedupConfig(device="cpu"))
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert rows[1]["duplicate_of"] == "r0" and rows[1]["match"] == "near"
