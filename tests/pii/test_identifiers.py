"""Issue 13, leak 4: ids, file names, run parameters and quarantine rows built from personal data."""

import json
from collections.abc import Iterator

import pytest

from curate.ingest import ingest
from provenance import db
from sources.base import ErrorPolicy, RawItem, Record, Rejection, Source, SourceInfo

SECRETS = ("王小明", "A123456789", "0912345678", "lin.pei@example.com")


class PersonalFiles(Source):
    """A `pii_expected` source whose file names and id fields carry personal data."""

    name = "kyc_files"
    licence_id = "LicenseRef-Internal"

    def config(self) -> dict:
        return {"paths": ["/data/kyc/王小明_A123456789.jsonl"], "note": "contact 0912345678"}

    def source_infos(self) -> list[SourceInfo]:
        return [SourceInfo("kyc_files", kind="test", licence_id=self.licence_id, pii_expected=True)]

    def iter_raw(self) -> Iterator[RawItem]:
        yield RawItem("王小明_A123456789.jsonl#line=1", {"id": "A123456789", "text": "開戶申請已受理。"})
        yield Rejection(
            "王小明_A123456789.jsonl#line=2", "bad_json", '{"phone": "0912345678", "mail": "lin.pei@example.com"'
        )

    def to_records(self, raw: RawItem):
        yield Record(
            doc_key=f"kyc:id={raw.payload['id']}",
            locator=raw.locator,
            container="王小明_A123456789.jsonl",
            text=raw.payload["text"],
            source_id="kyc_files",
            licence_id=self.licence_id,
        )


class Textbooks(Source):
    """Not `pii_expected`: file names are shown as they are, only structured ids are pseudonymised."""

    name = "books"
    licence_id = "CC-BY-4.0"

    def source_infos(self) -> list[SourceInfo]:
        return [SourceInfo("books", kind="test", licence_id=self.licence_id)]

    def iter_raw(self) -> Iterator[RawItem]:
        yield RawItem("王大明教授講義.pdf#page=1", "貨幣具有交易媒介功能。")

    def to_records(self, raw: RawItem):
        yield Record(doc_key="books:王大明教授講義", locator=raw.locator, text=raw.payload, source_id="books")


def _dump(con) -> str:
    rows = []
    for table in ("records", "runs", "quarantine", "provenance_events"):
        rows += con.execute(f"SELECT * FROM {table}").fetchall()
    return json.dumps(rows, ensure_ascii=False, default=str)


def test_ids_file_names_params_and_quarantine_are_pseudonymised(db_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    ingest(db_path, PersonalFiles([]), on_error=ErrorPolicy.QUARANTINE)
    con = db.connect(db_path)
    dump = _dump(con)
    for secret in SECRETS:
        assert secret not in dump, secret
    doc_key, locator, container = con.execute("SELECT doc_key, locator, container FROM records").fetchone()
    assert doc_key.startswith("kyc:id=〔身分證字號#") and "#line=1" in locator and container.endswith(".jsonl")
    con.close()
    # deterministic under one key: re-ingesting changes nothing
    ingest(db_path, PersonalFiles([]), on_error=ErrorPolicy.QUARANTINE)
    con = db.connect(db_path)
    assert con.execute("SELECT count(*) FROM records").fetchone()[0] == 1
    con.close()


def test_other_sources_keep_file_names(db_path, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    ingest(db_path, Textbooks([]), on_error=ErrorPolicy.RAISE)  # nothing found: no key needed
    con = db.connect(db_path)
    assert con.execute("SELECT locator FROM records").fetchone()[0] == "王大明教授講義.pdf#page=1"
    con.close()


def test_pii_expected_ids_need_the_key(db_path, monkeypatch):
    from provenance.errors import ConfigError

    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    with pytest.raises(ConfigError, match="CURATE_PII_KEY"):
        ingest(db_path, PersonalFiles([]), on_error=ErrorPolicy.QUARANTINE)


def test_plain_digests_in_ids_of_pii_expected_sources_are_keyed(monkeypatch):
    import hashlib

    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    from curate.pii.identifiers import IdentifierGuard

    raw = "受處分人：林示範\n核處罰鍰。"
    plain = "fsc:sha:" + hashlib.sha256(raw.encode()).hexdigest()[:16]
    guard = IdentifierGuard()
    keyed = guard(plain, all_types=True)
    assert keyed.startswith("fsc:hk:") and hashlib.sha256(raw.encode()).hexdigest()[:16] not in keyed
    assert guard(plain, all_types=True) == keyed  # deterministic under one key
    assert guard(plain) == plain  # other sources: unchanged


@pytest.mark.parametrize(
    ("value", "secret"),
    [
        ("peijun.lin＠example.com.tw", "peijun.lin"),  # full-width @
        ("moda:id=0912－345－678", "345"),  # full-width hyphens
        ("0933　222　111.jsonl", "222"),  # ideographic spaces
        ("客戶A1\u200b23456789.pdf", "23456789"),  # a zero-width space inside the ID
        # review 9: digits grouped with dots (also Big5's U+2027) passed the pre-check unread
        ("聯絡0912.345.678.txt", "345.678"),
        ("手機0912\u2027345\u2027678.pdf", "345"),
        ("電話02.2771.8888.docx", "2771"),
        # integration review 10: an e-mail with its @ spelt out (review 10's recognizer) passed the pre-check unread
        ("申訴_wang.xiaoming(at)gmail.com.pdf", "wang.xiaoming"),
        ("來信 chen0815 [at] yahoo.com.tw.eml", "chen0815"),
        ("lin_pei AT hotmail dot com.txt", "lin_pei"),
        # review 12: @ by its Taiwanese name, a mobile number in pairs
        ("來信 ycchang 小老鼠 ms12.hinet.net.eml", "ycchang"),
        ("聯絡人手機0913 44 67 21.txt", "44 67 21"),
    ],
)
def test_structured_values_in_other_forms_are_pseudonymised(monkeypatch, value, secret):
    """The guard's cheap pre-check reads the value as the detector does (full-width forms, invisible characters):
    it once passed these through for sources not marked pii_expected although the detector finds each."""
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    from curate.pii.identifiers import IdentifierGuard

    out = IdentifierGuard()(value)
    assert secret not in out and "〔" in out, out


def test_the_pre_check_reads_a_spelt_out_at_as_the_recognizer_s_pre_screen_does():
    from curate.pii.identifiers import SPELT_EMAIL
    from curate.pii.obfuscated_email import PRESCREEN

    assert SPELT_EMAIL == PRESCREEN


CARD = "4532148870639511"  # Luhn-valid, a Visa prefix


class CardFiles(Source):
    """Not `pii_expected`: a card number alone in a file name, no card word near (review 11)."""

    name = "cards"
    licence_id = "CC-BY-4.0"

    def config(self) -> dict:
        return {"paths": [f"/data/unknownlic_{CARD}.txt"]}

    def source_infos(self) -> list[SourceInfo]:
        return [SourceInfo("cards", kind="test", licence_id=self.licence_id)]

    def iter_raw(self) -> Iterator[RawItem]:
        yield RawItem(f"申訴_{CARD}.txt", "貨幣具有交易媒介功能。")
        yield Rejection(f"unknownlic_{CARD}.txt", "unknown_licence", "no licence")

    def to_records(self, raw: RawItem):
        yield Record(
            doc_key=f"cards:{raw.locator}",
            locator=raw.locator,
            container=raw.locator,
            text=raw.payload,
            source_id="cards",
        )


def test_a_bare_card_number_in_a_file_name_is_pseudonymised(db_path, monkeypatch):
    """A Luhn-valid 16-digit number with an issuer's prefix alone in a file name was kept in the clear (quarantine,
    runs, records' ids) while IDs and phones there were pseudonymised: the card recognizer needs a card word near,
    and a file name has none."""
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    ingest(db_path, CardFiles([]), on_error=ErrorPolicy.QUARANTINE)
    con = db.connect(db_path)
    dump = _dump(con)
    assert CARD not in dump and "〔信用卡號#" in dump, dump
    assert con.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 1
    con.close()
    ingest(db_path, CardFiles([]), on_error=ErrorPolicy.QUARANTINE)  # deterministic: the same document
    con = db.connect(db_path)
    assert con.execute("SELECT count(*) FROM records").fetchone()[0] == 1
    con.close()


@pytest.mark.parametrize("value", ["report_20231231123456.pdf", "inv_4532148870639512.txt", "isbn_9789571234567.pdf"])
def test_numbers_that_are_no_card_stay_in_file_names(monkeypatch, value):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    from curate.pii.identifiers import IdentifierGuard

    assert IdentifierGuard()(value) == value  # nothing found: no key needed either


def test_a_catalogue_holding_bare_card_file_names_keeps_its_doc_keys(db_path, monkeypatch):
    """A catalogue ingested before bare card numbers in file names were pseudonymised: re-ingest stays a no-op (as
    for names, `raw_file_names_held`), not a second copy of every such document."""
    import curate.pii.identifiers as identifiers

    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    with monkeypatch.context() as before:
        before.setattr(identifiers, "bare_cards", lambda value: [])
        ingest(db_path, CardFiles([]), on_error=ErrorPolicy.QUARANTINE)
    ingest(db_path, CardFiles([]), on_error=ErrorPolicy.QUARANTINE)
    con = db.connect(db_path)
    assert con.execute("SELECT count(*), any_value(container) FROM records").fetchone() == (1, f"申訴_{CARD}.txt")
    con.close()
