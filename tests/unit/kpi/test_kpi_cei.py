"""Collection effectiveness index."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from s2c_core.errors import ValidationError
from s2c_core.kpi import InvoiceFact, PaymentFact, Period, cei, cei_report
from s2c_core.money import Money


def usd(value: int) -> Money:
    return Money(value, "USD")


def test_creditguru_three_month_example_with_monthly_average_sales() -> None:
    """CreditGuru, "Collection Effectiveness Index (CEI)": sample ATB for January to March,
    beginning receivables 6 200, credit sales 10 890 over N = 3 months, ending total 6 340,
    ending current 3 590: CEI = 55.9 %."""
    result = cei(usd(6200), usd(10890), usd(6340), usd(3590), months=3)
    assert result == Decimal("55.93")


def test_same_sample_with_the_whole_quarter_sales() -> None:
    """The same sample worked with the quarter's total sales: 10 750 / 13 500 = 79.63 %."""
    assert cei(usd(6200), usd(10890), usd(6340), usd(3590)) == Decimal("79.63")


def test_gaviti_annual_example() -> None:
    """Gaviti, "Collection Effectiveness Index": 100 000 beginning, 1 000 000 credit sales,
    120 000 ending total, 100 000 ending current -> 980 000 / 1 000 000 = 98 %."""
    assert cei(usd(100000), usd(1000000), usd(120000), usd(100000)) == Decimal("98.00")


def test_everything_collected_is_100_and_nothing_collected_is_0() -> None:
    assert cei(usd(100), usd(50), usd(20), usd(20)) == Decimal("100.00")
    assert cei(usd(100), usd(50), usd(150), usd(20)) == Decimal("0.00")


def test_cei_is_undefined_when_nothing_was_collectible() -> None:
    with pytest.raises(ValidationError):
        cei(usd(0), usd(100), usd(100), usd(100))


def test_cei_report_takes_the_beginning_balance_the_day_before_the_period() -> None:
    eur = "EUR"
    facts = [
        InvoiceFact(
            "1",
            "C",
            "s",
            eur,
            date(2024, 1, 5),
            date(2024, 2, 4),
            Money(100, eur),
            paid=[PaymentFact(date(2024, 2, 10), Money(100, eur))],
        ),
        InvoiceFact("2", "C", "s", eur, date(2024, 2, 1), date(2024, 2, 15), Money(100, eur)),
        InvoiceFact("3", "C", "s", eur, date(2024, 2, 20), date(2024, 3, 20), Money(100, eur)),
        InvoiceFact(
            "4",
            "C",
            "s",
            eur,
            date(2024, 1, 31),
            date(2024, 1, 31),
            Money(50, eur),
            paid=[PaymentFact(date(2024, 1, 31), Money(50, eur))],
        ),
    ]
    report = cei_report(facts, Period.month(2024, 2), currency=eur)
    assert report.beginning_receivables == Money(100, eur)
    assert report.credit_sales == Money(200, eur)
    assert report.ending_total_receivables == Money(200, eur)
    assert report.ending_current_receivables == Money(100, eur)
    assert report.cei == Decimal("50.00")
