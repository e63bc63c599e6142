"""ISO 11649:2009 RF creditor references."""

from __future__ import annotations

import pytest

from s2c_core.errors import InvalidReferenceError
from s2c_core.references import rf_creditor


def test_the_iso_11649_examples_validate() -> None:
    """Examples published with ISO 11649 material: RF18 5390 0754 7034 and RF71 2348 231."""
    assert rf_creditor.validate("RF18 5390 0754 7034") == "RF18539007547034"
    assert rf_creditor.validate("rf712348231") == "RF712348231"


def test_generation_reproduces_the_published_check_digits() -> None:
    assert rf_creditor.from_reference("539007547034") == "RF18539007547034"
    assert rf_creditor.from_reference(2348231) == "RF712348231"


def test_letters_are_allowed_in_the_base() -> None:
    ref = rf_creditor.from_reference("inv-2024-0042")
    assert ref.startswith("RF")
    assert ref.endswith("INV20240042")
    assert rf_creditor.is_valid(ref)


def test_format_groups_by_four() -> None:
    assert rf_creditor.format("RF18539007547034") == "RF18 5390 0754 7034"
    assert rf_creditor.format("RF712348231") == "RF71 2348 231"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("RF17 5390 0754 7034", "checksum"),
        ("RF1", "length"),
        ("XX18539007547034", "format"),
        ("RF18 5390 0754 7034 1234 5678 90", "length"),
        ("RFAB12345", "format"),
    ],
)
def test_invalid_references_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(InvalidReferenceError) as info:
        rf_creditor.validate(text)
    assert info.value.facts["reason"] == reason


@pytest.mark.parametrize("base", ["", "x" * 22, "ÄB12", -5, "A+B"])
def test_bases_that_cannot_make_a_reference_are_refused(base: str | int) -> None:
    with pytest.raises(InvalidReferenceError):
        rf_creditor.from_reference(base)


def test_longest_base_gives_a_25_character_reference() -> None:
    ref = rf_creditor.from_reference("Z" * rf_creditor.MAX_BASE_LENGTH)
    assert len(ref) == 25
    assert rf_creditor.is_valid(ref)


def test_is_valid_never_raises() -> None:
    assert not rf_creditor.is_valid(None)
    assert not rf_creditor.is_valid("")
    assert not rf_creditor.is_valid("RF")
