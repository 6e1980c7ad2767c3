"""Per-bank separation, shown with two real Label Studio servers (one instance per bank).

Label Studio community edition has no per-project permissions, so a bank that must not see another
bank's work gets its own instance; `curate annotate` routes by bank (LABEL_STUDIO_URL__BANK ...).
"""

from __future__ import annotations

import json

import pytest
from conftest import start_server
from ls_records import add_record, add_source

from annotation import server
from annotation.config import LabelStudioConfig, resolve
from annotation.errors import LabelStudioTerminalError
from annotation.label_studio import LabelStudioClient
from provenance.db import connect

pytestmark = pytest.mark.labelstudio


@pytest.fixture(scope="module")
def second_server(tmp_path_factory):
    srv = start_server(server.default_cache(), tmp_path_factory.mktemp("labelstudio-b"), user="bank-b@finllm.local")
    try:
        yield srv
    finally:
        srv.stop()


def test_two_banks_two_servers(label_studio, second_server, cli, db_path, monkeypatch):
    a, b = "BANK_A", "BANK_B"
    for bank, srv in ((a, label_studio), (b, second_server)):
        monkeypatch.setenv(f"LABEL_STUDIO_URL__{bank}", srv.url)
        monkeypatch.setenv(f"LABEL_STUDIO_API_KEY__{bank}", srv.token)
    con = connect(db_path)
    add_source(con)
    add_source(con, "tabf", "LicenseRef-Written-Agreement")
    shared = add_record(con, "公開法規條文：授信應審慎辦理。", locator="open")
    a_only = add_record(
        con,
        "甲銀行專屬講義：授信流程。",
        source_id="tabf",
        locator="a-only",
        licence_id="LicenseRef-Written-Agreement",
        metadata={
            "licence_terms": {
                "agreement_id": "A1",
                "licensor": "TABF",
                "attribution": "© TABF",
                "audience": f"member:{a}",
                "purposes": ["training"],
            }
        },
    )
    con.close()
    for bank in (a, b):
        code, out, err = cli("--quiet", "annotate", "push", "--project", "topic", "--bank", bank)
        assert code == 0, err
    # pushes were routed by bank: each server holds only its bank's project
    ca, cb = resolve(a), resolve(b)
    assert (ca.url, cb.url) == (label_studio.url, second_server.url)
    client_a, client_b = LabelStudioClient(ca), LabelStudioClient(cb)
    con = connect(db_path)
    pid = dict(con.execute("SELECT bank, ls_project_id FROM annotation_projects").fetchall())
    inst = dict(con.execute("SELECT bank, instance FROM annotation_projects").fetchall())
    con.close()
    assert inst == {a: label_studio.url, b: second_server.url}
    titles_b = [p.title for p in client_b.sdk.projects.list()]
    assert all(b in t for t in titles_b) and not any(a in t for t in titles_b)
    assert not any(b in p.title for p in client_a.sdk.projects.list())
    # the record whose licence does not allow bank B never reached B's server, in any project
    on_b = json.dumps([client_b.export(p.id, all_tasks=True) for p in client_b.sdk.projects.list()], ensure_ascii=False)
    assert a_only not in on_b and "甲銀行專屬講義" not in on_b and shared in on_b
    on_a = {t["data"]["record_id"] for t in client_a.export(pid[a], all_tasks=True)}
    assert on_a == {shared, a_only}
    # bank A's token cannot read bank B's project (nor list B's server)
    a_on_b = LabelStudioClient(LabelStudioConfig(url=second_server.url, api_key=label_studio.token, retries=0))
    with pytest.raises(LabelStudioTerminalError, match="HTTP 401"):
        a_on_b.export(pid[b], all_tasks=True)
    with pytest.raises(LabelStudioTerminalError, match="HTTP 401"):
        a_on_b.project(pid[b])
    # a bank's pull reads only its own server
    client_b.create_annotation(
        client_b.export(pid[b], all_tasks=True)[0]["id"],
        [{"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["法規"]}}],
        completed_by=client_b.whoami()["id"],
    )
    code, out, err = cli("annotate", "pull", "--bank", a, "--json")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["imported"] == 0, err
    code, out, err = cli("annotate", "pull", "--bank", b, "--json")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["imported"] == 1, err
