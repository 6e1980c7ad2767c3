"""Licence catalogue, validation and use decisions."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from prov_helpers import TEXTBOOK_TERMS

from provenance.errors import ConfigError, LicenceError, UsageError
from provenance.licences import (
    REQUIRED_IDS,
    Terms,
    audience_allows,
    check_licence_catalogue,
    check_use,
    combine,
    default_licence_catalogue,
    licence_catalogue_path,
    load_licence_catalogue,
    permissiveness,
)


def test_shipped_catalogue_is_valid_and_complete():
    assert check_licence_catalogue() == []
    cat = default_licence_catalogue()
    for lid in REQUIRED_IDS:
        assert cat.get(lid) is not None, lid
    assert cat["OGDL-Taiwan-1.0"].attribution_required
    assert "https://data.gov.tw/license" in cat["OGDL-Taiwan-1.0"].attribution
    assert cat["LicenseRef-MODA-AI-Training"].purposes == {"training"}
    assert not cat["LicenseRef-MODA-AI-Training"].sublicensable
    assert cat["LicenseRef-Written-Agreement"].template
    # aliases used by the domain notes resolve to the same entries
    assert cat["LicenseRef-TW-CopyrightAct-Art9"].id == "LicenseRef-TW-Copyright-Art9"
    assert cat["LicenseRef-SAITD-Lic-Taiwan-1.0"].id == "LicenseRef-MODA-AI-Training"


def _write_variant(tmp_path: Path, mutate) -> Path:
    data = tomllib.loads(licence_catalogue_path().read_text(encoding="utf-8"))
    mutate(data)
    lines = ["version = 1"]
    for entry in data["licence"]:
        lines.append("[[licence]]")
        for k, v in entry.items():
            if isinstance(v, bool):
                lines.append(f"{k} = {'true' if v else 'false'}")
            elif isinstance(v, int):
                lines.append(f"{k} = {v}")
            elif isinstance(v, list):
                lines.append(f"{k} = [{', '.join(repr(x).replace(chr(39), chr(34)) for x in v)}]")
            else:
                lines.append(f"{k} = '''{v}'''")
    path = tmp_path / "catalogue.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _entry(data, lid):
    return next(e for e in data["licence"] if e["id"] == lid)


@pytest.mark.parametrize(
    "mutate,needle",
    [
        (lambda d: _entry(d, "CC-BY-4.0").update(id="CC-BY-4.5"), "`CC-BY-4.5`: unknown SPDX id"),
        (
            lambda d: _entry(d, "CC-BY-SA-4.0").pop("share_alike"),
            "`CC-BY-SA-4.0`: 'share_alike' is a required property",
        ),
        (
            lambda d: _entry(d, "CC-BY-NC-4.0").pop("attribution"),
            "`CC-BY-NC-4.0`: attribution_required but no attribution",
        ),
        (lambda d: _entry(d, "CC0-1.0").update(purposes=["training", "selling"]), "`CC0-1.0` field `purposes.1`"),
        (lambda d: _entry(d, "OGDL-Taiwan-1.0").update(audience=["everyone"]), "`OGDL-Taiwan-1.0` field `audience.0`"),
        (lambda d: d["licence"].remove(_entry(d, "CC0-1.0")), "required ids missing: CC0-1.0"),
        # an entry that contradicts the licence its SPDX id names (review 8, export #6)
        (
            lambda d: _entry(d, "CC-BY-NC-SA-4.0").update(commercial=True),
            "`CC-BY-NC-SA-4.0`: CC-BY-NC-SA-4.0 forbids commercial use (NC): set `commercial = false`",
        ),
        (
            lambda d: _entry(d, "CC-BY-SA-4.0").update(share_alike=False),
            "`CC-BY-SA-4.0`: CC-BY-SA-4.0 requires share-alike (SA): set `share_alike = true`",
        ),
        (
            lambda d: d["licence"].append({**_entry(d, "CC-BY-4.0"), "id": "CC-BY-ND-4.0", "aliases": []}),
            "`CC-BY-ND-4.0`: CC-BY-ND-4.0 forbids adaptations (ND)",
        ),
        # an SPDX id as another entry's alias: CC BY-NC records judged as commercial (review 10, export #1)
        (
            lambda d: _entry(d, "CC-BY-NC-4.0").update(
                id="LicenseRef-Open-Courseware", aliases=["CC-BY-NC-4.0"], commercial=True
            ),
            "`LicenseRef-Open-Courseware`: alias `CC-BY-NC-4.0` is not a LicenseRef- id",
        ),
        (
            lambda d: _entry(d, "CC-BY-4.0").setdefault("aliases", []).append("CC-BY-ND-4.0"),
            "`CC-BY-4.0`: alias `CC-BY-ND-4.0` is not a LicenseRef- id",
        ),
        (
            lambda d: _entry(d, "CC-BY-NC-4.0").update(id="LicenseRef-NC", aliases=["CC-BY-NC-4.0"]),
            "required ids missing: CC-BY-NC-4.0",
        ),
        # a date the schema's pattern passes: `licences check` said ok and every load refused it (review 10, export #2)
        (
            lambda d: _entry(d, "LicenseRef-MODA-AI-Training").update(expiry="2026-02-30"),
            "`LicenseRef-MODA-AI-Training`: expiry `2026-02-30` is not a date",
        ),
    ],
    ids=[
        "unknown-spdx",
        "missing-obligation",
        "missing-attribution",
        "bad-purpose",
        "bad-audience",
        "missing-id",
        "nc-commercial",
        "sa-not-share-alike",
        "nd",
        "nc-as-alias",
        "nd-as-alias",
        "required-only-as-alias",
        "impossible-expiry",
    ],
)
def test_check_names_the_bad_entry(tmp_path, cli, mutate, needle):
    path = _write_variant(tmp_path, mutate)
    problems = check_licence_catalogue(path)
    assert any(needle in p for p in problems), problems
    code, out, err = cli("licences", "check", "--catalogue", str(path))
    assert code == 1
    assert needle in err
    with pytest.raises(ConfigError, match="invalid"):
        load_licence_catalogue(path)


def test_unmodified_rewrite_passes(tmp_path, cli):
    path = _write_variant(tmp_path, lambda d: None)
    assert check_licence_catalogue(path) == []
    code, out, _ = cli("licences", "check", "--catalogue", str(path))
    assert code == 0 and "ok" in out


@pytest.mark.parametrize(
    ("content", "fix"),
    [
        (b"\xff\xfe\x00bad", "save it as UTF-8"),
        ("[[licence]]\n".encode("utf-16"), "save it as UTF-8"),
        (None, "readable"),
    ],
    ids=["binary", "utf-16", "folder"],
)
def test_an_unreadable_catalogue_is_one_line_from_the_error_root(tmp_path, cli, content, fix):
    """A catalogue file that is not UTF-8 text (or a folder) is a ConfigError on one line; it once ended in a
    UnicodeDecodeError traceback (review licences #3)."""
    path = tmp_path / "cat.toml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=f"licence catalogue `.*cat.toml` cannot be read as UTF-8 text.*{fix}"):
        load_licence_catalogue(path)
    code, out, err = cli("licences", "check", "--catalogue", str(path))
    assert code != 0 and "Traceback" not in out + err and len(err.strip().splitlines()) == 1, out + err
    assert "cannot be read as UTF-8 text" in err


@pytest.mark.parametrize(
    "lid,purpose,audience,commercial,ok",
    [
        ("CC0-1.0", "redistribution", "public", True, True),
        ("LicenseRef-TW-Copyright-Art9", "training", "public", True, True),
        ("OGDL-Taiwan-1.0", "redistribution", "public", True, True),
        ("CC-BY-NC-4.0", "training", "public", False, True),
        ("CC-BY-NC-4.0", "training", "public", True, False),
        ("LicenseRef-MODA-AI-Training", "training", "consortium", False, True),
        ("LicenseRef-MODA-AI-Training", "training", "member:CTBC", False, False),  # not transferable
        ("LicenseRef-MODA-AI-Training", "evaluation", "consortium", False, False),
        ("LicenseRef-MODA-AI-Training", "training", "public", False, False),
        ("LicenseRef-Written-Agreement", "training", "consortium", False, False),  # no terms: default deny
        ("LicenseRef-Nonexistent", "training", "consortium", False, False),
        (None, "training", "consortium", False, False),
    ],
    ids=lambda v: str(v),
)
def test_check_use(lid, purpose, audience, commercial, ok):
    dec = check_use(lid, purpose=purpose, audience=audience, commercial=commercial, at=dt.date(2026, 6, 1))
    assert dec.ok is ok, dec.reason
    assert bool(dec.reason) is (not ok)


def test_written_agreement_terms():
    at = dt.date(2026, 6, 1)
    lid = "LicenseRef-Written-Agreement"
    assert check_use(lid, purpose="training", audience="consortium", terms=TEXTBOOK_TERMS, at=at).ok
    assert check_use(lid, purpose="evaluation", audience="member:FUBON", terms=TEXTBOOK_TERMS, at=at).ok
    pub = check_use(lid, purpose="training", audience="public", terms=TEXTBOOK_TERMS, at=at)
    assert not pub.ok and "audience" in pub.reason
    red = check_use(lid, purpose="redistribution", audience="consortium", terms=TEXTBOOK_TERMS, at=at)
    assert not red.ok and "purpose" in red.reason
    late = check_use(lid, purpose="training", audience="consortium", terms=TEXTBOOK_TERMS, at=dt.date(2031, 1, 1))
    assert not late.ok and late.reason.startswith("expired")
    one_bank = {**TEXTBOOK_TERMS, "audience": ["member:CTBC"]}
    assert check_use(lid, purpose="training", audience="member:CTBC", terms=one_bank, at=at).ok
    assert not check_use(lid, purpose="training", audience="member:FUBON", terms=one_bank, at=at).ok
    assert not check_use(lid, purpose="training", audience="consortium", terms=one_bank, at=at).ok
    bad = check_use(lid, purpose="training", audience="consortium", terms={"agreement_id": "x"}, at=at)
    assert not bad.ok and "licensor" in bad.reason


def test_moda_grant_expiry_from_terms():
    terms = {
        "agreement_id": "TAIC-123",
        "licensor": "數位發展部",
        "audience": "consortium",
        "purposes": ["training"],
        "expiry": "2026-03-31",
    }
    lid = "LicenseRef-MODA-AI-Training"
    assert check_use(lid, purpose="training", audience="consortium", terms=terms, at=dt.date(2026, 3, 31)).ok
    assert not check_use(lid, purpose="training", audience="consortium", terms=terms, at=dt.date(2026, 4, 1)).ok
    # terms can never widen the catalogue entry
    wide = {**terms, "purposes": ["training", "redistribution"], "audience": "public", "expiry": None}
    assert not check_use(lid, purpose="redistribution", audience="consortium", terms=wide).ok
    assert not check_use(lid, purpose="training", audience="public", terms=wide).ok


def test_unknown_purpose_and_audience_list_valid_values():
    with pytest.raises(UsageError, match="training, evaluation, redistribution"):
        check_use("CC0-1.0", purpose="marketing", audience="public")
    with pytest.raises(UsageError, match="consortium, member:BANK, public"):
        check_use("CC0-1.0", purpose="training", audience="everyone")


def test_combine_is_most_restrictive_with_union_of_attributions():
    cat = default_licence_catalogue()
    src = {"source_id": "s", "title": "T", "metadata": {"provider": "P"}}
    g = combine(
        [
            cat.grant("OGDL-Taiwan-1.0", source=src),
            cat.grant("CC-BY-4.0", source=src),
            cat.grant("LicenseRef-Written-Agreement", TEXTBOOK_TERMS),
        ]
    )
    assert g.purposes == {"training", "evaluation"}
    assert g.audience == ("consortium",)
    assert not g.share_alike and not g.sublicensable
    # CC-BY-SA-4.0 in its place: the whole would have to be under BY-SA, which the consortium-only agreement
    # forbids (tests/provenance/test_share_alike_narrower.py)
    with pytest.raises(LicenceError, match="is share-alike and LicenseRef-Written-Agreement permits less"):
        combine([cat.grant("CC-BY-SA-4.0", source=src), cat.grant("LicenseRef-Written-Agreement", TEXTBOOK_TERMS)])
    assert g.expiry == dt.date(2030, 12, 31)
    assert len(g.attributions) == 3
    assert g.decide(purpose="training", audience="member:X", at=dt.date(2026, 1, 1)).ok
    assert not g.decide(purpose="training", audience="public", at=dt.date(2026, 1, 1)).ok
    # disjoint member audiences leave nobody
    a = cat.grant("LicenseRef-Written-Agreement", {**TEXTBOOK_TERMS, "audience": "member:A"})
    b = cat.grant("LicenseRef-Written-Agreement", {**TEXTBOOK_TERMS, "audience": "member:B"})
    assert combine([a, b]).audience == ()


def test_audience_order():
    assert audience_allows(["public"], "member:X")
    assert audience_allows(["consortium"], "consortium")
    assert not audience_allows(["member:X"], "consortium")
    assert not audience_allows([], "member:X")


def test_permissiveness_follows_catalogue_rank():
    cat = default_licence_catalogue()
    assert permissiveness("CC0-1.0") == cat["CC0-1.0"].rank
    assert permissiveness("CC-BY-4.0") > permissiveness("CC-BY-NC-4.0") > permissiveness("LicenseRef-Nope") == 0


def test_terms_parse_errors_name_field():
    with pytest.raises(LicenceError, match="purposes"):
        Terms.from_mapping({**TEXTBOOK_TERMS, "purposes": ["resale"]}, "X")
    with pytest.raises(LicenceError, match="expiry"):
        Terms.from_mapping({**TEXTBOOK_TERMS, "expiry": "next year"}, "X")


def test_cli_list_and_show(cli):
    code, out, _ = cli("licences", "list")
    assert code == 0
    for lid in REQUIRED_IDS:
        assert lid in out
    assert "transferable" in out.splitlines()[0]
    code, out, _ = cli("licences", "show", "OGDL-Taiwan-1.0")
    assert code == 0 and "政府資料開放授權條款" in out
    code, out, err = cli("licences", "show", "LicenseRef-Nope")
    # an id given on the command line that the catalogue lacks is a usage error (README: exit 2), as `audit record`'s
    assert code == 2 and "not in the licence catalogue" in err and len(err.strip().splitlines()) == 1
    code, out, err = cli("licences", "show", "LicenseRef-SAITD-Lic-Taiwan-1.0")  # an alias shows its licence
    assert code == 0 and "LicenseRef-MODA-AI-Training" in out


_IDS = sorted(set(REQUIRED_IDS) - {"LicenseRef-Written-Agreement"})
_TERMS = [None, TEXTBOOK_TERMS, {**TEXTBOOK_TERMS, "audience": ["member:A", "member:B"], "purposes": ["training"]}]


def test_combination_never_permits_what_a_part_forbids():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    cat = default_licence_catalogue()

    def grant(choice):
        lid, terms = choice
        if terms is not None:
            return cat.grant("LicenseRef-Written-Agreement", terms)
        return cat.grant(lid, source={"title": "T"})

    parts = st.tuples(st.sampled_from(_IDS), st.sampled_from(_TERMS))

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(parts, min_size=1, max_size=4),
        st.sampled_from(["training", "evaluation", "redistribution"]),
        st.sampled_from(["public", "consortium", "member:A", "member:C"]),
        st.booleans(),
        st.dates(dt.date(2025, 1, 1), dt.date(2032, 1, 1)),
    )
    def check(choices, purpose, audience, commercial, at):
        grants = [grant(c) for c in choices]
        if len({g.licence_ids for g in grants if g.share_alike}) > 1:
            # two share-alike licences permit nothing together (review 17: tests/provenance/test_share_alike_mix.py)
            with pytest.raises(LicenceError, match="are both share-alike"):
                combine(grants)
            return
        if any(_forbids_what_it_grants(g, other) for g in grants if g.share_alike for other in grants):
            # nor a share-alike part beside one that forbids a use it grants (tests/provenance/test_share_alike_narrower.py)
            with pytest.raises(LicenceError, match="is share-alike and"):
                combine(grants)
            return
        combined = combine(grants)
        each = [g.decide(purpose=purpose, audience=audience, commercial=commercial, at=at).ok for g in grants]
        assert combined.decide(purpose=purpose, audience=audience, commercial=commercial, at=at).ok == all(each)
        assert set(combined.attributions) == {a for g in grants for a in g.attributions}
        assert combine(list(reversed(grants))).decide(
            purpose=purpose, audience=audience, commercial=commercial, at=at
        ).ok == all(each)

    check()


def _forbids_what_it_grants(sa, other) -> bool:
    """Whether grant ``other`` (another licence than share-alike ``sa``) forbids a use ``sa`` permits, tried use by
    use (not by the engine's own rule)."""
    if set(other.licence_ids) <= set(sa.licence_ids) or set(sa.licence_ids) <= set(other.licence_ids):
        return False
    uses = [
        {"purpose": p, "audience": a, "commercial": c, "at": at}
        for p in ("training", "evaluation", "redistribution")
        for a in ("public", "consortium", "member:A", "member:C")
        for c in (False, True)
        for at in (dt.date(2025, 1, 1), dt.date(2031, 6, 1))
    ]
    return any(sa.decide(**u).ok and not other.decide(**u).ok for u in uses)


def test_deprecated_catalogue_names_are_the_licence_catalogue_api():
    import provenance

    assert provenance.Catalogue is provenance.LicenceCatalogue
    assert provenance.load_catalogue is provenance.load_licence_catalogue
    assert provenance.default_catalogue is provenance.default_licence_catalogue
    assert provenance.check_catalogue is provenance.check_licence_catalogue
    assert set(provenance.__all__) <= set(dir(provenance))


def test_expiry_is_judged_by_the_date_in_taiwan():
    """An agreement's expiry is its last day in Taiwan (UTC+8): at 01:00 in Taipei on the next day (17:00 UTC the
    day before) it has ended, which the UTC date would not say."""
    import datetime as dt

    from provenance.licences import licence_today

    late = dt.datetime(2026, 12, 5, 17, 0, tzinfo=dt.UTC)
    assert licence_today(late) == dt.date(2026, 12, 6) and late.date() == dt.date(2026, 12, 5)
    assert licence_today(dt.datetime(2026, 12, 5, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 12, 5)


def test_a_use_without_a_date_is_judged_at_today_in_taiwan(monkeypatch):
    import provenance.licences as lic

    terms = {"agreement_id": "T-1", "licensor": "數位發展部", "audience": "consortium", "purposes": ["training"]}
    lid = "LicenseRef-MODA-AI-Training"
    monkeypatch.setattr(lic, "licence_today", lambda now=None: dt.date(2026, 12, 6))
    assert not check_use(lid, purpose="training", audience="consortium", terms={**terms, "expiry": "2026-12-05"}).ok
    assert check_use(lid, purpose="training", audience="consortium", terms={**terms, "expiry": "2026-12-06"}).ok


def test_a_merged_grant_is_not_transferred_through_a_narrower_parts_audience():
    """Review 8 exports-fixes #1 (found by the combination property above): merging the consortium's AI-training grant
    (not transferable) with an agreement for banks A and B intersected their audiences to A and B, and then the merged
    grant let A use it, as if A were the AI-training grant's licensee. Each such part keeps its own licensee."""
    cat = default_licence_catalogue()
    terms = {"agreement_id": "AG", "licensor": "L", "audience": ["member:A", "member:B"], "purposes": ["training"]}
    terms["attribution"] = "L"
    merged = combine([cat.grant("LicenseRef-Written-Agreement", terms), cat.grant("LicenseRef-MODA-AI-Training")])
    assert not merged.decide(purpose="training", audience="member:A").ok
    assert merged.decide(purpose="training", audience="member:A", on_behalf_of="consortium").ok
    own = cat.grant("LicenseRef-MODA-AI-Training", {"audience": "member:A"})  # a bank's own grant: its licensee
    assert own.decide(purpose="training", audience="member:A").ok and own.licensees == (("member:A",),)


def test_aliases_given_as_one_string_are_one_schema_problem(tmp_path):
    """`aliases = "LicenseRef-X"` (no list) was read letter by letter: every letter an id, `id `e` already used`
    many times over beside the schema's one line (review 10)."""
    path = _write_variant(tmp_path, lambda d: _entry(d, "CC-BY-4.0").update(aliases="LicenseRef-CC-BY"))
    problems = check_licence_catalogue(path)
    assert problems == ["entry #4 `CC-BY-4.0` field `aliases`: 'LicenseRef-CC-BY' is not of type 'array'"], problems


def test_an_alias_may_spell_its_own_entrys_id(tmp_path):
    """Aliases that spell the entry's own id as manifests do (`cc-by-4.0`, `CC BY 4.0` on `CC-BY-4.0`) are the
    same licence, checked as its id is: the rule against SPDX ids as aliases (review 10, export #1) refused them,
    and with them every load of such a catalogue (review of the fixes 10). Another licence's id is still refused."""
    spellings = ["cc-by-4.0", "CC BY 4.0", "CC_BY_4.0"]
    path = _write_variant(tmp_path, lambda d: _entry(d, "CC-BY-4.0").update(aliases=spellings))
    assert check_licence_catalogue(path) == []
    cat = load_licence_catalogue(path)
    assert {cat.canonical(s) for s in spellings} == {"CC-BY-4.0"}
    path = _write_variant(tmp_path, lambda d: _entry(d, "CC-BY-4.0").update(aliases=["cc-by-nc-4.0"]))
    assert any("alias `cc-by-nc-4.0` is not a LicenseRef- id" in p for p in check_licence_catalogue(path))


@pytest.mark.parametrize(
    ("expiry", "needle"),
    [
        ("2026/12/31", "does not match"),  # the schema's line
        ("115-12-31", "does not match"),  # a ROC date
        ("2026-02-30", "is not a date"),  # the pattern passes, no calendar has it
        ("２０２６-１２-３１", "is not a date"),  # full-width digits: `\d` in the schema's pattern passes them
        ("2026-12-31\n", "is not a date"),  # `$` in the schema's pattern passes a final newline
    ],
    ids=["slashes", "roc", "impossible", "full-width", "newline"],
)
def test_a_bad_expiry_is_one_problem(tmp_path, expiry, needle):
    """Every expiry that no load accepts is named once: the check for a real date (review 10, export #2) named
    every one the schema's pattern refuses a second time (review of the fixes 10)."""
    path = _write_variant(tmp_path, lambda d: _entry(d, "LicenseRef-MODA-AI-Training").update(expiry=expiry))
    problems = check_licence_catalogue(path)
    assert len(problems) == 1 and needle in problems[0] and "expiry" in problems[0], problems
    with pytest.raises(ConfigError):
        load_licence_catalogue(path)
