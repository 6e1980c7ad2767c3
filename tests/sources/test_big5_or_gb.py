"""Review r4 docs #5: GB18030/GBK text whose bytes happen to be valid Big5 was decoded as Big5 mojibake
("银行授信实务" read "窅俴忨陓妗昢", metadata.encoding big5) and such a manifest was accepted; a Big5 decode is now
checked against GB18030 by how common its characters are in each standard, and refused when it cannot tell."""

from __future__ import annotations

import pytest

from sources.documents import ExtractionError, Reason, decode_text, extract

#: the review's samples (GB18030)
GB_TEXT = "银行授信实务讲义，风险管理与内部控制制度。" * 3
GB_MANIFEST = (
    "path,title,licensor,licence_id,agreement_id,audience,purposes,commercial,expiry,attribution\n"
    "a.txt,银行授信实务讲义,风险管理与内部控制制度,LicenseRef-Written-Agreement,AG-9,consortium,training,no,"
    "2030-12-31,银行授信实务\n"
)
#: real Traditional Chinese (statute, handout and news style), which must still read as Big5
BIG5_TEXTS = [
    "第一條　為健全銀行業務經營，保障存款人權益，適應產業發展，並使銀行信用配合國家金融政策，特制定本法。",
    "《台灣銀行家》舊文：利率風險管理。\n",
    "第一節　利率\n利率是資金的價格。\n第二節　匯率\n匯率是貨幣的價格。\n",
    "金融監督管理委員會今日公告，證券商應於每季終了後四十五日內申報財務報告。",
    "洗錢防制概論：金融機構應建立客戶審查程序，對於疑似洗錢交易應向調查局申報。",
    "臺灣銀行",
]
GB_TEXTS = [
    GB_TEXT,
    "商业银行应当加强流动性风险管理。",
    "信用卡业务管理办法",
    "保险公司偿付能力监管规定",
    "资本充足率管理办法，贷款风险分类指引",
]


@pytest.mark.parametrize("text", BIG5_TEXTS)
def test_real_big5_still_reads_as_big5(text):
    assert decode_text(text.encode("big5")) == (text, "cp950")  # Big5 bytes are read as CP950, their superset


@pytest.mark.parametrize("text", GB_TEXTS)
def test_gb18030_that_is_valid_big5_reads_as_gb18030_not_mojibake(text):
    data = text.encode("gb18030")
    data.decode("big5")  # the trap: these bytes are valid Big5
    assert decode_text(data) == (text, "gb18030")


def test_a_gb18030_text_file_is_ingested_as_what_it_says(tmp_path):
    path = tmp_path / "gb18030.txt"
    path.write_bytes(GB_TEXT.encode("gb18030"))
    doc = extract(path)
    assert doc.encoding == "gb18030" and doc.segments[0].text.startswith("银行授信实务讲义")


def test_bytes_common_in_both_standards_are_refused_as_undecodable(tmp_path):
    # 銀務管證期融 in Big5: every byte pair is a common character in Big5 and a level-1 hanzi in GB2312 (蝗叭恨靡戳磕);
    # twice, 12 Han characters: enough to tell, and neither reading is more common
    path = tmp_path / "either.txt"
    path.write_bytes(("銀務管證期融" * 2).encode("big5"))
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == Reason.UNDECODABLE and "cannot tell Big5 from GB18030" in info.value.detail


@pytest.mark.parametrize("text", ["匯款", "繳款", "銀務管證期融", "h.txt,匯款,楊琇雯,CC-BY-4.0"])
def test_too_few_han_characters_to_tell_keep_the_big5_reading(text):
    """Review of the r4 docs fixes #7: genuine Big5 of 2-5 Han characters common in both standards was refused."""
    assert decode_text(text.encode("big5")) == (text, "cp950")  # Big5 bytes are read as CP950, their superset


@pytest.mark.parametrize("row", ["h.txt,匯款,,CC-BY-4.0", "h.txt,繳款,,CC-BY-4.0", "h.txt,匯款,楊琇雯,CC-BY-4.0"])
def test_a_big5_manifest_with_one_short_chinese_cell_is_read(cli, tmp_path, row):
    (tmp_path / "h.txt").write_text("內容。\n", encoding="utf-8")
    m = tmp_path / "manifest.csv"
    m.write_bytes(f"path,title,licensor,licence_id\n{row}\n".encode("big5"))
    code, out, err = cli("manifest", "check", str(m))
    assert code == 0 and "h.txt [CC-BY-4.0] ok" in out, out + err


def test_an_undecodable_manifest_says_how_to_fix_it_once(cli, tmp_path):
    m = tmp_path / "manifest.csv"
    m.write_bytes(("path,title,licence_id\nh.txt," + "銀務管證期融" * 2 + ",CC-BY-4.0\n").encode("big5"))
    code, out, err = cli("manifest", "check", str(m))
    assert code != 0 and "cannot tell Big5 from GB18030" in err, out + err
    assert err.count("save it as UTF-8") == 1, err


def test_a_gb18030_manifest_that_is_valid_big5_is_refused(cli, tmp_path):
    (tmp_path / "a.txt").write_text("內容。\n", encoding="utf-8")
    m = tmp_path / "manifest.csv"
    m.write_bytes(GB_MANIFEST.encode("gb18030"))
    code, out, err = cli("manifest", "check", str(m))
    assert code != 0 and "窅俴忨陓" not in out + err
    assert "is not UTF-8 or Big5/CP950 text (it reads as gb18030)" in err, out + err


def test_a_big5_manifest_is_still_read(cli, tmp_path):
    (tmp_path / "g3.txt").write_text("內容。\n", encoding="utf-8")
    m = tmp_path / "manifest.csv"
    m.write_bytes("path,title,licensor,licence_id\ng3.txt,金融監督管理委員會講義,作者,CC-BY-4.0\n".encode("big5"))
    code, out, err = cli("manifest", "check", str(m))
    assert code == 0 and "g3.txt [CC-BY-4.0] ok" in out, out + err
