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
    for stage in ("hygiene", "pii"):
        code, _, err = cli("-q", "run", stage, "--workers", "1")
        assert code == 0, err
    con = db.connect_readonly(db_path)
    try:
        texts = dict(con.execute("SELECT locator, text FROM records WHERE status = 'active'").fetchall())
    finally:
        con.close()
    for loc, text in texts.items():
        assert "家銘" not in text and "〔姓名〕" in text, (loc, text)
