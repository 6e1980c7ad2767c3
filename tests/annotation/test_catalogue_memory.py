"""Which catalogue a pull without ``--catalogue`` may follow (review of the fixes 14): the check read the bank's last
push of any project, so a shipped-rules push of one project let a pull put back the tasks a corrected file had taken
out of another; and it refused every pull after an upgrade changed the shipped catalogue, naming
``--catalogue shipped`` (no file)."""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.catalogue_memory import catalogue_params, check_remembered
from annotation.projects import finish_run, start_run
from provenance.errors import UsageError
from provenance.export import load_licence_catalogue_for
from provenance.licences import licence_catalogue_path

INSTANCE = "http://127.0.0.1:1"


def _ours(tmp_path, name: str = "ours.toml"):
    text = licence_catalogue_path().read_text("utf-8")
    path = tmp_path / name
    path.write_text(text.replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2000-01-01"\n', 1), "utf-8")
    return load_licence_catalogue_for(path)


def _push(con, project: str, params: dict[str, str]) -> None:
    rid = start_run(con, "annotate push", {"bank": "b1", "project": project, "instance": INSTANCE, **params})
    finish_run(con, rid)


def test_each_project_is_judged_by_its_own_last_push(db_path, tmp_path):
    con, _ = make_catalogue(db_path, 1)
    _push(con, "topic", catalogue_params(_ours(tmp_path)))
    _push(con, "proofread", catalogue_params(None))  # later, another project, the shipped rules
    with pytest.raises(UsageError) as exc:
        check_remembered(con, INSTANCE, "b1", ["proofread", "topic"], None, "127.0.0.1:1")
    said = str(exc.value)
    assert "topic" in said and "ours.toml" in said and "\n" not in said, said
    check_remembered(con, INSTANCE, "b1", ["proofread"], None, "127.0.0.1:1")  # that one's push: shipped
    check_remembered(con, INSTANCE, "b1", ["topic"], _ours(tmp_path), "127.0.0.1:1")  # a file given: its rules
    check_remembered(con, INSTANCE, "b2", ["topic"], None, "127.0.0.1:1")  # another bank pushed nothing


def test_two_projects_pushed_by_two_files_name_both(db_path, tmp_path):
    con, _ = make_catalogue(db_path, 1)
    _push(con, "topic", catalogue_params(_ours(tmp_path)))
    _push(con, "proofread", catalogue_params(_ours(tmp_path, "theirs.toml")))
    with pytest.raises(UsageError) as exc:
        check_remembered(con, INSTANCE, "b1", ["proofread", "topic"], None, "127.0.0.1:1")
    assert "ours.toml" in str(exc.value) and "theirs.toml" in str(exc.value) and "--project" in str(exc.value)


def test_a_push_by_an_earlier_release_s_shipped_rules_is_no_refusal(db_path, tmp_path):
    con, _ = make_catalogue(db_path, 1)
    _push(con, "topic", {"catalogue": "shipped", "catalogue_sha256": "0" * 64})  # the shipped file of then
    check_remembered(con, INSTANCE, "b1", ["topic"], None, "127.0.0.1:1")


def test_a_file_called_shipped_is_not_the_shipped_rules(db_path, tmp_path):
    con, _ = make_catalogue(db_path, 1)
    params = catalogue_params(_ours(tmp_path, "shipped"))
    assert params["catalogue"] == "./shipped", params
    _push(con, "topic", params)
    with pytest.raises(UsageError):
        check_remembered(con, INSTANCE, "b1", ["topic"], None, "127.0.0.1:1")
