"""The child's identifiers against their issuers' rules, with the published examples: valid, invalid
and the edges (check digit 10, check digit 0, temporary UPNs, separators, non-ASCII digits)."""

import pytest
from django.core.exceptions import ValidationError

from assessments.identifiers import nhs_number_clean, uln_clean, upn_clean


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("9434765919", "9434765919"),  # NHS Digital's example
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        (" 943 476 5919 ", "9434765919"),
        # Weighted sum 0: 11 - 0 = 11 reads as check digit 0.
        ("0000000000", "0000000000"),
        # 4*10 + 0 ... + 1*2 = 42; 42 mod 11 = 9; 11 - 9 = 2.
        ("4000000012", "4000000012"),
    ],
)
def test_valid_nhs_numbers(typed, stored):
    assert nhs_number_clean(typed) == stored


@pytest.mark.parametrize(
    "typed, message",
    [
        ("9434765918", "check digit does not match"),
        ("9434765910", "check digit does not match"),
        # 6*2 = 12, 12 mod 11 = 1, 11 - 1 = 10: no tenth digit can match, so every such number is invalid.
        ("0000000060", "check digit does not match"),
        ("0000000069", "check digit does not match"),
        ("943476591", "10 digits"),
        ("94347659190", "10 digits"),
        ("943476591X", "10 digits"),
        ("９４３４７６５９１９", "10 digits"),  # full-width digits
        ("²" * 10, "10 digits"),
        ("", "10 digits"),
    ],
)
def test_invalid_nhs_numbers(typed, message):
    with pytest.raises(ValidationError) as error:
        nhs_number_clean(typed)
    assert message in error.value.messages[0]


@pytest.mark.parametrize(
    "typed, stored",
    [
        # 8*2 + 1*4 + 2*5 + 5*10 + 1*13 = 93; 93 mod 23 = 1 -> B.
        ("B801200005001", "B801200005001"),
        ("b801200005001", "B801200005001"),
        ("B801 2000 05001", "B801200005001"),
        # 2*2 + 7*4 + 1*9 + 6*10 + 4*12 + 9*13 = 266; 266 mod 23 = 13 -> P. (School census guidance
        # gives this number corrected to Q, but its own sum and table give P.)
        ("P207000016049", "P207000016049"),
        # Temporary UPNs end in a letter, counted at its place in the table (A=0 ... Z=22):
        # 8*2 + 1*4 + 2*5 + 5*10 + 1*12 + 12 (N) * 13 = 248; 248 mod 23 = 18 -> V.
        ("V80120000501N", "V80120000501N"),
        ("v80120000501n", "V80120000501N"),
    ],
)
def test_valid_upns(typed, stored):
    assert upn_clean(typed) == stored


@pytest.mark.parametrize(
    "typed, message",
    [
        ("B207000016049", "check letter does not match"),
        ("Q207000016049", "check letter does not match"),
        ("A801200005001", "check letter does not match"),
        ("Q80120000501N", "check letter does not match"),
        # I, O and S are never a temporary UPN's last letter, nor a check letter.
        ("V80120000501I", "13 characters"),
        ("V80120000501O", "13 characters"),
        ("V80120000501S", "13 characters"),
        ("I801200005001", "13 characters"),
        ("X80120000A001", "13 characters"),  # a letter inside
        ("B80120000500", "13 characters"),
        ("B8012000050011", "13 characters"),
        ("1801200005001", "13 characters"),
        ("B８01200005001", "13 characters"),
        ("", "13 characters"),
    ],
)
def test_invalid_upns(typed, message):
    with pytest.raises(ValidationError) as error:
        upn_clean(typed)
    assert message in error.value.messages[0]


def test_valid_uln():
    # HESA's example: 9*10 + 2*9 + 7*8 + 6*7 + 3*6 + 0*5 + 8*4 + 6*3 + 8*2 + 6*1 = 296, remainder 10.
    assert uln_clean("9276308686") == "9276308686"
    assert uln_clean("927 630 8686") == "9276308686"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("9276308687", "check digit does not match"),
        ("0276308686", "not starting with 0"),
        ("927630868", "10 digits"),
        ("92763086860", "10 digits"),
    ],
)
def test_invalid_ulns(typed, message):
    with pytest.raises(ValidationError) as error:
        uln_clean(typed)
    assert message in error.value.messages[0]
