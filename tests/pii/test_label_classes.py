"""Personal values the rules missed on unseen text (review 5, PII finding 2): a Latin-script name after a compound
label (員工姓名, 保證人姓名, 客戶名字) or an English one naming a person (Account holder:, Customer name:) or filed under
such a metadata key (員工姓名, holderName), but not a thing's name after the same words (Issuer name, Rights holder,
商品名字, issuer_name);
an account after `A/C No.` with a single check digit; a Luhn-valid card number written as one run of digits after
the word of the card it is (副卡4147..., 附卡), but not an order, policy or transaction number or a barcode of the same
shape without one; a fax number (傳真). Each is a class of labels or values, checked here on other strings than the review's, beside
decoys of the same shapes that must stay."""

import json

import pytest

from curate.pii.fields import field_label, labelled_text, unlabelled
from tests.helpers.pii_spans import found as _found


@pytest.mark.parametrize(
    ("text", "value", "etype"),
    [
        ("保證人姓名：LE THI MAI，已於本行對保完成。", "LE THI MAI", "PERSON"),
        ("外籍看護名字：Siti Aminah，雇主另案申報。", "Siti Aminah", "PERSON"),
        ("帳戶戶名：Pham Quoc Bao，開戶分行：信義分行。", "Pham Quoc Bao", "PERSON"),
        ("員工姓名\tTRAN MINH DUC\t到職日", "TRAN MINH DUC", "PERSON"),
        ("Account holder: Lin Chia-Hao, requested a statement.", "Lin Chia-Hao", "PERSON"),
        ("Card holder name: WANG SHU-FEN; card status active.", "WANG SHU-FEN", "PERSON"),
        ("Policyholder: Huang Wei-Lun (insured amount NT$2,000,000).", "Huang Wei-Lun", "PERSON"),
        ("A/C No. 0118-2236-4459-1 was frozen on request.", "0118-2236-4459-1", "TW_BANK_ACCOUNT"),
        ("Acct No.: 0422153366，請於三日內補件。", "0422153366", "TW_BANK_ACCOUNT"),
        ("掛失後補發新卡4526018159083012，舊卡停用。", "4526018159083012", "CREDIT_CARD"),
        ("附卡3530194875749115由配偶持有。", "3530194875749115", "CREDIT_CARD"),
        ("副卡4147274739399506同時停用。", "4147274739399506", "CREDIT_CARD"),
        ("正卡5409989435135330，持卡人另申請附卡。", "5409989435135330", "CREDIT_CARD"),
        ("傳真：04-2251-3367，請回傳申請書。", "04-2251-3367", "TW_PHONE"),
    ],
)
def test_value_after_a_label_of_its_class_is_found(det, text, value, etype):
    assert (value, etype) in _found(det, text)


@pytest.mark.parametrize(
    "text",
    [
        "訂單編號4526018159083013已出貨，請查收。",  # 16 digits with a card's prefix, Luhn fails
        "參考號碼 6212345678901234567 僅供查詢。",  # 19 digits from 62, Luhn fails
        "訂單4526018159083012-01已出貨。",  # a card-shaped run inside a longer number
        "參考書目：ISBN 978-986-479-832-5，9789574445502。",
        "依銀行法第45條之1辦理，金額新臺幣1,234,567元。",
        "案件編號20230415123045，請於期限內回覆。",
        "公司名稱：Acme Trading，統一編號22099131。",
        "Company name: Formosa Trading; Bank name: Taipei Main; File name: Annual Report.",
        "Placeholder: Lorem Ipsum text goes here.",
        "分行名稱：Xinyi Branch，客服專線傳真02-2181-5555。",
        "本行傳真：02-2311-4567，營業時間上午九點。",
    ],
)
def test_decoys_of_the_same_shapes_stay(det, text):
    assert _found(det, text) == []


@pytest.mark.parametrize(
    "text",
    [  # Luhn-valid, with a card issuer's prefix, no card word near (review of the PII fixes, N1)
        "客戶提供之號碼為378194821993511，經查屬實。",
        "訂單編號 4000123456789017 已出貨。",
        "交易序號：6202405010001232，金額新臺幣3,000元。",
        "保單號碼：4501234567890125，保險期間一年。",
        "商品條碼 4710088412341 之定存宣傳品",
        "電文序號 6202405011234567893 已處理完成。",
        "Order No. 4000998877665544 has been shipped.",
        "Transaction reference: 6212345678901232",
        # a card word near, but a serial label right before the number: the serial's (條碼, 序號, 單號碼, Order No.)
        "本行聯名卡贈品「保溫瓶」商品條碼 4710884000084，每人限領一份。",
        "信用卡交易序號：6202405010001232，金額新臺幣3,000元。",
        "信用卡訂單號碼 4000123456789017",
        "credit card order no. 4000998877665544",
    ],
)
def test_a_card_shaped_serial_without_a_card_word_stays(det, text):
    assert _found(det, text) == []


@pytest.mark.parametrize(
    ("key", "label"),
    [
        ("holderName", "姓名"),
        ("guarantor_name", "姓名"),
        ("Beneficiary Name", "姓名"),
        ("policyholder", "姓名"),
        ("員工姓名", "員工姓名"),
        ("law_name", None),
        ("EngLawName", None),
        ("companyName", None),
        ("file_name", None),
        ("placeholder", None),
        ("account_holder_name", "姓名"),
        ("first_name", "姓名"),
        ("客戶名字", "客戶名字"),
        ("issuer_name", None),
        ("publisher_name", None),
        ("series_name", None),
        ("display_name", None),
        ("report_name", None),
        ("form_name", None),
        ("rights_holder", None),
        ("username", None),
    ],
)
def test_metadata_keys_naming_a_name_are_labels(key, label):
    assert field_label(key) == label


@pytest.mark.parametrize(
    ("text", "value"),
    [  # a person's role before name/holder/名字 (an allow-list: `name` also ends the names of things)
        ("Customer name: Lin Chih-Hao; Company name: ACME Ltd", "Lin Chih-Hao"),
        ("Name of account holder: Chen Yi-Ting", "Chen Yi-Ting"),
        ("Guarantor name: Hsu Chia-Ling", "Hsu Chia-Ling"),
        ("Full name: Tsai Ming-Hsun", "Tsai Ming-Hsun"),
        ("Surname: Kuo", "Kuo"),
        ("客戶名字：John Tsai", "John Tsai"),
        ("配偶名字：Mei Chen", "Mei Chen"),
        ("英文名字：David Kao", "David Kao"),
    ],
)
def test_a_name_after_a_person_role_is_found(det, text, value):
    assert (value, "PERSON") in _found(det, text)


@pytest.mark.parametrize(
    "text",
    [  # the names of things after name/holder/名字 labels (review of the PII fixes, N2)
        "Issuer name: Fubon Financial Holding",
        "Display name: Mobile Banking App",
        "Rights holder: Financial Supervisory Commission",
        "Publisher name: Financial Supervisory Commission",
        "Template name: Loan Agreement",
        "Licence holder: Taishin International",
        "商品名字：Cathay Rewards",
        "專案名字：Digital Banking",
        "卡片名字：World Elite",
        "基金英文名字：Fubon Global Bond",
        "活動名字\nHappy Go",
    ],
)
def test_a_thing_named_after_a_name_label_stays(det, text):
    assert _found(det, text) == []


@pytest.mark.parametrize(("key", "value"), [("員工姓名", "NGUYEN VAN HUNG"), ("holderName", "Chen Yi-Ting")])
def test_metadata_value_under_a_name_key_is_found(det, key, value):
    label = field_label(key)
    spans = unlabelled(label, det.analyze(labelled_text(label, value)))
    assert [(value[s.start : s.end], s.entity_type) for s in spans] == [(value, "PERSON")]


def test_stage_scrubs_latin_names_under_name_keys_and_in_the_text(cli, db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATE_PII_KEY", "cd" * 32)
    rows = [
        {"id": "m1", "text": "外籍移工 TRAN VAN LOC 薪轉帳戶已設定。", "員工姓名": "TRAN VAN LOC"},
        {"id": "m2", "text": "Statement sent to Wu Pei-Shan today.", "holderName": "Wu Pei-Shan"},
        {"id": "m3", "text": "年度報告。", "issuer_name": "Fubon Financial", "商品名字": "Cathay Rewards"},
    ]
    path = tmp_path / "people.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    code, _, err = cli("-q", "ingest", "moda", str(path), "--licence", "OGDL-Taiwan-1.0", "--pii-expected")
    assert code == 0, err
    assert cli("-q", "run", "hygiene")[0] == 0
    code, _, err = cli("-q", "run", "pii", "--workers", "1")
    assert code == 0, err
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        active = con.execute("SELECT text, metadata FROM records WHERE status = 'active'").fetchall()
    finally:
        con.close()
    dumped = json.dumps(active, ensure_ascii=False)
    assert "TRAN VAN LOC" not in dumped and "Wu Pei-Shan" not in dumped, dumped
    assert "Fubon Financial" in dumped and "Cathay Rewards" in dumped, dumped  # things' names stay
