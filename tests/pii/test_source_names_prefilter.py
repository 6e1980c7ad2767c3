"""The SQL pre-filter of source-name propagation keeps every record the Python search would scrub."""

from __future__ import annotations

import json
import random

import duckdb

from curate.pii.propagate import any_value
from curate.pii.source_names import _sql_prefilter


def _table(rows):
    con = duckdb.connect()
    con.execute("CREATE TABLE records (record_id VARCHAR, text VARCHAR, title VARCHAR, metadata JSON)")
    con.executemany("INSERT INTO records VALUES (?, ?, ?, ?)", rows)
    return con


def _kept(con, names):
    clause, params = _sql_prefilter(names)
    assert clause, "Han-only names get a pre-filter"
    return {r[0] for r in con.execute(f"SELECT r.record_id FROM records r WHERE true {clause}", params).fetchall()}


def test_prefilter_is_a_superset_of_the_python_search():
    rng = random.Random(7)
    names = ["林志明", "王小美", "歐陽·娜娜", "阿美・瓦旦"] + [
        f"李{chr(0x4E00 + i)}{chr(0x4E10 + i)}" for i in range(600)
    ]
    filler = "本行依銀行法第四十五條規定辦理，經查，核處新臺幣六十萬元罰鍰。ＡＢＣ１２３"
    rows = []
    for i in range(3000):
        text, title, meta = filler[: rng.randint(5, len(filler))], "", {"k": "v"}
        where = rng.choice(["none", "none", "none", "text", "title", "meta", "escaped"])
        name = rng.choice(names)
        if where == "text":
            text = text[:3] + name + text[3:]
        elif where == "title":
            title = f"{name}案"
        elif where == "meta":
            meta = {"respondent": name}
        elif where == "escaped":
            meta = {"respondent": name}
        raw = json.dumps(meta, ensure_ascii=where == "escaped")
        rows.append((f"r{i}", text, title, raw))
    con = _table(rows)
    values = dict.fromkeys(names, ("PERSON", 0.9))
    want = set()
    for rid, text, title, raw in rows:
        leaves = [v for v in json.loads(raw).values() if isinstance(v, str)]
        if any_value([text, title, *leaves], values):
            want.add(rid)
    kept = _kept(con, names)
    escaped = {rid for rid, _, _, raw in rows if "\\" in raw}
    assert want and escaped - want == set()  # every escaped row holds a name here
    nameless = {rid for rid, *_ in rows} - want
    assert want <= kept and not (kept & nameless)  # a superset that still drops every nameless record


def test_no_prefilter_for_names_the_half_width_view_changes():
    assert _sql_prefilter(["Ｊｏｈｎ"]) == ("", {})
    assert _sql_prefilter(["John Lee"]) == ("", {})
    assert _sql_prefilter([]) == ("", {})


def test_prefilter_keeps_spaced_names_and_drops_other_cjk_gaps():
    # d751d93 searched compact views (石　家銘 is 石家銘 there) and so kept every record with a space between two CJK
    # characters: an FSC decision's 主　旨 on every page read the whole source again (62d8802)
    rows = [
        ("spaced", "查石\u3000家銘未依規定辦理。", "", "{}"),
        ("tab", "查石\t家銘未依規定辦理。", "", "{}"),
        ("title", "本會核處。", "石 家銘案", "{}"),
        ("zw", "查石\u200b家銘未依規定辦理。", "", "{}"),
        ("form", "主\u3000旨：核處罰鍰新臺幣六十萬元。\n說\u3000明：依銀行法辦理。", "", "{}"),
        ("plain", "本行依銀行法第四十五條規定辦理。", "", "{}"),
    ]
    assert _kept(_table(rows), ["石家銘", "王小美"]) == {"spaced", "tab", "title", "zw"}
