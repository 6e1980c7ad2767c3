"""The three projects as a bank's annotator meets them: zh-TW titles, instructions, bilingual choices."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from ls_records import make_catalogue

from annotation.push import PushConfig, push
from annotation.tasks import PROJECTS

pytestmark = pytest.mark.labelstudio

HAN = range(0x4E00, 0x9FFF + 1)


def _has_han(s: str) -> bool:
    return any(ord(c) in HAN for c in s)


@pytest.mark.parametrize("project", PROJECTS)
def test_project_has_zh_tw_title_instructions_and_bilingual_choices(label_studio, db_path, bank, project):
    con, _ = make_catalogue(db_path, 2)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project=project, bank=bank))
    p = client.project(rep.ls_project_id)
    assert bank in p["title"] and _has_han(p["title"]) and f"({project})" in p["title"]
    assert _has_han(p["description"])
    assert p["show_instruction"] is True
    assert _has_han(p["expert_instruction"]) and "說明" in p["expert_instruction"]
    assert "英文" in p["expert_instruction"]  # the guide says Label Studio's chrome stays English
    root = ET.fromstring(p["label_config"])
    options = [el for el in root.iter() if el.tag in ("Choice", "Label")]
    assert options
    for el in options:  # a Chinese value (what is stored) and an English second line (what is shown)
        assert _has_han(el.get("value")), el.attrib
        shown = el.get("html") or ""
        assert "<br/>" in shown and el.get("value") in shown
        assert any(c.isascii() and c.isalpha() for c in shown.split("<br/>", 1)[1])
    if project == "proofread":
        assert [c.get("value") for c in root.iter("Choice")] == ["正確", "已修正", "退回"]
    if project == "pii":
        verdict = next(c for c in root.iter("Choices") if c.get("name") == "verdict")
        assert verdict.get("perRegion") == "true"
        assert [c.get("value") for c in verdict.iter("Choice")] == ["正確", "非個資", "類型錯誤", "漏標"]


def test_changed_instructions_update_an_existing_project(label_studio, db_path, bank):
    con, _ = make_catalogue(db_path, 1)
    client = label_studio.client()
    rep = push(con, client, PushConfig(project="topic", bank=bank))
    client.update_project(rep.ls_project_id, expert_instruction="old", show_instruction=False)
    con.execute("UPDATE annotation_projects SET config_sha256 = 'old' WHERE bank = ?", [bank])
    push(con, client, PushConfig(project="topic", bank=bank))
    p = client.project(rep.ls_project_id)
    assert p["show_instruction"] is True and "主題分類說明" in p["expert_instruction"]


def test_cli_finds_the_server_through_label_studio_cache(label_studio, cli, db_path, bank, tmp_path, monkeypatch):
    """`make labelstudio` and `curate annotate` agree: both read the env file in $LABEL_STUDIO_CACHE."""
    cache = tmp_path / "other-cache"
    cache.mkdir()
    (cache / "token").write_text(label_studio.token + "\n")
    (cache / "token").chmod(0o600)
    (cache / "env").write_text(f"LABEL_STUDIO_URL={label_studio.url}\nLABEL_STUDIO_API_KEY_FILE={cache / 'token'}\n")
    for var in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY", "LABEL_STUDIO_API_KEY_FILE", "LABEL_STUDIO_BANKS_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LABEL_STUDIO_CACHE", str(cache))
    con, _ = make_catalogue(db_path, 2)
    con.close()
    code, out, err = cli("--quiet", "annotate", "push", "--project", "topic", "--bank", bank)
    assert code == 0, err
    assert "pushed 2 topic tasks" in out and label_studio.url in out
    monkeypatch.setenv("LABEL_STUDIO_CACHE", str(tmp_path / "empty-cache"))
    code, out, err = cli("--quiet", "annotate", "push", "--project", "topic", "--bank", bank)
    assert code != 0 and "LABEL_STUDIO_CACHE" in err
