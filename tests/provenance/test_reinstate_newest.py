"""A reinstatement beside an active version of the same document (review 7 of the relicense fixes, finding 1): while
a document's current text was withdrawn, its older text (a stale duplicate) was released active, by a licence
correction that superseded its survivor or by `run dedup`. Reinstating the current text left both active: `audit
verify` failed and the export shipped both texts. The reinstatement's rule compared only the versions it brought
back; now the newest text of the document stays active, whichever side it is on (`provenance/withdraw.py`:
`_newest_active`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from provenance import db
from tests.dedup.test_relicense_duplicates import _verify

A = "金融監督管理委員會發布銀行業辦理授信業務應注意事項，要求銀行加強徵信與風險控管，並定期檢討授信政策及作業程序。"
NEWS = "此外，主管機關亦將持續追蹤辦理情形並適時檢討修正相關規範，以維護金融市場之穩定與存款人權益。"
OTHER = "存款保險條例修正草案通過，提高存款保險最高保額，並強化要保機構之監理及退場機制。"


def _write(path: Path, rows: dict[str, str]) -> str:
    path.write_text(
        "".join(json.dumps({"id": k, "text": t}, ensure_ascii=False) + "\n" for k, t in rows.items()), "utf-8"
    )
    return str(path)


def _query(db_path: Path, sql: str, *params) -> list[tuple]:
    con = db.connect_readonly(db_path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _active(db_path: Path, doc: str) -> list[tuple[str, str]]:
    """(text, licence) of the active versions of the MODA document ``doc``."""
    return _query(
        db_path,
        "SELECT text, licence_id FROM records WHERE doc_key LIKE '%:id=' || ? AND status = 'active' ORDER BY ALL",
        doc,
    )


def _current(db_path: Path, doc: str) -> str:
    """The id of the active version of the MODA document ``doc``."""
    (rid,) = _query(db_path, "SELECT record_id FROM records WHERE doc_key LIKE '%:id=' || ? AND status = 'active'", doc)
    return rid[0]


@pytest.mark.parametrize("tail", ["", "甲"])
def test_a_reinstatement_after_a_correction_keeps_one_active_version_the_newest(cli, db_path, tmp_path, tail):
    """The correction writes both versions at one instant: by their ids (content-derived, so ``tail`` orders them one
    way or the other) either could look newer; the time their texts came decides."""
    news = NEWS + tail
    v1 = _write(tmp_path / "v1.jsonl", {"a": A, "b": A, "c": OTHER})
    v2 = _write(tmp_path / "v2.jsonl", {"a": A, "b": A + news, "c": OTHER})
    assert cli("-q", "ingest", "moda", v1, "--licence", "CC-BY-4.0")[0] == 0
    assert cli("-q", "run", "dedup")[0] == 0  # b copies a: a duplicate
    assert cli("-q", "ingest", "moda", v2, "--licence", "CC-BY-4.0")[0] == 0  # b's new text; its duplicate is stale
    current = _current(db_path, "b")
    assert cli("-q", "provenance", "withdraw", "--record", current, "--reason", "licensor asked")[0] == 0
    assert cli("-q", "run", "dedup")[0] == 0
    # the correction supersedes a, the stale duplicate's survivor: that duplicate is released, active
    assert cli("-q", "ingest", "moda", v2, "--licence", "CC-BY-NC-4.0")[0] == 0
    assert _active(db_path, "b") == [(A, "CC-BY-NC-4.0")]
    assert _verify(db_path) == []

    code, out, err = cli("provenance", "reinstate", "--record", current, "--reason", "cleared")
    assert code == 0, out + err
    assert "superseding 1 older active version" in out, out
    assert _active(db_path, "b") == [(A + news, "CC-BY-NC-4.0")]  # the newest text, alone
    assert _verify(db_path) == []
    code, out, err = cli("ingest", "moda", v2, "--licence", "CC-BY-NC-4.0")  # the correction again: nothing
    assert code == 0 and "0 new versions" in out, out + err
    assert cli("-q", "run", "dedup")[0] == 0
    assert _active(db_path, "b") == [(A + news, "CC-BY-NC-4.0")]
    assert _verify(db_path) == []


def test_a_reinstatement_without_a_correction_keeps_the_newest_text_either_way(cli, db_path, tmp_path):
    """No correction: the survivor of b's old text is superseded by a's new text, `run dedup` releases the stale
    duplicate once b's new text is withdrawn; reinstating b's new text supersedes it. Withdrawn and reinstated again,
    the old text comes back superseded beside the newer active one."""
    v1 = _write(tmp_path / "v1.jsonl", {"a": A, "b": A})
    v2 = _write(tmp_path / "v2.jsonl", {"a": OTHER, "b": A + NEWS})
    assert cli("-q", "ingest", "moda", v1, "--licence", "CC-BY-4.0")[0] == 0
    assert cli("-q", "run", "dedup")[0] == 0  # b copies a: a duplicate
    assert cli("-q", "ingest", "moda", v2, "--licence", "CC-BY-4.0")[0] == 0
    current = _current(db_path, "b")
    assert cli("-q", "provenance", "withdraw", "--record", current, "--reason", "licensor asked")[0] == 0
    assert cli("-q", "run", "dedup")[0] == 0  # releases the stale duplicate (its survivor is superseded)
    assert _active(db_path, "b") == [(A, "CC-BY-4.0")]
    old = _current(db_path, "b")

    assert cli("-q", "provenance", "reinstate", "--record", current, "--reason", "cleared")[0] == 0
    assert _active(db_path, "b") == [(A + NEWS, "CC-BY-4.0")]
    assert _verify(db_path) == []
    ((event,),) = _query(
        db_path, "SELECT action FROM provenance_events WHERE record_id = ? ORDER BY seq DESC LIMIT 1", old
    )
    assert event == "superseded_on_reinstatement"

    # the older text withdrawn and reinstated on its own: it comes back superseded, the newer one stays active
    assert cli("-q", "provenance", "withdraw", "--record", old, "--reason", "check")[0] == 0
    assert cli("-q", "provenance", "reinstate", "--record", old, "--reason", "check")[0] == 0
    assert _active(db_path, "b") == [(A + NEWS, "CC-BY-4.0")]
    assert _verify(db_path) == []
