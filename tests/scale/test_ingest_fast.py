"""The set-based law.moj ingest (DuckDB reads and maps the JSON) writes exactly what the Python path writes.

Every record column but ``run_id``/``created_at``, the report's counts and named items, and the ledger
events per action are compared between ``CURATE_INGEST_FAST=1`` and ``=0`` on the real fixtures (single
law files, the same laws in the official bulk wrapper with BOM and as a JSON array, history snapshots,
FalVMingLing XML) and on the synthetic generator's dump; files the SQL cannot map exactly are declined
and give the Python path's rejections and skips.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import duckdb
import pytest

import curate.ingest_fast as fast_mod
from curate.ingest import ingest
from provenance import audit, db
from sources import law_moj, law_moj_bulk, law_moj_sql
from sources.law_moj import LawMojSource

ROOT = Path(__file__).resolve().parents[2]
FIX = ROOT.parent / "shared" / "fixtures" / "law_moj"
if not FIX.exists():  # worktrees sit next to the main checkout
    FIX = Path("/work/shared/fixtures/law_moj")
COLS = (
    "record_id, doc_key, source_id, locator, title, text, lang, script, licence_id, version_of, status, metadata,"
    " stage, content_sha256, pii_state, container"
)


def _state(path: Path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        recs = con.execute(f"SELECT {COLS} FROM records ORDER BY record_id").fetchall()
        # batches may be cut differently (one per file on the SQL path): their members must add up the same
        events = con.execute(
            "SELECT action, CASE WHEN action = 'ingested_batch' THEN 0 ELSE count(*) END,"
            " sum(CAST(json_extract(detail, '$.records') AS BIGINT)) FROM provenance_events"
            " WHERE stage = 'ingest' GROUP BY action ORDER BY action"
        ).fetchall()
        quarantine = con.execute("SELECT source_id, locator, reason FROM quarantine ORDER BY ALL").fetchall()
    finally:
        con.close()
    ro = db.connect_readonly(path)
    try:
        assert audit.verify(ro).ok
    finally:
        ro.close()
    return recs, events, quarantine


def _report(rep) -> dict:
    d = rep.as_dict()
    d.pop("run_id")
    d["named"] = sorted(json.dumps(x, sort_keys=True, ensure_ascii=False) for x in d["named"])
    return d


def _both(tmp_path: Path, monkeypatch, runs: list[list[Path]], scope: str = "all", expect_fast: bool = True):
    """Ingest the same inputs (one run per list) with the SQL path and the Python path; compare everything."""
    out = {}
    loads = []
    real_load = law_moj_bulk.BulkJson.load
    monkeypatch.setattr(law_moj_bulk.BulkJson, "load", lambda self, *a: loads.append(self.path) or real_load(self, *a))
    for fast in ("1", "0"):
        monkeypatch.setenv("CURATE_INGEST_FAST", fast)
        path = tmp_path / f"fast{fast}.duckdb"
        reps = [_report(ingest(path, LawMojSource(paths, scope=scope))) for paths in runs]
        out[fast] = (reps, *_state(path))
        if fast == "1" and expect_fast:
            assert loads, "no file went through the SQL path"
    assert out["1"][0] == out["0"][0]  # reports: counts and named items
    assert out["1"][2] == out["0"][2]  # ledger events per action
    assert out["1"][3] == out["0"][3]  # quarantine rows
    fast_recs, slow_recs = out["1"][1], out["0"][1]
    assert len(fast_recs) == len(slow_recs)
    for a, b in zip(fast_recs, slow_recs, strict=True):
        assert a == b
    return out["1"]


def _laws(*dirs: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for d in dirs for p in sorted(d.glob("*.json"))]


def _wrapper(path: Path, laws: list[dict], update: str = "2024/10/11 上午 12:00:00") -> Path:
    body = json.dumps({"UpdateDate": update, "Laws": laws}, ensure_ascii=False, indent=1)
    path.write_bytes(b"\xef\xbb\xbf" + body.replace("\n", "\r\n").encode("utf-8"))
    return path


@pytest.fixture
def declined(caplog):
    caplog.set_level(logging.INFO, logger=fast_mod.__name__)
    return lambda: [r.getMessage() for r in caplog.records if "takes the Python path" in r.getMessage()]


@pytest.mark.parametrize("scope", ["all", "fsc"])
def test_fixture_law_files(tmp_path, monkeypatch, declined, scope) -> None:
    recs = _both(tmp_path, monkeypatch, [[FIX / "chlaw_json" / "ch", FIX / "chlaw_json" / "en"]], scope=scope)[1]
    assert len(recs) > 1000
    assert declined() == []


def test_official_wrapper_and_array(tmp_path, monkeypatch, declined) -> None:
    ch = _wrapper(tmp_path / "ChLaw.json", _laws(FIX / "chlaw_json" / "ch"))
    en = _wrapper(tmp_path / "EnLaw.json", _laws(FIX / "chlaw_json" / "en"))
    arr = tmp_path / "arr"
    arr.mkdir()
    (arr / "laws.json").write_text(json.dumps(_laws(FIX / "chlaw_json" / "ch")[:3], ensure_ascii=False), "utf-8")
    _both(tmp_path, monkeypatch, [[ch, en]], scope="fsc")
    (tmp_path / "b").mkdir()
    _both(tmp_path / "b", monkeypatch, [[arr], [ch, en]], scope="all")
    assert declined() == []


def test_history_versions(tmp_path, monkeypatch, declined) -> None:
    files = sorted((FIX / "history" / "G0380131" / "chlaw_json").glob("*.json")) + sorted(
        (FIX / "history" / "I0050021" / "chlaw_json").glob("*.json")
    )
    # one run with every snapshot (they chain in order), then each snapshot as its own run, newest first
    _, recs, events, _ = _both(tmp_path, monkeypatch, [files])
    assert any(r[9] for r in recs)  # versions chained
    (tmp_path / "b").mkdir()
    _both(tmp_path / "b", monkeypatch, [[f] for f in reversed(files)])
    xml = sorted((FIX / "history" / "G0380131" / "falvmingling_xml").glob("*.xml"))
    (tmp_path / "c").mkdir()
    _both(tmp_path / "c", monkeypatch, [files[:2], xml, files[2:]])
    assert declined() == []


def test_xml_takes_the_python_path(tmp_path, monkeypatch) -> None:
    xml = [FIX / "falvmingling_xml" / "ch", FIX / "falvmingling_xml" / "en"]
    _both(tmp_path, monkeypatch, [xml], scope="fsc", expect_fast=False)


@pytest.mark.parametrize("streamed", [False, True])
def test_synthetic_dump(tmp_path, monkeypatch, declined, streamed, law_gen) -> None:
    dump = tmp_path / "ChLaw.json"
    law_gen.write_dump(dump, 1500)
    if streamed:  # the Python path streams files above the threshold and names every law `file#i`
        monkeypatch.setattr(law_moj, "STREAM_THRESHOLD", 1024)
    monkeypatch.setattr(fast_mod, "BULK_BATCH_RECORDS", 400)  # several batches
    _, recs, events, _ = _both(tmp_path, monkeypatch, [[dump]])
    assert len(recs) == 1500
    con = duckdb.connect(str(tmp_path / "fast1.duckdb"), read_only=True)
    assert con.execute("SELECT count(*) FROM provenance_events WHERE action = 'ingested_batch'").fetchone()[0] > 1
    con.close()
    assert declined() == []


def test_files_the_sql_cannot_map_are_declined(tmp_path, monkeypatch, declined) -> None:
    laws = _laws(FIX / "chlaw_json" / "ch")[:4]
    odd = json.loads(json.dumps(laws))
    odd[1]["LawArticles"][1]["ArticleContent"] = "  "  # empty article: a skip
    odd[2]["LawArticles"].append({"ArticleType": "X", "ArticleNo": "", "ArticleContent": "附表"})
    odd[3]["LawName"] = 5
    bad = _wrapper(tmp_path / "odd.json", odd)
    ok = _wrapper(tmp_path / "ok.json", laws[:2])
    ctrl = json.loads(json.dumps(laws[:1]))
    first = next(a for a in ctrl[0]["LawArticles"] if a["ArticleType"] == "A")
    first["ArticleNo"] = "第 1\x1f 條"  # \x1f: whitespace to Python's regex, escaped differently by DuckDB
    ctl = _wrapper(tmp_path / "ctl.json", ctrl)
    reps = _both(tmp_path, monkeypatch, [[ok], [bad], [ctl]])[0]
    assert reps[1]["skipped_total"] >= 1 or reps[1]["quarantined"] >= 1
    assert len(declined()) == 2


def test_law_fields_that_are_not_text_are_quarantined_alike(tmp_path, monkeypatch, declined) -> None:
    """A number where the format has text (``LawModifiedDate: 20240101``) quarantines that law on both paths and
    the file's other laws are ingested (the number once reached the writer and crashed the whole run)."""
    laws = _laws(FIX / "chlaw_json" / "ch")[:3]
    laws[1]["LawModifiedDate"] = 20240101
    laws[2]["LawCategory"] = 5
    reps = _both(tmp_path, monkeypatch, [[_wrapper(tmp_path / "odd.json", laws)]])[0]
    assert reps[0]["quarantined"] == 2 and reps[0]["records_new"] > 0, reps[0]
    assert len(declined()) == 1


def test_duplicate_keys_are_read_alike_by_both_paths(tmp_path, monkeypatch, declined) -> None:
    """DuckDB keeps the first value of a name that occurs twice in an object, json.loads the last: the same file gave
    other articles, titles and ids by its size alone (review 6). Both paths now keep the first value, in a file
    over CURATE_INGEST_BULK_MIN_BYTES at default settings (the set-based path) and under it (the Python path), and
    the set-based path still takes the file (declining it sent a 200k-article dump to the Python path, 2.6x CPU)."""
    monkeypatch.delenv("CURATE_INGEST_BULK_MIN_BYTES")
    laws = _laws(FIX / "chlaw_json" / "ch")[:5]
    laws[4]["LawHistories"] = "沿革" * (law_moj_bulk.BULK_MIN_BYTES // 3)  # a field neither path reads: size
    clean = _wrapper(tmp_path / "clean.json", laws)
    assert clean.stat().st_size > law_moj_bulk.BULK_MIN_BYTES
    text = clean.read_bytes().decode("utf-8")
    for i, dup in ((0, '"LawName": "先前的名稱", '), (2, '"LawCategory": "其他", ')):
        at = text.index('"LawName": ' + json.dumps(laws[i]["LawName"], ensure_ascii=False))
        text = text[:at] + dup + text[at:]
    first = text.index('"ArticleContent": ', text.index(json.dumps(laws[3]["LawName"], ensure_ascii=False)))
    text = text[:first] + '"ArticleContent": "前者。",\r\n' + text[first:]  # in an article
    path = tmp_path / "dup.json"
    path.write_bytes(text.encode("utf-8"))
    (tmp_path / "dup").mkdir()
    before = len(declined())
    recs = _both(tmp_path / "dup", monkeypatch, [[path]], scope="fsc")[1]  # asserts both paths give one catalogue
    assert len(declined()) == before  # the set-based path took it
    assert any(r[4].startswith("先前的名稱") for r in recs) and any(r[5] == "前者。" for r in recs)  # first values
    small = tmp_path / "small.json"  # the same laws and names twice, under 1 MiB: the Python path reads it
    small.write_bytes(text.replace(laws[4]["LawHistories"], "沿革").encode("utf-8"))
    assert small.stat().st_size < law_moj_bulk.BULK_MIN_BYTES
    (tmp_path / "small").mkdir()
    recs = _both(tmp_path / "small", monkeypatch, [[small]], scope="fsc", expect_fast=False)[1]
    assert any(r[4].startswith("先前的名稱") for r in recs) and any(r[5] == "前者。" for r in recs)


def test_a_pcode_twice_in_one_file_chains_like_the_python_path(tmp_path, monkeypatch, declined) -> None:
    files = sorted((FIX / "history" / "G0380131" / "chlaw_json").glob("*.json"))
    both = _wrapper(tmp_path / "both.json", [json.loads(f.read_text("utf-8")) for f in files])
    _both(tmp_path, monkeypatch, [[both]])
    assert len(declined()) == 1


def _nest(depth: int, kind: str) -> str:
    """JSON text nested ``depth`` deep (objects, arrays, or arrays whose values differ in kind)."""
    if kind == "object":
        return '{"a":' * depth + "1" + "}" * depth
    if kind == "mixed":  # json_structure merges [x, 1] into "JSON": the depth is measured on the text
        return "[" * depth + "]" * depth + ", 1"
    return "[" * depth + "]" * depth


def test_deep_laws_are_declined_without_harm(tmp_path, monkeypatch, declined) -> None:
    from sources import law_moj_bulk

    laws = _laws(FIX / "chlaw_json" / "ch")[:3]
    big = "x" * (law_moj_bulk.STRUCTURE_GUARD_BYTES + 1)  # above the size guard: measured on its text
    cases = [
        ("shallow-mixed", [_nest(3, "mixed")], "", False),
        ("big-shallow", [_nest(3, "array")], big, False),
        ("deep-70", [_nest(70, "array")], "", True),
        ("mixed-70", [_nest(70, "mixed")], "", True),
        ("big-70", [_nest(70, "object")], big, True),
        # 6,000 levels fit under the size guard: json_structure must not exhaust the stack on it
        ("deep-6000", [_nest(6000, "object")], "", True),
    ]
    for name, extra, pad, deep in cases:
        body = json.dumps({"UpdateDate": "2024/10/11", "Laws": laws}, ensure_ascii=False)
        # an unknown field the SQL ignores but both parsers read
        law0 = body.index('{"LawLevel"') if '{"LawLevel"' in body else body.index("[{") + 1
        field = '"Extra": [' + ", ".join(extra) + "], " + (f'"Pad": "{pad}", ' if pad else "")
        text = body[: law0 + 1] + field + body[law0 + 1 :]
        path = tmp_path / f"{name}.json"
        path.write_text(text, "utf-8")
        before = len(declined())
        (tmp_path / name).mkdir()
        _both(tmp_path / name, monkeypatch, [[path]])
        assert (len(declined()) > before) == deep, name


def test_set_based_ingest_imports_neither_pandas_nor_arrow(tmp_path) -> None:
    """The set-based path binds parameters and appends events without pandas or pyarrow (~0.4 CPU-s of imports)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from curate.ingest import ingest;"
        " from sources.law_moj import LawMojSource;"
        " rep = ingest(Path(sys.argv[1]), LawMojSource([Path(sys.argv[2])], scope='all'));"
        " print(rep.records_new, sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "c.duckdb"), str(FIX / "chlaw_json" / "ch")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout.split()
    assert int(out[0]) > 100
    assert " ".join(out[1:]) == "[]"


def test_small_files_take_the_python_path_by_default(tmp_path, monkeypatch) -> None:
    """Below CURATE_INGEST_BULK_MIN_BYTES (1 MiB) a file goes through the Python path, which is faster there (the
    SQL path's fixed cost per file); above it through the SQL path; the catalogue is the same either way."""
    loads = []
    real_load = law_moj_bulk.BulkJson.load
    monkeypatch.setattr(law_moj_bulk.BulkJson, "load", lambda self, *a: loads.append(self.path) or real_load(self, *a))
    files = sorted((FIX / "chlaw_json" / "ch").glob("*.json"))
    small = max(files, key=lambda p: p.stat().st_size)
    assert small.stat().st_size < law_moj_bulk.BULK_MIN_BYTES
    states = {}
    for name, env in (("default", None), ("low", str(small.stat().st_size))):
        if env is None:
            monkeypatch.delenv("CURATE_INGEST_BULK_MIN_BYTES", raising=False)
        else:
            monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", env)
        loads.clear()
        path = tmp_path / f"{name}.duckdb"
        ingest(path, LawMojSource([small], scope="all"))
        states[name] = (_state(path)[0], list(loads))
    assert states["default"][1] == []  # the Python path
    assert states["low"][1] == [small]  # the SQL path: a file at the threshold
    assert states["default"][0] == states["low"][0]


def test_bulk_min_bytes_is_checked(monkeypatch) -> None:
    from curate import ingest_settings
    from provenance.errors import ConfigError

    monkeypatch.setenv("CURATE_INGEST_BULK_MIN_BYTES", "lots")
    with pytest.raises(ConfigError, match="CURATE_INGEST_BULK_MIN_BYTES must be a size such as 1MB"):
        ingest_settings.checked()


def test_sql_whitespace_and_escapes_match_python() -> None:
    """The SQL path's macros strip what ``str.strip()`` strips and flag what ``json.dumps`` escapes unlike DuckDB."""
    con = duckdb.connect()
    law_moj_sql._macros(con)
    chars = [chr(i) for i in [*range(1, 0x3100), 0xFEFF, 0x200B, 0xFFFF, 0x1F600]]
    samples = [s for c in chars for s in (c, c + "x" + c, "x" + c, c * 3, "a" + c + "b")]
    con.execute("CREATE TABLE s AS SELECT unnest($s) AS v", {"s": samples})
    got = con.execute(f"SELECT v, _pystrip(v), _pyblank(v), ltrim(v, {law_moj_sql._WS_SQL}) FROM s").fetchall()
    assert [(v, v.strip(), v.strip() == "", v.lstrip()) for v in samples] == got
    for c in map(chr, range(1, 0x80)):
        to_json, odd = con.execute("SELECT to_json(?::VARCHAR)::VARCHAR, _odd(?)", [c, c]).fetchone()
        assert odd == (json.dumps(c, ensure_ascii=False) != to_json), repr(c)


def test_english_laws_out_of_scope_are_reported_skips(tmp_path, monkeypatch, declined) -> None:
    """Under --scope fsc an English law whose Chinese law is not in scope is a named skip on both paths (the SQL path
    left it out of the report: its scope was NULL, neither in nor out)."""
    en = json.loads((FIX / "chlaw_json" / "en" / "G0380001.json").read_text(encoding="utf-8"))
    laws = []
    for i in range(3):
        law = json.loads(json.dumps(en))
        law["EngLawURL"] = law["EngLawURL"].replace("G0380001", f"Z00000{i:02d}")
        laws.append(law)
    path = _wrapper(tmp_path / "EnLaw.json", laws)
    reps = _both(tmp_path, monkeypatch, [[path]], scope="fsc")[0]
    assert reps[0]["skipped_total"] == 3, reps[0]
    assert declined() == []


def test_a_foreword_keeps_the_fast_path_and_gives_the_same_catalogue(tmp_path, monkeypatch, declined) -> None:
    """A 前言 is mapped in SQL too (review 14 sent every file holding one to the Python path: the full ChLaw.json
    holds 中華民國憲法's, out of --scope fsc or not, and lost the set-based path, ~2.5x the time at 20k articles)."""
    laws = _laws(FIX / "chlaw_json" / "ch")[:3]
    const = {
        **laws[0],
        "LawName": "中華民國憲法",
        "LawCategory": "憲法",
        "LawForeword": "中華民國國民大會\r\n制定本憲法。",
    }
    const["LawURL"] = "https://law.moj.gov.tw/LawClass/LawAll.aspx?pcode=A0000001"
    laws[1] = {**laws[1], "LawForeword": "  前言之文。\n"}
    laws[2] = {**laws[2], "LawName": None, "LawForeword": "無名之法的前言。"}
    en = _laws(FIX / "chlaw_json" / "en")
    en[0] = {**en[0], "EngLawForeword": None, "LawForeword": "中文前言"}  # EngLawForeword given (null): none
    en[1] = {**en[1], "EngLawForeword": "We, the people."}
    ch, eng = _wrapper(tmp_path / "ChLaw.json", [const, *laws]), _wrapper(tmp_path / "EnLaw.json", en)
    later = [{**x, "LawForeword": x["LawForeword"] + "修正。", "LawModifiedDate": "20991231"} for x in (const, laws[1])]
    amended = _wrapper(tmp_path / "ChLaw2.json", later, update="2099/12/31 上午 12:00:00")
    for scope in ("all", "fsc"):
        (tmp_path / scope).mkdir()
        _, recs, _, _ = _both(tmp_path / scope, monkeypatch, [[ch, eng], [ch, eng], [amended]], scope=scope)
        pre = sorted((r[1], r[4], r[10]) for r in recs if r[1].endswith(":preamble"))
        # ingested twice: no new version the second time; amended: one more; the Constitution out of --scope fsc
        const_pre = [("law_moj:A0000001:zh:preamble", "中華民國憲法 前言", s) for s in ("active", "superseded")]
        assert pre[:2] == (const_pre if scope == "all" else pre[:2]) and len(pre) == (6 if scope == "all" else 4), pre
        assert ("law_moj:A0000001:zh:preamble", "中華民國憲法 前言", "active") not in pre or scope == "all"
    assert declined() == []


def test_a_200k_article_dump_keeps_the_set_based_path(tmp_path, monkeypatch, declined, law_gen) -> None:
    """The digest of a law read twice (sources/law_moj_twice.py) comes from per-record hashes made with the ids: one
    query joining and aggregating every text once more (review 14) ran this file out of the 512 MB ingest memory,
    and it took the Python path (4-7x the time), in silence but for a log line."""
    dump = tmp_path / "ChLaw.json"
    law_gen.write_dump(dump, 200_000)
    monkeypatch.setenv("CURATE_INGEST_FAST", "1")
    monkeypatch.delenv("CURATE_INGEST_MEMORY", raising=False)
    rep = ingest(tmp_path / "c.duckdb", LawMojSource([dump], scope="all")).as_dict()
    assert rep["records_new"] == 200_000
    assert declined() == []
