"""A bulk wrapper that names ``Laws`` twice (``{"UpdateDate": …, "Laws": [A], "Laws": [B]}``) is read one way
whatever its size, and its second array is a quarantine row, never dropped in silence (review 16): before, a file
under 32 MiB kept the first array and dropped B's laws without a word (exit 0), and the same file padded past
32 MiB (streamed) read both arrays, on both the set-based and the Python path."""

from __future__ import annotations

import json

import pytest
from catalogue_query import query as _q

from sources.law_moj_wrapper import REASON_LAWS_TWICE


def _wrapper(law_fixtures, pad: int) -> str:
    first, second = (
        json.loads((law_fixtures / f"chlaw_json/ch/{p}.json").read_text(encoding="utf-8-sig"))
        for p in ("G0380001", "G0380177")
    )
    laws = [json.dumps(law, ensure_ascii=False) for law in (first, second)]
    return '{"UpdateDate": "2024/10/11", "Laws": [' + laws[0] + "]," + " " * pad + '"Laws": [' + laws[1] + "]}"


@pytest.mark.parametrize("fast", ["1", "0"])
@pytest.mark.parametrize("pad", [1, 33 * 2**20], ids=["small", "streamed"])
def test_the_second_laws_array_is_quarantined_and_counted(cli, db_path, tmp_path, law_fixtures, monkeypatch, fast, pad):
    monkeypatch.setenv("CURATE_INGEST_FAST", fast)
    f = tmp_path / "ChLaw.json"
    f.write_text(_wrapper(law_fixtures, pad), encoding="utf-8-sig")
    code, out, err = cli("ingest", "law-moj", str(f), "--scope", "all")
    assert code == 3 and "Traceback" not in err, out + err
    pcodes = _q(db_path, "SELECT DISTINCT json_extract_string(metadata, '$.pcode') FROM records")
    assert pcodes == [("G0380001",)]
    rows = _q(db_path, "SELECT locator, reason, excerpt FROM quarantine")
    assert [(loc.rsplit("/", 1)[-1], reason) for loc, reason, _ in rows] == [("ChLaw.json#Laws", REASON_LAWS_TWICE)]
    assert rows[0][2].startswith("1 more `Laws` array(s) with 1 law(s) not read")
