"""Belgian structured communication (OGM/VCS), Febelfin standard."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import exceptions as stdnum_exceptions
from stdnum.be import ogm_vcs as stdnum_ogm

from s2c_core.errors import InvalidReferenceError, ValidationError
from s2c_core.references import ogm_vcs


def test_the_febelfin_example_validates_in_every_printed_form() -> None:
    """Febelfin-style example 010/8068/17183: base 0108068171, 108068171 mod 97 = 83."""
    for text in (
        "+++010/8068/17183+++",
        "***010/8068/17183***",
        "010806817183",
        " 010/8068/17183 ",
    ):
        assert ogm_vcs.validate(text) == "010806817183"


def test_a_wrong_check_digit_is_refused_with_its_reason() -> None:
    with pytest.raises(InvalidReferenceError) as info:
        ogm_vcs.validate("+++010/8068/17180+++")
    assert info.value.facts["reason"] == "checksum"
    assert info.value.facts["kind"] == "ogm_vcs"
    assert isinstance(info.value, ValidationError)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12345", "length"), ("0108068171830", "length"), ("01080681718A", "format")],
)
def test_malformed_numbers_are_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidReferenceError) as info:
        ogm_vcs.validate(text)
    assert info.value.facts["reason"] == reason


def test_is_valid_never_raises() -> None:
    assert ogm_vcs.is_valid("010806817183")
    assert not ogm_vcs.is_valid("")
    assert not ogm_vcs.is_valid(None)
    assert not ogm_vcs.is_valid(10806817183)


def test_format_prints_the_plus_delimited_form() -> None:
    assert ogm_vcs.format("010806817183") == "+++010/8068/17183+++"


def test_a_base_divisible_by_97_gets_check_digits_97() -> None:
    """Febelfin: remainder 0 is written 97."""
    assert ogm_vcs.calc_check_digits("0000009700") == "97"
    assert ogm_vcs.from_number(9700) == "000000970097"
    assert ogm_vcs.is_valid("000000970097")


def test_from_number_pads_to_ten_digits_and_round_trips() -> None:
    for base in (1, 96, 97, 98, 123456789, ogm_vcs.MAX_BASE):
        ref = ogm_vcs.from_number(base)
        assert len(ref) == 12
        assert int(ref[:10]) == base
        assert ogm_vcs.validate(ref) == ref


@pytest.mark.parametrize("base", [0, -1, ogm_vcs.MAX_BASE + 1, True, "12"])
def test_from_number_refuses_bases_out_of_range(base: object) -> None:
    with pytest.raises(InvalidReferenceError):
        ogm_vcs.from_number(base)  # type: ignore[arg-type]


def test_the_all_zero_reference_is_refused() -> None:
    assert not ogm_vcs.is_valid("000000000000")


_DIGITS = st.text(alphabet="0123456789", min_size=10, max_size=12)
_WRAP = st.sampled_from(["{}", "+++{}+++", "***{}***", "+++{}", "{}***"])


@settings(max_examples=500)
@given(digits=_DIGITS, slashes=st.booleans(), wrap=_WRAP, check=st.booleans())
def test_the_direct_rule_and_python_stdnum_agree_on_canonical_forms(
    digits: str, slashes: bool, wrap: str, check: bool
) -> None:
    """Canonical inputs are checked without stdnum; the answer must be stdnum's, always."""
    if check and len(digits) == 12:  # also make valid numbers, not only random ones
        digits = digits[:10] + f"{int(digits[:10]) % 97 or 97:02d}"
    body = f"{digits[:3]}/{digits[3:7]}/{digits[7:]}" if slashes else digits
    text = wrap.format(body)
    try:
        expected: str | None = stdnum_ogm.validate(text.replace("*", ""))
    except stdnum_exceptions.ValidationError:
        expected = None
    assert (ogm_vcs.validate(text) if ogm_vcs.is_valid(text) else None) == expected
    if expected is not None:
        assert ogm_vcs.format(text) == f"+++{stdnum_ogm.format(expected)}+++"
    if len(digits) >= 10:
        assert ogm_vcs.calc_check_digits(digits[:10]) == stdnum_ogm.calc_check_digits(digits[:10])
