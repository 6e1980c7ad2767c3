"""`curate pii scan` finds a personal value wherever it was left (so a clean scan means something)."""

import json

import pytest
from catalogue_builder import add_records, add_source

from provenance import db, runs

TEXT = "受處分人：林志明\n核處林志明罰鍰，聯絡手機0912345678。"


@pytest.fixture
def scrubbed(db_path, cli, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", pii_expected=True)
    add_records(con, [{"source_id": "fsc", "locator": "case/1", "text": TEXT}], run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    return db_path


def test_clean_after_the_stage(scrubbed, cli):
    code, out, _ = cli("pii", "scan", "--json")
    report = json.loads(out)
    assert code == 0 and report["findings"] == [] and report["known_values"] >= 2


def test_planted_leaks_are_found(scrubbed, cli, tmp_path):
    con = db.connect(scrubbed)
    con.execute(
        "INSERT INTO quarantine VALUES ('r', 'fsc', 'case/9', 'bad_json', '{\"name\": \"林志明\"}', 'ingest', now())"
    )
    con.close()
    tasks = tmp_path / "tasks.json"
    tasks.write_text(json.dumps([{"data": {"text": "回撥0912345678"}}], ensure_ascii=False), encoding="utf-8")
    code, out, _ = cli("pii", "scan", "--json", "--path", str(tasks))
    report = json.loads(out)
    assert code == 1
    where = {(f["surface"], f["entity_type"]) for f in report["findings"]}
    assert ("quarantine", "PERSON") in where and ("file", "TW_PHONE") in where
    assert "林志明" not in out and "0912345678" not in out  # findings name digests, never values


def test_a_copy_of_the_catalogue_left_in_the_work_folder_is_searched(db_path, cli, monkeypatch):
    """A portal snapshot taken before the PII stage (left by a portal that was killed) holds the raw text: the
    scan opens such DuckDB copies and searches their tables, so it cannot say "no personal value found"."""
    import shutil

    from curate.workfiles import work_root

    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", pii_expected=True)
    add_records(con, [{"source_id": "fsc", "locator": "case/1", "text": TEXT}], run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    snapshots = work_root(db_path) / "portal" / "snapshots"
    snapshots.mkdir(parents=True)
    shutil.copyfile(db_path, snapshots / "snapshot-1.duckdb")
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio")
    report = json.loads(out)
    assert code == 1 and "林志明" not in out
    where = {
        (f["surface"], f["entity_type"]) for f in report["findings"] if "snapshot-1.duckdb: records." in f["where"]
    }
    assert ("workfile", "PERSON") in where and ("workfile", "TW_PHONE") in where
    assert not [f for f in report["findings"] if "snapshot-1" not in f["where"]]  # the live catalogue is clean
    (snapshots / "snapshot-1.duckdb").write_bytes(b"not a database")
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio")
    report = json.loads(out)
    assert code == 1 and any("snapshot-1.duckdb" in u and "could not be opened" in u for u in report["leftovers"])


def test_a_killed_portal_copy_named_tmp_and_a_lone_wal_do_not_pass_the_scan(db_path, cli, monkeypatch):
    """A portal killed while copying left `snapshot-N.tmp`, a whole catalogue from before the PII stage, and the
    scan skipped `.tmp` and `.wal` files: "no personal value found". Now a DuckDB file is searched whatever its
    name, and a write-ahead log without its database, which cannot be searched, fails the scan (review round 2,
    web #2)."""
    import shutil

    from curate.workfiles import work_root

    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "fsc", pii_expected=True)
    add_records(con, [{"source_id": "fsc", "locator": "case/1", "text": TEXT}], run_id=run_id)
    runs.finish_run(con, run_id)
    con.close()
    snapshots = work_root(db_path) / "portal" / "snapshots"
    snapshots.mkdir(parents=True)
    shutil.copyfile(db_path, snapshots / "snapshot-1.tmp")
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio")
    report = json.loads(out)
    assert code == 1 and any("snapshot-1.tmp: records." in f["where"] for f in report["findings"]), report
    (snapshots / "snapshot-1.tmp").unlink()
    (snapshots / "snapshot-2.duckdb.wal").write_bytes(b"\x64\x00\x62\x65 a log of inserts")
    code, out, _ = cli("pii", "scan", "--no-label-studio")
    assert code == 1 and "snapshot-2.duckdb.wal" in out and "NOT CHECKED" in out, out
    assert out.strip().splitlines()[-1] == "0 finding(s), 1 file(s) not checked"


def test_a_record_withdrawn_before_the_pii_stage_is_named(db_path, cli, monkeypatch):
    """A version withdrawn before the PII stage never reaches the vault and keeps its raw text in the clear: the
    scan runs the detector on it and searches its values everywhere (review readme F1)."""
    monkeypatch.setenv("CURATE_PII_KEY", "4d" * 32)
    con = db.connect(db_path)
    run_id = runs.start_run(con, "test-ingest", "x")
    add_source(con, "moda", pii_expected=True)
    add_records(
        con,
        [
            {
                "source_id": "moda",
                "locator": "r1",
                "text": "客戶王小明身分證字號A123456789，手機0912345678，申請貸款。",
            },
            {"source_id": "moda", "locator": "r2", "text": "客戶林大同手機0987654321，申請信用卡。"},
        ],
        run_id=run_id,
    )
    runs.finish_run(con, run_id)
    r1 = con.execute("SELECT record_id FROM records WHERE locator = 'r1'").fetchone()[0]
    con.close()
    assert cli("provenance", "withdraw", "--record", r1, "--reason", "ticket 7")[0] == 0
    assert cli("-q", "run", "pii", "--workers", "1")[0] == 0
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio")
    report = json.loads(out)
    assert code == 1
    found = {(f["surface"], f["where"], f["entity_type"]) for f in report["findings"]}
    assert {("detector", f"records.text {r1}", t) for t in ("TW_NATIONAL_ID", "TW_PHONE")} <= found
    assert ("records", "TW_NATIONAL_ID") in {(f["surface"], f["entity_type"]) for f in report["findings"]}
    assert "A123456789" not in out and "0912345678" not in out


def test_files_it_cannot_search_are_named_and_the_scan_is_not_clean(scrubbed, cli, tmp_path, monkeypatch):
    """Review 7: gzip, zip, Big5, UTF-16, a FIFO and files over 256 MiB given with --path (or met in a scanned
    folder) were skipped without a word: "no personal value found", exit 0. Each is named now, with why, and the
    scan is not clean; a large text file is read in pieces of whole lines (its values found) and only a line over
    the limit is not searched."""
    import gzip
    import os
    import zipfile

    from curate.pii import scan as scan_mod

    line = json.dumps({"id": "x", "text": "受處分人：林志明"}, ensure_ascii=False)
    folder = tmp_path / "scan"
    folder.mkdir()
    (folder / "gz.jsonl.gz").write_bytes(gzip.compress(line.encode()))
    (folder / "u16.jsonl").write_bytes(line.encode("utf-16"))
    (folder / "big5.txt").write_bytes("受處分人：林志明".encode("big5"))
    with zipfile.ZipFile(folder / "z.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("p.txt", line)
    (folder / "broken.parquet").write_bytes(b"PAR1 not really")
    os.mkfifo(folder / "pipe")
    (folder / "gone").symlink_to(tmp_path / "nowhere")  # points nowhere: nothing to search, not listed
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio", "--path", str(folder))
    report = json.loads(out)
    assert code == 1 and report["findings"] == [], report
    named = {u.split(":")[0].removeprefix(f"file {folder}/"): u for u in report["leftovers"]}
    assert sorted(named) == ["big5.txt", "broken.parquet", "gz.jsonl.gz", "pipe", "u16.jsonl", "z.zip"], named
    assert "not UTF-8 text" in named["gz.jsonl.gz"] and "not a regular file" in named["pipe"]
    code, out, _ = cli("pii", "scan", "--no-label-studio", "--path", str(folder / "pipe"))
    assert code == 1 and "NOT CHECKED" in out and "no personal value found" not in out, out

    monkeypatch.setattr(scan_mod, "_MAX_FILE_BYTES", 200)
    big = tmp_path / "big" / "big.jsonl"
    big.parent.mkdir()
    big.write_text("\n".join([json.dumps({"id": str(i), "text": "無"}) for i in range(20)] + [line]) + "\n")
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio", "--path", str(big.parent))
    report = json.loads(out)
    assert code == 1 and [f["entity_type"] for f in report["findings"]] == ["PERSON"], report
    assert [u for u in report["leftovers"] if str(big) in u] == []
    big.write_text(line + "\n" + "x" * 300 + "\n")
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio", "--path", str(big))
    report = json.loads(out)
    assert code == 1 and [f["entity_type"] for f in report["findings"]] == ["PERSON"], report
    mine = [u for u in report["leftovers"] if str(big) in u]
    assert len(mine) == 1 and "a line longer than" in mine[0]


def test_parquet_text_of_every_arrow_type_is_searched(scrubbed, cli, tmp_path):
    """Review 7: a Parquet text column stored as ``string_view``, ``binary`` or ``large_binary`` (older Hive, Impala
    and Spark writers: BYTE_ARRAY without a UTF8 annotation), or a dictionary or list of bytes, was not searched and
    not named: "no personal value found", exit 0. Every column that may hold text is searched now."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    v = "受處分人：林志明"
    columns = {
        "string_view": pa.array([v], pa.string_view()),
        "binary": pa.array([v.encode()], pa.binary()),
        "large_binary": pa.array([v.encode()], pa.large_binary()),
        "large_string": pa.array([v], pa.large_string()),
        "dict_string": pa.array([v]).dictionary_encode(),
        "dict_binary": pa.array([v.encode()], pa.binary()).dictionary_encode(),
        "list_binary": pa.array([[v.encode()]], pa.list_(pa.binary())),
        "struct_binary": pa.array([{"a": v.encode()}], pa.struct([("a", pa.binary())])),
        "map_string": pa.array([[("k", v)]], pa.map_(pa.string(), pa.string())),
    }
    for name, arr in columns.items():
        path = tmp_path / f"{name}.parquet"
        pq.write_table(pa.table({"id": pa.array([1]), "text": arr}), path)
        code, out, _ = cli("pii", "scan", "--json", "--no-label-studio", "--path", str(path))
        report = json.loads(out)
        found = [f for f in report["findings"] if f["surface"] == "file"]
        assert code == 1 and [f["entity_type"] for f in found] == ["PERSON"], (name, report)


def test_a_link_to_a_folder_is_followed_once(scrubbed, cli, tmp_path):
    """Review 7: `--path FOLDER` left out a symbolic link to a folder inside it (a `latest -> export-2026-12` link):
    the files under it were neither searched nor named, "no personal value found", exit 0. It is followed now, and
    a link back to an ancestor does not make the scan walk in circles."""
    real = tmp_path / "export-2026-12"
    real.mkdir()
    (real / "plain.jsonl").write_text(json.dumps({"id": "x", "text": "受處分人：林志明"}, ensure_ascii=False) + "\n")
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "latest").symlink_to(real, target_is_directory=True)
    (real / "up").symlink_to(folder, target_is_directory=True)  # a loop: datasets/latest/up -> datasets
    code, out, _ = cli("pii", "scan", "--json", "--no-label-studio", "--path", str(folder))
    report = json.loads(out)
    found = [f["where"] for f in report["findings"] if f["surface"] == "file"]
    assert code == 1 and found == [str(folder / "latest" / "plain.jsonl")], report


def test_a_closed_pipe_does_not_hide_a_leak(scrubbed, tmp_path, monkeypatch):
    """Review 7: `curate pii scan | head` exited 141 whether a leak was found or not, and a script that takes 141 as
    harmless (`|| [ $? = 141 ]`) no longer saw the leak. A finding keeps exit 1; a clean scan gives 141."""
    import sys

    from curate import cli as cli_mod

    leak = tmp_path / "leak.txt"
    leak.write_text("受處分人：林志明", encoding="utf-8")
    clean = tmp_path / "clean.txt"
    clean.write_text("無", encoding="utf-8")

    def broken(*a, **k):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli_mod.click, "echo", broken)
    monkeypatch.setattr(sys, "stdout", sys.stdout)  # click wraps both on a broken pipe: restored after the test
    monkeypatch.setattr(sys, "stderr", sys.stderr)
    base = ["--db", str(scrubbed), "pii", "scan", "--no-label-studio", "--path"]
    assert cli_mod.run([*base, str(leak)]) == 1
    assert cli_mod.run([*base, str(leak), "--json"]) == 1
    assert cli_mod.run([*base, str(clean)]) == 141
