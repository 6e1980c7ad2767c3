"""A portal whose snapshot folder holds `?` (post-review of review 15): DuckDB misplaces the log of a file whose path
holds one, and the refusal came only when the first snapshot was opened, after the catalogue had been copied there:
the copy, pre-PII text in it, stayed on disk (and the folder's portal lock held). Refused now before the folder is
made, as `--db` in such a folder is, a relative folder run in such a folder too."""

from __future__ import annotations

import pytest

from curate.web.snapshot import CatalogueView
from provenance import db
from provenance.errors import UsageError


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative"])
def test_a_snapshot_folder_holding_a_question_mark_is_refused_before_any_copy(tmp_path, monkeypatch, relative):
    path = tmp_path / "cat.duckdb"
    db.connect(path).close()
    if relative:
        (tmp_path / "Q&A?").mkdir()
        monkeypatch.chdir(tmp_path / "Q&A?")
        folder, made = "snaps", tmp_path / "Q&A?" / "snaps"
    else:
        folder = made = tmp_path / "snaps?"
    with pytest.raises(UsageError, match="`\\?`"):
        CatalogueView(path, folder)
    assert not made.exists()  # no copy of the catalogue left behind
    assert not list(tmp_path.rglob("snapshot-*"))
