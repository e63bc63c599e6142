"""IBAN, EU VAT numbers and company register numbers (KBO/BCE, KvK)."""

from __future__ import annotations

import pytest

from s2c_core.errors import InvalidReferenceError
from s2c_core.references import enterprise, iban, vat


def test_iban_examples_from_the_iban_registry_validate() -> None:
    assert iban.validate("BE71 0961 2345 6769") == "BE71096123456769"
    assert iban.validate("nl91abna0417164300") == "NL91ABNA0417164300"
    assert iban.format("DE89370400440532013000") == "DE89 3704 0044 0532 0130 00"
    assert iban.country_code("BE71096123456769") == "BE"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("BE71 0961 2345 6768", "checksum"),
        ("BE06 0961", "format"),  # right check digits, too short for a Belgian BBAN
        ("QQ79 3456", "component"),  # right check digits, no such country
    ],
)
def test_bad_ibans_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidReferenceError) as info:
        iban.validate(text)
    assert info.value.facts["reason"] == reason
    assert info.value.facts["kind"] == "iban"


def test_vat_numbers_of_several_member_states() -> None:
    assert vat.validate("BE 0403.019.261") == "BE0403019261"
    assert vat.validate("NL004495445B01") == "NL004495445B01"
    assert vat.validate("EL094259216") == "EL094259216"
    assert vat.country_code("be403019261") == "BE"
    assert vat.format("BE 0403 019 261") == "BE0403019261"


def test_vat_with_an_unknown_prefix_is_refused_even_by_compact() -> None:
    with pytest.raises(InvalidReferenceError) as info:
        vat.compact("US123456789")
    assert info.value.facts["reason"] == "component"
    assert not vat.is_valid("US123456789")
    assert not vat.is_valid(None)


def test_belgian_enterprise_number() -> None:
    """KBO/BCE: 10 digits, 97 - (first 8 mod 97); 0403.019.261 is a published example."""
    assert enterprise.validate("0403.019.261") == "0403019261"
    assert enterprise.validate("BE 428759497") == "0428759497"  # old 9-digit form
    assert enterprise.format("0403019261") == "0403.019.261"
    assert not enterprise.is_valid("0431.150.351")


def test_belgian_enterprise_number_must_start_with_0_or_1() -> None:
    with pytest.raises(InvalidReferenceError) as info:
        enterprise.validate("2403019261")
    assert info.value.facts["reason"] in {"component", "checksum"}


def test_dutch_kvk_number_is_eight_digits_without_checksum() -> None:
    assert enterprise.validate("KvK 6901 2345", country="NL") == "69012345"
    assert enterprise.format("69012345", country="NL") == "69012345"
    with pytest.raises(InvalidReferenceError) as info:
        enterprise.validate("6901234", country="NL")
    assert info.value.facts["reason"] == "length"
    assert not enterprise.is_valid("6901234X", country="NL")
    assert not enterprise.is_valid("00000000", country="NL")


def test_unknown_register_country_is_refused() -> None:
    with pytest.raises(InvalidReferenceError):
        enterprise.validate("0403019261", country="FR")  # type: ignore[arg-type]
    assert not enterprise.is_valid("0403019261", country="FR")  # type: ignore[arg-type]
