"""A share-alike part merged with a part whose licence permits less (review 17, last read).

CC BY-SA 4.0 requires the whole under BY-SA (s. 3(b)(3): no terms that restrict the rights it grants), so a part that
permits less (CC BY-NC: no commercial use; MODA's AI-training grant: training by the consortium only) cannot be in
it: Creative Commons' chart marks BY-SA + BY-NC as not combinable, BY-NC-SA + BY-NC as combinable (under BY-NC-SA).
Review 17 refused two different share-alike licences only; BY-SA + BY-NC was combined as the AND of both and shipped
by a non-commercial export under a licence whose own terms forbid the mix.
"""

from __future__ import annotations

import pytest

from provenance.errors import LicenceError
from provenance.licences import combine, default_licence_catalogue


@pytest.mark.parametrize(
    ("parts", "refused"),
    [
        (("CC-BY-SA-4.0", "CC-BY-NC-4.0"), True),  # BY-SA grants commercial use, BY-NC forbids it
        (("CC-BY-NC-4.0", "CC-BY-SA-4.0"), True),
        (("CC-BY-SA-4.0", "LicenseRef-MODA-AI-Training"), True),  # training by the consortium only
        (("CC-BY-NC-SA-4.0", "LicenseRef-MODA-AI-Training"), True),
        (("CC-BY-NC-SA-4.0", "CC-BY-NC-4.0"), False),  # the chart's yes: the whole under BY-NC-SA
        (("CC-BY-NC-SA-4.0", "CC-BY-4.0"), False),
        (("CC-BY-SA-4.0", "CC-BY-4.0"), False),
        (("CC-BY-SA-4.0", "CC0-1.0", "OGDL-Taiwan-1.0"), False),
        (("CC-BY-4.0", "CC-BY-NC-4.0"), False),  # no share-alike part: the most restrictive of both
    ],
)
def test_a_share_alike_part_takes_no_narrower_part(parts, refused):
    cat = default_licence_catalogue()
    grants = [cat.grant(p) for p in parts]
    if not refused:
        combine(grants)
        return
    with pytest.raises(LicenceError, match="share-alike") as exc:
        combine(grants)
    assert "\n" not in str(exc.value)


def test_the_export_gate_refuses_it():
    from annotation.eligibility import licence_refusal

    assert "share-alike" in (licence_refusal("CC-BY-SA-4.0", "CTBC", r_merged='[{"licence_id": "CC-BY-NC-4.0"}]') or "")
    assert licence_refusal("CC-BY-NC-SA-4.0", "CTBC", r_merged='[{"licence_id": "CC-BY-NC-4.0"}]') is None


@pytest.mark.parametrize(("parent", "ships"), [("CC-BY-NC-4.0", False), ("CC-BY-4.0", True)])
def test_a_non_commercial_export_leaves_it_out(builder, cli, tmp_path, parent, ships):
    import csv
    import json

    builder.source("law_moj", "CC-BY-SA-4.0", metadata={"provider": "示範出版社"})
    merged = builder.record("law_moj", "M/1", "合併後的條文。", metadata={"licences": [{"licence_id": parent}]})
    out = tmp_path / "x"
    code, _, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--out", str(out),
        "--as-of", "2026-06-01", "--non-commercial",
    )  # fmt: skip
    assert code == 0, err
    shipped = {json.loads(line)["record_id"] for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()}
    assert (merged in shipped) is ships
    if not ships:
        with (out / "blocked.csv").open(encoding="utf-8", newline="") as fh:
            row = next(r for r in csv.DictReader(fh) if r["record_id"] == merged)
        assert row["code"] == "licence_terms" and "is share-alike and CC-BY-NC-4.0 permits less" in row["reason"]


@pytest.mark.parametrize(
    "parts", [("CC-BY-SA-4.0", "CC-BY-NC-4.0"), ("CC-BY-SA-4.0", "CC-BY-NC-SA-4.0"), ("CC-BY-NC-4.0", "CC-BY-SA-4.0")]
)
def test_the_refusal_tells_the_steward_what_to_do(parts):
    """Review 18: the refusal (blocked.csv, `audit record`) ended "the parents cannot be combined", naming no way to
    ship the text: it names the two ways out, keeping the parents apart or correcting the part's licence."""
    cat = default_licence_catalogue()
    with pytest.raises(LicenceError) as exc:
        combine([cat.grant(p) for p in parts])
    said = str(exc.value)
    assert "separate records" in said and "curate provenance withdraw" in said
    assert "correct the part under" in said and "\n" not in said
