"""A record merged from parents under two share-alike licences (review 17).

CC BY-SA 4.0 and CC BY-NC-SA 4.0 each require an adaptation to be shared under itself: no licence is both, so a
record carrying both (``metadata.licences``: merged duplicates) cannot be used at all. Before review 17 the licence
engine combined them as the AND of both (non-commercial, share-alike) and a public export shipped the record under
`CC-BY-SA-4.0 AND CC-BY-NC-SA-4.0`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from provenance.errors import LicenceError
from provenance.licences import combine, default_licence_catalogue


def _export(cli, out: Path, *extra: str) -> None:
    args = ("--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--out", str(out))
    code, _, err = cli(*args, "--as-of", "2026-06-01", *extra)
    assert code == 0, err


def _shipped(out: Path) -> set[str]:
    return {json.loads(line)["record_id"] for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()}


def _blocked(out: Path) -> dict[str, tuple[str, str]]:
    with (out / "blocked.csv").open(encoding="utf-8", newline="") as fh:
        return {r["record_id"]: (r["code"], r.get("reason", "")) for r in csv.DictReader(fh)}


@pytest.mark.parametrize(
    ("own", "parent", "ships"),
    [
        ("CC-BY-SA-4.0", "CC-BY-NC-SA-4.0", False),  # two share-alike licences: no licence is both
        ("CC-BY-NC-SA-4.0", "CC-BY-SA-4.0", False),
        ("CC-BY-SA-4.0", "CC-BY-4.0", True),  # BY permits all BY-SA does: the whole is BY-SA
        ("CC-BY-SA-4.0", "CC-BY-SA-4.0", True),
    ],
)
def test_a_share_alike_mix_is_refused_by_the_export(builder, cli, tmp_path, own, parent, ships):
    b = builder
    b.source("law_moj", own, metadata={"provider": "示範出版社"})
    merged = b.record("law_moj", "M/1", "合併後的條文。", metadata={"licences": [{"licence_id": parent}]})
    plain = b.record("law_moj", "M/2", "單一來源條文。")
    out = tmp_path / "x"
    _export(cli, out, "--non-commercial")
    assert plain in _shipped(out)
    if ships:
        assert merged in _shipped(out)
        return
    assert merged not in _shipped(out)
    code, reason = _blocked(out)[merged]
    assert code == "licence_terms" and "share-alike" in reason, (code, reason)


def test_the_engine_names_both_licences():
    cat = default_licence_catalogue()
    with pytest.raises(LicenceError, match="CC-BY-SA-4.0 and CC-BY-NC-SA-4.0 are both share-alike"):
        combine([cat.grant("CC-BY-SA-4.0"), cat.grant("CC-BY-NC-SA-4.0")])
    # one share-alike licence beside a permissive one is no mix
    assert combine([cat.grant("CC-BY-SA-4.0"), cat.grant("CC-BY-4.0")]).share_alike


def test_an_export_made_before_the_rule_is_named_by_the_audit(builder, cli, tmp_path, monkeypatch):
    """An export made with the engine of before review 17 shipped the mix: `audit export` names it now (an upgrade
    that added a rule: its recipients must be told)."""
    import provenance.licences as licences

    b = builder
    b.source("law_moj", "CC-BY-SA-4.0", metadata={"provider": "示範出版社"})
    merged = b.record("law_moj", "M/1", "合併後的條文。", metadata={"licences": [{"licence_id": "CC-BY-NC-SA-4.0"}]})
    b.close()  # `audit export` opens the catalogue read-only
    with monkeypatch.context() as m:
        m.setattr(licences, "share_alike_conflict", lambda grants: "")  # the engine before review 17
        code, out, err = cli(
            "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--non-commercial",
            "--out", str(tmp_path / "old"), "--as-of", "2026-06-01", "--json",
        )  # fmt: skip
        assert code == 0, err
    export_id = json.loads(out)["export_id"]
    assert merged in _shipped(tmp_path / "old")
    code, out, err = cli("audit", "export", export_id, "--json")
    assert code == 0, err
    refused = json.loads(out)["licence_refused"]
    assert [(r["record_id"], r["code"]) for r in refused] == [(merged, "licence_terms")]
    assert "are both share-alike" in refused[0]["reason"]


def test_annotators_are_not_shown_the_mix():
    """Label Studio pushes take the export's verdict (annotation eligibility): the mix goes to no bank's
    annotators, and a task pushed before is taken out by the same gate (annotation/retract.py)."""
    from annotation.eligibility import licence_refusal

    mix = '[{"licence_id": "CC-BY-NC-SA-4.0"}]'
    assert "are both share-alike" in licence_refusal("CC-BY-SA-4.0", "CTBC", r_merged=mix)
    assert licence_refusal("CC-BY-SA-4.0", "CTBC", r_merged='[{"licence_id": "CC-BY-4.0"}]') is None


@pytest.mark.parametrize(
    ("a", "b", "mix"),
    [
        ("CC-BY-SA-3.0", "CC-BY-SA-4.0", False),  # 3.0 lets an adaptation be shared under a later version
        ("CC-BY-NC-SA-2.0", "CC-BY-NC-SA-4.0", False),
        ("CC-BY-SA-3.0-TW", "CC-BY-SA-4.0", False),  # a port: the unported later version
        ("CC-BY-SA-4.0", "GPL-3.0-only", False),  # CC's one-way compatibility
        ("CC-BY-SA-1.0", "CC-BY-SA-4.0", True),  # 1.0 names itself alone
        ("CC-BY-SA-3.0", "CC-BY-NC-SA-4.0", True),
        ("CC-BY-SA-4.0", "ODbL-1.0", True),
        ("CC-BY-SA-3.0", "GPL-3.0-only", True),  # only 4.0 is compatible with GPLv3
    ],
)
def test_versions_of_one_share_alike_licence_are_no_mix(a, b, mix):
    """A custom catalogue's older version of a share-alike licence beside the newer one: the whole may be shared
    under the newer, so the record is combined, not refused (review 17r); two different licences are refused."""
    from provenance.licences import Grant

    def g(i: str) -> Grant:
        return Grant((i,), frozenset({"training"}), ("public",), True, True, False, None, ("x",))

    if mix:
        with pytest.raises(LicenceError, match="are both share-alike"):
            combine([g(a), g(b)])
    else:
        assert combine([g(a), g(b), g(a)]).licence_ids == (a, b)
