"""What a PII reviewer's browser shows: the labelling screen in headless chromium (Playwright)."""

from __future__ import annotations

import os

import pytest
from conftest import PASSWORD, USER
from ls_records import add_record, add_source
from screens import CHROMIUM, shoot

from annotation.push import PushConfig, push
from curate.pii.keys import load_key
from curate.pii.review import VaultReview
from provenance.db import connect

pytestmark = [
    pytest.mark.labelstudio,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no chromium at {CHROMIUM} (apt-get install chromium)"),
]


def test_pii_labelling_screen_shows_masked_values_and_zh_tw_verdicts(
    label_studio, db_path, bank, cli, tmp_path, monkeypatch
):
    pytest.importorskip("playwright")
    monkeypatch.setenv("CURATE_PII_KEY", "3c" * 32)
    con = connect(db_path)
    add_source(con)
    add_record(con, "申請人王小明，身分證字號A123456789，手機0912-345-678。", locator="s1", pii_state=None)
    con.close()
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    con = connect(db_path)
    rep = push(con, label_studio.client(), PushConfig(project="pii", bank=bank, vault=VaultReview(load_key())))
    tid = con.execute("SELECT ls_task_id FROM annotation_tasks").fetchone()[0]
    con.close()
    texts = shoot(label_studio.url, USER, PASSWORD, {"pii": (rep.ls_project_id, tid)}, tmp_path)
    png = (tmp_path / "ls-pii.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    page = texts["pii"]
    assert "王○明" in page and "A12****789" in page and "0912-***-678" in page
    assert "王小明" not in page and "A123456789" not in page
    for word in ("姓名", "身分證字號", "判斷"):
        assert word in page, word
