"""A correction that moves an agreement's expiry earlier, to a day after the export was made: the recipients were
told (NOTICE, the card) they may use the records until the old day, and the licence recall judged the new terms only
on the export's own day, when they still allowed it: `audit licences`, `audit exports` and `audit export` said
nothing, then and after the new day had passed (review 14). The export is now named, code `expiry_shortened`."""

from __future__ import annotations

import csv
import json

from provenance._selection import LICENCE_ROWS_OF
from provenance.db import connect, transaction
from provenance.licence_recall import licence_refused
from provenance.records import create_version


def _books(folder, expiry):
    cols = ["path", "title", "licensor", "licence_id", "agreement_id", "audience", "purposes", "expiry", "attribution"]
    path = folder / "manifest.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerow(
            {
                "path": "deposit.txt",
                "title": "存款講義",
                "licensor": "金融出版社",
                "licence_id": "LicenseRef-Written-Agreement",
                "agreement_id": "PUB-1",
                "audience": "consortium",
                "purposes": "training",
                "expiry": expiry,
                "attribution": "© 金融出版社",
            }
        )
    return path


def _export(cli, out):
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "consortium", "--non-commercial",
        "--pii-gate", "expected", "--out", str(out), "--json",
    )  # fmt: skip
    assert code == 0, text + err
    assert "expires 2040-12-31" in (out / "NOTICE.md").read_text(encoding="utf-8")
    return json.loads(text)


def test_an_expiry_moved_earlier_after_the_export_day_names_the_export(cli, tmp_path):
    d = tmp_path / "books"
    d.mkdir()
    (d / "deposit.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    assert cli("--quiet", "ingest", "textbooks", str(_books(d, "2040-12-31")))[0] == 0
    exp = _export(cli, tmp_path / "e")
    code, out, err = cli("ingest", "textbooks", str(_books(d, "2035-01-31")))
    assert code == 0 and "licence terms changed" in out, out + err

    code, out, _ = cli("audit", "export", exp["export_id"], "--json")
    (refused,) = json.loads(out)["licence_refused"]
    assert refused["code"] == "expiry_shortened" and refused["current_id"] != refused["record_id"]
    assert "2035-01-31" in refused["reason"] and "2040-12-31" in refused["reason"]
    code, out, _ = cli("audit", "exports", "--json")
    assert [e["licence_refused"] for e in json.loads(out)] == [1]
    code, out, _ = cli("audit", "licences")
    assert exp["export_id"] in out and "expiry_shortened" in out


def test_an_expiry_moved_later_names_no_export(cli, tmp_path):
    d = tmp_path / "books"
    d.mkdir()
    (d / "deposit.txt").write_text("第一章 存款\n銀行應依法辦理存款業務。\n", encoding="utf-8")
    assert cli("--quiet", "ingest", "textbooks", str(_books(d, "2040-12-31")))[0] == 0
    exp = _export(cli, tmp_path / "e")
    assert cli("--quiet", "ingest", "textbooks", str(_books(d, "2045-12-31")))[0] == 0
    code, out, _ = cli("audit", "export", exp["export_id"], "--json")
    assert json.loads(out)["licence_refused"] == []
    code, out, _ = cli("audit", "exports", "--json")
    assert [e["licence_refused"] for e in json.loads(out)] == [0]


class _Reads:
    """A connection that counts the ids whose licence rows are read (:data:`LICENCE_ROWS_OF`)."""

    def __init__(self, con):
        self.con, self.ids = con, 0

    def execute(self, sql, params=None):
        if sql == LICENCE_ROWS_OF:
            self.ids += len(params["ids"])
        return self.con.execute(sql, params) if params is not None else self.con.execute(sql)

    def __getattr__(self, name):
        return getattr(self.con, name)


def test_a_stages_versions_are_not_read_twice(builder, cli, db_path, tmp_path):
    """Review of the fixes 14: the comparison read the licence row of every exported version a stage had made a
    new version of since, and of that version: two rows a record held in memory (100,000 records normalised since
    their export: 43 MB -> 209 MB, 2.5 s -> 4.5 s for `audit exports`), though a stage keeps licence and terms.
    Pairs whose licence and terms are the same are left out in SQL; only the current versions are read."""
    builder.source("open", "CC-BY-4.0", title="公開講義", metadata={"provider": "研訓院", "dataset": "公開講義"})
    ids = [builder.record("open", f"s.txt#{i}", f"第{i}章 銀行信用風險管理之基本原則。") for i in range(3)]
    builder.close()
    code, text, err = cli(
        "--quiet", "export", "dataset", "--purpose", "training", "--audience", "public", "--commercial",
        "--out", str(tmp_path / "e"), "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(text)["records"] == 3, text + err
    con = connect(db_path)
    with transaction(con):
        for i, rid in enumerate(ids):
            create_version(con, rid, f"第{i}章 銀行信用風險管理的基本原則。", stage="normalise", run_id="run-test")
    reads = _Reads(con)
    assert licence_refused(reads) == []
    con.close()
    assert reads.ids == 3  # the current versions, judged once: not the exported ones again
