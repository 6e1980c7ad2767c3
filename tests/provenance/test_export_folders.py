"""Export folders after the fact: `audit verify-export` finds the right export and reports every tampering in one
line each; recall lists every folder an export was written to; `--as-of` is judged by the Taiwan date (review
round 3, licence-gated exports)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest


def _export(cli, out: Path, purpose: str = "training", audience: str = "consortium") -> str:
    code, stdout, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--non-commercial",
        "--purpose",
        purpose,
        "--audience",
        audience,
        "--out",
        str(out),
        "--json",
    )
    assert code == 0, err
    return json.loads(stdout)["export_id"]


@pytest.fixture
def one_record(builder):
    builder.source("open", "CC0-1.0", title="公眾領域講義")
    rid = builder.record("open", "s.txt#1", "本講義說明銀行信用風險管理之基本原則。")
    builder.close()
    return rid


def test_verify_export_checks_a_folder_against_its_own_export(one_record, cli, tmp_path):
    """Two exports of one record set have the same manifest.jsonl: the newest was taken, and the intact older
    folder was reported changed. Now: the export written to this folder; a moved folder: the export it holds file
    for file; neither: a one-line error naming both."""
    a, b = tmp_path / "a", tmp_path / "b"
    id_a, id_b = _export(cli, a), _export(cli, b, purpose="redistribution", audience="public")
    assert id_a != id_b and (a / "manifest.jsonl").read_bytes() == (b / "manifest.jsonl").read_bytes()
    code, out, err = cli("audit", "verify-export", str(a))
    assert code == 0 and id_a in out, out + err
    moved = tmp_path / "moved"
    shutil.copytree(a, moved)
    code, out, err = cli("audit", "verify-export", str(moved))
    assert code == 0 and id_a in out, out + err
    shutil.copy(b / "README.md", moved / "README.md")  # another export's card: this folder is neither now
    code, out, err = cli("audit", "verify-export", str(moved))
    assert code == 2 and id_a in err and id_b in err and "--export" in err and len(err.strip().splitlines()) == 1
    code, out, _ = cli("audit", "verify-export", str(moved), "--export", id_a)
    assert code == 1 and "changed file: README.md" in out


@pytest.mark.parametrize(
    ("tail", "problem"),
    [
        (b'{"record_id": "x"', "line 2 is not a record"),
        (b'{"record_id": "\xff\xfe"}\n', "not UTF-8 text"),
        (b"[1, 2]\n", "line 2 is not a record"),
        (b'{"content_sha256": "ab"}\n', "line 2 is not a record"),
    ],
)
def test_a_tampered_manifest_is_reported_not_a_traceback(one_record, cli, tmp_path, tail, problem):
    out = tmp_path / "e"
    _export(cli, out)
    with (out / "manifest.jsonl").open("ab") as fh:
        fh.write(tail)
    code, text, err = cli("audit", "verify-export", str(out))
    assert code == 1 and "Traceback" not in err, text + err
    assert "changed file: manifest.jsonl" in text and problem in text


def test_files_named_lock_are_extra_files_too(one_record, cli, tmp_path):
    out = tmp_path / "e"
    _export(cli, out)
    shard = next((out / "data").iterdir())
    (out / "more").mkdir()
    shutil.copy(shard, out / "more" / ".lock")
    (out / "data" / ".lock").write_bytes(b"")
    (out / ".lock").write_bytes(b"")
    code, text, _ = cli("audit", "verify-export", str(out))
    assert code == 1
    for name in ("data/.lock", "more/.lock", ".lock"):
        assert f"extra file: {name}" in text


def test_recall_names_every_folder_an_export_was_written_to(one_record, cli, tmp_path):
    first, second = tmp_path / "delivery-2026-11", tmp_path / "delivery-2026-12"
    assert _export(cli, first) == _export(cli, second)  # the id is content-based: one id, two copies
    code, _, err = cli("provenance", "withdraw", "--source", "open", "--reason", "TICKET-42")
    assert code == 0, err
    code, out, _ = cli("audit", "withdrawn", "--json")
    (row,) = json.loads(out)["exports"]
    assert row["out_dirs"] == [str(first.resolve()), str(second.resolve())]
    code, out, _ = cli("audit", "withdrawn", "--full")
    assert "delivery-2026-11" in out and "delivery-2026-12" in out
    code, out, _ = cli("audit", "exports", "--json")
    assert json.loads(out)[0]["out_dirs"] == [str(first.resolve()), str(second.resolve())]


def test_as_of_before_the_taiwan_date_is_an_override(builder):
    """At 04:00 in Taipei (20:00 UTC the day before) an `--as-of` of the day before in Taiwan is a past date."""
    from provenance.audit import export_overrides

    late_utc = dt.datetime(2026, 12, 4, 20, 0)  # 2026-12-05 04:00 in Taipei
    run = {"created_at": late_utc, "as_of": dt.date(2026, 12, 4), "export_seq": 0}
    assert any(o.startswith("--as-of 2026-12-04") for o in export_overrides(builder.con, run))
    same_day = {**run, "created_at": dt.datetime(2026, 12, 4, 15, 0)}  # 23:00 in Taipei, still the 4th
    assert export_overrides(builder.con, same_day) == []


def test_verify_export_shows_planted_file_names_as_escapes(one_record, cli, tmp_path):
    """A tampered export folder held a file whose name erased the FAILED line, printed a forged "ok" verdict and
    concealed the rest (ESC[2K, ESC[1A, ESC[8m); `audit verify-export` printed it raw (review round 2, web #1)."""
    out = tmp_path / "e"
    export_id = _export(cli, out)
    planted = f"\r\x1b[2K\x1b[1A\x1b[2K\rexport {export_id}: ok, 7 files checked\x1b[8m\nextra\tline"
    (out / planted).write_text("x", encoding="utf-8")
    code, text, _ = cli("audit", "verify-export", str(out))
    assert code == 1
    assert not [c for c in ("\x1b", "\r", "\t") if c in text], text
    lines = text.splitlines()
    assert "FAILED" in lines[0] and len(lines) == 2, text  # the verdict and one line for the planted file
    assert "extra file: \\r\\x1b[2K\\x1b[1A" in lines[1] and "\\x1b[8m\\nextra\\tline" in lines[1]
