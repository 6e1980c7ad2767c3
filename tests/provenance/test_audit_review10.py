"""`curate audit verify` and `audit verify-export` against what a tamperer can put in the catalogue or the folder
(review 10): what they print cannot drive the auditor's terminal, and nothing in a folder is passed over."""

from __future__ import annotations

import duckdb
from click.testing import CliRunner

from curate import cli as cli_mod

#: a record id that, printed raw on a terminal, moves up two lines, erases them and writes its own verdict
FORGED_ID = "zz\x1b[2A\x1b[2K\rcross-checks ok"


def _on_a_terminal(db_path, *args: str) -> tuple[int, str]:
    """The CLI with colour on, as on a terminal: click keeps ESC sequences it would strip from a pipe."""
    with CliRunner().isolation(color=True) as streams:
        code = cli_mod.run(["--db", str(db_path), *args])
        return code, streams[0].getvalue().decode("utf-8", "replace")


def test_verify_prints_a_forged_record_id_as_escapes_not_terminal_controls(history, db_path):
    con = duckdb.connect(str(db_path))
    con.execute("INSERT INTO records SELECT * REPLACE (? AS record_id) FROM records LIMIT 1", [FORGED_ID])
    con.close()
    code, out = _on_a_terminal(db_path, "audit", "verify")
    assert code == 1 and "cross-checks FAILED" in out, out
    assert "\x1b" not in out and "\r" not in out, out
    assert "zz\\x1b[2A\\x1b[2K\\rcross-checks ok: no creating event in the ledger" in out, out
