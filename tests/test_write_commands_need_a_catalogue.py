"""A write command that works on what a catalogue holds refuses a --db path that holds none (review 13's leftovers).

`curate pii rekey` said "nothing to rekey", exit 0, `annotate push --output` wrote an empty task file, `annotate
allowlist list` said "no allow-list entries", and `annotate pull`, `allowlist revoke` and `forget-project` failed
later: each had made a catalogue in silence (`allowlist list` now opens read-only, as a read command:
tests/pii/test_allowlist_cli.py) at a mistyped --db or $CURATE_DB (a missing path, a 0-byte file or an
empty DuckDB database); `export dataset`, `provenance withdraw|reinstate` and `runs abandon` refused a missing path
only, and on a 0-byte file or an empty database made the catalogue and an empty export, "exit 0". Each now refuses in
one line naming --db, and writes nothing. `curate init`, `ingest` and `pipeline run` still make one (their notice).
"""

from __future__ import annotations

import pytest

COMMANDS = {
    "pii rekey": ("pii", "rekey"),
    "annotate push": ("annotate", "push", "--project", "topic", "--bank", "B1", "--output", "{tmp}/tasks.json"),
    "annotate pull": ("annotate", "pull", "--bank", "B1"),
    "annotate allowlist revoke": ("annotate", "allowlist", "revoke", "0123456789ab", "--reason", "ticket 12"),
    "annotate forget-project": ("annotate", "forget-project", "--bank", "B1", "--project", "topic", "--reason", "t 1"),
    "export dataset": (
        "export",
        "dataset",
        "--purpose",
        "training",
        "--audience",
        "consortium",
        "--commercial",
        "--out",
        "{tmp}/out",
    ),
    "provenance withdraw": ("provenance", "withdraw", "--source", "moda", "--reason", "ticket 12"),
    "provenance reinstate": ("provenance", "reinstate", "--source", "moda", "--reason", "ticket 12"),
    "runs abandon": ("runs", "abandon", "20261205T000000-abcdef"),
}


@pytest.mark.parametrize("kind", ["missing", "0 bytes", "empty DuckDB"])
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_write_command_on_a_path_without_a_catalogue_refuses_and_writes_nothing(
    tmp_path, cli, monkeypatch, name, kind
):
    import duckdb

    monkeypatch.setenv("CURATE_PII_KEY", "00112233445566778899aabbccddeeff")
    monkeypatch.delenv("LABEL_STUDIO_URL", raising=False)
    typo = tmp_path / "cat.duckbd"
    if kind == "0 bytes":
        typo.touch()
    elif kind == "empty DuckDB":
        duckdb.connect(str(typo)).close()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    args = [a.replace("{tmp}", str(tmp_path)) for a in COMMANDS[name]]
    code, out, err = cli(*args, db=typo)
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, out + err
    assert str(typo) in err and "--db" in err and "nothing was written" in err, err
    why = {"missing": "does not exist", "0 bytes": "empty file", "empty DuckDB": "empty DuckDB database"}[kind]
    assert why in err, err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no catalogue, task file or export


def test_a_write_command_on_a_catalogue_still_works(tmp_path, cli):
    """The refusal is for paths without a catalogue only: on one made by `curate init` the commands run as before."""
    assert cli("init")[0] == 0
    code, out, err = cli("annotate", "allowlist", "list")
    assert code == 0 and "no allow-list entries" in out, out + err
    code, out, err = cli("runs", "abandon", "20261205T000000-abcdef")
    assert code == 2 and "not in the catalogue" in err, out + err
