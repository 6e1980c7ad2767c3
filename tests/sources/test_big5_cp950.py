"""Review 8, findings 7 and 8: Big5 bytes were decoded with Python's ``big5`` before ``cp950``, which reads 11
punctuation marks differently from what Windows wrote (～ as ∼, ‧ as •), so a UTF-8 and a Big5 copy of one text gave
two records; and a declared ``<meta charset>`` was trusted blindly, storing Big5 under iso-8859-1 as mojibake."""

from __future__ import annotations

import pytest

from provenance.errors import ConfigError
from sources.documents import ExtractionError, Reason, decode_text, extract
from sources.manifest import read_manifest
from sources.tabf import TabfSource

#: every mark Python's big5 and cp950 read differently, as typed on Windows (cp950 writes each of them)
MARKS = "‧﹑¯～⊕⊙∕﹨￥￠￡／＼"
TEXT = "存款期間１～３年，利率依約翰‧史密斯教授之模型計算。" + MARKS


def test_big5_bytes_read_as_windows_wrote_them():
    assert decode_text(TEXT.encode("cp950")) == (TEXT, "cp950")


def test_a_utf8_and_a_big5_copy_give_identical_records(tmp_path, collect):
    d = tmp_path / "m"
    d.mkdir()
    (d / "u8.txt").write_text(TEXT + "\n", encoding="utf-8")
    (d / "b5.txt").write_bytes((TEXT + "\n").encode("cp950"))
    (d / "manifest.csv").write_text("path,licence_id\nu8.txt,CC-BY-4.0\nb5.txt,CC-BY-4.0\n", encoding="utf-8")
    records, rejections, _ = collect(TabfSource([d / "manifest.csv"]))
    assert rejections == []
    assert {r.locator.split("#")[0]: r.text for r in records} == {"u8.txt": TEXT, "b5.txt": TEXT}


def test_a_big5_manifest_quotes_titles_and_licensors_as_written(tmp_path):
    d = tmp_path / "m"
    d.mkdir()
    (d / "a.txt").write_text(TEXT, encoding="utf-8")
    row = "a.txt,存款利率１～３年期‧定期,王‧大明,CC-BY-4.0"
    (d / "manifest.csv").write_bytes(f"path,title,licensor,licence_id\n{row}\n".encode("cp950"))
    [got] = read_manifest(d / "manifest.csv")
    assert (got.title, got.licensor) == ("存款利率１～３年期‧定期", "王‧大明")


@pytest.mark.parametrize("label", ["big5", "BIG5", "x-x-big5", "cp950"])
def test_html_declared_big5_is_read_as_cp950(tmp_path, label):
    path = tmp_path / "p.html"
    path.write_bytes(f"<html><head><meta charset='{label}'></head><body><p>{TEXT}</p></body></html>".encode("cp950"))
    doc = extract(path)
    assert (doc.encoding, doc.segments[0].text) == ("cp950", TEXT)


@pytest.mark.parametrize("codec", ["cp950", "utf-8"])
def test_chinese_bytes_under_a_wrong_single_byte_charset_are_quarantined(tmp_path, codec):
    page = "<html><head><meta charset='iso-8859-1'></head><body><p>本行依據銀行法第三十三條規定辦理授信業務。</p>"
    path = tmp_path / "p.html"
    path.write_bytes(page.encode(codec))
    with pytest.raises(ExtractionError) as info:
        extract(path)
    assert info.value.reason == Reason.UNDECODABLE
    assert f"declares charset iso-8859-1 but reads as {codec} Chinese text" in info.value.detail


def test_a_latin1_page_is_still_read_by_its_charset(tmp_path):
    path = tmp_path / "p.html"
    page = "<html><head><meta charset='iso-8859-1'></head><body><p>Le comité a publié l'été dernier.</p></body></html>"
    path.write_bytes(page.encode("latin-1"))
    doc = extract(path)
    assert (doc.encoding, doc.segments[0].text) == ("iso-8859-1", "Le comité a publié l'été dernier.")


def test_law_xml_declared_big5_is_read_as_cp950():
    from lxml import etree

    from sources.law_moj_xml import xml_bytes

    data = f'<?xml version="1.0" encoding="Big5"?><法規><法規名稱>{TEXT}</法規名稱></法規>'.encode("cp950")
    assert etree.fromstring(xml_bytes(data)).findtext("法規名稱") == TEXT


@pytest.mark.parametrize("name", ["São Paulo", "Québec", "España", "Gómez", "São Paulo, Québec, España and Gómez"])
@pytest.mark.parametrize("charset,codec", [("iso-8859-1", "latin-1"), ("windows-1252", "cp1252")])
def test_accented_names_before_a_letter_are_no_evidence_against_the_charset(tmp_path, name, charset, codec):
    """Each accented letter before an ASCII letter reads as one Big5 character (ã + o: 埬): a handful of such
    pairs overruled a correct declaration and quarantined the page (review 8 of the fixes, #3)."""
    text = f"Our correspondent bank in {name} handles USD clearing for the branch."
    path = tmp_path / "p.html"
    path.write_bytes(f"<html><head><meta charset='{charset}'></head><body><p>{text}</p></body></html>".encode(codec))
    doc = extract(path)
    assert (doc.encoding, doc.segments[0].text) == (charset, text)


def test_a_long_latin_text_that_reads_as_big5_keeps_its_charset(tmp_path):
    text = "Straße Größe Ärger Übung Öl; Año España señor niño mañana; réglementation générale développée. " * 3
    path = tmp_path / "p.html"
    path.write_bytes(f"<html><head><meta charset='iso-8859-1'></head><body><p>{text.strip()}</p>".encode("latin-1"))
    assert extract(path).segments[0].text == text.strip()


def test_one_hkscs_character_is_read_alone_and_the_rest_as_cp950(tmp_path):
    """One pair CP950 lacks made the whole file big5hkscs, which reads ～ as ∼ and ‧ as • (review 8 of the fixes, #4)."""
    data = TEXT.encode("cp950") + "香港分行：嘅".encode("big5hkscs")
    assert decode_text(data) == (TEXT + "香港分行：嘅", "cp950+hkscs")
    path = tmp_path / "hk.txt"
    path.write_bytes(data)
    doc = extract(path)
    assert (doc.encoding, doc.segments[0].text) == ("cp950+hkscs", TEXT + "香港分行：嘅")


@pytest.mark.parametrize("pair,where", [(b"\xfa\x40", "FA40"), (b"\xfe\xfe", "FEFE"), (b"\x81\x40", "8140")])
def test_a_user_defined_character_is_named_never_guessed(tmp_path, pair, where):
    """A 造字 (Windows EUDC) name character: big5hkscs read FA40 as 𠕇, a wrong name stored silently."""
    data = "客戶姓名：王".encode("cp950") + pair + "明，帳號１～３。".encode("cp950") + pair
    with pytest.raises(ExtractionError) as info:
        decode_text(data)
    assert info.value.reason == Reason.UNDECODABLE
    assert info.value.detail.startswith(
        f"user-defined Big5 characters (造字, Windows EUDC) name no standard character: 2 of them, the first bytes"
        f" {where} at character 7;"
    )
    d = tmp_path / "m"
    d.mkdir()
    (d / "a.txt").write_text(TEXT, encoding="utf-8")
    (d / "manifest.csv").write_bytes(b"path,licence_id,licensor\na.txt,CC-BY-4.0," + data + b"\n")
    with pytest.raises(ConfigError, match="user-defined Big5 characters"):
        list(read_manifest(d / "manifest.csv"))
