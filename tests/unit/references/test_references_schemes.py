"""Scheme-level helpers: generating, detecting and finding references in remittance text."""

from __future__ import annotations

import pytest

from s2c_core.errors import InvalidReferenceError
from s2c_core.references import (
    ReferenceMatch,
    ReferenceScheme,
    detect_reference,
    find_references_in_text,
    generate_reference,
    ogm_vcs,
    rf_creditor,
)


def test_generate_reference_for_each_scheme() -> None:
    assert generate_reference(ReferenceScheme.OGM_VCS, 108068171) == "010806817183"
    assert generate_reference("ogm_vcs", "0108068171") == "010806817183"
    assert generate_reference(ReferenceScheme.RF, "539007547034") == "RF18539007547034"
    assert generate_reference("rf", 2348231) == "RF712348231"


@pytest.mark.parametrize(
    ("scheme", "seed"),
    [("ogm_vcs", "12a"), ("ogm_vcs", 0), ("rf", ""), ("swift", 1)],
)
def test_generate_reference_refuses_seeds_that_do_not_fit(scheme: str, seed: int | str) -> None:
    with pytest.raises(InvalidReferenceError):
        generate_reference(scheme, seed)


def test_detect_reference_names_the_scheme_and_clean_value() -> None:
    assert detect_reference("+++010/8068/17183+++") == (ReferenceScheme.OGM_VCS, "010806817183")
    assert detect_reference("rf71 2348 231") == (ReferenceScheme.RF, "RF712348231")
    assert detect_reference("invoice 42") is None
    assert detect_reference("") is None


def test_references_are_found_in_every_printed_form() -> None:
    text = (
        "Payment inv 2024-17 +++010/8068/17183+++ and ***000/0000/09797*** "
        "also 000/0000/10104 and bare 000000970097 plus RF18 5390 0754 7034 thanks"
    )
    found = find_references_in_text(text)
    assert [(m.scheme, m.value) for m in found] == [
        (ReferenceScheme.OGM_VCS, "010806817183"),
        (ReferenceScheme.OGM_VCS, "000000009797"),
        (ReferenceScheme.OGM_VCS, "000000010104"),
        (ReferenceScheme.OGM_VCS, "000000970097"),
        (ReferenceScheme.RF, "RF18539007547034"),
    ]
    first = found[0]
    assert text[first.start : first.end] == "+++010/8068/17183+++"
    last = found[-1]
    assert text[last.start : last.end] == "RF18 5390 0754 7034"


def test_numbers_with_a_wrong_check_are_not_references() -> None:
    assert find_references_in_text("order 010806817184 and 123456789012") == ()


def test_digits_inside_an_iban_or_a_longer_number_are_not_taken() -> None:
    iban_with_ogm_digits = "BE" + "00" + "010806817183"  # the 12 digits glued to letters
    assert find_references_in_text(f"from {iban_with_ogm_digits} ok") == ()
    assert find_references_in_text("ref 0108068171830") == ()


def test_words_after_an_rf_reference_are_left_alone() -> None:
    found = find_references_in_text("RF71 2348 231 INVOICE 7")
    assert found == (ReferenceMatch(ReferenceScheme.RF, "RF712348231", 0, 13),)


def test_lower_case_rf_in_remittance_text_is_found() -> None:
    assert [m.value for m in find_references_in_text("ref: rf712348231.")] == ["RF712348231"]


def test_each_reference_is_reported_once() -> None:
    text = "010806817183 again +++010/8068/17183+++"
    found = find_references_in_text(text)
    assert len(found) == 1
    assert found[0].start == 0


def test_generated_references_are_found_in_text() -> None:
    for seed in (1, 97, 2024000042, 9999999999):
        ref = generate_reference(ReferenceScheme.OGM_VCS, seed)
        printed = ogm_vcs.format(ref)
        assert [m.value for m in find_references_in_text(f"pay {printed} now")] == [ref]
    for base in ("A1", "INV20240042", "123456789012345678901"):
        ref = generate_reference(ReferenceScheme.RF, base)
        printed = rf_creditor.format(ref)
        assert [m.value for m in find_references_in_text(f"pay {printed}")] == [ref]
