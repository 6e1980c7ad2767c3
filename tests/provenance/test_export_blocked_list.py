"""The blocked list an export hands its recipients (review 10, export #3)."""

from __future__ import annotations

import pytest

from tests.provenance.test_export import _blocked, _export


def test_blocked_list_does_not_name_another_banks_grant(builder, cli, tmp_path):
    """blocked.csv goes to the export's recipients: a consortium export's once said which bank holds an agreement
    (`permits: member:ESUN`) or a MODA grant (`only its licensee (member:ESUN)`), which the portal keeps from banks
    since review 9 (review 10, export #3). The export's own audience is still named."""
    b = builder
    esun = {"agreement_id": "ESUN-1", "licensor": "研訓院", "audience": "member:ESUN", "purposes": ["training"]}
    b.source("tabf", "LicenseRef-Written-Agreement", metadata={"licence_terms": {**esun, "attribution": "研訓院授權"}})
    b.source("moda", "LicenseRef-MODA-AI-Training", metadata={"licence_terms": {"audience": "member:ESUN"}})
    ids = [b.record("tabf", "h1", "講義一。"), b.record("moda", "f1", "語料一。")]
    b.close()
    for audience in ("consortium", "member:CTBC"):
        out = tmp_path / audience.replace(":", "-")
        _export(cli, out, audience=audience)
        text = (out / "blocked.csv").read_text("utf-8")
        assert {_blocked(out)[i] for i in ids} == {"audience"}
        assert "ESUN" not in text, text
        assert "member:(another bank)" in text
    assert "member:CTBC" in (tmp_path / "member-CTBC" / "blocked.csv").read_text("utf-8")


@pytest.mark.parametrize(
    "spelt", ["member：ESUN", "Member:ESUN", "member: ESUN", "玉山銀行", "member:ESUN\n"], ids=lambda s: ascii(s)
)
def test_blocked_list_does_not_name_a_bank_through_a_misspelt_audience(builder, cli, tmp_path, spelt):
    """An agreement whose audience was spelt wrongly (a full-width colon from a Chinese input method, a capital, a
    space, the bank's name) is refused for its terms in every export, and its reason quoted the value: the bank
    the agreement is for, to every recipient of a consortium export (review of the fixes 10). The list of valid
    values keeps its placeholder `member:BANK`, not `member:(another bank)`."""
    b = builder
    terms = {"agreement_id": "A-1", "licensor": "研訓院", "audience": spelt, "purposes": ["training"]}
    b.source("tabf", "LicenseRef-Written-Agreement", metadata={"licence_terms": {**terms, "attribution": "研訓院授權"}})
    rid = b.record("tabf", "h1", "講義一。")
    b.close()
    out = tmp_path / "consortium"
    _export(cli, out, audience="consortium")
    text = (out / "blocked.csv").read_text("utf-8")
    assert _blocked(out)[rid] == "licence_terms"
    assert "ESUN" not in text and "玉山" not in text, text
    assert "audience `(an invalid audience)` invalid; valid: consortium, member:BANK, public" in text, text
