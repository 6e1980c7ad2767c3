"""Review 18: JSON and XML snippets pasted into a text (an API log, a core-banking message quoted in a ticket). A
record's metadata was read after its key, but the same key inside a text was no label: a migrant worker's or an
English name under ``custName``/``payeeName`` and a date under ``"birthday"``/``birthDate`` went through in clear.
Also an English form's next label was read into a Latin name (``Maria Santos Dela Cruz ARC No``), and
``Receiver:`` named no person where ``Sender:`` did."""

import pytest

from curate.pii.scrubber import scrub


def _found(det, text):
    return [(s.entity_type, text[s.start : s.end]) for s in det.analyze(text)]


@pytest.mark.parametrize(
    ("text", "value", "entity_type"),
    [
        ('{"custName":"SITI AMINAH","amount":15000}', "SITI AMINAH", "PERSON"),
        ('{"payeeName": "Jose Dela Cruz", "country": "PH"}', "Jose Dela Cruz", "PERSON"),
        ("<Remittance><senderName>WAYAN SUDARTA</senderName></Remittance>", "WAYAN SUDARTA", "PERSON"),
        ('{"custName":"翁子軒","birthday":"1991-07-09"}', "1991-07-09", "DATE_OF_BIRTH"),
        ('"birthDate": "1991-07-09"', "1991-07-09", "DATE_OF_BIRTH"),
        ("<cust:birth_date>1988/03/15</cust:birth_date>", "1988/03/15", "DATE_OF_BIRTH"),
        ("{'receiverName': 'Nguyen Van Ba'}", "Nguyen Van Ba", "PERSON"),
        ("Receiver: Jose Dela Cruz (Philippines)", "Jose Dela Cruz", "PERSON"),
    ],
)
def test_a_keyed_value_in_a_snippet_is_found(det, text, value, entity_type):
    spans = det.analyze(text)
    assert (entity_type, value) in [(s.entity_type, text[s.start : s.end]) for s in spans], _found(det, text)
    assert value not in scrub(text, spans).text


@pytest.mark.parametrize(
    "text",
    [
        '{"productName": "金龍卡", "rate": "1.5%"}',
        "<branch><name>中山分行</name><code>0123</code></branch>",
        "<Bank><Name>BANK OF TAIWAN</Name></Bank>",
        '{"senderName": "BANK OF TAIWAN", "bic": "BKTWTWTP"}',
        '{"status": "ok", "code": 200, "message": "success"}',
        '{"payeeName": "ABC Trading Co., Ltd."}',
        '{"branchName": "信義分行", "openDate": "2024-01-05"}',
        "Receiver: Bank Central Asia",
    ],
)
def test_a_snippet_without_personal_data_stays(det, text):
    assert det.analyze(text) == [], _found(det, text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Sender: Maria Santos Dela Cruz ARC No.: A988878109", "Maria Santos Dela Cruz"),
        ("持卡人：Tseng Hsiao-Wen\u3000Card No.: 3560", "Tseng Hsiao-Wen"),
        ("Name: Mary Wang Phone: 0912345678", "Mary Wang"),
    ],
)
def test_the_next_label_is_not_read_into_a_latin_name(det, text, name):
    assert ("PERSON", name) in _found(det, text), _found(det, text)


def test_many_texts_read_as_one_text_is(det):
    """`curate pii scrub` and the stage read short texts in batches (analyze_many): a one-line JSON snippet went
    through there in clear while analyze found its name."""
    texts = ['API log: {"custName":"SITI AMINAH","birthDate":"1991-07-09"}', "客戶王小明", '{"status": "ok"}']
    assert det.analyze_many(texts) == [det.analyze(t) for t in texts]
    assert det.analyze_many(texts)[0]


def test_scrub_cli_removes_a_keyed_value(cli, tmp_path, monkeypatch):
    import json

    monkeypatch.delenv("CURATE_PII_KEY", raising=False)
    monkeypatch.delenv("CURATE_PII_KEY_FILE", raising=False)
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    text = 'API log: {"custName":"SITI AMINAH","birthDate":"1991-07-09"} 後續由SITI AMINAH補件'
    src.write_text(json.dumps({"id": 1, "text": text}, ensure_ascii=False) + "\n", encoding="utf-8")
    code, _, err = cli("-q", "pii", "scrub", "--input", str(src), "--output", str(out))
    assert code == 0, err
    row = json.loads(out.read_text(encoding="utf-8"))["text"]
    assert "SITI" not in row and "1991-07-09" not in row, row


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"姓名": "SITI AMINAH", "電話": "0912345678"}', "SITI AMINAH"),  # a Chinese key (review 18's review)
        ('{"客戶姓名":"TRAN VAN HUNG"}', "TRAN VAN HUNG"),
        ('<cust name="SITI AMINAH" id="A1"/>', "SITI AMINAH"),  # an XML attribute
        ("<Payee custName='Jose Dela Cruz'></Payee>", "Jose Dela Cruz"),
    ],
)
def test_chinese_keys_and_attributes_are_read(det, text, value):
    found = [text[s.start : s.end] for s in det.analyze(text)]
    assert value in found, (text, found)
    assert found == [text[s.start : s.end] for s in det.analyze_many([text])[0]]


@pytest.mark.parametrize(
    "text",
    [
        '{"分行": "林口分行", "帳戶類別": "黃金存摺"}',
        '<form name="loanForm"><input name="custName" value="N/A"/></form>',
        '<product name="高金利定存" rate="1.5%"/>',
        '<branch name="王田分行"/>',
        '<row status="N/A" custName="N/A"/>',
    ],
)
def test_chinese_keys_and_attributes_hold_no_name(det, text):
    assert [text[s.start : s.end] for s in det.analyze(text) if s.entity_type == "PERSON"] == [], text


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('{"custName": "Mary O\'Brien", "amount": 15000}', "Mary O'Brien"),
        ('{"payeeName":"Dewi O\'Neil","country":"ID"}', "Dewi O'Neil"),
        ("{'custName': 'SITI AMINAH', 'note': 'cust\\'s'}", "SITI AMINAH"),
        ('<cust name="Rosa D\'Souza" idNo="x">', "Rosa D'Souza"),
    ],
)
def test_a_keyed_value_holding_the_other_quote_is_found(det, text, value):
    """Review 18's last read: a value was read only while it held no quote of either kind, so a name with an
    apostrophe (O'Brien, D'Souza) under custName/payeeName or a name attribute went through in clear. A value ends
    at its own closing quote (a JSON escape inside it allowed)."""
    spans = det.analyze(text)
    assert value not in scrub(text, spans).text, _found(det, text)
    assert det.analyze_many([text]) == [spans]


@pytest.mark.parametrize(
    "text",
    [
        '{"custName":"\\u738b\\u5c0f\\u660e","amount":15000}',  # json.dumps writes a Chinese name so by default
        '{"payeeName": "\\u6797\\u5fd7\\u73b2", "country": "TW"}',
        "<custName>&#x738b;&#x5c0f;&#x660e;</custName>",
        '<cust name="&#29579;&#23567;&#26126;" idNo="x">',
    ],
)
def test_a_keyed_value_written_in_escapes_is_found(det, text):
    """Review 18's last read: an API log's JSON written by ``json.dumps`` (ensure_ascii, its default) holds a Chinese
    name as ``\\u738b\\u5c0f\\u660e``, an XML message as character references; the keyed value was read as written, so
    no rule saw a name and it went through in clear (readable to anyone, or a model, that reads JSON). The value is
    read with its escapes decoded and the span covers the escapes."""
    spans = det.analyze(text)
    assert [s.entity_type for s in spans] == ["PERSON"], _found(det, text)
    assert "〔姓名〕" in scrub(text, spans).text
    assert det.analyze_many([text]) == [spans]


def test_escapes_under_a_key_naming_no_field_stay(det):
    text = '{"productName":"\\u91d1\\u9f8d\\u5361","rate":"1.5%"}'
    assert det.analyze(text) == []


@pytest.mark.parametrize(
    ("value", "ensure_ascii"),
    [
        ("陳𠮷", True),  # 𠮷 (U+20BB7) is past U+FFFF: json.dumps writes it as a surrogate pair, \ud842\udfb7
        ("林𡘙𡘙", True),
        ("Mary O'Brien", True),
        ("王小明", True),
        ("陳𠮷", False),
    ],
)
def test_a_json_dumps_name_is_masked_whole_and_stays_json(det, value, ensure_ascii):
    """Review 18's last read, second look: a name's character past U+FFFF (𠮷, 𡘙: Taiwanese given names hold them)
    is written by json.dumps as a surrogate pair, which was left as written, so the name went through in clear."""
    import json

    text = json.dumps({"custName": value, "amount": 15000}, ensure_ascii=ensure_ascii)
    spans = det.analyze(text)
    out = scrub(text, spans).text
    assert json.loads(out) == {"custName": "〔姓名〕", "amount": 15000}, (out, _found(det, text))
    assert det.analyze_many([text, "x"])[0] == spans


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('<cust name="Mary O&apos;Brien" idNo="x">', "Mary O&apos;Brien"),
        ("<cust name='Mary O&apos;Brien'>", "Mary O&apos;Brien"),
        ("<custName>Mary O&apos;Brien</custName>", "Mary O&apos;Brien"),
        ("<payeeName>Dewi O&apos;Neil</payeeName>", "Dewi O&apos;Neil"),
    ],
)
def test_a_keyed_value_with_a_named_entity_is_found(det, text, value):
    """Review 18's last read, second look: ``Mary O'Brien`` under custName was found but the same name as an XML
    writer escapes it (``&apos;``) was read as written and went through in clear."""
    spans = det.analyze(text)
    assert [(s.entity_type, text[s.start : s.end]) for s in spans] == [("PERSON", value)], _found(det, text)
    assert det.analyze_many([text]) == [spans]


@pytest.mark.parametrize("name", ["王小明", "陳𠮷", "Mary O'Brien", "SITI AMINAH"])
@pytest.mark.parametrize(("inner_ascii", "outer_ascii"), [(True, True), (False, True), (True, False), (False, False)])
def test_a_keyed_value_of_json_inside_a_json_string_is_found(det, name, inner_ascii, outer_ascii):
    """Review 18's last read, second look: an API log line whose message field holds the request as a JSON string
    (json.dumps of json.dumps) writes each quote of it as ``\\"`` (and a Chinese name as ``\\\\u738b``), so no pair was
    read and the name went through in clear. Both levels stay JSON after the scrub, the name masked whole."""
    import json

    payload = json.dumps({"custName": name, "amount": 15000}, ensure_ascii=inner_ascii)
    text = json.dumps({"level": "INFO", "msg": payload}, ensure_ascii=outer_ascii)
    spans = det.analyze(text)
    out = scrub(text, spans).text
    assert json.loads(json.loads(out)["msg"]) == {"custName": "〔姓名〕", "amount": 15000}, (out, _found(det, text))
    assert det.analyze_many([text, "x"])[0] == spans


def test_json_inside_a_json_string_under_keys_naming_no_field_stays(det):
    import json

    text = json.dumps({"msg": json.dumps({"productName": "金龍卡", "branchName": "信義分行", "status": "ok"})})
    assert det.analyze(text) == [], _found(det, text)
