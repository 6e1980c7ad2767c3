"""Recognizers on unspaced Chinese: what must be found, and what is not personal data."""

import pytest

from curate.pii.engine import PiiDetector


def found(detector, text):
    return [(text[s.start : s.end], s.entity_type) for s in detector.analyze(text)]


@pytest.mark.parametrize(
    "text,value,etype",
    [
        ("字號A123456789電話", "A123456789", "TW_NATIONAL_ID"),
        ("身分證字號：Ｆ１３１１０４０９３，", "Ｆ１３１１０４０９３", "TW_NATIONAL_ID"),
        ("居留證號AB12345677辦理", "AB12345677", "TW_RESIDENT_ID"),
        ("統一證號A800000014申請", "A800000014", "TW_RESIDENT_ID"),
        ("聯絡手機0912345678，", "0912345678", "TW_PHONE"),
        ("住家電話(02)2345-6789分機305，", "(02)2345-6789分機305", "TW_PHONE"),
        ("電話+886 912 345 678。", "+886 912 345 678", "TW_PHONE"),
        ("信箱wang.xiaoming@example.com.tw聯繫", "wang.xiaoming@example.com.tw", "EMAIL_ADDRESS"),
        ("卡號4111-1111-1111-1111遭盜刷", "4111-1111-1111-1111", "CREDIT_CARD"),
        ("信用卡卡號3530111333300000", "3530111333300000", "CREDIT_CARD"),
        ("匯入帳號123456789012，", "123456789012", "TW_BANK_ACCOUNT"),
        ("護照號碼312345678。", "312345678", "TW_PASSPORT"),
        ("健保卡號0000 1234 5678。", "0000 1234 5678", "TW_NHI_CARD"),
        ("出生日期民國85年3月5日。", "民國85年3月5日", "DATE_OF_BIRTH"),
        ("住所臺北市大安區忠孝東路四段100巷2弄3號5樓之1，", "臺北市大安區忠孝東路四段100巷2弄3號5樓之1", "TW_ADDRESS"),
        ("寄至10617台北市大安區羅斯福路三段12號。", "10617台北市大安區羅斯福路三段12號", "TW_ADDRESS"),
    ],
)
def test_finds(detector, text, value, etype):
    assert (value, etype) in found(detector, text)


@pytest.mark.parametrize(
    "text,name",
    [
        ("申請人王小明先生表示", "王小明"),
        ("客戶歐陽娜娜，身分證", "歐陽娜娜"),
        ("負責人范姜志豪之帳戶", "范姜志豪"),
        ("理財專員余美玲於昨日", "余美玲"),
        ("新住民阮氏花持居留證", "阮氏花"),
        ("经理林志强反映", "林志强"),
    ],
)
def test_names(detector, text, name):
    assert (name, "PERSON") in found(detector, text)


@pytest.mark.parametrize(
    "text",
    [
        "本公司統一編號22099131，",  # UBN
        "金管銀法字第11202712340號函",  # regulator document number
        "依銀行法第45條之1規定",  # law article
        "核貸新臺幣3,000,000元，利率2.5%",  # money
        "交易日期20230405，金額22099131元",  # event date + number
        "於民國112年5月3日撥款",  # event date (no birth context)
        "如有疑問請洽客服專線0800-123-456",  # toll-free
        "客服專線(02)2345-6789，",  # institutional hotline
        "卡號4563-****-****-1234已停用",  # already masked
        "身分證字號A12****789",  # already masked
        "金融監督管理委員會與中央銀行",  # regulator / bank names
        "高雄市政府財政局",  # no street/number: not an address
        "請寄信至service@bank.example.com.tw",  # role mailbox
        "。，！？、；：「」",  # punctuation only
        "",
    ],
)
def test_not_pii(detector, text):
    assert found(detector, text) == []


def test_bank_account_needs_context(detector):
    assert found(detector, "訂單編號123456789012已出貨") == []


@pytest.mark.parametrize(
    "text,value,etype",
    [
        # 04 + 8 digits is a Taichung landline and a 10-digit account: the label right before it decides
        ("存摺帳號0433886496，請確認。", "0433886496", "TW_BANK_ACCOUNT"),
        ("请汇入账号：0433886496", "0433886496", "TW_BANK_ACCOUNT"),
        ("帳戶聯絡電話0423456789", "0423456789", "TW_PHONE"),  # a phone word is nearer: the phone
        ("帳號0912345678", "0912345678", "TW_PHONE"),  # a mobile number stays one
        ("帳戶持有人住家(04)2234-5678", "(04)2234-5678", "TW_PHONE"),  # the label does not end right before it
    ],
)
def test_a_labelled_account_is_not_a_landline(detector, text, value, etype):
    assert (value, etype) in found(detector, text)


@pytest.mark.parametrize(
    "text,name",
    [
        ("由房東王小明收取", "王小明"),  # 房東 starts with the surname 房: not 房東王
        ("與房客柯俊傑約定租金", "柯俊傑"),
        ("與顧客林美玲聯繫", "林美玲"),  # 客 ends a role word: 顧客, 旅客, 房客 (role_words.txt)
        ("與王子軒約定", "王子軒"),  # 王子 is a word too, but no surname follows it: the name stays whole
    ],
)
def test_a_role_word_starting_with_a_surname_is_not_the_name(detector, text, name):
    got = found(detector, text)
    assert (name, "PERSON") in got and all(t == name for t, kind in got if kind == "PERSON"), got


@pytest.mark.parametrize(
    "brand,number",
    [
        ("美國運通卡", "344787810224839"),
        ("萬事達卡", "2221000000000009"),
        ("銀聯卡", "6200000000000005"),
        ("VISA卡", "4111111111111111"),
        ("JCB卡", "3530111333300000"),
    ],
)
def test_a_card_brand_is_card_context(detector, brand, number):
    assert (number, "CREDIT_CARD") in found(detector, f"{brand}{number}。")


def test_offsets_are_code_points_after_astral_chars(detector):
    text = "𠀋𠀋客戶王小明，手機0912345678"
    spans = {(text[s.start : s.end], s.entity_type) for s in detector.analyze(text)}
    assert ("0912345678", "TW_PHONE") in spans and ("王小明", "PERSON") in spans


def test_long_record_chunks_keep_offsets(detector):
    filler = "本條文所稱之金融機構，係指依法設立之銀行。" * 5000  # ~105k chars, no PII
    text = filler + "客戶王小明手機0912345678。" + filler
    spans = detector.analyze(text)
    assert {text[s.start : s.end] for s in spans} == {"王小明", "0912345678"}


def test_raw_text_context_enhancer():
    from curate.pii.base import RecognizerResult
    from curate.pii.context import RawTextContextEnhancer

    class Rec:
        id = "r1"
        context = ["統一編號"]

    def res(start, end):
        return RecognizerResult(
            "TW_UBN", start, end, 0.05, recognition_metadata={RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: "r1"}
        )

    enh = RawTextContextEnhancer()
    text = "本公司統一編號為22099131"
    (r,) = enh.enhance_using_context(text, [res(8, 16)], None, [Rec()])
    assert r.score == pytest.approx(0.4)
    text2 = "交易日期20230405，金額22099131元"
    (r2,) = enh.enhance_using_context(text2, [res(16, 24)], None, [Rec()])
    assert r2.score == pytest.approx(0.05)


def test_presidio_adapter_is_offline_no_op_engine_and_gives_the_same_spans(detector):
    pytest.importorskip("presidio_analyzer")
    from presidio_analyzer.nlp_engine import NoOpNlpEngine

    from curate.pii.engine import DetectorConfig, PiiDetector, build_analyzer

    assert isinstance(build_analyzer(engine="presidio").nlp_engine, NoOpNlpEngine)
    other = PiiDetector(DetectorConfig(engine="presidio"))
    for text in (
        "客戶王小明，身分證字號A123456789，手機0912-345-678。",
        "本公司統一編號為22099131",
        "卡號4111111111111111",
    ):
        assert other.analyze(text) == detector.analyze(text)


def test_detection_does_not_import_presidio():
    """Start-up: our engine runs the recognizers itself; presidio (seconds of imports) stays out."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from curate.pii.engine import PiiDetector\n"
        "from curate.pii.scrubber import scrub\n"
        "t = '客戶王小明手機0912345678'\n"
        "assert scrub(t, PiiDetector().analyze(t)).text == '客戶〔姓名〕手機〔電話〕'\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('presidio_analyzer', 'presidio_anonymizer', "
        "'spacy', 'torch', 'transformers')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_analyze_many_equals_analyze(detector):
    texts = [
        "客戶王小明手機0912345678",
        "",
        "本條文無個資。",
        "帳號12345678901234，戶名林美惠",
        "多行\n申請人陳大文\n電話(02)2345-6789",
        "信箱a.b@example.com" * 3,
        "法" * 5000 + "客戶李小華",
    ]
    assert detector.analyze_many(texts) == [detector.analyze(t) for t in texts]


def test_analyze_many_repeated_texts_and_memo(monkeypatch):
    """Equal texts (a law's metadata on each article) are analysed once and short ones remembered across calls:
    the spans are those of :meth:`analyze`, each result a list of its own, and the memo stays bounded."""
    from curate.pii import engine

    det = PiiDetector()
    calls: list[int] = []
    real = det._analyze_distinct
    monkeypatch.setattr(det, "_analyze_distinct", lambda texts: calls.append(len(texts)) or real(texts))
    texts = ["客戶王小明手機0912345678", "金融監督管理委員會", "客戶王小明手機0912345678", "", "戶名林美惠"] * 3
    expected = [det.analyze(t) for t in texts]
    first = det.analyze_many(texts)
    assert first == expected and calls == [4]  # four distinct strings
    first[0].clear()  # a caller's list is its own
    assert det.analyze_many(texts) == expected and calls == [4, 0]  # all remembered
    long = "法" * (engine.MEMO_MAX_CHARS + 1) + "客戶李小華"
    assert det.analyze_many([long, long]) == [det.analyze(long)] * 2 and calls[-1] == 1  # once, not remembered
    assert long not in det._memo
    monkeypatch.setattr(engine, "MEMO_ENTRIES", 5)
    det.analyze_many([f"第{i}條客戶王小明" for i in range(12)])
    assert 0 < len(det._memo) <= 5


@pytest.mark.parametrize("text", ["本行官方網站已更新", "余姓經理因故離職", "請於周末前回覆", "報刊、文書、廣播"])
def test_common_words_are_not_names(detector, text):
    assert [e for _, e in found(detector, text) if e == "PERSON"] == []


@pytest.mark.parametrize(
    "text,name",
    [
        ("經查王志明於民國110年間", "王志明"),
        ("匯款予張家豪帳戶", "張家豪"),
        ("董事陳建宏辭職", "陳建宏"),
        ("其兒子李俊傑代為辦理", "李俊傑"),
        ("理事長林正義致詞", "林正義"),
        ("洪志偉與其配偶林欣怡共同申請", "林欣怡"),
        ("收件人：曾雅雯 0933-222-111", "曾雅雯"),
    ],
)
def test_names_other_contexts(detector, text, name):
    assert (name, "PERSON") in found(detector, text)


@pytest.mark.parametrize(
    "text",
    ["請林先生來行", "王經理表示本季業績成長", "本行向高雄分行調閱", "對方表示同意", "連絡電話如下", "或逕予關閉。"],
)
def test_surname_only_and_words_not_names(detector, text):
    assert [e for _, e in found(detector, text) if e == "PERSON"] == []
