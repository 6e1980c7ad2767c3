"""Hostile PII reviews and malformed annotations, decided by the real bridge code (review round 3, annot).

Missed (漏標) regions are masked wherever they are not masked yet (touching a masked span, overlapping each
other); contradictory verdicts keep the span masked and restore nothing; a malformed annotation is ``invalid``
with a fixed reason code that never quotes a value; a correction above the record cap is refused.
"""

from __future__ import annotations

import json

from annotation.decide import decide, decide_pii, decide_proofread, decide_topic
from annotation.offsets import cp_to_utf16
from annotation.review import show

RAW_NAME = "李大同"


def _region(shown: str, a: int, b: int, label: str, verdict: str | None, rid: str) -> list[dict]:
    v = {"start": cp_to_utf16(shown, a), "end": cp_to_utf16(shown, b), "text": shown[a:b], "labels": [label]}
    out = [{"id": rid, "from_name": "pii", "to_name": "text", "type": "labels", "value": v}]
    if verdict:
        out.append({"id": rid, "from_name": "verdict", "type": "choices", "value": {"choices": [verdict]}})
    return out


def _task(text: str, masks: list[str]) -> dict:
    s = show(text, masks)
    return {"text": s.text, "pii_spans": [list(x) for x in s.spans]}


def test_missed_region_touching_a_masked_span_masks_the_rest():
    text = "理財專員〔姓名〕挪用客戶款項"
    data = _task(text, ["李○同"])  # shown 理財專員李○同挪用…, masked span [4, 7)
    d = decide_pii(text, _region(data["text"], 2, 7, "姓名", "漏標", "r1"), True, data=data)
    assert d.outcome == "reviewed" and d.fields == {"pii_state": "scrubbed"}
    assert d.new_text == "理財〔姓名〕〔姓名〕挪用客戶款項"  # 專員 masked, the detected span kept
    assert d.result["added"] == [{"start": 2, "end": 4, "type": "姓名"}]
    # a region over a masked span and past it on both sides: both outer parts masked
    d = decide_pii(text, _region(data["text"], 3, 9, "其他", "漏標", "r1"), True, data=data)
    assert d.new_text == "理財專〔其他〕〔姓名〕〔其他〕客戶款項"


def test_overlapping_missed_regions_are_merged_and_all_masked():
    text = "授信審核應依徵信準則辦理"
    result = _region(text, 0, 4, "姓名", "漏標", "r1") + _region(text, 2, 8, "姓名", "漏標", "r2")
    d = decide_pii(text, result, True)
    assert d.new_text == "〔姓名〕準則辦理"
    assert d.result["added"] == [{"start": 0, "end": 8, "type": "姓名"}]
    # types differ: one placeholder 其他; touching regions of one type: one placeholder
    result = _region(text, 0, 4, "姓名", "漏標", "r1") + _region(text, 2, 8, "電話", "漏標", "r2")
    assert decide_pii(text, result, True).new_text == "〔其他〕準則辦理"
    result = _region(text, 0, 4, "姓名", "漏標", "r1") + _region(text, 4, 6, "姓名", "漏標", "r2")
    assert decide_pii(text, result, True).new_text == "〔姓名〕徵信準則辦理"
    result = _region(text, 0, 4, "姓名", "漏標", "r1") + _region(text, 4, 6, "電話", "漏標", "r2")
    assert decide_pii(text, result, True).new_text == "〔姓名〕〔電話〕徵信準則辦理"


def test_contradictory_verdicts_keep_the_span_masked_and_restore_nothing():
    text = "客戶〔姓名〕於本行開戶"
    data = _task(text, ["王○明"])
    asked = []

    def originals():
        asked.append(1)
        return [("PERSON", "王小明")]

    cases = {
        "two regions": _region(data["text"], 2, 5, "姓名", "非個資", "r1")
        + _region(data["text"], 2, 5, "其他", "類型錯誤", "r2"),
        "two verdicts on one region": _region(data["text"], 2, 5, "姓名", "非個資", "r1")
        + [{"id": "r1", "from_name": "verdict", "value": {"choices": ["正確"]}}],
        "a missed region over it": _region(data["text"], 2, 5, "姓名", "非個資", "r1")
        + _region(data["text"], 1, 4, "姓名", "漏標", "r2"),
    }
    for name, result in cases.items():
        d = decide_pii(text, result, True, data=data, originals=originals)
        assert d.restored == [], name
        assert "王小明" not in (d.new_text or text) and "〔姓名〕" in (d.new_text or text), name
        assert d.result["not_pii"] == [] and [c["index"] for c in d.result["conflicts"]] == [0], name
    assert asked == []  # the vault is not even asked for the value
    # the plain 非個資 verdict still restores
    d = decide_pii(text, _region(data["text"], 2, 5, "姓名", "非個資", "r1"), True, data=data, originals=originals)
    assert d.new_text == "客戶王小明於本行開戶" and d.restored == [("PERSON", "王小明", 0)]


def test_forged_offsets_give_a_reason_code_without_the_value():
    text = "客戶〔姓名〕先生"
    forged = "王小明A123456789"
    for value in (
        {"start": forged, "end": 2, "labels": ["姓名"]},
        {"start": 0, "end": [forged], "labels": ["姓名"]},
        {"start": True, "end": 2, "labels": ["姓名"]},
        {"start": 0, "end": 10_000, "labels": ["姓名"]},
        {"start": 0, "end": 2, "labels": forged},
        {"start": 0, "end": 2, "text": [forged], "labels": ["姓名"]},
    ):
        d = decide_pii(text, [{"id": "r", "from_name": "pii", "value": value}], True)
        assert (d.outcome, d.action, d.new_text) == ("invalid", "pii_review_invalid", None), value
        blob = json.dumps([d.result, d.detail], ensure_ascii=False)
        assert forged not in blob and "王小明" not in blob and "A123456789" not in blob, blob
        assert d.detail["error"] in {
            "offsets_not_integers",
            "offsets_outside_text",
            "labels_malformed",
            "region_text_malformed",
        }, d.detail


def test_malformed_annotations_of_every_project_are_invalid_not_crashes():
    text = "客戶〔姓名〕先生"
    bad = {
        "proofread": [
            [{"from_name": "corrected", "value": {"text": [123, None]}}],
            [{"from_name": "verdict", "value": {"choices": "正確"}}],
            [{"from_name": "verdict", "value": ["正確"]}],
            [{"from_name": "verdict", "value": {"choices": ["王小明A123456789"]}}],
            ["not an object"],
        ],
        "pii": [[{"from_name": "verdict", "value": ["正確"]}], [{"from_name": "pii", "value": "x"}]],
        "topic": [
            [{"from_name": "topic", "value": {"choices": ["王小明A123456789"]}}],
            [{"from_name": "quality", "value": {"rating": "5 stars"}}],
            [{"from_name": "quality", "value": ["x"]}],
        ],
    }
    for project, results in bad.items():
        for result in results:
            d = decide(project, text, {"result": result}, True)
            assert d.outcome == "invalid" and d.new_text is None, (project, result)
            assert d.action == f"{'pii_review' if project == 'pii' else project}_invalid"
            assert "王小明" not in json.dumps([d.result, d.detail], ensure_ascii=False)
    ok = decide_topic([{"from_name": "topic", "value": {"choices": ["外匯"]}}])
    assert ok.result == {"topic": "外匯", "quality": None}


def test_typed_text_is_handed_to_the_seal_never_stored():
    text = "授信額度依規定辦理"
    comment = "原文姓名為李大同，身分證A123456789，電話0912345678"
    corrected = "理財專員李大同挪用客戶款項"
    result = [
        {"from_name": "corrected", "value": {"text": [corrected]}},
        {"from_name": "verdict", "value": {"choices": ["已修正"]}},
        {"from_name": "comment", "value": {"text": [comment]}},
    ]
    fixed = decide_proofread(text, result, True)
    stale = decide_proofread(text, result, False)
    assert fixed.new_text == corrected and fixed.sealed == {"comment": comment}
    assert stale.new_text is None and stale.sealed == {"comment": comment, "corrected": corrected}
    for d in (fixed, stale):
        blob = json.dumps([d.result, d.detail], ensure_ascii=False)
        assert RAW_NAME not in blob and "A123456789" not in blob
        assert d.result["comment_chars"] == len(comment) and d.result["corrected_chars"] == len(corrected)


def test_a_correction_over_the_record_cap_is_refused():
    result = [{"from_name": "corrected", "value": {"text": ["字" * 1001]}}]
    d = decide_proofread("原文", result, True, max_chars=1000)
    assert (d.outcome, d.action, d.new_text, d.detail["error"]) == ("invalid", "proofread_invalid", None, "too_long")
    assert "1,001" in d.detail["reason"] and "CURATE_MAX_RECORD_CHARS" in d.detail["reason"]
    # an annotation is imported once, by id: the reason says how to get a fixed one in (review r2_annot2 #6)
    assert "delete it there and annotate the task again" in d.result["reason"]
    assert decide_proofread("原文", result, True, max_chars=1001).outcome == "fixed"


def test_an_emptied_correction_is_refused_and_the_ok_verdict_makes_no_version():
    """An annotator who clears the pre-filled text box (review 8, F1): the record was replaced by an empty version,
    even under the verdict 正確 (correct as it is)."""
    text = "第一條 本行授信業務依規定辦理。"

    def proofread(corrected: list[str], verdict: str) -> list[dict]:
        return [
            {"from_name": "corrected", "value": {"text": corrected}},
            {"from_name": "verdict", "value": {"choices": [verdict]}},
        ]

    for blank in ([""], ["   "], ["\u3000", ""], ["\u3164\u200b"]):
        for parent_active in (True, False):
            d = decide_proofread(text, proofread(blank, "已修正"), parent_active)
            assert (d.outcome, d.action, d.new_text, d.sealed) == ("invalid", "proofread_invalid", None, {}), blank
            assert d.result["error"] == "correction_blank" and "退回" in d.result["reason"]
        d = decide_proofread(text, proofread(blank, "正確"), True)
        assert (d.outcome, d.action, d.new_text, d.sealed) == ("ok", "proofread_ok", None, {}), blank
        assert d.detail["changed"] is False and d.detail["correction_not_applied"] is True
        assert decide_proofread(text, proofread(blank, "退回"), True).outcome == "reject"
    # 正確 beside a changed text: no version; what was typed is kept only sealed, as any correction not applied
    typed = "理財專員李大同挪用客戶款項"
    d = decide_proofread(text, proofread([typed], "正確"), True)
    assert (d.outcome, d.new_text, d.sealed) == ("ok", None, {"corrected": typed})
    assert d.result == {"verdict": "ok", "comment_chars": 0, "corrected_chars": len(typed)}
    assert decide_proofread(text, proofread([text], "正確"), True).sealed == {}
    assert decide_proofread(text, proofread([typed], "已修正"), True).new_text == typed


def test_bad_label_studio_retries_or_timeout_is_a_one_line_error(cli, monkeypatch):
    assert cli("init")[0] == 0
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "t")
    for name, value in (("LABEL_STUDIO_RETRIES", "abc"), ("LABEL_STUDIO_TIMEOUT", "10s")):
        monkeypatch.setenv(name, value)
        code, out, err = cli("annotate", "pull", "--bank", "A")
        assert code == 1 and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1 and name in err and repr(value) in err, err
        monkeypatch.delenv(name)


def test_run_pii_seals_typed_text_an_older_pull_left_in_the_clear(cli, db_path, monkeypatch):
    import duckdb
    from ls_records import add_record, add_source

    from curate.pii.keys import load_key
    from curate.pii.vault import decrypt
    from provenance.db import connect

    monkeypatch.setenv("CURATE_PII_KEY", "7a" * 32)
    con = connect(db_path)
    add_source(con)
    rid = add_record(con, "申請人王小明來電。", locator="x", pii_state=None)
    old = {"verdict": "fixed", "comment": "原文姓名為李大同", "corrected_text": "理財專員李大同挪用"}
    con.execute(
        "INSERT INTO annotations (instance, ls_annotation_id, ls_task_id, ls_project_id, bank, project, record_id,"
        " outcome, result, imported_at) VALUES ('http://ls', 7, 1, 1, 'A', 'proofread', ?, 'stale', ?,"
        " now()::TIMESTAMP)",
        [rid, json.dumps(old, ensure_ascii=False)],
    )
    con.close()
    code, out, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, out + err
    con = duckdb.connect(str(db_path), read_only=True)
    result = json.loads(con.execute("SELECT result FROM annotations").fetchone()[0])
    assert RAW_NAME not in json.dumps(result, ensure_ascii=False)
    assert result["comment_chars"] == 8 and result["corrected_chars"] == 9
    key = load_key()
    for name, text in (("comment", old["comment"]), ("corrected", old["corrected_text"])):
        vid = result["sealed"][name]
        nonce, ct = con.execute("SELECT nonce, ciphertext FROM raw_vault WHERE record_id = ?", [vid]).fetchone()
        assert decrypt(key, vid, bytes(nonce), bytes(ct)) == text
    # the ledger names the key the rows were sealed under: audit verify trusts no vault row under a key id it does not
    named = (
        "SELECT json_extract_string(detail, '$.key_id') FROM provenance_events WHERE action = 'annotation_texts_sealed'"
    )
    assert con.execute(named).fetchall() == [(key.key_id,)]
    con.close()


def test_a_value_read_as_personal_data_in_another_span_is_not_restored():
    """王小明 shown twice: 非個資 on one span and 正確 (or 類型錯誤, or inside a 漏標 region) on the other kept the name
    in the clear in a `scrubbed` version and allow-listed it everywhere (review r2_annot2 #4): both stay masked."""
    text = "客戶〔姓名〕來電，〔姓名〕表示將於下週還款。"
    data = _task(text, ["王○明", "王○明"])  # shown 客戶王○明來電，王○明表示…: spans [2, 5) and [8, 11)
    shown = data["text"]
    values = [("PERSON", "王小明"), ("PERSON", "王小明")]
    for second in ("正確", "類型錯誤"):
        label = "姓名" if second == "正確" else "電話"
        result = _region(shown, 2, 5, "姓名", "非個資", "a") + _region(shown, 8, 11, label, second, "b")
        d = decide_pii(text, result, True, data=data, originals=lambda: values)
        assert not d.restored and "王小明" not in (d.new_text or text), second
        assert [s["index"] for s in d.result["conflicts"]] == [0] and not d.result["not_pii"]
    # another value (a different name) is still restored
    other = [("PERSON", "王小明"), ("PERSON", "陳大文")]
    result = _region(shown, 2, 5, "姓名", "非個資", "a") + _region(shown, 8, 11, "姓名", "正確", "b")
    d = decide_pii(text, result, True, data=data, originals=lambda: other)
    assert d.new_text == "客戶王小明來電，〔姓名〕表示將於下週還款。" and [r[1] for r in d.restored] == ["王小明"]


#: a refresh token whose ``exp`` is in the past (2023): the SDK refuses it in its constructor, before any request
EXPIRED_TOKEN = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6MTcwMDAwMDAwMCwiaWF0IjoxNjAwMDAwMDAw"
    "LCJqdGkiOiJ4IiwidXNlcl9pZCI6IjEifQ.abc"
)


def test_an_expired_token_is_the_one_line_token_refused_error(cli, monkeypatch):
    """Review 5, annotation #3: the SDK's ApiError from its constructor escaped as a 40-line traceback."""
    assert cli("init")[0] == 0
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", EXPIRED_TOKEN)
    for args in (("push", "--project", "topic"), ("pull",)):
        code, _, err = cli("annotate", *args, "--bank", "A")
        assert code == 1 and "Traceback" not in err, err
        assert len(err.strip().splitlines()) == 1 and "token was refused" in err and "make labelstudio" in err, err


def test_a_pull_for_a_bank_or_instance_nothing_was_pushed_to_is_an_error(cli, monkeypatch):
    """Review 5, annotation #6: a bank code's other spelling, or another spelling of the URL, said `imported 0` and
    exit 0 without asking Label Studio anything."""
    assert cli("init")[0] == 0
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", "t")
    code, out, err = cli("annotate", "pull", "--bank", "b1")
    assert code == 2 and not out and len(err.strip().splitlines()) == 1, (out, err)
    assert "no project of bank b1 was pushed to http://127.0.0.1:9" in err and "LABEL_STUDIO_URL" in err, err
