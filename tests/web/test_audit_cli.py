"""Audit CLI ergonomics: id prefixes, `audit exports`, withdrawals with records and reasons,
--full/--vertical, licence permissions inline, --db after the command, a missing catalogue."""

from __future__ import annotations

import shutil

from provenance import db


def _law_id(path) -> str:
    con = db.connect_readonly(path)
    try:
        return con.execute(
            "SELECT record_id FROM records WHERE locator = 'A0030001/3' AND status = 'active'"
        ).fetchone()[0]
    finally:
        con.close()


def test_record_by_prefix_with_permissions_inline(demo_catalogue, cli):
    path = demo_catalogue["path"]
    rid = _law_id(path)
    code, out, err = cli("audit", "record", rid[:10], db=path)
    assert code == 0, err
    assert f"record   {rid}" in out and "licence  OGDL-Taiwan-1.0: permits training (consortium/public" in out
    code, out, err = cli("audit", "record", rid[:5], db=path)
    assert code == 2 and "at least 8" in err
    code, out, err = cli("audit", "record", "0" * 8 if not rid.startswith("0" * 8) else "f" * 8, db=path)
    assert code == 2 and "no record id starts with" in err


def test_ambiguous_prefix_lists_candidates(demo_catalogue, cli, monkeypatch):
    from provenance import audit

    con = db.connect_readonly(demo_catalogue["path"])
    ids = [r[0] for r in con.execute("SELECT record_id FROM records").fetchall()]
    con.close()
    first = max({i[0] for i in ids}, key=lambda c: sum(i.startswith(c) for i in ids))
    shared = sorted(i for i in ids if i.startswith(first))
    assert len(shared) >= 2
    monkeypatch.setattr(audit, "MIN_PREFIX", 1)
    code, out, err = cli("audit", "record", first, db=demo_catalogue["path"])
    assert code == 2 and "ambiguous" in err and all(i in err for i in shared[:20])


def test_full_and_vertical_never_cut(demo_catalogue, cli):
    path = demo_catalogue["path"]
    rid = _law_id(path)
    code, cut, _ = cli("audit", "record", rid, db=path)
    assert "..." in cut and '"new_record_id": "' + rid + '"' not in cut  # the detail column is cut at 80
    code, full, _ = cli("audit", "record", rid, "--full", db=path)
    assert code == 0 and rid in full.split("events", 1)[1]  # the whole detail, new_record_id included
    code, vert, _ = cli("audit", "record", rid, "--vertical", db=path)
    assert code == 0 and "-[ 1 ]" in vert and f'"new_record_id": "{rid}"' in vert


def test_exports_and_withdrawals(demo_catalogue, cli, tmp_path):
    path = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_catalogue["path"], path)
    code, out, err = cli("audit", "exports", db=path)
    assert code == 0 and demo_catalogue["export_id"] in out and "training" in out
    rid = _law_id(path)
    code, out, err = cli("provenance", "withdraw", "--record", rid, "--reason", "licensor asked 2026-12", db=path)
    assert code == 0, err
    code, out, err = cli("audit", "withdrawn", "--full", db=path)
    assert code == 0, err
    assert "licensor asked 2026-12" in out and rid in out and demo_catalogue["export_id"] in out


def test_global_options_after_the_command_and_missing_catalogue(demo_catalogue, tmp_path):
    from click.testing import CliRunner

    from curate import cli as cli_mod

    with CliRunner().isolation() as streams:
        code = cli_mod.run(["status", "--db", str(demo_catalogue["path"]), "--json"])
        out = streams[0].getvalue().decode()
    assert code == 0 and "law_moj" in out
    with CliRunner().isolation() as streams:
        code = cli_mod.run(["audit", "verify", f"--db={tmp_path / 'none.duckdb'}"])
        err = streams[1].getvalue().decode()
    assert code == 1 and "run `curate init`" in err and "Traceback" not in err
