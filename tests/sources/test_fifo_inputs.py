"""A FIFO named as MODA or FSC input (``curate ingest fsc <(unzip -p cases.zip)``) is quarantined as no regular file,
as law.moj's is since review 16, never waited on: before, both named it an ``empty file`` of ``0 bytes`` (its size),
which told the user the export was empty. A regular file of 0 bytes is still an empty file."""

from __future__ import annotations

import os

import pytest
from catalogue_query import query as _q

from sources.folder_files import NOT_REGULAR


@pytest.mark.parametrize(
    ("source", "name", "extra"),
    [("moda", "rows.jsonl", ["--licence", "OGDL-Taiwan-1.0"]), ("fsc", "cases.csv", [])],
)
def test_a_fifo_is_no_regular_file_and_an_empty_file_is_empty(cli, db_path, tmp_path, monkeypatch, source, name, extra):
    monkeypatch.setenv("CURATE_PII_KEY", "0123456789abcdef0123456789abcdef")
    os.mkfifo(tmp_path / name)  # nobody writes to it: opening it would wait for good
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / name).write_bytes(b"")
    code, out, err = cli("ingest", source, str(tmp_path / name), str(tmp_path / "empty" / name), *extra)
    assert code == 3 and "Traceback" not in err, out + err
    reasons = sorted(r for (r,) in _q(db_path, "SELECT reason FROM quarantine"))
    assert reasons == sorted([NOT_REGULAR, "empty file"]), reasons
