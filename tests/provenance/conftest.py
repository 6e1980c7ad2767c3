"""Fixtures: small real DuckDB catalogues for provenance tests (built with provenance.db + SQL, no runner)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# importlib import mode puts no test folder on sys.path: make the helper module importable
sys.path.insert(0, str(Path(__file__).parent))
from prov_helpers import TEXTBOOK_TERMS, CatalogueBuilder, export_public  # noqa: E402


@pytest.fixture
def builder(db_path: Path):
    b = CatalogueBuilder(db_path)
    yield b
    b.close()


@pytest.fixture
def mixed(builder: CatalogueBuilder):
    """A catalogue with laws, open data, NC text, MODA, a textbook agreement, PII and unknown licences."""
    b = builder
    b.source(
        "law_moj",
        "OGDL-Taiwan-1.0",
        title="全國法規資料庫",
        metadata={"provider": "法務部", "year": 2025, "dataset": "全國法規資料庫 中文法規 v1"},
    )
    b.source("fsc_press", "LicenseRef-TW-Copyright-Art9", title="金管會新聞稿")
    b.source("ocw", "CC-BY-NC-4.0", title="大學開放課程講義")
    b.source("moda", "LicenseRef-MODA-AI-Training", title="TAIC 金融語料")
    b.source("textbook", "LicenseRef-Written-Agreement", title="銀行實務", metadata={"licence_terms": TEXTBOOK_TERMS})
    b.source("sanctions", "LicenseRef-TW-Copyright-Art9", pii_expected=True, title="裁處書")
    b.source("mystery", "LicenseRef-Unknown-Thing", title="不明來源")
    ids: dict[str, list[str]] = {}
    ids["law"] = [b.record("law_moj", f"G0380001/第 {i} 條", f"銀行法第{i}條 本法所稱銀行。") for i in range(1, 4)]
    ids["press"] = [b.record("fsc_press", "20260101", "金管會發布新聞稿。")]
    ids["ocw"] = [b.record("ocw", "lec1", "貨幣銀行學講義。")]
    ids["moda"] = [b.record("moda", "ds1/f1", "主權語料金融段落。")]
    ids["textbook"] = [b.record("textbook", "ch1", "第一章 銀行實務概論。")]
    raw = b.record("sanctions", "202601010001", "受處分人：王小明 罰鍰新臺幣300萬元。")
    ids["pii_raw_parent"] = [raw]
    scrubbed = b.version(raw, "受處分人：<PERSON> 罰鍰新臺幣300萬元。", stage="pii", pii_state="scrubbed")
    ids["pii_scrubbed"] = [scrubbed]
    ids["pii_unchecked"] = [b.record("sanctions", "202601010002", "受處分人：某公司 罰鍰。")]
    ids["mystery"] = [b.record("mystery", "x", "來源不明的文字。")]
    ids["nolicence"] = [b.record("law_moj", "G0380001/第 9 條", "沒有授權的條文。", licence_id=None)]
    b.close()  # the CLI opens the file next (read-only opens need no other connection in this process)
    return ids


@pytest.fixture
def history(mixed, db_path, cli, tmp_path):
    """`mixed` + an export + a withdrawal + another export: runs, exports and withdrawals rows exist (the ledger
    and cross-check tamper tests start from it)."""
    export_public(cli, tmp_path / "e1", "--as-of", "2026-06-01", "--non-commercial")
    code, _, err = cli("provenance", "withdraw", "--record", mixed["press"][0], "--reason", "takedown request")
    assert code == 0, err
    export_public(cli, tmp_path / "e2", "--as-of", "2026-06-01", "--commercial")
    code, out, err = cli("audit", "verify")
    assert code == 0 and "ledger ok" in out and "cross-checks ok" in out, out + err
    return mixed
