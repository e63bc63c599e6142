"""Revenue, margins, markup, average order value and discounts given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.kpi import (
    DiscountFact,
    DiscountKind,
    Grouping,
    InvoiceFact,
    Period,
    average_order_value,
    discounts_given,
    gross_margin_percent,
    gross_profit,
    margin_report,
    markup_percent,
    revenue,
)
from s2c_core.money import Money


def eur(value: int | str) -> Money:
    return Money(value, "EUR")


def test_margin_and_markup_of_the_same_sale_differ() -> None:
    """CFI/Investopedia: selling at 125 what cost 100 is a 25 % markup but a 20 % margin."""
    assert gross_profit(eur(125), eur(100)) == eur(25)
    assert markup_percent(eur(125), eur(100)) == Decimal("25.00")
    assert gross_margin_percent(eur(125), eur(100)) == Decimal("20.00")


def test_margin_and_markup_need_a_non_zero_base() -> None:
    with pytest.raises(ValidationError):
        gross_margin_percent(eur(0), eur(10))
    with pytest.raises(ValidationError):
        markup_percent(eur(10), eur(0))
    with pytest.raises(CurrencyMismatchError):
        markup_percent(eur(10), Money(5, "USD"))


def test_average_order_value_rounds_half_up() -> None:
    assert average_order_value([eur("10.00"), eur("10.01")], currency="EUR") == eur("10.01")
    with pytest.raises(ValidationError):
        average_order_value([], currency="EUR")


def _invoice(number: str, issued: date, amount: int, **kwargs: object) -> InvoiceFact:
    return InvoiceFact(number, "C", "s", "EUR", issued, issued, eur(amount), **kwargs)  # type: ignore[arg-type]


def test_margin_report_counts_only_costed_invoices_in_the_margin() -> None:
    facts = [
        _invoice("1", date(2024, 1, 3), 1210, net_amount=eur(1000), cost=eur(600)),
        _invoice("2", date(2024, 1, 4), 500),
        _invoice("3", date(2024, 1, 5), -121, net_amount=eur(-100), cost=eur(-60)),
        _invoice("4", date(2024, 2, 1), 999, cost=eur(1)),
    ]
    report = margin_report(facts, Period.month(2024, 1), currency="EUR")
    assert report.revenue == eur(1400)
    assert report.costed_revenue == eur(900)
    assert report.cost == eur(540)
    assert report.gross_profit == eur(360)
    assert report.gross_margin_percent == Decimal("40.00")
    assert report.markup_percent == Decimal("66.67")
    assert (report.invoices, report.uncosted_invoices) == (3, 1)
    assert revenue(facts, Period.month(2024, 1), currency="EUR") == eur(1400)


def test_margin_report_without_costs_has_no_percentages() -> None:
    report = margin_report(
        [_invoice("1", date(2024, 1, 3), 10)], Period.month(2024, 1), currency="EUR"
    )
    assert report.gross_margin_percent is None
    assert report.markup_percent is None


DISCOUNTS = [
    DiscountFact("Q1", DiscountKind.QUOTE, "C1", "retail", "ann", date(2024, 1, 3), eur(50)),
    DiscountFact("I1", "early_payment", "C1", "retail", "", date(2024, 1, 9), eur(4)),
    DiscountFact("Q2", "quote", "C2", "retail", "bob", date(2024, 1, 4), eur(10)),
    DiscountFact("Q3", "quote", "C3", "wholesale", "ann", date(2024, 1, 5), eur(70)),
    DiscountFact("Q4", "quote", "C3", "wholesale", "ann", date(2024, 2, 5), eur(1000)),
]


def test_discounts_grouped_by_segment_in_a_period() -> None:
    groups = discounts_given(DISCOUNTS, by="segment", currency="EUR", period=Period.month(2024, 1))
    assert [
        (g.key, g.quote_discounts, g.early_payment_discounts, g.total, g.count) for g in groups
    ] == [
        ("wholesale", eur(70), eur(0), eur(70), 1),
        ("retail", eur(60), eur(4), eur(64), 3),
    ]


def test_discounts_grouped_by_salesperson_and_customer() -> None:
    by_person = discounts_given(DISCOUNTS, by=Grouping.SALESPERSON, currency="EUR")
    assert [(g.key, g.total) for g in by_person] == [
        ("ann", eur(1120)),
        ("bob", eur(10)),
        ("", eur(4)),
    ]
    by_customer = discounts_given(DISCOUNTS, by="customer", currency="EUR")
    assert [g.key for g in by_customer] == ["C3", "C1", "C2"]


def test_discounts_refuse_an_unknown_grouping_and_other_currencies() -> None:
    with pytest.raises(ValueError):
        discounts_given(DISCOUNTS, by="region", currency="EUR")
    with pytest.raises(CurrencyMismatchError):
        discounts_given(DISCOUNTS, by="customer", currency="USD")
