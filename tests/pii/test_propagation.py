"""Issue 13, leaks 1, 2 and 4: repeated mentions, labelled fields, titles and metadata, across a source."""

import json

import pytest
from catalogue_builder import add_source, ingest_run

from provenance import db

#: the name must be one the detector does not read in running text alone (`核處石家銘`: jieba has 石家 as a word),
#: so that only the source's list of labelled names finds it there (林志明 is read on its own since round 11)
SANCTION = "受處分人：石家銘\n事實：經查石家銘於任職期間挪用客戶款項。\n主旨：核處石家銘新臺幣60萬元罰鍰。"
FORM = "代表人或管理人姓名\n王示範\n地址：新北市板橋區示範街2號"
RUNNING = "一、該行辦理存款業務，理財專員李示範挪用客戶款項。"


def test_repeated_mentions_in_one_text():
    from curate.pii.engine import PiiDetector
    from curate.pii.scrubber import scrub

    det = PiiDetector()
    out = scrub(SANCTION, det.analyze(SANCTION)).text
    assert "石家銘" not in out
    assert out.count("〔姓名〕") == 3


def test_repeated_structured_values():
    from curate.pii.engine import PiiDetector
    from curate.pii.scrubber import scrub

    text = "客戶手機0912345678。備註：回撥0912345678無人接聽；另寄至a.b@example.com，a.b@example.com已退信。"
    out = scrub(text, PiiDetector().analyze(text)).text
    assert "0912345678" not in out and "a.b@example.com" not in out


@pytest.mark.parametrize(
    "text,value",
    [
        (FORM, "王示範"),
        (RUNNING, "李示範"),
        ("受處分人：林示範\n", "林示範"),
        ("負責人：張示範，", "張示範"),
        ("聯絡人\t陳示範\t電話", "陳示範"),
        ("客户：周示范。", "周示范"),
    ],
)
def test_labelled_values_are_names_whatever_they_look_like(text, value):
    from curate.pii.engine import PiiDetector

    spans = PiiDetector().analyze(text)
    assert [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"] == [value]


def test_labels_do_not_take_ordinary_words():
    from curate.pii.labels import labelled_values

    for text in ("客戶\n服務說明。", "客戶王先生來電", "負責人應於三日內", "申請人於112年提出"):
        assert labelled_values(text) == [], text


@pytest.fixture
def catalogue(db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    add_source(con, "fsc", pii_expected=True)
    ingest_run(
        con,
        [
            {
                "source_id": "fsc",
                "locator": "case/1",
                "text": SANCTION,
                "title": "核處石家銘罰鍰案",
                "metadata": {"document_title": "石家銘案", "extra": {"respondent_phone": "0912345678"}},
            },
            # a later case names the same person only in running text: found through the source's list
            {"source_id": "fsc", "locator": "case/2", "text": "本會前於113年核處石家銘，該員已離職。"},
            {"source_id": "law", "locator": "a/1", "text": "石家銘路段之規定。"},  # another source: untouched
        ],
    )
    con.close()
    return db_path


def _active(con):
    return {
        loc: (text, title, meta, state)
        for loc, text, title, meta, state in con.execute(
            "SELECT locator, text, title, CAST(metadata AS VARCHAR), pii_state FROM records WHERE status = 'active'"
        ).fetchall()
    }


def test_stage_scrubs_every_field_and_the_source(catalogue, cli):
    code, _, err = cli("-q", "run", "pii", "--workers", "1", db=catalogue)
    assert code == 0, err
    con = db.connect(catalogue)
    act = _active(con)
    text, title, meta, state = act["case/1"]
    assert state == "scrubbed" and "石家銘" not in text and "石家銘" not in title
    assert "石家銘" not in meta and "0912345678" not in meta
    assert json.loads(meta)["extra"]["respondent_phone"] == "〔電話〕"
    assert act["case/2"][3] == "scrubbed" and "石家銘" not in act["case/2"][0]
    assert act["a/1"][0] == "石家銘路段之規定。"  # names propagate within a source only
    # nothing outside the vault holds the raw values: raw versions' text, title and metadata are sealed
    for col in ("text", "title", "CAST(metadata AS VARCHAR)"):
        n = con.execute(
            f"SELECT count(*) FROM records WHERE source_id = 'fsc' AND contains(coalesce({col}, ''), '石家銘')"
        ).fetchone()[0]
        assert n == 0, col
    ledger = con.execute("SELECT string_agg(CAST(detail AS VARCHAR), '') FROM provenance_events").fetchone()[0]
    assert "石家銘" not in ledger and "0912345678" not in ledger
    names = con.execute("SELECT count(*) FROM pii_source_names WHERE source_id = 'fsc'").fetchone()[0]
    assert names == 1
    con.close()


def test_a_deleted_source_name_is_named_by_verify(catalogue, cli, monkeypatch):
    """The source's name list decides what later PII runs scrub: deleting a row of it must not go unnoticed
    (review r4 sql #1: `DELETE FROM pii_source_names` left `audit verify` at ok)."""
    code, _, err = cli("-q", "run", "pii", "--workers", "1", db=catalogue)
    assert code == 0, err
    code, out, err = cli("audit", "verify", db=catalogue)  # the fixture's records have no ingest events
    assert "pii_source_names" not in out + err, out + err
    con = db.connect(catalogue)
    (event,) = con.execute(
        "SELECT CAST(detail AS VARCHAR) FROM provenance_events WHERE action = 'pii_source_names_stored'"
    ).fetchall()
    assert "石家銘" not in event[0] and json.loads(event[0])["source_id"] == "fsc"
    con.execute("DELETE FROM pii_source_names")
    con.close()
    code, out, err = cli("audit", "verify", db=catalogue)
    assert code != 0 and "pii_source_names row the ledger recorded" in out + err, out + err


def test_clean_records_are_rechecked_when_a_name_joins(catalogue, cli, db_path):
    con = db.connect(catalogue)
    # the second case only: clean on its own
    con.execute("UPDATE records SET status = 'withdrawn' WHERE locator = 'case/1'")
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1", db=catalogue)[0] == 0
    con = db.connect(catalogue)
    assert _active(con)["case/2"][3] == "clean"
    ingest_run(con, [{"source_id": "fsc", "locator": "case/3", "text": "受處分人：石家銘\n核處罰鍰。"}], "y")
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1", db=catalogue)[0] == 0
    con = db.connect(catalogue)
    act = _active(con)
    assert act["case/3"][3] == "scrubbed" and "石家銘" not in act["case/3"][0]
    assert act["case/2"][3] == "scrubbed" and "石家銘" not in act["case/2"][0]
    n = con.execute(
        "SELECT count(*) FROM records WHERE contains(coalesce(text, ''), '石家銘')"
        " AND source_id = 'fsc' AND status <> 'withdrawn'"
    ).fetchone()[0]
    assert n == 0
    con.close()


def test_normalise_before_pii_keeps_text_out_of_the_ledger(db_path, cli, monkeypatch):
    """Leak 7: running normalise first must not put a raw (Simplified) name into the permanent ledger."""
    con = db.connect(db_path)
    add_source(con, "kyc", pii_expected=True)
    ingest_run(con, [{"source_id": "kyc", "locator": "1", "text": "客户欧阳娜娜的账户已开通。"}])
    con.close()
    assert cli("-q", "run", "normalise", "--workers", "1", db=db_path)[0] == 0
    con = db.connect(db_path)
    ledger = con.execute("SELECT string_agg(CAST(detail AS VARCHAR), '') FROM provenance_events").fetchone()[0]
    assert '"edits"' in ledger
    for ch in ("欧", "娜", "歐"):
        assert ch not in ledger
    con.close()


@pytest.mark.parametrize(
    "text", ["業務員任職期間挪用客戶款項。", "行為人任職於該公司。", "客戶關係管理", "客戶金錢、證券"]
)
def test_role_words_before_ordinary_words_are_not_names(text):
    from curate.pii.engine import PiiDetector

    assert PiiDetector().analyze(text) == []


@pytest.mark.parametrize("chunk", [1, 2, 5_000])
def test_source_names_are_written_in_bounded_chunks(catalogue, cli, monkeypatch, chunk):
    """The source-wide scrub reads, scrubs and writes a chunk at a time (1M records ran out of memory in one)."""
    import curate.pii.source_names as sn
    import curate.pii.vault as vault

    monkeypatch.setattr(sn, "CHUNK", chunk)
    monkeypatch.setattr(vault, "SEAL_CHUNK", chunk)  # the run's last seal, a chunk of texts at a time
    con = db.connect(catalogue)
    more = [{"source_id": "fsc", "locator": f"later/{i}", "text": f"第{i}案：核處石家銘罰鍰。"} for i in range(5)]
    ingest_run(con, more, "more")
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1", db=catalogue)
    assert code == 0, err
    con = db.connect(catalogue)
    act = _active(con)
    assert all(act[f"later/{i}"][3] == "scrubbed" and "石家銘" not in act[f"later/{i}"][0] for i in range(5))
    propagated = con.execute(
        "SELECT count(*) FROM provenance_events WHERE action = 'pii_scrubbed'"
        " AND json_extract_string(detail, '$.propagated') = 'source_names'"
    ).fetchone()[0]
    assert propagated == 6  # case/2 and the five later cases
    # every event names the version it made, that version is the active one, and the event carries its seal
    # (content digest and licence) for `audit verify`'s cross-check
    orphan = con.execute(
        "SELECT count(*) FROM provenance_events e WHERE json_extract_string(e.detail, '$.propagated') = 'source_names'"
        " AND NOT EXISTS (SELECT 1 FROM records r WHERE r.record_id = json_extract_string(e.detail, '$.new_record_id')"
        " AND r.status = 'active' AND r.pii_state = 'scrubbed'"
        " AND r.content_sha256 = json_extract_string(e.detail, '$.new_sha256')"
        " AND r.licence_id IS NOT DISTINCT FROM json_extract_string(e.detail, '$.new_licence_id'))"
    ).fetchone()[0]
    assert orphan == 0
    # every raw record (the six superseded by the propagation among them) is sealed: text gone, in the vault
    raw, unsealed = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE r.text IS NOT NULL"
        " OR NOT EXISTS (SELECT 1 FROM raw_vault v WHERE v.record_id = r.record_id))"
        " FROM records r WHERE r.pii_state = 'raw'"
    ).fetchone()
    assert raw >= 6 and unsealed == 0
    from provenance import ledger

    assert ledger.verify(con).ok
    con.close()


def test_an_older_raw_title_is_sealed_when_a_later_run_learns_the_name(db_path, cli, monkeypatch):
    """A raw version sealed in an earlier run kept its title in clear (its scrubbed successor showed the same);
    when a later run learns the name there and scrubs the successor again, that older title goes to the vault too."""
    monkeypatch.setenv("CURATE_PII_KEY", "5e" * 32)
    con = db.connect(db_path)
    add_source(con, "fsc", pii_expected=True)
    text = "本會前於113年核處石家銘，該員已離職，電話0912345678。"  # only the phone is found on its own
    ingest_run(con, [{"source_id": "fsc", "locator": "case/2", "title": "核處石家銘罰鍰案", "text": text}])
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1", db=db_path)[0] == 0
    con = db.connect(db_path)
    titles = con.execute("SELECT pii_state, title FROM records WHERE locator = 'case/2' ORDER BY created_at").fetchall()
    assert titles == [("raw", "核處石家銘罰鍰案"), ("scrubbed", "核處石家銘罰鍰案")]  # the name is not known yet
    ingest_run(con, [{"source_id": "fsc", "locator": "case/3", "text": "受處分人：石家銘\n核處罰鍰。"}], "y")
    con.close()
    assert cli("-q", "run", "pii", "--workers", "1", db=db_path)[0] == 0
    con = db.connect(db_path)
    rows = con.execute(
        "SELECT pii_state, title, text FROM records WHERE locator = 'case/2' ORDER BY created_at"
    ).fetchall()
    assert [r[0] for r in rows] == ["raw", "raw", "scrubbed"]
    assert all("石家銘" not in (title or "") and "石家銘" not in (text or "") for _, title, text in rows)
    from curate.pii.keys import load_key
    from curate.pii.vault import read_raw, title_vault_id

    oldest = con.execute(
        "SELECT record_id FROM records WHERE locator = 'case/2' ORDER BY created_at LIMIT 1"
    ).fetchone()[0]
    assert read_raw(con, title_vault_id(oldest), load_key()) == "核處石家銘罰鍰案"
    con.close()


def test_a_value_set_finds_what_the_plain_mapping_finds():
    """ValueSet only builds the pattern once: every span and every any_value answer as with a plain dict,
    (a pattern that does not put the longer of two overlapping values first fails it)."""
    import random

    from curate.pii.propagate import ValueSet, any_value, find_values

    rng = random.Random(17)
    han = "林陳王李張黃吳劉蔡楊志明美玲家豪淑芬之規定罰鍰"
    for _ in range(200):
        plain = {
            "".join(rng.choice(han) for _ in range(rng.randint(2, 4))): ("PERSON", 0.9)
            for _ in range(rng.randint(1, 30))
        }
        plain.update({f"09{rng.randint(10**7, 10**8 - 1)}": ("TW_PHONE", 0.8) for _ in range(rng.randint(0, 3))})
        values = ValueSet(plain)
        texts = ["".join(rng.choice(han + "0912３４5678 ，。") for _ in range(rng.randint(0, 80))) for _ in range(5)]
        texts += [rng.choice(list(plain)) + "核處" + rng.choice(list(plain)), "電話" + rng.choice(list(plain))]
        for t in texts:
            assert find_values(t, values) == find_values(t, plain)
        assert any_value(texts, values) == any_value(texts, plain)
        assert any_value(texts[:2], values) == any_value(texts[:2], plain)
