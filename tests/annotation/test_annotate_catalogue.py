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
    # given no file, a push after one by the corrected file would send again what that file refused: refused, as a
    # pull is (review 14), in one line naming the file, before anything reaches Label Studio
    code, out, err = cli(*push)
    assert code == 2 and len(err.strip().splitlines()) == 1, (code, out, err)
    assert "ours.toml" in err and "--catalogue" in err and "send again" in err, err
    code, out, err = cli(*push, "--catalogue", str(licence_catalogue_path()))  # the shipped rules, named: pushed
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


def test_a_pull_without_the_catalogue_its_push_judged_by_is_refused(label_studio, db_path, bank, cli, ls_env, tmp_path):
    """Review 14: the corrected catalogue was not remembered; a pull without it judged by the shipped rules and put
    back (``task_restored``) the annotated task the corrected catalogue had taken out."""
    make_catalogue(db_path, 2)[0].close()
    ours = _ended(tmp_path)
    code, out, err = cli("annotate", "push", "--project", "topic", "--bank", bank)
    assert code == 0 and "pushed 2 topic tasks" in out, out + err
    client = label_studio.client()
    (pid,) = {p.id for p in client.sdk.projects.list() if bank in p.title}
    first = client.export(pid, all_tasks=True)[0]["id"]
    topic = [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["市場"]}}]
    client.create_annotation(first, topic, completed_by=client.whoami()["id"])
    code, out, err = cli("annotate", "push", "--project", "topic", "--bank", bank, "--catalogue", str(ours))
    assert code == 0 and "1 tasks deleted" in out and "1 kept" in out, out + err

    def count(sql: str) -> int:
        import duckdb

        with duckdb.connect(str(db_path), read_only=True) as con:
            return con.execute(sql).fetchone()[0]

    runs = count("SELECT count(*) FROM runs")
    code, out, err = cli("annotate", "pull", "--bank", bank)
    assert code == 2 and len(err.strip().splitlines()) == 1, (code, out, err)
    assert "ours.toml" in err and "--catalogue" in err and "shipped" in err, err
    assert count("SELECT count(*) FROM runs") == runs  # nothing written
    assert count("SELECT count(*) FROM provenance_events WHERE action = 'task_restored'") == 0
    code, out, err = cli("annotate", "pull", "--bank", bank, "--catalogue", str(ours))
    assert code == 0, out + err
    assert count("SELECT count(*) FROM provenance_events WHERE action = 'task_restored'") == 0
    sha = count("SELECT json_extract_string(params, '$.catalogue_sha256') FROM runs WHERE command = 'annotate pull'")
    assert sha == count(
        "SELECT json_extract_string(params, '$.catalogue_sha256') FROM runs WHERE command = 'annotate push' ORDER BY started_at DESC LIMIT 1"
    )
