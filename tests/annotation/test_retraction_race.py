"""Retractions and the annotations around them (review 14, annotation): a task whose only annotation is a skip
counted as unannotated and was deleted with the skip, which was never imported."""

from __future__ import annotations

import pytest
from ls_records import make_catalogue

from annotation.pull import pull
from annotation.push import PushConfig, push
from provenance.licences import LicenceCatalogue, licence_catalogue_path

pytestmark = pytest.mark.labelstudio


def _ended(tmp_path) -> LicenceCatalogue:
    """The shipped catalogue with CC-BY-4.0 ended long ago."""
    text = licence_catalogue_path().read_text("utf-8")
    ours = tmp_path / "ours.toml"
    ours.write_text(
        text.replace('id = "CC-BY-4.0"\n', 'id = "CC-BY-4.0"\nexpiry = "2000-01-01"\n', 1), encoding="utf-8"
    )
    from provenance.export import load_licence_catalogue_for

    return load_licence_catalogue_for(ours)


def _fix(shown: str) -> list[dict]:
    return [
        {"from_name": "corrected", "to_name": "text", "type": "textarea", "value": {"text": [shown + "補"]}},
        {"from_name": "verdict", "to_name": "text", "type": "choices", "value": {"choices": ["fixed"]}},
    ]


def test_a_skipped_task_is_not_deleted_with_its_skip(label_studio, db_path, bank, tmp_path):
    con, ids = make_catalogue(db_path, 1)
    client = label_studio.client()
    pid = push(con, client, PushConfig(project="topic", bank=bank)).ls_project_id
    (task,) = client.export(pid, all_tasks=True)
    client.create_annotation(task["id"], [], completed_by=client.whoami()["id"], was_cancelled=True)
    rep = pull(con, client, bank, licence_catalogue=_ended(tmp_path))
    assert (rep.retracted, rep.retracted_kept) == (0, 1), rep
    assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 1
