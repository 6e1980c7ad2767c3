"""`audit exports` and `audit withdrawn` after `export dataset --overwrite`.

Before review 16 an export whose folder a later export replaced was still listed with that folder as if its copy
were there: an auditor sent to `out_dirs` found another export. Its replaced folders are now named with the export
now in them (`replaced_dirs`); `out_dirs` keeps them, as every copy made is to be recalled.
"""

from __future__ import annotations

import json

from tests.provenance.test_export import PUBLIC_TRAINING


def test_a_replaced_folder_is_named_with_the_export_now_in_it(mixed, cli, tmp_path):
    out, other = tmp_path / "delivery", tmp_path / "other"
    assert cli(*PUBLIC_TRAINING, "--out", str(out))[0] == 0
    assert cli(*PUBLIC_TRAINING, "--out", str(other))[0] == 0  # the same export, a second copy
    evaluation = [a if a != "training" else "evaluation" for a in PUBLIC_TRAINING]
    code, _, err = cli(*evaluation, "--out", str(out), "--overwrite")
    assert code == 0, err
    code, text, err = cli("audit", "exports", "--json")
    assert code == 0, err
    rows = {r["purpose"]: r for r in json.loads(text)}
    now = rows["evaluation"]["export_id"]
    assert rows["training"]["replaced_dirs"] == [f"{out.resolve()} (now {now})"]
    assert rows["training"]["out_dirs"] == sorted([str(out.resolve()), str(other.resolve())])
    assert rows["evaluation"]["replaced_dirs"] == []
    code, text, _ = cli("audit", "exports", "--full")
    assert code == 0 and f"(now {now})" in text, text
    # the training export written there again: its copy is back, the evaluation one's is replaced
    assert cli(*PUBLIC_TRAINING, "--out", str(out), "--overwrite")[0] == 0
    rows = {r["purpose"]: r for r in json.loads(cli("audit", "exports", "--json")[1])}
    assert rows["training"]["replaced_dirs"] == []
    assert rows["evaluation"]["replaced_dirs"] == [f"{out.resolve()} (now {rows['training']['export_id']})"]
    assert cli("provenance", "withdraw", "--source", "fsc_press", "--reason", "TICKET-7")[0] == 0
    code, text, _ = cli("audit", "withdrawn", "--json")
    rows = {r["purpose"]: r for r in json.loads(text)["exports"]}
    assert rows["evaluation"]["replaced_dirs"] == [f"{out.resolve()} (now {rows['training']['export_id']})"], rows
    assert rows["training"]["replaced_dirs"] == []
