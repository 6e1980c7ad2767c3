"""Review 7 (F4): rural addresses, where the village (鄉 + 村) stands where the road would."""

import pytest


@pytest.mark.parametrize(
    "text,value",
    [
        ("被保險人之住所澎湖縣湖西鄉隘門村21之5號。", "澎湖縣湖西鄉隘門村21之5號"),
        ("住所南投縣信義鄉東埔村一鄰開高巷68號。", "南投縣信義鄉東埔村一鄰開高巷68號"),
        ("住台北市大安區龍泉里5鄰12號。", "台北市大安區龍泉里5鄰12號"),
        ("被保险人住所澎湖县湖西乡隘门村21之5号。", "澎湖县湖西乡隘门村21之5号"),
        ("住所花蓮縣吉安鄉南昌村中正路一段88號。", "花蓮縣吉安鄉南昌村中正路一段88號"),
        ("申請人住在臺北市中正區忠孝西路一段50號3樓。", "臺北市中正區忠孝西路一段50號3樓"),
    ],
)
def test_addresses_with_or_without_a_road(text, value):
    from curate.pii.engine import PiiDetector

    spans = PiiDetector().analyze(text)
    assert [text[s.start : s.end] for s in spans if s.entity_type == "TW_ADDRESS"] == [value]


@pytest.mark.parametrize("text", ["宜蘭縣第3號公告。", "本會於臺北市召開第5號會議。", "嘉義縣竹崎鄉21號公報。"])
def test_no_village_no_road_is_no_address(text):
    from curate.pii.engine import PiiDetector

    assert [s for s in PiiDetector().analyze(text) if s.entity_type == "TW_ADDRESS"] == []
