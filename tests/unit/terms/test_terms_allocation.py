"""Allocation over invoice lines and installments never loses a minor unit."""

from __future__ import annotations

from datetime import date

import pytest

from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.money import Money, sum_money
from s2c_core.terms import allocate_over_lines, allocate_schedule_over_lines, installments


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def test_a_discount_spread_over_lines_sums_exactly_with_ties_to_the_earlier_line() -> None:
    shares = allocate_over_lines(eur("0.05"), [eur("10.00"), eur("10.00")])
    assert shares == [eur("0.03"), eur("0.02")]


def test_weights_are_the_absolute_line_amounts() -> None:
    shares = allocate_over_lines(eur("-9.00"), [eur("20.00"), eur("-10.00")])
    assert shares == [eur("-6.00"), eur("-3.00")]


def test_schedule_over_lines_adds_up_by_row_and_by_column() -> None:
    lines = [eur("33.33"), eur("33.33"), eur("33.35")]
    total = sum_money(lines, "EUR")
    schedule = installments((30, 0), (30, 30), (40, 60)).schedule(total, date(2025, 1, 1))
    parts = [i.amount for i in schedule]
    rows = allocate_schedule_over_lines(parts, lines)
    assert [sum_money(row, "EUR") for row in rows] == parts
    assert [sum_money(col, "EUR") for col in zip(*rows, strict=True)] == lines


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValidationError):
        allocate_over_lines(eur("1.00"), [])
    with pytest.raises(ValidationError):
        allocate_over_lines(eur("1.00"), [eur("0.00")])
    with pytest.raises(CurrencyMismatchError):
        allocate_over_lines(eur("1.00"), [Money("1.00", "USD")])
    with pytest.raises(ValidationError):
        allocate_schedule_over_lines([eur("1.00")], [eur("2.00")])
