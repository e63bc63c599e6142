"""Laws of Money: no minor unit is ever created or lost."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s2c_core import CurrencyMismatchError, InvalidAmountError, Money, Rounding, sum_money
from s2c_core.testing.strategies import st_currency, st_money, st_weights


@given(total=st_money(), weights=st_weights())
def test_allocation_neither_creates_nor_loses_a_minor_unit(
    total: Money, weights: list[int]
) -> None:
    parts = total.allocate(weights)
    assert sum_money(parts, total.currency) == total
    assert len(parts) == len(weights)


@given(total=st_money(), weights=st_weights())
def test_allocation_parts_are_within_one_unit_of_the_exact_share(
    total: Money, weights: list[int]
) -> None:
    parts = total.allocate(weights)
    unit = total.currency.quantum
    for part, weight in zip(parts, weights, strict=True):
        exact = total.amount * weight / sum(weights)
        assert abs(part.amount - exact) < unit
        if weight == 0:
            assert part.is_zero()


@given(total=st_money(), weights=st_weights())
def test_allocation_is_symmetric_under_negation(total: Money, weights: list[int]) -> None:
    assert (-total).allocate(weights) == [-p for p in total.allocate(weights)]


@given(total=st_money(), n=st.integers(1, 50))
def test_split_parts_differ_by_at_most_one_unit_largest_first(total: Money, n: int) -> None:
    parts = total.split(n)
    assert sum_money(parts, total.currency) == total
    units = [p.minor_units for p in parts]
    assert max(units) - min(units) <= 1
    assert [abs(u) for u in units] == sorted((abs(u) for u in units), reverse=True)


@given(data=st.data(), cur=st_currency())
def test_addition_is_associative_and_commutative_within_a_currency(
    data: st.DataObject, cur: object
) -> None:
    a, b, c = (data.draw(st_money(cur)) for _ in range(3))  # type: ignore[arg-type]
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a - a == Money.zero(a.currency)


@given(m=st_money())
def test_minor_units_round_trip(m: Money) -> None:
    assert Money.from_minor(m.minor_units, m.currency) == m


@given(
    m=st_money(),
    factor=st.decimals(
        min_value=-1000, max_value=1000, places=4, allow_nan=False, allow_infinity=False
    ),
    mode=st.sampled_from(list(Rounding)),
)
def test_multiplication_rounds_to_the_minor_unit(m: Money, factor: Decimal, mode: Rounding) -> None:
    result = m.multiply(factor, rounding=mode)
    assert result.currency == m.currency
    assert abs(result.amount - m.amount * factor) < m.currency.quantum


@given(cur=st_currency(), extra=st.integers(1, 9))
def test_amounts_finer_than_the_minor_unit_are_refused(cur: object, extra: int) -> None:
    from s2c_core.money import Currency

    assert isinstance(cur, Currency)
    fine = Decimal(extra).scaleb(-(cur.minor_unit + 1))
    with pytest.raises(InvalidAmountError):
        Money(fine, cur)


def test_floats_are_refused_everywhere() -> None:
    with pytest.raises(InvalidAmountError):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError):
        Money("1.00", "EUR").multiply(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError):
        Money("1.00", "EUR") * 1.5  # type: ignore[operator]


def test_mixed_currencies_are_refused_with_the_facts() -> None:
    with pytest.raises(CurrencyMismatchError) as info:
        Money("1.00", "EUR") + Money("1.00", "USD")
    assert (info.value.left, info.value.right) == ("EUR", "USD")  # type: ignore[attr-defined]


def test_minor_units_follow_iso_4217() -> None:
    assert Money("1", "JPY").amount == Decimal("1")
    assert Money("1.234", "BHD").minor_units == 1234
    with pytest.raises(InvalidAmountError):
        Money("1.5", "JPY")


def test_tie_break_serves_earlier_parts_first() -> None:
    assert Money("0.05", "EUR").allocate([1, 1]) == [Money("0.03", "EUR"), Money("0.02", "EUR")]
    assert Money("1.00", "EUR").split(3) == [
        Money("0.34", "EUR"),
        Money("0.33", "EUR"),
        Money("0.33", "EUR"),
    ]


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-inf", "abc", "1e400000"])
def test_non_finite_and_garbage_amounts_are_refused(bad: str) -> None:
    with pytest.raises(InvalidAmountError):
        Money(bad, "EUR")
