"""`curate annotate allowlist list` is a listing: it opened the catalogue for writing (`provenance.db.connect`), so a
mistyped --db or a stale $CURATE_DB became a new catalogue in silence ("no allow-list entries", exit 0: the steward
read that nothing was allow-listed), an older catalogue was migrated by an auditor's listing, and a listing while a
run held the catalogue waited for it; README: a read command on a path with no catalogue says to `curate init`.
`allowlist revoke` on such a path made a catalogue too, to find no entry in it."""

from __future__ import annotations

import subprocess
import sys

from provenance import db


def test_listing_a_path_with_no_catalogue_creates_nothing(tmp_path, cli):
    typo = tmp_path / "cat.duckbd"
    code, out, err = cli("annotate", "allowlist", "list", db=typo)
    assert code != 0 and "does not exist" in err and "curate init" in err and len(err.strip().splitlines()) == 1
    code, out, err = cli("annotate", "allowlist", "revoke", "abcdefgh", "--reason", "typo", db=typo)
    assert code != 0 and "does not exist" in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_listing_opens_the_catalogue_read_only(db_path, cli, monkeypatch):
    db.connect(db_path).close()
    before = db_path.read_bytes()
    monkeypatch.setenv("CURATE_LOCK_WAIT", "0")
    # another process reads the catalogue (an audit query): a listing reads beside it, a writer's open waits for it
    code = "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); print('open', flush=True); input()"
    held = subprocess.Popen(
        [sys.executable, "-c", code, str(db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert held.stdout.readline().strip() == "open"
        code, out, err = cli("annotate", "allowlist", "list")
        assert code == 0 and out.strip() == "no allow-list entries", out + err
    finally:
        held.communicate("\n", timeout=60)
    assert db_path.read_bytes() == before
