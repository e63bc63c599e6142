"""The KPI input records and rounding rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.kpi import (
    DAYS_QUANTUM,
    PERCENT_QUANTUM,
    InvoiceFact,
    OrderFulfilmentFact,
    PaymentFact,
    Period,
    percentile,
    quantize_days,
    ratio,
)
from s2c_core.money import Money


def eur(value: int | str) -> Money:
    return Money(value, "EUR")


def test_invoice_fact_defaults_and_derived_values() -> None:
    fact = InvoiceFact(
        "1",
        "C",
        "s",
        "EUR",
        date(2024, 1, 1),
        date(2024, 1, 31),
        eur(121),
        net_amount=eur(100),
    )
    assert fact.disputed == eur(0)
    assert fact.term_days == 30
    assert fact.revenue == eur(100)
    assert fact.paid == ()
    assert fact.open_as_of(date(2023, 12, 31)) == eur(0)
    assert fact.open_as_of(date(2024, 1, 1)) == eur(121)


def test_invoice_fact_is_frozen_and_hashable() -> None:
    fact = InvoiceFact(
        "1",
        "C",
        "s",
        "EUR",
        date(2024, 1, 1),
        date(2024, 1, 31),
        eur(1),
        paid=[PaymentFact(date(2024, 1, 2), eur(1))],
    )
    assert isinstance(fact.paid, tuple)
    assert hash(fact) == hash(fact)
    with pytest.raises(AttributeError):
        fact.amount = eur(2)  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"due_date": date(2023, 12, 31)},
        {"written_off": Money(1, "EUR")},
        {"written_off_date": date(2024, 1, 1)},
    ],
)
def test_invoice_fact_refuses_inconsistent_fields(kwargs: dict[str, object]) -> None:
    base: dict[str, object] = {
        "invoice_id": "1",
        "customer_id": "C",
        "segment": "s",
        "currency": "EUR",
        "issue_date": date(2024, 1, 1),
        "due_date": date(2024, 1, 31),
        "amount": eur(1),
    }
    with pytest.raises(ValidationError):
        InvoiceFact(**{**base, **kwargs})  # type: ignore[arg-type]


def test_invoice_fact_refuses_amounts_in_another_currency() -> None:
    with pytest.raises(CurrencyMismatchError):
        InvoiceFact(
            "1",
            "C",
            "s",
            "EUR",
            date(2024, 1, 1),
            date(2024, 1, 31),
            eur(1),
            paid=[PaymentFact(date(2024, 1, 2), Money(1, "USD"))],
        )
    with pytest.raises(CurrencyMismatchError):
        InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 1), date(2024, 1, 31), Money(1, "USD"))


def test_period_days_membership_and_opening_date() -> None:
    q1 = Period(date(2024, 1, 1), date(2024, 3, 31))
    assert q1.days == 91
    assert date(2024, 3, 31) in q1
    assert date(2024, 4, 1) not in q1
    assert "2024-01-01" not in q1
    assert q1.opening_date == date(2023, 12, 31)
    assert Period.month(2023, 12).days == 31
    with pytest.raises(ValidationError):
        Period(date(2024, 1, 2), date(2024, 1, 1))


def test_perfect_order_needs_all_four_criteria() -> None:
    assert OrderFulfilmentFact("1", True, True, True, True).perfect
    assert not OrderFulfilmentFact("1", True, True, True, False).perfect


def test_rounding_is_named_and_half_up() -> None:
    assert Decimal("0.1") == DAYS_QUANTUM
    assert Decimal("0.01") == PERCENT_QUANTUM
    assert quantize_days(Decimal("0.05")) == Decimal("0.1")
    assert ratio(Decimal(2), Decimal(3)) == Decimal("66.67")


def test_percentile_type_7() -> None:
    values = [Decimal(v) for v in (15, 20, 35, 40, 50)]
    assert percentile(values, Decimal("0.4")) == Decimal(29)  # R quantile(type=7): 29
    assert percentile(values, Decimal(0)) == Decimal(15)
    assert percentile(values, Decimal(1)) == Decimal(50)
    assert percentile([Decimal(7)], Decimal("0.9")) == Decimal(7)
    with pytest.raises(ValidationError):
        percentile([], Decimal("0.5"))
    with pytest.raises(ValidationError):
        percentile(values, Decimal("1.5"))
