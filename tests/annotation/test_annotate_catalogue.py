"""`annotate push|pull --catalogue` (review of the fixes 13): `serve`, `report`, `audit` and `export` judge by a
corrected licence catalogue file given to them, while push and pull judged by the shipped one, so a licence ended in
the corrected catalogue still reached Label Studio tasks (pushed, and never taken out)."""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from provenance.licences import licence_catalogue_path

pytestmark = pytest.mark.labelstudio


def _ended(tmp_path):
    """The shipped catalogue with CC-BY-4.0 ended long ago (the licensor's end found out later)."""
    text = licence_catalogue_path().read_text("utf-8")
    ours = tmp_path / "ours.toml"
    ours.write_text(
        text.replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2000-01-01"\n', 1), encoding="utf-8"
    )
    return ours


def test_push_and_pull_follow_the_corrected_catalogue(label_studio, db_path, bank, cli, ls_env, tmp_path):
    con, ids = make_catalogue(db_path, 2)
    con.close()
    ours = _ended(tmp_path)
    push = ("annotate", "push", "--project", "topic", "--bank", bank)
    code, out, err = cli(*push, "--catalogue", str(ours))
    assert code == 0 and "pushed 0 topic tasks" in out and "refused 2" in out, out + err
    code, out, err = cli(*push)  # the shipped rules: pushed
    assert code == 0 and "pushed 2 topic tasks" in out, out + err
    client = label_studio.client()
    (pid,) = {p.id for p in client.sdk.projects.list() if bank in p.title}
    assert len(client.export(pid, all_tasks=True)) == 2

    code, out, err = cli("annotate", "pull", "--bank", bank, "--catalogue", str(ours))  # takes them out
    assert code == 0 and "2 tasks deleted" in out, out + err
    assert client.export(pid, all_tasks=True) == []
    code, out, err = cli(*push, "--catalogue", str(ours))  # neither missing nor sent again
    assert code == 0 and "pushed 0 topic tasks" in out, out + err
    assert client.export(pid, all_tasks=True) == []


def test_a_bad_catalogue_file_is_one_line(db_path, bank, cli, tmp_path):
    make_catalogue(db_path, 1)[0].close()
    for args in (("annotate", "push", "--project", "topic", "--bank", bank), ("annotate", "pull", "--bank", bank)):
        code, _, err = cli(*args, "--catalogue", str(tmp_path / "missing.toml"))
        assert code != 0 and "missing.toml" in err and len(err.strip().splitlines()) == 1, err
