"""Cash discounts: offers, VAT treatments on published examples, and their annual cost."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from s2c_core.errors import ValidationError
from s2c_core.money import Money, Rounding
from s2c_core.terms import (
    CashDiscount,
    DayCount,
    DiscountVatTreatment,
    cash_discount_totals,
    discount_cost_effective,
    discount_cost_nominal,
    early_payment_offer,
)

INVOICE_DATE = date(2025, 3, 1)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def test_two_ten_net_thirty_offer() -> None:
    offer = early_payment_offer(eur("1234.56"), INVOICE_DATE, CashDiscount(Decimal(2), 10))
    assert offer.deadline == date(2025, 3, 11)
    assert offer.discount == eur("24.69")
    assert offer.payable == eur("1209.87")
    assert offer.discount + offer.payable == offer.total


def test_a_credit_note_discount_mirrors_the_invoice() -> None:
    offer = early_payment_offer(eur("-1234.56"), INVOICE_DATE, CashDiscount(Decimal(2), 10))
    assert offer.discount == eur("-24.69")
    assert offer.payable == eur("-1209.87")


def test_belgian_practice_vat_on_the_discounted_base_either_way() -> None:
    """onfact.be, "Wat betekent 'korting contant'?" (2021): 100, 2 %, 21 % VAT on 98.

    Belgian VAT Code art. 28, 2°: the cash discount is outside the taxable amount.
    """
    totals = cash_discount_totals(
        eur("100.00"),
        21,
        CashDiscount(Decimal(2), 8),
        invoice_date=INVOICE_DATE,
        treatment=DiscountVatTreatment.DISCOUNTED_BASE,
    )
    assert totals.discount == eur("2.00")
    assert totals.vat == eur("20.58")
    assert totals.payable_with_discount == eur("118.58")
    assert totals.payable_without_discount == eur("120.58")
    assert totals.vat_with_discount == totals.vat_without_discount == eur("20.58")
    assert totals.deadline == date(2025, 3, 9)


def test_dutch_practice_discount_not_deducted_on_the_invoice() -> None:
    """vwg.nl, "Betalingskorting en BTW" (2015): 102.00 + 21.42 VAT; prompt payer pays 120.36."""
    totals = cash_discount_totals(
        eur("102.00"),
        21,
        CashDiscount(Decimal(3), 14),
        invoice_date=INVOICE_DATE,
        treatment=DiscountVatTreatment.EXCLUDING_VAT,
    )
    assert (totals.vat, totals.gross) == (eur("21.42"), eur("123.42"))
    assert totals.discount == eur("3.06")
    assert totals.payable_with_discount == eur("120.36")
    assert totals.payable_without_discount == eur("123.42")
    assert totals.vat_with_discount == eur("21.42")  # approved simplification: no credit note


def test_dutch_practice_discount_deducted_on_the_invoice() -> None:
    """vwg.nl (2015): 102.00 − 3.06 = 98.94, VAT 20.78, invoice 119.72; a late payer owes more."""
    totals = cash_discount_totals(
        eur("102.00"),
        21,
        CashDiscount(Decimal(3), 14),
        invoice_date=INVOICE_DATE,
        treatment=DiscountVatTreatment.DISCOUNTED_BASE_UNLESS_LATE,
    )
    assert (totals.vat, totals.gross) == (eur("20.78"), eur("119.72"))
    assert totals.payable_with_discount == eur("119.72")
    # supplementary invoice: 3.06 + 21 % VAT 0.64
    assert totals.payable_without_discount == eur("123.42")
    assert totals.vat_without_discount == eur("21.42")


def test_discount_on_the_gross_reduces_vat_pro_rata() -> None:
    totals = cash_discount_totals(
        eur("100.00"),
        21,
        CashDiscount(Decimal(2), 10),
        invoice_date=INVOICE_DATE,
        treatment=DiscountVatTreatment.INCLUDING_VAT,
    )
    assert totals.gross == eur("121.00")
    assert totals.discount == eur("2.42")
    assert totals.payable_with_discount == eur("118.58")
    assert totals.vat_with_discount == eur("20.58")  # 21.00 − 0.42
    assert totals.vat_without_discount == eur("21.00")


@pytest.mark.parametrize("treatment", list(DiscountVatTreatment))
def test_every_treatment_keeps_amounts_in_whole_cents_and_with_below_without(
    treatment: DiscountVatTreatment,
) -> None:
    totals = cash_discount_totals(
        eur("999.99"),
        Decimal("5.5"),
        CashDiscount(Decimal("1.5"), 10),
        invoice_date=INVOICE_DATE,
        treatment=treatment,
    )
    assert totals.payable_with_discount < totals.payable_without_discount
    assert totals.treatment is treatment


def test_cost_of_not_taking_two_ten_net_thirty() -> None:
    """Brigham & Ehrhardt: 2/10 net 30 costs 37.24 % nominal (365 days), 44.59 % effective."""
    discount = CashDiscount(Decimal(2), 10)
    assert discount_cost_nominal(discount, 30) == Decimal("37.24")
    assert discount_cost_nominal(discount, 30, day_count=DayCount.ACT_360) == Decimal("36.73")
    assert discount_cost_effective(discount, 30) == Decimal("44.59")
    assert discount_cost_effective(discount, 30, places=4) == Decimal("44.5853")


def test_cost_of_one_ten_net_sixty() -> None:
    # 0.01 / 0.99 × 365 / 50 = 7.37 %
    cost = discount_cost_nominal(CashDiscount(Decimal(1), 10), 60, rounding=Rounding.DOWN)
    assert cost == Decimal("7.37")


def test_discount_inputs_are_checked() -> None:
    with pytest.raises(ValidationError):
        CashDiscount(Decimal(0), 10)
    with pytest.raises(ValidationError):
        CashDiscount(Decimal(100), 10)
    with pytest.raises(ValidationError):
        CashDiscount(Decimal(2), -1)
    with pytest.raises(ValidationError):
        CashDiscount(2.0, 10)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        discount_cost_nominal(CashDiscount(Decimal(2), 30), 30)
    with pytest.raises(ValidationError):
        cash_discount_totals(
            eur("1.00"),
            120,
            CashDiscount(Decimal(2), 10),
            invoice_date=INVOICE_DATE,
            treatment=DiscountVatTreatment.EXCLUDING_VAT,
        )
