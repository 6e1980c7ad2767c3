"""A source's labelled name is found in its other records however the one or the other spaces it (review 11,
integration review).

Since review 11 hygiene keeps a full-width space or a tab between two CJK characters (a statute table's cells), so a
form's aligned name stays spaced (受處分人：石　家銘). The source-wide pass searched the other records for that slice as
it was: 查石家銘未依規定 stayed in the clear (before, hygiene had joined the name and the pass found it), and a name
labelled unspaced was not found where another record spaced it. Names are stored and searched as the detector reads
text (compact_view): without the spaces between their CJK characters.
"""

from __future__ import annotations

import pytest
from catalogue_builder import add_source, ingest_run

from provenance import db

#: a name the detector does not read in running text alone (jieba has 石家 as a word): only the source's list finds it
CASES = [
    ("受處分人：石\u3000家銘\n本會依法核處罰鍰新臺幣一百萬元。", "查石家銘未依規定辦理內部控制制度，核有違失。"),
    ("受處分人：石\t家銘\n本會依法核處罰鍰新臺幣一百萬元。", "查石家銘未依規定辦理內部控制制度，核有違失。"),
    ("受處分人：石家銘\n本會依法核處罰鍰新臺幣一百萬元。", "查石\u3000家銘未依規定辦理內部控制制度，核有違失。"),
]


def _hygiene_then_pii(cli) -> None:
    for stage in ("hygiene", "pii"):
        code, _, err = cli("-q", "run", stage, "--workers", "1")
        assert code == 0, err


def _active_texts(db_path) -> dict[str, str]:
    """Each active record's text by locator."""
    con = db.connect_readonly(db_path)
    try:
        return dict(con.execute("SELECT locator, text FROM records WHERE status = 'active'").fetchall())
    finally:
        con.close()


@pytest.mark.parametrize(("labelled", "running"), CASES, ids=["label-fullwidth", "label-tab", "text-fullwidth"])
def test_a_spaced_name_is_scrubbed_across_the_source(db_path, cli, monkeypatch, labelled, running):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    add_source(con, "fsc", pii_expected=True)
    ingest_run(
        con,
        [
            {"source_id": "fsc", "locator": "case/1", "text": labelled},
            {"source_id": "fsc", "locator": "case/2", "text": running},
        ],
    )
    con.close()
    _hygiene_then_pii(cli)
    texts = _active_texts(db_path)
    for loc, text in texts.items():
        assert "家銘" not in text and "〔姓名〕" in text, (loc, text)


def test_a_spaced_name_a_reviewer_kept_is_not_scrubbed_across_the_source(db_path, cli, monkeypatch):
    # 84eac5d: names are stored as labelled (受處分人：石　家銘), since a reviewer's 非個資 digest is of the value as the
    # text showed it; stored compact (d751d93), the name escaped the allow-list and a later run scrubbed it anyway
    from curate.pii import allowlist
    from curate.pii.keys import load_key

    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    add_source(con, "fsc", pii_expected=True)
    ingest_run(con, [{"source_id": "fsc", "locator": "case/1", "text": CASES[0][0]}])
    con.close()
    _hygiene_then_pii(cli)
    con = db.connect(db_path)
    assert con.execute("SELECT count(*) FROM pii_source_names").fetchone()[0] == 1  # the name is stored
    rid = con.execute("SELECT record_id FROM records WHERE status = 'active'").fetchone()[0]
    allowlist.add(
        con, load_key(), source_id="fsc", entity_type="PERSON", value="石\u3000家銘", bank="b", annotator="a",
        record_id=rid,
    )  # fmt: skip
    ingest_run(con, [{"source_id": "fsc", "locator": "case/2", "text": CASES[0][1]}], config="y")
    con.close()
    _hygiene_then_pii(cli)
    texts = _active_texts(db_path)
    assert "石家銘" in texts["case/2"], texts
