"""Parts of the bridge that need no Label Studio: config, eligibility, task payloads, decisions, retries."""

from __future__ import annotations

import datetime as dt
import json
import socket
from pathlib import Path

import pytest

from annotation.config import LabelStudioConfig, resolve
from annotation.eligibility import licence_refusal, pii_refusal
from annotation.errors import LabelStudioTerminalError, LabelStudioTransientError
from annotation.label_studio import LabelStudioClient
from annotation.pull import decide_pii, decide_proofread, decide_topic
from annotation.tasks import build_task, detected_spans, label_config
from provenance.errors import ConfigError


def test_config_per_bank_env_wins_over_global(tmp_path):
    key = tmp_path / "k"
    key.write_text("tok-bank\n")
    key.chmod(0o600)  # a token file every user may read is refused (test_token_file_modes_and_encodings)
    env = {
        "LABEL_STUDIO_URL": "http://ls:8080",
        "LABEL_STUDIO_API_KEY": "tok-all",
        "LABEL_STUDIO_URL__BANK_A": "https://ls.bank-a.example/",
        "LABEL_STUDIO_API_KEY_FILE__BANK_A": str(key),
    }
    a = resolve("bank-a", env=env, cwd=tmp_path)
    assert (a.url, a.api_key) == ("https://ls.bank-a.example", "tok-bank")
    b = resolve("bank-b", env=env, cwd=tmp_path)
    assert (b.url, b.api_key) == ("http://ls:8080", "tok-all")
    assert "tok" not in repr(a)


def test_config_banks_file_and_env_file(tmp_path):
    key = tmp_path / "key"
    key.write_text("tok-c")
    key.chmod(0o600)
    banks = tmp_path / "banks.toml"
    banks.write_text(f'[banks.CTBC]\nurl = "http://c:1"\napi_key_file = "{key}"\n')
    c = resolve("CTBC", env={"LABEL_STUDIO_BANKS_FILE": str(banks)}, cwd=tmp_path)
    assert (c.url, c.api_key) == ("http://c:1", "tok-c")
    banks.write_text('[banks.CTBC]\nurl = "http://c:1"\napi_key = "secret"\n')
    with pytest.raises(ConfigError, match="key file"):
        resolve("CTBC", env={"LABEL_STUDIO_BANKS_FILE": str(banks)}, cwd=tmp_path)
    envfile = tmp_path / ".cache" / "labelstudio" / "env"
    envfile.parent.mkdir(parents=True)
    envfile.write_text(f"LABEL_STUDIO_URL=http://127.0.0.1:8080\nLABEL_STUDIO_API_KEY_FILE={key}\n")
    d = resolve("X", env={}, cwd=tmp_path)
    assert (d.url, d.api_key) == ("http://127.0.0.1:8080", "tok-c")


def test_a_token_file_saved_with_a_byte_order_mark(tmp_path):
    """A token file saved by Notepad (UTF-8 with a byte-order mark, CRLF) was refused as a token holding "a non-ASCII
    character", with advice to copy the token again: the same token, copied again, was refused again."""
    key = tmp_path / "key"
    key.write_bytes(b"\xef\xbb\xbftok-bank\r\n")
    key.chmod(0o600)
    cfg = resolve("bank-a", env={"LABEL_STUDIO_URL": "http://ls:8080", "LABEL_STUDIO_API_KEY_FILE": str(key)})
    assert cfg.api_key == "tok-bank"


def test_token_file_modes_and_encodings(tmp_path):
    """A token file every user of the machine could read was taken as it was (the PII key file and the portal secret
    are refused so), and one PowerShell 5.1 wrote (`> token`: UTF-16 with its mark) raised a traceback."""
    key = tmp_path / "key"
    env = {"LABEL_STUDIO_URL": "http://ls:8080", "LABEL_STUDIO_API_KEY_FILE": str(key)}
    key.write_bytes("\ufefftok-bank\r\n".encode("utf-16-le"))
    key.chmod(0o644)
    with pytest.raises(ConfigError, match="every user of this machine.*chmod 600") as got:
        resolve("bank-a", env=env, cwd=tmp_path)
    assert "tok-bank" not in str(got.value)
    key.chmod(0o640)  # a group the steward chose may read it
    assert resolve("bank-a", env=env, cwd=tmp_path).api_key == "tok-bank"
    key.write_bytes(b"\xff\xfe\x00\xd8")  # a lone surrogate: not text
    with pytest.raises(ConfigError, match="not text"):
        resolve("bank-a", env=env, cwd=tmp_path)


def test_config_missing_token_is_clear():
    with pytest.raises(ConfigError, match="LABEL_STUDIO_API_KEY"):
        resolve("x", env={"LABEL_STUDIO_URL": "http://a:1"})


@pytest.mark.parametrize(
    ("state", "ok"),
    [("clean", True), ("scrubbed", True), (None, False), ("raw", False)],
    ids=["clean", "scrubbed", "unchecked", "raw"],
)
def test_pii_gate(state, ok):
    assert (pii_refusal(state) is None) is ok


def test_licence_gate_for_agreements():
    terms = {
        "agreement_id": "A1",
        "licensor": "TABF",
        "audience": "consortium",
        "purposes": ["training"],
        "expiry": "2099-12-31",
        "attribution": "台灣金融研訓院 授權使用",
    }

    def refusal(terms, **kw):  # the source's agreement terms, as the export reads them (its `sources` row)
        return licence_refusal(
            "LicenseRef-Written-Agreement", "CTBC", source={"metadata": {"licence_terms": terms}}, **kw
        )

    assert refusal(terms) is None
    # an agreement that requires attribution but states none cannot be honoured: refused
    no_attr = {k: v for k, v in terms.items() if k != "attribution"}
    assert "attribution" in refusal(no_attr)
    assert refusal({**terms, "audience": "member:ESUN"})
    assert refusal({**terms, "audience": "member:CTBC"}) is None
    assert refusal({**terms, "expiry": "2020-01-01"}, today=dt.date(2026, 1, 1))
    assert refusal(None)
    assert licence_refusal("LicenseRef-Nope", "CTBC")


def test_member_banks_annotate_the_consortiums_grant_not_another_banks():
    """Review 8 exports-fixes #1: the consortium's MODA AI-training grant is not transferable, and the annotation gate
    judged a bank's annotators as a transfer to ``member:BANK``: every such record was refused (and its tasks retracted).
    They annotate the consortium's catalogue: the licensee's own use. A grant held by another bank stays refused."""
    ai = "LicenseRef-MODA-AI-Training"
    assert licence_refusal(ai, "CTBC") is None
    assert licence_refusal(ai, "CTBC", r_terms=json.dumps({"audience": "consortium", "expiry": "2099-12-31"})) is None
    assert licence_refusal(ai, "CTBC", r_terms=json.dumps({"audience": "member:CTBC"})) is None
    assert "(permits: member:ESUN)" in licence_refusal(ai, "CTBC", r_terms=json.dumps({"audience": "member:ESUN"}))


def test_tasks_carry_only_what_annotators_need():
    rec = {
        "record_id": "r1",
        "text": "客戶𠀋〔姓名〕，電話〔手機號碼〕。",
        "title": "t",
        "source_id": "fsc",
        "metadata": {"name": "王小明"},
    }
    task = build_task("pii", rec, bank="CTBC")
    assert set(task["data"]) == {"text", "title", "record_id", "source_id", "bank", "pii_spans", "masked"}
    assert task["data"]["masked"] is False and task["data"]["pii_spans"] == [[3, 7], [10, 16]]
    regions = task["predictions"][0]["result"]
    assert [r["value"]["labels"] for r in regions] == [["姓名"], ["電話"]]
    assert regions[0]["value"]["start"] == 4  # 客戶 + surrogate pair
    proof = build_task(
        "proofread",
        rec,
        bank="CTBC",
        normalise_details=[
            {
                "edits": [
                    {"offset": 3, "before": "银", "after": "〔姓名〕"},
                    {"offset": 1, "before": "范", "after": "範"},
                ],
                "flags": [{"offset": 0, "reason": "ambiguous 干"}],
            }
        ],
    )
    notes = proof["data"]["notes"]
    assert "ambiguous 干" in notes and "範" not in notes  # an edit whose result is not in the text is not shown
    assert proof["predictions"][0]["result"][0]["value"]["text"] == [rec["text"]]
    for name in ("proofread", "pii", "topic"):
        assert label_config(name).lstrip().startswith("<!--")


def test_notes_are_plain_chinese_sentences_never_repeated():
    detail = {
        "edits": [{"offset": 8, "before": "银", "after": "銀", "by": "opencc"}],
        "flags": [
            {"start": 0, "end": 12, "reason": "weak_signal", "chars": ""},
            {"start": 20, "end": 30, "reason": "ambiguous_chars", "chars": "干"},
        ],
    }
    proof = build_task(
        "proofread",
        {"record_id": "r", "text": "本行銀行業務", "title": "", "source_id": "s"},
        bank="B",
        normalise_details=[detail, json.dumps(detail, ensure_ascii=False)],  # the same event seen twice
    )
    assert proof["data"]["notes"].splitlines() == [
        "第 1–12 字可能為簡體，請確認",
        "第 9 字「银」已轉為「銀」",
        "第 21–30 字含一簡對多繁的字「干」，請確認轉換是否正確",
    ]
    assert "@" not in proof["data"]["notes"] and "weak_signal" not in proof["data"]["notes"]
    empty = build_task("proofread", {"record_id": "r", "text": "x", "title": "", "source_id": "s"}, bank="B")
    assert empty["data"]["notes"] == "（無簡轉繁修改或待確認之處）"


def test_label_studio_cache_names_the_env_file(tmp_path):
    cache = tmp_path / "ls-cache"
    cache.mkdir()
    (cache / "token").write_text("tok-cache\n")
    (cache / "token").chmod(0o600)
    (cache / "env").write_text(f"LABEL_STUDIO_URL=http://127.0.0.1:9999\nLABEL_STUDIO_API_KEY_FILE={cache / 'token'}\n")
    cfg = resolve("B", env={"LABEL_STUDIO_CACHE": str(cache)}, cwd=tmp_path)
    assert (cfg.url, cfg.api_key) == ("http://127.0.0.1:9999", "tok-cache")
    with pytest.raises(ConfigError, match="LABEL_STUDIO_CACHE"):
        resolve("B", env={"LABEL_STUDIO_CACHE": str(tmp_path / "elsewhere")}, cwd=tmp_path)


def test_decisions():
    text = "客戶〔姓名〕先生"
    d = decide_proofread(text, [{"from_name": "verdict", "value": {"choices": ["reject"]}}], True)
    assert (d.outcome, d.new_text) == ("reject", None)
    d = decide_proofread(text, [{"from_name": "corrected", "value": {"text": ["客戶〔姓名〕女士"]}}], True)
    assert (d.outcome, d.new_text) == ("fixed", "客戶〔姓名〕女士")
    assert decide_proofread(text, [{"from_name": "corrected", "value": {"text": ["x"]}}], False).outcome == "stale"
    pred = detected_spans(text)[0]
    d = decide_pii(text, [], True)  # everything rejected, nothing added
    assert d.result["rejected"] == [{"index": 0, "start": pred.start, "end": pred.end, "type": "姓名"}]
    assert d.new_text is None
    d = decide_pii(
        text, [{"from_name": "pii", "value": {"start": 0, "end": 2, "text": "客戶", "labels": ["其他"]}}], True
    )
    assert d.new_text == "〔其他〕〔姓名〕先生" and d.fields == {"pii_state": "scrubbed"}
    bad = decide_pii(
        text, [{"from_name": "pii", "value": {"start": 0, "end": 2, "text": "不對", "labels": ["其他"]}}], True
    )
    assert bad.outcome == "invalid" and bad.new_text is None
    # a label is written into the text as a placeholder: only the labelling config's labels are accepted
    for forged in ("姓名〕身分證A123456789電話0912345678〔", "X" * 100_000, "姓名 "):
        r = decide_pii(
            text, [{"from_name": "pii", "value": {"start": 0, "end": 2, "text": "客戶", "labels": [forged]}}], True
        )
        assert (r.outcome, r.new_text, r.fields) == ("invalid", None, None), forged[:20]
        assert "A123456789" not in r.detail["error"] and len(r.detail["error"]) < 300  # the ledger gets the error
    t = decide_topic(
        [{"from_name": "topic", "value": {"choices": ["外匯"]}}, {"from_name": "quality", "value": {"rating": 3}}]
    )
    assert t.result == {"topic": "外匯", "quality": 3}


def test_pii_labels_are_the_labelling_configs():
    from xml.etree import ElementTree

    from annotation.review import PII_LABELS

    root = ElementTree.parse(Path(__file__).resolve().parents[2] / "schemas" / "label_studio" / "pii.xml").getroot()
    labels = {e.get("value") for e in root.iter("Label")}
    assert labels == set(PII_LABELS)


def test_unreachable_label_studio_retries_with_backoff_then_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    waits: list[float] = []
    client = LabelStudioClient(
        LabelStudioConfig(url=f"http://127.0.0.1:{port}", api_key="x", retries=3, backoff=1.0), sleep=waits.append
    )
    with pytest.raises(LabelStudioTransientError) as info:
        client.import_tasks(1, [{"data": {"text": "a"}}])
    assert len(waits) == 3 and waits[0] < waits[1] < waits[2]  # exponential (with jitter)
    msg = str(info.value)
    assert "after 4 attempts" in msg and "make labelstudio" in msg and info.value.transient


def test_titles_of_pii_expected_sources_are_not_sent(tmp_path):
    from ls_records import add_record, add_source

    from annotation.push import PushConfig, select_candidates
    from provenance.db import connect

    con = connect(tmp_path / "c.duckdb")
    add_source(con)
    con.execute(
        "INSERT INTO sources (source_id, kind, licence_id, pii_expected, created_at) VALUES "
        "('fsc', 'fsc', 'CC-BY-4.0', true, now()::TIMESTAMP)"
    )
    add_record(con, "本文〔姓名〕", title="法規標題", locator="a")
    add_record(con, "裁罰〔姓名〕", source_id="fsc", title="王小明違規案", locator="b")
    rows, _ = select_candidates(con, PushConfig(project="topic", bank="CTBC"))
    assert sorted((r["source_id"], r["title"]) for r in rows) == [("demo", "法規標題"), ("fsc", None)]


@pytest.mark.parametrize(
    "where", ["1=1) OR (1=1", "true) OR (r.status <> 'active'", "1=1; DROP TABLE records", "1=1 --", "1=1 /*"]
)
def test_where_cannot_lift_the_active_only_filter(tmp_path, where):
    """--where is pasted inside AND (...) after status = 'active': text that closes the parenthesis or ends the
    statement is refused (it once pushed superseded and duplicate records too)."""
    from ls_records import add_record, add_source

    from annotation.push import PushConfig, select_candidates
    from provenance.db import connect
    from provenance.errors import UsageError

    con = connect(tmp_path / "c.duckdb")
    add_source(con)
    add_record(con, "本文一", locator="a")
    add_record(con, "本文二", locator="b")
    con.execute("UPDATE records SET status = 'superseded' WHERE locator = 'b'")
    assert len(select_candidates(con, PushConfig(project="topic", bank="CTBC", where="r.locator <> ''"))[0]) == 1
    with pytest.raises(UsageError, match="--where"):
        select_candidates(con, PushConfig(project="topic", bank="CTBC", where=where))


def test_licence_gate_refuses_terms_the_export_refuses(tmp_path):
    """Terms refused at ingest (``licence_term_problems``) and agreement terms beside a licence that takes none are
    refused to annotators as the export refuses them (``licence_terms``), by the one rule
    (provenance.licences.record_terms). The push once sent them (review licences #2)."""
    from ls_records import add_record, add_source

    from annotation.push import PushConfig, PushReport, _eligible, select_candidates
    from provenance.db import connect
    from provenance.export import ExportParams, iter_verdicts

    con = connect(tmp_path / "c.duckdb")
    try:
        add_source(con)
        problems = ["commercial use granted but CC-BY-NC-4.0 does not permit commercial use"]
        refused = add_record(
            con,
            "外匯。",
            licence_id="CC-BY-NC-4.0",
            metadata={"licence_term_problems": problems},  # as tabf stores a `commercial=yes` row (no terms)
        )
        agreement = {"agreement_id": "PUB-1", "audience": ["member:CTBC"], "purposes": ["training"]}
        conflict = add_record(con, "授信實務。", metadata={"licence_terms": {**agreement, "expiry": "2099-01-31"}})
        plain = add_record(con, "風險管理。")
        cfg = PushConfig(project="proofread", bank="CTBC")
        report = PushReport(bank="CTBC", project="proofread")
        pushed = _eligible(con, cfg, select_candidates(con, cfg)[0], report)
        params = ExportParams(purpose="training", audience="member:CTBC", commercial=False, pii_gate="expected")
        exported = {v.record_id: v.verdict for v in iter_verdicts(con, params)}
    finally:
        con.close()
    assert [r["record_id"] for r in pushed] == [plain]
    why = dict(report.refused_ids)
    assert why[refused] == f"licence terms refused at ingest: {problems[0]}" == exported[refused].reason
    assert "takes none: the terms conflict" in why[conflict] and why[conflict] == exported[conflict].reason
    assert {exported[refused].code, exported[conflict].code} == {"licence_terms"} and exported[plain].ok
    source = {"metadata": {"licence_terms": agreement}}
    assert licence_refusal("CC-BY-4.0", "CTBC", source=source) is None  # a source's terms: its agreement records'
    assert licence_refusal("CC-BY-4.0", "CTBC", source=source, r_terms=json.dumps(agreement))


def test_licence_gate_refuses_what_the_export_cannot_credit(tmp_path):
    """OGDL-Taiwan-1.0 holds only with the providing agency credited: rows without one, or with one that cannot be
    credited (longer than 300 characters), are refused by the export (``licence_terms``) and were pushed to the bank
    all the same; the gate now asks the export's own rule with the record's credit values, and gives its reason
    (review 6, licences round 2, #1)."""
    from ls_records import add_record, add_source

    from annotation.push import PushConfig, PushReport, _eligible, select_candidates
    from provenance.db import connect
    from provenance.export import ExportParams, iter_verdicts

    con = connect(tmp_path / "c.duckdb")
    try:
        add_source(con, "moda", licence_id="OGDL-Taiwan-1.0")

        def moda(text, fields):  # as `curate ingest moda --dataset ds` stores a row
            meta = {"dataset": "ds", "file": "d.jsonl", "fields": fields} if fields else {"dataset": "ds"}
            return add_record(con, text, source_id="moda", licence_id="OGDL-Taiwan-1.0", metadata=meta)

        no_agency = moda("中央銀行理事會決議調整重貼現率。", None)
        too_long = moda("金管會發布公司治理實務守則。", {"agency": "金管會" * 101})
        credited = moda("銀行公會發布存款保險說明。", {"agency": "銀行公會"})
        cfg = PushConfig(project="proofread", bank="CTBC")
        report = PushReport(bank="CTBC", project="proofread")
        pushed = _eligible(con, cfg, select_candidates(con, cfg)[0], report)
        params = ExportParams(purpose="training", audience="member:CTBC", commercial=False, pii_gate="expected")
        exported = {v.record_id: v.verdict for v in iter_verdicts(con, params)}
    finally:
        con.close()
    assert [r["record_id"] for r in pushed] == [credited] and exported[credited].ok
    why = dict(report.refused_ids)
    assert why[no_agency] == exported[no_agency].reason and "needs the providing agency" in why[no_agency]
    assert why[too_long] == exported[too_long].reason and "longer than 300 characters" in why[too_long]
    assert {exported[no_agency].code, exported[too_long].code} == {"licence_terms"}


def test_a_version_with_no_visible_text_is_not_pushed(tmp_path):
    """Hygiene may empty a text (only invisible characters); the PII stage then passes it, and the push sent it as
    an empty task to every project (review of the stages fixes, A)."""
    from ls_records import add_record, add_source

    from annotation.push import PushConfig, PushReport, _eligible, select_candidates
    from provenance.db import connect

    con = connect(tmp_path / "c.duckdb")
    try:
        add_source(con)
        empty, blank, plain = add_record(con, ""), add_record(con, " \n"), add_record(con, "風險管理。")
        cfg = PushConfig(project="proofread", bank="CTBC")
        report = PushReport(bank="CTBC", project="proofread")
        pushed = _eligible(con, cfg, select_candidates(con, cfg)[0], report)
    finally:
        con.close()
    assert [r["record_id"] for r in pushed] == [plain]
    why = dict(report.refused_ids)
    assert why[empty] == why[blank] == "empty text (nothing to annotate)"


@pytest.mark.parametrize("token", ["tok-secret-1\r", " tok-secret-1\n"], ids=["crlf-file-via-cat", "spaces"])
def test_token_with_surrounding_white_space_is_trimmed(tmp_path, token):
    # `export LABEL_STUDIO_API_KEY=$(cat token.txt)` of a file saved with Windows line ends keeps the CR
    cfg = resolve("x", env={"LABEL_STUDIO_URL": "http://a:1", "LABEL_STUDIO_API_KEY": token}, cwd=tmp_path)
    assert cfg.api_key == "tok-secret-1"


@pytest.mark.parametrize("url", ["http://a:1\r", " http://a:1/\r\n"], ids=["crlf-file-via-cat", "spaces"])
def test_url_with_surrounding_white_space_is_trimmed(tmp_path, url):
    cfg = resolve("x", env={"LABEL_STUDIO_URL": url, "LABEL_STUDIO_API_KEY": "tok"}, cwd=tmp_path)
    assert cfg.url == cfg.instance == "http://a:1"


@pytest.mark.parametrize("suffix", ["", "__BANK_A"], ids=["shared", "per-bank"])
def test_token_variable_of_white_space_alone_falls_back_to_the_key_file(tmp_path, suffix):
    # `export LABEL_STUDIO_API_KEY=$(cat FILE)` of a file holding a bare CRLF, beside a key file that is named: the
    # variable holds no token, so the file is read (it was skipped, and the error said neither was set)
    key_file = tmp_path / "token.txt"
    key_file.write_text("tok-from-file\r\n", encoding="utf-8")
    key_file.chmod(0o600)
    env = {
        f"LABEL_STUDIO_URL{suffix}": "http://a:1",
        f"LABEL_STUDIO_API_KEY{suffix}": "\r",
        f"LABEL_STUDIO_API_KEY_FILE{suffix}": str(key_file),
    }
    assert resolve("bank-a", env=env, cwd=tmp_path).api_key == "tok-from-file"


@pytest.mark.parametrize(
    "token", ["tok\nsecret-1", "tok-sécret-1", "tok secret-1"], ids=["newline", "non-ascii", "space"]
)
def test_token_with_characters_no_token_has_is_refused_unquoted(tmp_path, token):
    env = {"LABEL_STUDIO_URL": "http://a:1", "LABEL_STUDIO_API_KEY": token}
    with pytest.raises(ConfigError, match="LABEL_STUDIO_API_KEY_FILE") as got:
        resolve("x", env=env, cwd=tmp_path)
    assert "secret" not in str(got.value) and "\n" not in str(got.value)


def test_refused_header_is_not_quoted_with_the_token():
    # a server that listens: the HTTP client refuses the header itself, and its error quoted it whole
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cfg = LabelStudioConfig(url=f"http://127.0.0.1:{srv.getsockname()[1]}", api_key="tok-secret-1", retries=0)
    object.__setattr__(cfg, "api_key", "tok-secret-1\r")  # (past the config's check, as a future path might be)
    client = LabelStudioClient(cfg)
    try:
        with pytest.raises(LabelStudioTerminalError, match="refused to send") as got:  # (not retried: never sent)
            client.whoami()
    finally:
        srv.close()
    assert "tok-secret-1" not in str(got.value) and "tok-secret-1" not in repr(got.value.__cause__)


def test_a_mounted_token_file_has_a_way_on(tmp_path):
    """A token file whose mode cannot change (a Docker secret 0444, a Kubernetes secret volume 0644, a Windows drive
    0777) was refused with `chmod 600` alone, which there does nothing: the refusal names a private copy and a pipe,
    and the pipe is read (the PII key file's way on)."""
    import os

    key = tmp_path / "key"
    key.write_text("tok-mounted\n")
    key.chmod(0o444)
    env = {"LABEL_STUDIO_URL": "http://ls:8080", "LABEL_STUDIO_API_KEY_FILE": str(key)}
    with pytest.raises(ConfigError, match=r"install -m 600 .*<\(cat ") as got:
        resolve("bank-a", env=env, cwd=tmp_path)
    assert "tok-mounted" not in str(got.value)
    r, w = os.pipe()
    try:
        os.write(w, key.read_bytes())
        os.close(w)
        piped = {**env, "LABEL_STUDIO_API_KEY_FILE": f"/dev/fd/{r}"}
        assert resolve("bank-a", env=piped, cwd=tmp_path).api_key == "tok-mounted"
    finally:
        os.close(r)


def test_a_token_file_that_is_no_token_file_is_named(tmp_path):
    """`LABEL_STUDIO_API_KEY_FILE=/dev/urandom` was read without end (the PII key file was capped, this reader not);
    a large file is refused in one line. (A device is not read here: on a regression it would take the memory.)"""
    big = tmp_path / "big"
    big.write_bytes(b"t" * (1 << 20))
    big.chmod(0o600)
    with pytest.raises(ConfigError, match="more than 65536 bytes"):
        resolve("bank-a", env={"LABEL_STUDIO_URL": "http://ls:8080", "LABEL_STUDIO_API_KEY_FILE": str(big)})


@pytest.mark.parametrize("control", ["corrected", "comment"], ids=["correction", "comment"])
def test_a_lone_surrogate_in_typed_text_is_an_invalid_annotation(control):
    """Typed text with half an emoji (``\\ud83d``, which JSON can escape) cannot be sealed or stored as UTF-8: the
    annotation is ``invalid`` (a fixed reason, the text never quoted), not a version or a sealed comment that stops
    the pull. (Label Studio 1.23.2 on SQLite answers 500 to such a submit; another backend or a proxy may not.)"""
    text = "本行依銀行法辦理。"
    result = [
        {"from_name": "verdict", "value": {"choices": ["已修正"]}},
        {"from_name": control, "value": {"text": [text + "\ud83d"]}},
    ]
    d = decide_proofread(text, result, True)
    assert (d.outcome, d.new_text, d.sealed) == ("invalid", None, {}), d
    assert d.result["error"] == "text_not_unicode" and "\ud83d" not in json.dumps(d.detail)
