"""DSO, best possible DSO, average days delinquent and countback DSO."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.kpi import (
    InvoiceFact,
    MonthSales,
    PaymentFact,
    Period,
    average_days_delinquent,
    average_dso,
    best_possible_dso,
    countback_dso,
    dso,
    dso_report,
    monthly_sales,
)
from s2c_core.money import Money


def usd(value: int | str) -> Money:
    return Money(value, "USD")


def eur(value: int | str) -> Money:
    return Money(value, "EUR")


def test_simple_dso_published_example() -> None:
    """Mesha, "The 2 DSO calculation formulas": 150 000 receivables, 1 800 000 annual credit
    sales, 365 days -> 30.4 days."""
    assert dso(usd(150000), usd(1800000), days=365) == Decimal("30.4")


def test_countback_dso_published_example() -> None:
    """BenjiPays "Mastering DSO calculation: the count-back method" (also quoted by Mesha):
    sales 70 000, 80 000, 100 000 in three 30-day months, ending receivables 212 000:
    30 + 30 + 32 000 / 70 000 x 30 = 73.7 days."""
    months = [MonthSales(usd(100000), 30), MonthSales(usd(80000), 30), MonthSales(usd(70000), 30)]
    assert countback_dso(usd(212000), months) == Decimal("73.7")


def test_countback_stops_inside_the_current_month() -> None:
    months = [MonthSales(usd(100000), 31), MonthSales(usd(1), 30)]
    assert countback_dso(usd(50000), months) == Decimal("15.5")
    assert countback_dso(usd(0), months) == Decimal("0.0")


def test_countback_with_receivables_equal_to_a_month_moves_to_the_next() -> None:
    months = [MonthSales(usd(100), 31), MonthSales(usd(100), 28)]
    assert countback_dso(usd(100), months) == Decimal("31.0")


def test_countback_refuses_receivables_beyond_the_history_given() -> None:
    with pytest.raises(ValidationError) as info:
        countback_dso(usd(500), [MonthSales(usd(100), 30), MonthSales(usd(100), 31)])
    assert info.value.facts["field"] == "months"


def test_best_possible_dso_and_average_days_delinquent() -> None:
    """ADD = DSO - BPDSO (CRF): 40 days DSO with 20 days BPDSO leaves 20 days delinquent."""
    receivables, current, sales = usd(40000), usd(20000), usd(90000)
    assert dso(receivables, sales, days=90) == Decimal("40.0")
    assert best_possible_dso(current, sales, days=90) == Decimal("20.0")
    assert average_days_delinquent(receivables, current, sales, days=90) == Decimal("20.0")


def test_add_equals_the_difference_of_the_rounded_figures() -> None:
    receivables, current, sales = usd(1000), usd(333), usd(3000)
    total = dso(receivables, sales, days=31)
    best = best_possible_dso(current, sales, days=31)
    assert average_days_delinquent(receivables, current, sales, days=31) == total - best


def test_average_receivables_method() -> None:
    """(AR_begin + AR_end) / 2 / sales x days: (40 000 + 50 000) / 2 / 300 000 x 90 = 13.5."""
    assert average_dso(usd(40000), usd(50000), usd(300000), days=90) == Decimal("13.5")


@pytest.mark.parametrize("sales", [0, -100])
def test_dso_is_undefined_without_positive_sales(sales: int) -> None:
    with pytest.raises(ValidationError):
        dso(usd(100), usd(sales), days=30)


@pytest.mark.parametrize("days", [0, -1, True])
def test_dso_needs_positive_days(days: int) -> None:
    with pytest.raises(ValidationError):
        dso(usd(100), usd(100), days=days)


def test_dso_refuses_mixed_currencies() -> None:
    with pytest.raises(CurrencyMismatchError):
        dso(usd(100), eur(100), days=30)


def _invoice(
    number: str, issued: date, due: date, amount: int, *payments: tuple[date, int]
) -> InvoiceFact:
    return InvoiceFact(
        number,
        "C1",
        "retail",
        "EUR",
        issued,
        due,
        eur(amount),
        paid=[PaymentFact(d, eur(a)) for d, a in payments],
    )


def test_dso_report_from_invoice_facts() -> None:
    facts = [
        _invoice("1", date(2024, 1, 2), date(2024, 1, 16), 600),  # overdue at Jan 31
        _invoice("2", date(2024, 1, 20), date(2024, 2, 19), 300),  # current
        _invoice("3", date(2024, 1, 5), date(2024, 1, 20), 100, (date(2024, 1, 20), 100)),
        _invoice("4", date(2024, 2, 1), date(2024, 3, 1), 999),  # after the period
    ]
    report = dso_report(facts, Period.month(2024, 1), currency="EUR")
    assert report.receivables == eur(900)
    assert report.current_receivables == eur(300)
    assert report.credit_sales == eur(1000)
    assert report.dso == Decimal("27.9")  # 900 / 1000 x 31
    assert report.best_possible_dso == Decimal("9.3")
    assert report.average_days_delinquent == Decimal("18.6")


def test_monthly_sales_counts_the_current_month_to_date() -> None:
    facts = [
        _invoice("1", date(2024, 3, 2), date(2024, 4, 1), 100),
        _invoice("2", date(2024, 3, 20), date(2024, 4, 19), 999),  # after as_of
        _invoice("3", date(2024, 2, 29), date(2024, 3, 30), 200),
        _invoice("4", date(2023, 12, 31), date(2024, 1, 30), 400),
    ]
    months = monthly_sales(facts, as_of=date(2024, 3, 10), months=4, currency="EUR")
    assert [(m.sales, m.days) for m in months] == [
        (eur(100), 10),
        (eur(200), 29),
        (eur(0), 31),
        (eur(400), 31),
    ]
    # 600 open: 10 days of March (100), February (29 days, 200), January (31 days, no sales),
    # then 300 of December's 400: 300 / 400 x 31 = 23.25.
    assert countback_dso(eur(600), months) == Decimal("93.3")
