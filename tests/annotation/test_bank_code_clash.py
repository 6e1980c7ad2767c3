"""Bank codes that differ only in case or punctuation share one set of per-bank Label Studio settings
(``LABEL_STUDIO_URL__CTBC``): a new one is refused before it gets projects on the other bank's instance."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from annotation.projects import ensure_project
from provenance import db
from provenance.errors import UsageError


class _Client:
    config = SimpleNamespace(instance="http://ls:8080")

    def __init__(self) -> None:
        self.created: list[str] = []

    def find_project(self, title: str) -> int | None:
        return None

    def create_project(self, title: str, **_: object) -> int:
        self.created.append(title)
        return len(self.created)


@pytest.fixture
def con(db_path):
    con = db.connect(db_path)
    for bank in ("CTBC", "e.sun"):
        con.execute(
            "INSERT INTO annotation_projects VALUES ('http://other:8080', ?, 'pii', 1, 't', 'x', now()::TIMESTAMP)",
            [bank],
        )
    yield con
    con.close()


@pytest.mark.parametrize(
    ("bank", "known", "key"),
    [("ctbc", "CTBC", "CTBC"), ("Ctbc", "CTBC", "CTBC"), ("E-SUN", "e.sun", "E_SUN"), ("e_sun", "e.sun", "E_SUN")],
    ids=["lower", "title", "punctuation", "underscore"],
)
def test_a_new_code_that_clashes_is_refused_unwritten(con, bank, known, key):
    client = _Client()
    with pytest.raises(UsageError, match=f"'{known}'.*LABEL_STUDIO_URL__{key}"):
        ensure_project(con, client, bank, "proofread")
    assert client.created == []
    assert con.execute("SELECT count(*) FROM annotation_projects").fetchone()[0] == 2


@pytest.mark.parametrize(
    "bank", ["CTBC", "e.sun", "ctbc2", "esun"], ids=["known", "known-punctuated", "other-digits", "other-letters"]
)
def test_known_and_distinct_codes_still_get_projects(con, bank):
    client = _Client()
    assert ensure_project(con, client, bank, "proofread") == 1
    assert client.created and bank in client.created[0]


def _tasks_file(cli, tmp_path, bank: str):
    """``annotate push --output`` of one moda record for ``bank``, by the real CLI."""
    data = tmp_path / "moda.jsonl"
    data.write_text('{"id": "1", "text": "本行依銀行法辦理內部控制。"}\n', encoding="utf-8")
    for args in (("ingest", "moda", str(data), "--licence", "CC-BY-4.0"), ("run", "pii", "--workers", "1")):
        code, out, err = cli("-q", *args)
        assert code == 0, (args, out, err)
    out = tmp_path / f"{bank}.json"
    return cli("annotate", "push", "--project", "proofread", "--bank", bank, "--output", str(out)), out


def test_a_new_bank_code_with_small_letters_is_refused(cli, db_path, tmp_path):
    """``--bank esun`` made tasks for ``member:esun``, an audience no grant may name (grants say ``member:ESUN``):
    that bank's annotators got the public and consortium records only, without a word (before review 16)."""
    (code, out, err), path = _tasks_file(cli, tmp_path, "esun")
    assert code == 2 and "--bank ESUN" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert not path.exists()
    (code, out, err), path = _tasks_file(cli, tmp_path, "ESUN")
    assert code == 0 and path.exists(), out + err


def test_a_small_letter_code_the_catalogue_already_has_keeps_working(cli, db_path, tmp_path):
    con = db.connect(db_path)
    con.execute(
        "INSERT INTO annotation_projects VALUES ('http://ls:8080', 'esun', 'pii', 1, 't', 'x', now()::TIMESTAMP)"
    )
    con.close()
    (code, out, err), path = _tasks_file(cli, tmp_path, "esun")
    assert code == 0 and path.exists(), out + err


def test_a_small_letter_code_the_catalogue_already_has_gets_its_own_agreements(db_path, tmp_path):
    """The bank ``esun`` that kept working (its projects were made before review 16) had its tasks judged for
    ``member:esun``, an audience no grant may name: the records licensed to ``member:ESUN`` never reached its
    annotators, without a word. Judged for ``member:ESUN`` now, as a push and a retraction of ``ESUN`` are."""
    from ls_records import add_record, add_source

    from annotation.push import PushConfig, write_tasks_file

    con = db.connect(db_path)
    con.execute(
        "INSERT INTO annotation_projects VALUES ('http://ls:8080', 'esun', 'topic', 1, 't', 'x', now()::TIMESTAMP)"
    )
    add_source(con)
    add_source(con, "tabf", "LicenseRef-Written-Agreement")
    terms = {"agreement_id": "E1", "licensor": "TABF", "attribution": "© TABF", "purposes": ["training"]}
    own = add_record(
        con,
        "玉山專屬講義：授信流程。",
        source_id="tabf",
        locator="esun-only",
        licence_id="LicenseRef-Written-Agreement",
        metadata={"licence_terms": {**terms, "audience": "member:ESUN"}},
    )
    other = add_record(
        con,
        "他行專屬講義：外匯流程。",
        source_id="tabf",
        locator="other-only",
        licence_id="LicenseRef-Written-Agreement",
        metadata={"licence_terms": {**terms, "agreement_id": "C1", "audience": "member:CTBC"}},
    )
    shared = add_record(con, "公開法規條文：授信應審慎辦理。", locator="open")
    out = tmp_path / "esun.json"
    write_tasks_file(con, PushConfig(project="topic", bank="esun"), out)
    con.close()
    got = {t["data"]["record_id"] for t in json.loads(out.read_text(encoding="utf-8"))}
    assert got == {own, shared} and other not in got, got
