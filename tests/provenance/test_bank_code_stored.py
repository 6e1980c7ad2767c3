"""`member:esun` (a bank code in small letters) after review 15: refused as an export audience and in new terms, yet
`check_use` (the auditors' API) still judged a use by `member:esun` and allowed it, and terms a catalogue stored
before review 15 still granted `member:esun`: the bank's export (`member:ESUN`) left them out as `audience`, its
blocked list calling its own grant `member:(another bank)`, with nothing to say what to correct. Now `check_use`
refuses the audience as the export does, and stored terms naming it are `licence_terms` with the fix named."""

from __future__ import annotations

import csv

import pytest

from provenance.errors import UsageError
from provenance.licences import check_use
from tests.provenance.prov_helpers import TEXTBOOK_TERMS

OLD_GRANT = {**TEXTBOOK_TERMS, "audience": "member:esun"}


def test_check_use_refuses_a_small_letter_bank_code_as_exports_do():
    with pytest.raises(UsageError, match="`member:ESUN`"):
        check_use("CC-BY-4.0", purpose="training", audience="member:esun")
    assert check_use("CC-BY-4.0", purpose="training", audience="member:ESUN").ok


def test_stored_terms_for_a_small_letter_bank_code_are_licence_terms_with_the_fix(cli, builder, tmp_path):
    builder.source("textbook", "LicenseRef-Written-Agreement", title="銀行實務", metadata={"licence_terms": OLD_GRANT})
    rid = builder.record("textbook", "ch1", "第一章 銀行實務概論。")
    builder.close()
    out = tmp_path / "esun"
    code, _, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "member:ESUN", "--non-commercial",
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    with (out / "blocked.csv").open(encoding="utf-8", newline="") as fh:
        rows = {r["record_id"]: r for r in csv.DictReader(fh)}
    assert rows[rid]["code"] == "licence_terms", rows[rid]
    assert "member:ESUN" in rows[rid]["reason"] and "ingest again" in rows[rid]["reason"], rows[rid]
    judged = check_use("LicenseRef-Written-Agreement", purpose="training", audience="member:ESUN", terms=OLD_GRANT)
    assert not judged.ok and "capitals" in judged.reason
