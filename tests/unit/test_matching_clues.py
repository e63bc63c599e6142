"""What a bank entry says: references, invoice numbers, payer; and how names compare."""

from __future__ import annotations

from datetime import date

import pytest

from s2c_core import Money
from s2c_core.entities.statement import BankEntry
from s2c_core.services.matching import (
    clues_of,
    find_invoice_numbers,
    name_similarity,
    normalise_name,
)


def _entry(**changes: object) -> BankEntry:
    fields: dict[str, object] = {
        "entry_key": "k1",
        "account_iban": "BE71096123456769",
        "booking_date": date(2026, 3, 10),
        "amount": Money("100.00", "EUR"),
    }
    fields.update(changes)
    return BankEntry(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "INV-2026-000123",
        "inv-2026-000123",
        "INV2026000123",
        "Invoice INV 2026 123 thanks",
        "INV-2026-123",
        "INV/2026/0123",
        "ref: INV2026-123.",
    ],
)
def test_our_invoice_numbers_are_found_in_their_usual_spellings(text: str) -> None:
    assert find_invoice_numbers(text, series=("INV",)) == ("INV-2026-000123",)


def test_several_numbers_come_back_in_text_order_each_once() -> None:
    text = "INV-2026-000007 and INV2026000005, again INV-2026-7"
    assert find_invoice_numbers(text, series=("INV",)) == ("INV-2026-000007", "INV-2026-000005")


@pytest.mark.parametrize(
    "text",
    ["INVOICE 2026", "XINV-2026-000123", "INV-1850-000123", "invoice paid", "INV-2026-000000"],
)
def test_words_that_only_look_like_numbers_are_left_alone(text: str) -> None:
    assert find_invoice_numbers(text, series=("INV",)) == ()


def test_a_valid_structured_reference_is_kept_in_printed_form() -> None:
    clues = clues_of(_entry(structured_reference="090933755493"), series=("INV",))
    assert clues.references == ("+++090/9337/55493+++",)
    assert clues.invalid_reference == ""


def test_a_structured_reference_with_wrong_check_digits_is_kept_aside_not_used() -> None:
    clues = clues_of(_entry(structured_reference="090933755494"), series=("INV",))
    assert clues.references == ()
    assert clues.invalid_reference == "090933755494"


def test_references_typed_in_the_free_text_are_found_after_the_structured_one() -> None:
    entry = _entry(
        structured_reference="RF73INV20260042",
        remittance_text="also +++202/6000/04236+++ and RF73 INV2 0260 042",
    )
    clues = clues_of(entry, series=("INV",))
    assert clues.references == ("RF73 INV2 0260 042", "+++202/6000/04236+++")


def test_a_number_inside_a_reference_is_not_read_as_an_invoice_number() -> None:
    clues = clues_of(_entry(remittance_text="RF73 INV2 0260 042"), series=("INV",))
    assert clues.numbers == ()
    assert clues.references == ("RF73 INV2 0260 042",)


def test_payer_iban_is_compacted() -> None:
    entry = _entry(counterparty_iban="be71 0961 2345 6769", counterparty_name="Dupont")
    clues = clues_of(entry, series=("INV",))
    assert (clues.iban, clues.name) == ("BE71096123456769", "Dupont")


def test_names_are_folded_without_accents_punctuation_or_legal_form() -> None:
    assert normalise_name("Société Générale S.A.") == "societe generale"
    assert normalise_name("Brouwerij 't Hoeksken BVBA") == "brouwerij t hoeksken"


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    [
        ("Brasserie Dupont SA", "BRASSERIE DUPONT", 1.0, 1.0),
        ("Dupont Brasserie", "Brasserie Dupont", 1.0, 1.0),
        ("Brasserie Dupont", "Brasserie Dupond", 0.85, 0.99),
        ("Brasserie Dupont", "Garage Lambert", 0.0, 0.5),
        ("", "Garage Lambert", 0.0, 0.0),
    ],
)
def test_name_similarity_ranks_the_same_payer_high_and_others_low(
    a: str, b: str, low: float, high: float
) -> None:
    assert low <= name_similarity(a, b) <= high
