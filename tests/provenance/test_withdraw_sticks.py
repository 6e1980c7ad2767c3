"""Withdrawal sticks: re-ingesting a withdrawn source or document does not bring it back (issue 12 §6)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb


def _write(folder: Path, rows: list[tuple[str, str]]) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "p.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in rows), encoding="utf-8"
    )
    return folder


def _status(db: Path) -> dict[str, list[str]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT doc_key, status FROM records ORDER BY doc_key, created_at, status").fetchall()
    finally:
        con.close()
    out: dict[str, list[str]] = {}
    for k, s in rows:
        out.setdefault(k, []).append(s)
    return out


def _ingest(cli, folder):
    code, out, err = cli("--quiet", "ingest", "moda", str(folder), "--licence", "CC-BY-4.0")
    assert code == 0, err


def test_withdrawn_source_stays_withdrawn_until_reinstated(cli, db_path, tmp_path):
    ds = tmp_path / "ds"
    _ingest(cli, _write(ds, [("a1", "金融監督管理委員會發布新聞稿。"), ("a2", "數位發展部推動主權語料。")]))
    code, out, err = cli("provenance", "withdraw", "--source", "moda", "--reason", "licensor asked")
    assert code == 0, err
    # a revised file: one row changed, one row new
    _ingest(
        cli,
        _write(
            ds, [("a1", "金融監督管理委員會發布修正新聞稿。"), ("a2", "數位發展部推動主權語料。"), ("a3", "新的一列。")]
        ),
    )
    st = _status(db_path)
    assert all(s == "withdrawn" for v in st.values() for s in v), st
    assert len(st["moda:ds:id=a1"]) == 2 and "moda:ds:id=a3" in st
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    code, out, err = cli(
        "--quiet",
        "export",
        "dataset",
        "--purpose",
        "training",
        "--audience",
        "public",
        "--non-commercial",
        "--out",
        str(tmp_path / "x"),
        "--json",
    )
    assert code == 0 and json.loads(out)["records"] == 0, out + err

    code, _, err = cli("provenance", "reinstate", "--source", "moda")
    assert code == 2 and "--reason" in err
    code, out, err = cli("provenance", "reinstate", "--source", "moda", "--reason", "new agreement signed")
    assert code == 0 and "reinstated" in out, err
    st = _status(db_path)
    assert st["moda:ds:id=a3"] == ["active"] and "active" in st["moda:ds:id=a1"]
    assert sum(s == "active" for v in st.values() for s in v) == 3  # one active version per document
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    _ingest(cli, _write(ds, [("a4", "再下一列。")]))
    assert _status(db_path)["moda:ds:id=a4"] == ["active"]


def test_withdrawn_document_stays_withdrawn(cli, db_path, tmp_path):
    ds = tmp_path / "ds"
    _ingest(cli, _write(ds, [("a1", "第一版。"), ("a2", "另一份。")]))
    con = duckdb.connect(str(db_path), read_only=True)
    rid = con.execute("SELECT record_id FROM records WHERE doc_key = 'moda:ds:id=a1'").fetchone()[0]
    con.close()
    assert cli("provenance", "withdraw", "--record", rid, "--reason", "takedown")[0] == 0
    _ingest(cli, _write(ds, [("a1", "第二版。"), ("a2", "另一份。")]))
    st = _status(db_path)
    assert st["moda:ds:id=a1"] == ["withdrawn", "withdrawn"] and st["moda:ds:id=a2"] == ["active"]
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_a_version_ingested_while_withdrawn_is_the_one_reinstated(cli, db_path, tmp_path):
    """A new version that arrives while its document is withdrawn is held withdrawn and linked to the withdrawn
    head, so reinstating the document makes it the active version (it once stayed an unlinked withdrawn row,
    the old version came back, and re-ingesting reported it unchanged: the correction never took effect)."""
    ds = tmp_path / "ds"
    _ingest(cli, _write(ds, [("a1", "第一版。")]))
    con = duckdb.connect(str(db_path), read_only=True)
    rid = con.execute("SELECT record_id FROM records").fetchone()[0]
    con.close()
    assert cli("provenance", "withdraw", "--record", rid, "--reason", "dispute")[0] == 0
    _ingest(cli, _write(ds, [("a1", "第二版，更正。")]))
    assert cli("provenance", "reinstate", "--record", rid, "--reason", "settled")[0] == 0
    _ingest(cli, _write(ds, [("a1", "第二版，更正。")]))
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        rows = con.execute("SELECT text, status, version_of FROM records ORDER BY created_at").fetchall()
    finally:
        con.close()
    assert rows == [("第一版。", "superseded", None), ("第二版，更正。", "active", rid)]
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def _run_killed_before_load(db: Path, tmp_path: Path) -> None:
    """`curate run hygiene` killed after its workers computed the new versions, before it loaded them."""
    import os
    import sys

    from killed import run_killed

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "CURATE_FAULT": "before_load", "PYTHONPATH": str(root)}
    cmd = [sys.executable, "-m", "curate.cli", "--db", str(db), "run", "hygiene", "--workers", "1"]
    assert run_killed(cmd, env, tmp_path / "killed.log") == -9


def _withdraw_while_computing(cli, db_path, tmp_path) -> None:
    _ingest(cli, _write(tmp_path / "src", [("a", "第一  條\u200b文字"), ("b", "第二  條文字"), ("c", "乾淨的文字")]))
    _run_killed_before_load(db_path, tmp_path)
    code, out, err = cli("provenance", "withdraw", "--source", "moda", "--reason", "licensor asked")
    assert code == 0, out + err
    code, out, err = cli("--quiet", "run", "hygiene", "--workers", "1")  # resumes: loads the computed results
    assert code == 0, out + err


def test_a_withdrawal_made_while_a_stage_computes_sticks(cli, db_path, tmp_path):
    """The run read its snapshot before the withdrawal; the versions it loads after it are withdrawn too and the
    export leaves them out; a reinstatement brings them back."""
    _withdraw_while_computing(cli, db_path, tmp_path)
    con = duckdb.connect(str(db_path), read_only=True)
    rows = con.execute("SELECT stage, status FROM records ORDER BY stage").fetchall()
    con.close()
    assert ("hygiene", "withdrawn") in rows and {s for _, s in rows} == {"withdrawn"}, rows
    code, out, err = cli("--quiet", "export", "dataset", "--purpose", "training", "--audience", "consortium",
                         "--commercial", "--pii-gate", "expected", "--out", str(tmp_path / "exp"), "--json")  # fmt: skip
    assert code in (0, 3) and json.loads(out)["records"] == 0, out + err
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
    code, out, err = cli("provenance", "reinstate", "--source", "moda", "--reason", "agreement renewed")
    assert code == 0, out + err
    st = _status(db_path)
    assert sorted(v[-1] for v in st.values()) == ["active"] * 3, st
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err


def test_verify_names_a_version_made_active_under_a_withdrawal(cli, db_path, tmp_path, monkeypatch):
    """What the load did before it held such versions (they stayed active, with no event of their own)."""
    import curate.load

    monkeypatch.setattr(curate.load, "hold_withdrawn_versions", lambda *a, **k: 0)
    _withdraw_while_computing(cli, db_path, tmp_path)
    code, out, err = cli("audit", "verify")
    assert code == 1 and "2 x status: active although the version it derives from was withdrawn" in out, out + err


def test_a_withdrawn_historical_version_does_not_withdraw_the_current_ones_new_version(
    cli, db_path, tmp_path, law_fixtures
):
    """Only a withdrawn parent (or source) holds a stage's new version: an older snapshot's article, ingested after
    the newer one (history, no link) and withdrawn, leaves the current article's hygiene version active."""
    hist = sorted((law_fixtures / "history/G0380131/chlaw_json").glob("*.json"))  # 2018, 2023, 2024
    newest = json.loads(hist[-1].read_text(encoding="utf-8-sig"))
    law = newest["Laws"][0] if isinstance(newest, dict) and "Laws" in newest else newest
    arts = law["LawArticles"]
    art = next(a for a in arts if a.get("ArticleType") == "A" and a.get("ArticleNo"))
    art["ArticleContent"] += "\u200b"  # hygiene rewrites this article
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / hist[-1].name).write_text(json.dumps(newest, ensure_ascii=False), encoding="utf-8")
    for f in (tmp_path / "new" / hist[-1].name, hist[0]):
        code, out, err = cli("-q", "ingest", "law-moj", str(f))
        assert code == 0, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    doc, old_id = con.execute(
        "SELECT h.doc_key, h.record_id FROM records h JOIN records a ON a.doc_key = h.doc_key AND a.status = 'active'"
        " WHERE h.status = 'superseded' AND h.version_of IS NULL AND position(chr(8203) IN a.text) > 0 LIMIT 1"
    ).fetchone()
    con.close()
    assert cli("provenance", "withdraw", "--record", old_id, "--reason", "x")[0] == 0
    code, out, err = cli("-q", "run", "hygiene", "--workers", "1")
    assert code == 0, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    rows = con.execute("SELECT stage, status FROM records WHERE doc_key = ? ORDER BY ALL", [doc]).fetchall()
    con.close()
    assert ("hygiene", "active") in rows, rows
    code, out, err = cli("audit", "verify")
    assert code == 0, out + err
