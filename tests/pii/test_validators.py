"""Validators against the test vectors of docs/domain-pii-zh.md section 2."""

import pytest

from curate.pii import validators as v

NATIONAL_OK = (
    "A123456789 B222222228 Z100000002 I100000003 O200000006 W100000001 F131104093 L122544270 N116247806 "
    "C180661564 O158238845 Y123456788".split()
)
NATIONAL_BAD = "A123456788 A123456780 F131104091 O158238842 I123456789 A323456789".split()
ARC_NEW_OK = (
    "A800000014 F800000000 F900000002 F876543210 A803095426 A900207177 A870000015 A880000018 A890000011 "
    "B801300667 T900251126".split()
)
ARC_NEW_BAD = "A800000015 A800000000 F800000001 F931104091".split()
ARC_OLD_OK = "AA00000009 AB12345677 AA12345675 HD02717288 AC03095424 AD30196818 BD01300667 TD00251124".split()
ARC_OLD_BAD = "AA00000000 AB12345678 AE23456785 FG31104091".split()
UBN_BOTH = "04595257 22099131 00501503 12345676 12345675".split()
UBN_BAD = "00501502 12345678 04595253 00277103".split()
UBN_DIV5_ONLY = "10000004 10000026 00501508 04595252 62140097 10000073 10000171 00000074".split()
LUHN_OK = (
    "4111111111111111 5555555555554444 3530111333300000 3566002020360505 378282246310005 6200000000000005 "
    "4000056655665556".split()
)
LUHN_BAD = ["4111 1111 1111 1112", "4000056655665557"]
MOBILE = ["0912-345-678", "+886 912 345 678", "886912345678"]
LANDLINE = [
    "(02)2345-6789",
    "+886 (0)2 2345 6789",
    "(037)123-456",
    "04-723-4567",
    "(0826)12345",
    "02-2345-6789 分機 123",
]
PHONE_BAD = ["0800-123-456", "09123456789", "02-234-5678"]


@pytest.mark.parametrize("value", NATIONAL_OK)
def test_national_ok(value):
    assert v.validate_tw_id(value) and v.id_kind(value) == "national"


@pytest.mark.parametrize("value", NATIONAL_BAD)
def test_national_bad(value):
    assert not v.validate_tw_id(value)


@pytest.mark.parametrize("value", ARC_NEW_OK + ARC_OLD_OK)
def test_arc_ok(value):
    assert v.validate_arc(value) and not v.validate_tw_id(value)


@pytest.mark.parametrize("value", ARC_NEW_BAD + ARC_OLD_BAD)
def test_arc_bad(value):
    assert not v.validate_arc(value)


@pytest.mark.parametrize("value", UBN_BOTH)
def test_ubn_both_rules(value):
    assert v.validate_ubn(value, 5) and v.validate_ubn(value, 10)


@pytest.mark.parametrize("value", UBN_BAD)
def test_ubn_bad(value):
    assert not v.validate_ubn(value, 5)


@pytest.mark.parametrize("value", UBN_DIV5_ONLY)
def test_ubn_div5_only(value):
    assert v.validate_ubn(value, 5) and not v.validate_ubn(value, 10)


@pytest.mark.parametrize("value", LUHN_OK)
def test_luhn_ok(value):
    assert v.luhn(value)


@pytest.mark.parametrize("value", LUHN_BAD)
def test_luhn_bad(value):
    assert not v.luhn(value)


@pytest.mark.parametrize("value", MOBILE)
def test_mobile(value):
    assert v.classify_phone(value) == "MOBILE"


@pytest.mark.parametrize("value", LANDLINE)
def test_landline(value):
    assert v.classify_phone(value) == "LANDLINE"


@pytest.mark.parametrize("value", PHONE_BAD)
def test_phone_bad(value):
    assert v.classify_phone(value) is None


def test_mrz_and_roc_date():
    assert v.mrz_check_digit("L898902C<") == 3 and v.mrz_check_digit("312345678") == 5
    assert str(v.roc_date(85, 3, 5)) == "1996-03-05" and v.roc_date(89, 2, 29) and v.roc_date(90, 2, 29) is None
