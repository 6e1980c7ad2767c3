"""`curate serve adduser` and `curate serve` at a --db that holds no catalogue (review 15, crash).

`serve adduser` made `.curate/<typo>/portal/users.json` for a mistyped --db, exit 0, so the portal on the real
catalogue had no users; `serve` wrote a session secret (`secret.key`) there before saying the catalogue did not
exist. Both refuse in one line now and write nothing; with --users, adduser still writes where it is told.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from curate import cli as cli_mod


def _run(args: list[str], stdin: str = "") -> tuple[int, str, str]:
    with CliRunner().isolation(input=stdin) as streams:
        code = cli_mod.run(args)
        return code, streams[0].getvalue().decode(), streams[1].getvalue().decode()


def _tree(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize(
    "args",
    [["serve", "adduser", "alice", "--role", "auditor", "--password-stdin"], ["serve"]],
    ids=["adduser", "serve"],
)
def test_no_portal_folder_is_made_for_a_missing_catalogue(tmp_path, monkeypatch, args):
    monkeypatch.delenv("CURATE_WEB_USERS", raising=False)
    typo = tmp_path / "cat.duckbd"
    code, out, err = _run(["--db", str(typo), *args], "long enough pw\n")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, out + err
    assert str(typo) in err and "does not exist" in err and "nothing was written" in err, err
    assert _tree(tmp_path) == []  # no .curate/cat.duckbd/portal, no users file, no secret.key


def test_adduser_with_users_named_writes_there_whatever_the_catalogue(tmp_path, monkeypatch):
    monkeypatch.delenv("CURATE_WEB_USERS", raising=False)
    users = tmp_path / "users.json"
    args = ["--db", str(tmp_path / "none.duckdb"), "serve", "adduser", "alice", "--role", "auditor"]
    code, out, err = _run([*args, "--users", str(users), "--password-stdin"], "long enough pw\n")
    assert code == 0 and users.exists(), out + err
    assert not (tmp_path / ".curate").exists()
