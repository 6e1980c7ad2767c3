"""Han names a line break cuts in two (review 16): an OCR'd form's ``姓名：郭`` / ``怡伶`` and a contract's ``立約人 曾`` /
``淑芬 簽章`` went through ``curate pii scrub`` in clear, each half no name alone; a line that merely ends with a
surname's character stays."""

import json

import pytest

from curate.pii.scrubber import scrub


def test_scrub_removes_a_name_cut_by_a_line_break(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    texts = ["姓名：郭\n怡伶\u3000性別：女", "立約人 曾\n淑芬 簽章", "保證人：邵啟\n明 電話請洽分行"]
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)), encoding="utf-8")
    code, _, err = cli("-q", "pii", "scrub", "--input", str(src), "--output", str(out))
    assert code == 0, err
    rows = [json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines()]
    for half in ("怡伶", "淑芬", "邵啟"):
        assert not any(half in row for row in rows), rows


def test_span_covers_the_break(det):
    text = "姓名：郭\n怡伶\u3000性別：女"
    assert [(text[s.start : s.end], s.entity_type) for s in det.analyze(text)] == [("郭\n怡伶", "PERSON")]


def test_a_line_ending_in_a_surname_character_is_no_name(det):
    for text in ("本案依規定送交林\n口分行辦理。", "請於營業時間內至分行辦理，王\n道銀行另有規定者從其規定。"):
        assert [s for s in det.analyze(text) if s.entity_type == "PERSON"] == [], text


def test_a_lone_carriage_return_cuts_a_name_too(det):
    """An old Mac or OCR export ends its lines with a lone CR: `curate pii scrub` reads the text as it is (hygiene's
    CR-to-LF is a pipeline stage), so the name cut there went through in clear while a CR LF one was found."""
    for text in ("姓名：郭\r怡伶\u3000性別：女\r職業：教師", "立約人 曾\r淑芬 簽章"):
        found = [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"]
        assert found and all("\r" in f for f in found), (text, found)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("戶名：林子豪\n通報單位：警局\n備註：經林子豪同意後解除", "林子豪"),  # a 警示帳戶 notice (review 18)
        ("申訴人：簡志誠\n申訴事由：ATM跨行轉帳\n另簡志誠稱卡片遺失", "簡志誠"),
        ("債務人：歐陽美玲\n連帶保證人：歐陽俊傑", "歐陽美玲"),
    ],
)
def test_a_whole_name_ending_its_line_is_not_joined_to_the_next_label(det, text, name):
    """Review 18: a whole name at a line's end was read joined to the next line's first word (戶名：林子豪 /
    通報單位 -> 林子豪通報), so the span ran into the next label and the value the propagation looks for was
    ``林子豪\\n通報``: a later bare mention of 林子豪 stayed in clear."""
    spans = det.analyze(text)
    found = [text[s.start : s.end] for s in spans if s.entity_type == "PERSON"]
    assert found and all(f == name or "\n" not in f for f in found), found
    assert name not in scrub(text, spans).text
