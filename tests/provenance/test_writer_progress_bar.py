"""The catalogue's writing connection draws no progress bar on stdout (review 11, integration review).

e1556c9 turned DuckDB's progress bar off on the auditor's read-only connection only; a writer's connection still drew
``\\r100% ▕███...`` on the process's stdout once a query ran 2 s, terminal or not, so the JSON of `curate pii rekey
--json` and `curate annotate pull --json` (both write) on a large catalogue began with it and did not parse.
"""

from __future__ import annotations

import subprocess
import sys


def test_the_writing_connection_has_no_progress_bar(tmp_path):
    # a process of its own: under pytest's captured output DuckDB starts with the bar off
    code = (
        "import sys; from provenance.db import connect; con = connect(sys.argv[1]);"
        " print(con.execute(\"SELECT current_setting('enable_progress_bar')\").fetchone()[0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "c.duckdb")], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and done.stdout.strip() == "False", (done.stdout, done.stderr)
