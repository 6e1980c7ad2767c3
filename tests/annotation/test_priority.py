"""`push --order priority` (the default) puts the records that most need a person first."""

from __future__ import annotations

import pytest
from ls_records import add_record, add_source

from annotation.push import PushConfig, push, write_tasks_file
from provenance import ledger
from provenance.db import connect, transaction
from provenance.records import create_version

pytestmark = pytest.mark.labelstudio


def _catalogue(db_path):
    """Five records, created in this order: plain, corrected, low-PII, flagged, plain."""
    con = connect(db_path)
    add_source(con)
    ids = {
        name: add_record(con, f"{name}：客戶〔姓名〕於本行開戶。", locator=name) for name in ("a", "b", "c", "d", "e")
    }
    with transaction(con):
        # b: an annotator's correction (a version made by the annotation stage), through the PII stage again
        corrected = create_version(con, ids["b"], "b：客戶〔姓名〕於本行開立帳戶。", stage="annotation", run_id="t")
        con.execute("UPDATE records SET pii_state = 'scrubbed' WHERE record_id = ?", [corrected])
        ids["b"] = corrected
        ledger.append(
            con,
            [
                # c: the PII stage was unsure about one span (score below 0.6)
                ledger.Event(
                    "pii",
                    "pii_scrubbed",
                    ids["c"],
                    "t",
                    {
                        "spans": [
                            {"entity_type": "PERSON", "start": 5, "end": 8, "score": 0.95},
                            {"entity_type": "PERSON", "start": 9, "end": 11, "score": 0.45},
                        ]
                    },
                ),
                # a: sure about its spans -> not a priority
                ledger.Event(
                    "pii",
                    "pii_scrubbed",
                    ids["a"],
                    "t",
                    {"spans": [{"entity_type": "PERSON", "start": 5, "end": 8, "score": 0.95}]},
                ),
                # d: normalisation left a sentence for a proofreader
                ledger.Event(
                    "normalise", "flag", ids["d"], "t", {"flags": [{"start": 0, "end": 4, "reason": "weak_signal"}]}
                ),
            ],
        )
    return con, ids


def test_priority_order_is_the_default_and_limit_takes_the_most_urgent(label_studio, db_path, bank, tmp_path):
    con, ids = _catalogue(db_path)
    client = label_studio.client()
    first = push(con, client, PushConfig(project="proofread", bank=bank, limit=3))
    assert first.pushed == 3
    assert dict(first.priority) == {"normalise_flag": 1, "low_confidence_pii": 1, "annotation_correction": 1}
    rest = push(con, client, PushConfig(project="proofread", bank=bank))
    assert dict(rest.priority) == {"other": 2}
    by_task = sorted(client.export(first.ls_project_id, all_tasks=True), key=lambda t: t["id"])
    assert [t["data"]["record_id"] for t in by_task] == [ids[k] for k in ("d", "c", "b", "a", "e")]

    created = write_tasks_file(con, PushConfig(project="topic", bank=bank, order="created"), tmp_path / "t.json")
    assert dict(created.priority) == {"other": 5}
    import json

    order = [t["data"]["record_id"] for t in json.loads((tmp_path / "t.json").read_text())]
    assert order[:1] == [ids["a"]] and order[-1] == ids["b"]  # oldest first; b's correction is the newest
