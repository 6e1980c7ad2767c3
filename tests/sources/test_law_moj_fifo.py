"""A FIFO named as law.moj input (``curate ingest law-moj <(unzip -p ChLaw.json.zip)``) is quarantined as no regular
file, the other inputs read (review 16): before, the ingest opened it to look for English laws, and waited for a
writer for good, the catalogue held meanwhile. A writer here (a thread, for each open) keeps the old code from
waiting for good: it then read the FIFO empty, as a file of no laws."""

from __future__ import annotations

import os
import threading

import pytest
from catalogue_query import query as _q

from sources.folder_files import NOT_REGULAR


def _writer(path, stop):
    """Open the FIFO for writing (blocks until a reader opens it), write nothing, close; again for each reader."""
    while not stop.is_set():
        with open(path, "wb"):
            pass


@pytest.mark.parametrize("name", ["laws.json", "laws.txt"])
def test_a_fifo_named_as_input_is_quarantined_and_the_rest_read(cli, db_path, tmp_path, law_fixtures, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    stop = threading.Event()
    threading.Thread(target=_writer, args=(fifo, stop), daemon=True).start()
    try:
        code, out, err = cli("ingest", "law-moj", str(fifo), str(law_fixtures / "chlaw_json/ch/G0380001.json"))
    finally:
        stop.set()
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # lets a writer still waiting go
        os.close(fd)
    assert code == 3 and "Traceback" not in err, out + err
    assert _q(db_path, "SELECT locator, reason FROM quarantine") == [(str(fifo), NOT_REGULAR)]
    assert _q(db_path, "SELECT count(*) FROM records")[0][0] > 0
