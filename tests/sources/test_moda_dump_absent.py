"""Review 18 sources #1: MODA rows of an earlier dump that a new dump no longer holds stayed active (under the old
licence, when the new dump was ingested under a corrected ``--licence``) and nothing said so. The summary now counts
them in one line; ``ingest moda --complete`` marks them superseded with a ``removed_from_source`` event each, and
refuses to mark anything when the run quarantined an item (a bad line may be one of them)."""

from __future__ import annotations

import json
import pathlib

import duckdb
import pytest

OGDL = "OGDL-Taiwan-1.0"
AI = "LicenseRef-MODA-AI-Training"
ROWS = {"1": "本行辦理房屋貸款業務，依規定審核借款人還款能力。", "2": "信用卡循環信用利率依主管機關規定公告。"}


def _dump(tmp_path, name, ids, extra=""):
    """The dump's folder ``ds1``: a new dump is unpacked over the old one (``name`` only tells the calls apart)."""
    f = tmp_path / "dumps" / "ds1" / "m.jsonl"
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text("".join(json.dumps({"id": i, "text": ROWS[i]}, ensure_ascii=False) + "\n" for i in ids) + extra)
    return f.parent


def _rows(db_path):
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        recs = con.execute(
            "SELECT json_extract_string(metadata, '$.id'), status, licence_id FROM records ORDER BY 1, 2"
        ).fetchall()
        events = con.execute(
            "SELECT record_id, detail FROM provenance_events WHERE action = 'removed_from_source' ORDER BY 1"
        ).fetchall()
    finally:
        con.close()
    return recs, events


COPY = ROWS["1"] + "並定期檢討授信政策與風險控管，以維護存款人權益。"


def _copy_removed(cli, tmp_path, db_path, *extra):
    """Two rows of one text: dedup keeps one (``kept``) and drops the other (``dup``); then a dump holding only the
    kept row is ingested with ``--complete``. Returns the dump file, both rows' lines, dup, kept and that output."""
    f = tmp_path / "dumps" / "ds1" / "m.jsonl"
    f.parent.mkdir(parents=True)
    both = "".join(json.dumps({"id": i, "text": COPY}, ensure_ascii=False) + "\n" for i in ("1", "2"))
    f.write_text(both)
    assert cli("ingest", "moda", str(f.parent), "--licence", OGDL, *extra)[0] == 0
    for stage in ("hygiene", "pii", "dedup"):
        assert cli("-q", "run", stage, "--workers", "1")[0] == 0
    status = {i: s for i, s, _ in _rows(db_path)[0]}
    dup = next(i for i, s in status.items() if s == "duplicate")
    kept = next(i for i, s in status.items() if s == "active")
    f.write_text(json.dumps({"id": kept, "text": COPY}, ensure_ascii=False) + "\n")
    code, out, err = cli("ingest", "moda", str(f.parent), "--licence", OGDL, *extra, "--complete")
    assert code == 0, out + err
    return f, both, dup, kept, out


def test_rows_missing_from_a_new_dump_are_counted_and_stay_active(cli, tmp_path, db_path):
    assert cli("ingest", "moda", str(_dump(tmp_path, "v1", ["1", "2"])), "--licence", OGDL)[0] == 0
    code, out, _ = cli("ingest", "moda", str(_dump(tmp_path, "v2", ["1"])), "--licence", AI)
    assert code == 0, out
    assert "1 records of earlier dumps not in this one" in out and "--complete" in out, out
    assert ROWS["2"] not in out
    recs, events = _rows(db_path)
    assert ("2", "active", OGDL) in recs and not events


def test_complete_marks_them_removed_from_source_with_a_ledger_row_each(cli, tmp_path, db_path):
    assert cli("ingest", "moda", str(_dump(tmp_path, "v1", ["1", "2"])), "--licence", OGDL)[0] == 0
    code, out, _ = cli("ingest", "moda", str(_dump(tmp_path, "v2", ["1"])), "--licence", AI, "--complete")
    assert code == 0, out
    assert "1 records of earlier dumps not in this one" in out and "marked removed_from_source" in out, out
    recs, events = _rows(db_path)
    assert ("2", "superseded", OGDL) in recs
    assert [s for i, s, _ in recs if i == "1"].count("active") == 1
    assert len(events) == 1 and json.loads(events[0][1])["status"] == "superseded"
    assert cli("audit", "verify")[0] == 0
    # the same dump again: nothing more is missing
    code, out, _ = cli("ingest", "moda", str(_dump(tmp_path, "v3", ["1"])), "--licence", AI, "--complete")
    assert code == 0 and "earlier dumps" not in out, out


def test_complete_marks_nothing_when_the_run_quarantined_an_item(cli, tmp_path, db_path):
    assert cli("ingest", "moda", str(_dump(tmp_path, "v1", ["1", "2"])), "--licence", OGDL)[0] == 0
    folder = _dump(tmp_path, "v2", ["1"], extra='{"id": "2", "text": \n')
    code, out, _ = cli("ingest", "moda", str(folder), "--licence", OGDL, "--complete")
    assert code == 3, out
    assert "1 records of earlier dumps not in this one" in out and "none marked" in out, out
    recs, events = _rows(db_path)
    assert ("2", "active", OGDL) in recs and not events


def test_other_datasets_are_not_counted(cli, tmp_path, db_path):
    assert cli("ingest", "moda", str(_dump(tmp_path, "v1", ["1", "2"])), "--licence", OGDL)[0] == 0
    other = tmp_path / "dumps" / "ds2" / "m.jsonl"
    other.parent.mkdir(parents=True)
    other.write_text(json.dumps({"id": "9", "text": ROWS["1"] + "另案"}, ensure_ascii=False) + "\n")
    code, out, _ = cli("ingest", "moda", str(other.parent), "--licence", OGDL, "--complete")
    assert code == 0 and "earlier dumps" not in out, out
    assert not _rows(db_path)[1]


def test_a_dataset_named_with_dataset_is_one_dump_too(cli, tmp_path, db_path):
    first = _dump(tmp_path, "v1", ["1", "2"])
    assert cli("ingest", "moda", str(first), "--licence", OGDL, "--dataset", "金融語料")[0] == 0
    code, out, _ = cli(
        "ingest", "moda", str(_dump(tmp_path, "v2", ["2"])), "--licence", OGDL, "--dataset", "金融語料", "--complete"
    )
    assert code == 0 and "1 records of earlier dumps not in this one" in out, out
    recs, events = _rows(db_path)
    assert ("1", "superseded", OGDL) in recs and len(events) == 1


def test_complete_given_one_file_of_a_dataset_folder_marks_none(cli, tmp_path, db_path):
    """Review 18 (reviewer): ``ds1/m.jsonl`` is one of the folder's resources; ``ds1/other.jsonl`` beside it is not
    "not in this dump", so --complete with the file alone marks nothing and says to give the folder."""
    folder = _dump(tmp_path, "v1", ["1"])
    (folder / "other.jsonl").write_text(json.dumps({"id": "2", "text": ROWS["2"]}, ensure_ascii=False) + "\n")
    assert cli("ingest", "moda", str(folder), "--licence", OGDL)[0] == 0
    code, out, _ = cli("ingest", "moda", str(folder / "m.jsonl"), "--licence", OGDL, "--complete")
    assert code == 0 and "none marked" in out and "whole folder" in out, out
    recs, events = _rows(db_path)
    assert ("2", "active", OGDL) in recs and not events
    code, out, _ = cli("ingest", "moda", str(folder), "--licence", OGDL, "--complete")  # the folder: nothing absent
    assert code == 0 and "earlier dumps" not in out, out


def test_a_row_complete_removed_that_a_later_dump_holds_again_is_active_again(cli, tmp_path, db_path):
    """Review 18 (reviewer): the row came back unchanged, so its record id was the removed record's, the ingest wrote
    nothing ("unchanged") and the row stayed superseded for good; under another licence it stays removed, said."""
    assert cli("ingest", "moda", str(_dump(tmp_path, "v1", ["1", "2"])), "--licence", OGDL)[0] == 0
    assert cli("ingest", "moda", str(_dump(tmp_path, "v2", ["1"])), "--licence", OGDL, "--complete")[0] == 0
    code, out, _ = cli("ingest", "moda", str(_dump(tmp_path, "v3", ["1", "2"])), "--licence", AI)
    assert code == 0 and "1 more stay removed (read under another licence" in out, out
    assert ("2", "superseded", OGDL) in _rows(db_path)[0]
    code, out, _ = cli("ingest", "moda", str(_dump(tmp_path, "v4", ["1", "2"])), "--licence", OGDL)
    assert code == 0 and "1 records removed by an earlier --complete are in this dump again" in out, out
    assert ("2", "active", OGDL) in _rows(db_path)[0]
    assert cli("audit", "verify")[0] == 0


@pytest.mark.parametrize("error", [PermissionError(13, "Permission denied"), OSError(5, "Input/output error")])
def test_complete_given_a_file_whose_folder_cannot_be_listed_marks_none(cli, tmp_path, db_path, monkeypatch, error):
    """Review 18 (last read, second look): a file in a folder the user may read but not list (chmod 311, a failing
    mount) ended ``--complete`` in a traceback; its other files are unknown, so nothing is marked and it says why."""
    folder = _dump(tmp_path, "v1", ["1", "2"])
    assert cli("ingest", "moda", str(folder), "--licence", OGDL)[0] == 0
    (folder / "m.jsonl").write_text(json.dumps({"id": "1", "text": ROWS["1"]}, ensure_ascii=False) + "\n")
    listed = pathlib.Path.iterdir

    def iterdir(self):
        if self == folder:
            raise error
        return listed(self)

    monkeypatch.setattr(pathlib.Path, "iterdir", iterdir)
    code, out, err = cli("ingest", "moda", str(folder / "m.jsonl"), "--licence", OGDL, "--complete")
    assert code == 0 and "none marked" in out and "cannot be listed" in out, out + err
    assert str(tmp_path) not in out + err
    recs, events = _rows(db_path)
    assert ("2", "active", OGDL) in recs and not events


def test_a_returned_survivor_leaves_the_release_of_its_copy_verifiable(cli, tmp_path, db_path):
    """Review 18 (integration): --complete removed a dedup survivor, releasing its copy; the row came back and is
    active again (returned_to_source). ``audit verify`` judged the release by the survivor's status now (active), not
    then (removed from its source), and failed a catalogue nobody touched by hand."""
    folder = tmp_path / "dumps" / "ds1"
    folder.mkdir(parents=True)
    text = ROWS["1"] + "每月底公告利率。"

    def dump(ids):
        (folder / "m.jsonl").write_text(
            "".join(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n" for i in ids)
        )
        return str(folder)

    assert cli("ingest", "moda", dump(["1", "2"]), "--licence", OGDL)[0] == 0
    assert cli("run", "dedup")[0] == 0
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        (survivor,) = con.execute(
            "SELECT json_extract_string(metadata, '$.id') FROM records WHERE status = 'active'"
        ).fetchone()
    finally:
        con.close()
    copy = "2" if survivor == "1" else "1"
    assert cli("ingest", "moda", dump([copy]), "--licence", OGDL, "--complete")[0] == 0
    assert cli("ingest", "moda", dump(["1", "2"]), "--licence", OGDL, "--complete")[0] == 0
    code, out, _ = cli("audit", "verify")
    assert code == 0, out
    assert cli("run", "dedup")[0] == 0
    code, out, _ = cli("audit", "verify")
    assert code == 0, out


def _set_status(db_path, row_id, status):
    con = duckdb.connect(str(db_path))
    try:
        con.execute("UPDATE records SET status = ? WHERE json_extract_string(metadata, '$.id') = ?", [status, row_id])
    finally:
        con.close()


def test_a_removed_row_made_active_by_hand_or_a_returned_one_superseded_fails_verify(cli, tmp_path, db_path):
    """Review 18 (integration): a row --complete removed, set active again by hand (so an export would take it), passed
    audit verify, and so did a returned row set superseded by hand (its old removed_from_source vouched for it): the
    newest of its removed_from_source / returned_to_source events is its source's word."""
    assert cli("ingest", "moda", str(_dump(tmp_path, "v1", ["1", "2"])), "--licence", OGDL)[0] == 0
    assert cli("ingest", "moda", str(_dump(tmp_path, "v2", ["1"])), "--licence", OGDL, "--complete")[0] == 0
    _set_status(db_path, "2", "active")
    code, out, _ = cli("audit", "verify")
    assert code == 1 and "active although removed from its source" in out, out
    _set_status(db_path, "2", "superseded")
    assert cli("audit", "verify")[0] == 0
    assert cli("ingest", "moda", str(_dump(tmp_path, "v3", ["1", "2"])), "--licence", OGDL)[0] == 0
    assert cli("audit", "verify")[0] == 0
    _set_status(db_path, "2", "superseded")
    code, out, _ = cli("audit", "verify")
    assert code == 1 and "superseded without a newer version or a supersede event" in out, out


def test_a_row_removed_before_a_pii_rekey_returns_after_it(cli, tmp_path, db_path, monkeypatch):
    """Review 18 (integration): the return read the ledger's removals by the ids they were written with, and ``curate
    pii rekey`` gives a pii_expected source's records new ids (the ledger keeps the old ones): a row --complete removed
    before the rekey stayed removed in every later dump that held it, unchanged, and nothing said so."""
    from pii_oracle import _plain_path

    with monkeypatch.context() as m:  # made before keyed ids: plain ids
        _plain_path(m)
        for ids, extra in ((["1", "2"], ()), (["1"], ("--complete",))):
            code, out, err = cli(
                "ingest", "moda", str(_dump(tmp_path, "v", ids)), "--licence", OGDL, "--pii-expected", *extra
            )
            assert code == 0, out + err
    assert cli("pii", "rekey")[0] == 0
    code, out, _ = cli(
        "ingest", "moda", str(_dump(tmp_path, "v3", ["1", "2"])), "--licence", OGDL, "--pii-expected", "--complete"
    )
    assert code == 0 and "1 records removed by an earlier --complete are in this dump again" in out, out
    assert [s for i, s, _ in _rows(db_path)[0]] == ["active", "active"]
    assert cli("audit", "verify")[0] == 0


def test_a_duplicate_row_the_dump_lacks_is_removed_too_and_not_released_when_its_survivor_goes(cli, tmp_path, db_path):
    """Review 18 (annotation #2 reviewer): ``--complete`` marked only active records, so the row dedup had marked a
    duplicate stayed ``duplicate`` though the dump lacked it, and withdrawing its survivor released it as active:
    text its source took down was active (exported, offered to annotators) again. It is marked removed like the rest;
    when it returns, it is active again and clustered again by the next dedup run."""
    f, both, dup, kept, out = _copy_removed(cli, tmp_path, db_path)
    assert "1 records of earlier dumps not in this one" in out, out
    assert (dup, "superseded", OGDL) in _rows(db_path)[0]
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        survivor_id = con.execute("SELECT record_id FROM records WHERE status = 'active'").fetchone()[0]
    finally:
        con.close()
    assert cli("provenance", "withdraw", "--record", survivor_id, "--reason", "erasure")[0] == 0
    assert (dup, "superseded", OGDL) in _rows(db_path)[0]
    assert cli("audit", "verify")[0] == 0
    # it returns: its survivor was withdrawn meanwhile, so it is released (active again, with the release's event)
    f.write_text(both)
    code, out, _ = cli("ingest", "moda", str(f.parent), "--licence", OGDL)
    assert code == 0 and "1 records removed by an earlier --complete are in this dump again" in out, out
    assert (dup, "active", OGDL) in _rows(db_path)[0]
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        released = con.execute("SELECT count(*) FROM provenance_events WHERE action = 'duplicate_released'").fetchone()
    finally:
        con.close()
    assert released[0] == 1
    code, out, err = cli("audit", "verify")
    assert code == 0, (out, err)


def test_a_removed_duplicate_that_returns_beside_its_survivor_is_its_duplicate_again(cli, tmp_path, db_path):
    """Its survivor still active: active again it would be exported twice; it is dedup's copy again."""
    f, both, dup, kept, _ = _copy_removed(cli, tmp_path, db_path)
    assert (dup, "superseded", OGDL) in _rows(db_path)[0]
    f.write_text(both)
    assert cli("ingest", "moda", str(f.parent), "--licence", OGDL)[0] == 0
    assert (dup, "duplicate", OGDL) in _rows(db_path)[0] and (kept, "active", OGDL) in _rows(db_path)[0]
    code, out, err = cli("audit", "verify")
    assert code == 0, (out, err)


def test_the_complete_note_counts_the_live_tasks_of_every_version_of_a_removed_row(cli, tmp_path, db_path):
    """Review 18 (annotation #2 reviewer): the note counted only tasks of the removed record itself; a task pushed for
    an earlier version of the row (not yet replaced by a push of the new one) shows its text too and is retracted
    by the next sync (annotation/retract works per document), so it is counted."""
    assert cli("ingest", "moda", str(_dump(tmp_path, "v1", ["1", "2"])), "--licence", OGDL)[0] == 0
    con = duckdb.connect(str(db_path))
    try:
        rid, key = con.execute("SELECT record_id, doc_key FROM records WHERE metadata->>'$.id' = '2'").fetchone()
        con.execute(
            "INSERT INTO annotation_tasks (record_id, doc_key, bank, project, instance, ls_project_id, ls_task_id,"
            " pushed_at) VALUES (?, ?, 'b1', 'proofread', 'http://127.0.0.1:1', 1, 7, now())",
            [rid, key],
        )
    finally:
        con.close()
    ROWS["2b"] = ROWS["2"] + "（修正）"
    f = tmp_path / "dumps" / "ds1" / "m.jsonl"
    f.write_text(
        "".join(json.dumps({"id": i, "text": ROWS[k]}, ensure_ascii=False) + "\n" for i, k in (("1", "1"), ("2", "2b")))
    )
    del ROWS["2b"]
    assert cli("ingest", "moda", str(f.parent), "--licence", OGDL)[0] == 0
    code, out, _ = cli("ingest", "moda", str(_dump(tmp_path, "v3", ["1"])), "--licence", OGDL, "--complete")
    assert code == 0 and "1 Label Studio tasks show them" in out, out


def test_a_removed_duplicate_returns_as_a_duplicate_after_a_pii_rekey(cli, tmp_path, db_path, monkeypatch):
    """Review 18 (integration of the two --complete fixes): whether a returning row was dedup's copy is read from its
    removal's event; that read must go through the rekey's id map as the return itself does, or a duplicate removed
    before ``curate pii rekey`` comes back active beside its survivor (exported twice)."""
    from pii_oracle import _plain_path

    with monkeypatch.context() as m:  # made before keyed ids: plain ids
        _plain_path(m)
        f, both, dup, kept, _ = _copy_removed(cli, tmp_path, db_path, "--pii-expected")
    assert (dup, "superseded", OGDL) in _rows(db_path)[0]
    assert cli("pii", "rekey")[0] == 0
    f.write_text(both)
    code, out, err = cli("ingest", "moda", str(f.parent), "--licence", OGDL, "--pii-expected")
    assert code == 0 and "are in this dump again" in out, out + err
    assert (dup, "duplicate", OGDL) in _rows(db_path)[0] and (kept, "active", OGDL) in _rows(db_path)[0]
    code, out, err = cli("audit", "verify")
    assert code == 0, (out, err)
