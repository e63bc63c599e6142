"""Laws of Money: no minor unit is ever created or lost."""

from __future__ import annotations

import decimal
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from s2c_core import (
    CurrencyMismatchError,
    InvalidAmountError,
    Money,
    Rounding,
    ValidationError,
    sum_money,
)
from s2c_core.money import Currency, _allocate_decimal, allocate_minor, get_currency
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


# -- the fast paths give exactly what the checked paths give ---------------------------------
#
# Arithmetic, sums, zero, from_minor and allocation build their results without validating
# again; these laws compare each with the checked constructor (or the decimal method), down to
# the Decimal's digits, exponent and sign, so no fast path can create, lose or mis-scale a cent.


def _same_money(fast: Money, checked: Money) -> None:
    assert fast == checked
    assert fast.amount.as_tuple() == checked.amount.as_tuple()  # digits, exponent and sign
    assert fast.currency == checked.currency
    assert type(fast) is Money


@given(data=st.data(), cur=st_currency())
def test_sums_differences_and_negations_equal_the_checked_constructor(
    data: st.DataObject, cur: Currency
) -> None:
    a, b = data.draw(st_money(cur)), data.draw(st_money(cur))
    _same_money(a + b, Money(a.amount + b.amount, cur))
    _same_money(a - b, Money(a.amount - b.amount, cur))
    _same_money(-a, Money(-a.amount, cur))
    _same_money(abs(a), Money(abs(a.amount), cur))
    _same_money(a - a, Money.zero(cur))
    assert (a < b, a <= b, a > b, a >= b) == (
        a.amount < b.amount,
        a.amount <= b.amount,
        a.amount > b.amount,
        a.amount >= b.amount,
    )


@given(m=st_money(), factor=st.integers(-(10**6), 10**6))
def test_integer_multiples_equal_the_checked_constructor(m: Money, factor: int) -> None:
    _same_money(m * factor, Money(m.amount * factor, m.currency))
    _same_money(factor * m, Money(m.amount * factor, m.currency))


@given(data=st.data(), cur=st_currency(), n=st.integers(0, 20))
def test_sum_money_equals_the_checked_sum(data: st.DataObject, cur: Currency, n: int) -> None:
    amounts = [data.draw(st_money(cur)) for _ in range(n)]
    _same_money(sum_money(amounts, cur), Money(sum((m.amount for m in amounts), Decimal(0)), cur))
    _same_money(sum_money(amounts, cur.code), sum_money(iter(amounts), cur))


@given(cur=st_currency(), units=st.integers(-(10**27), 10**27))
def test_from_minor_equals_the_checked_constructor(cur: Currency, units: int) -> None:
    checked = Money(Decimal(units).scaleb(-cur.minor_unit), cur)
    _same_money(Money.from_minor(units, cur), checked)
    _same_money(Money.from_minor(units, cur.code), checked)
    assert checked.minor_units == units == int(checked.amount.scaleb(cur.minor_unit))


@given(cur=st_currency(), digits=st.integers(29, 60))
def test_amounts_beyond_the_decimal_precision_are_refused_on_every_path(
    cur: Currency, digits: int
) -> None:
    units = 10**digits + 1
    with pytest.raises(InvalidAmountError):
        Money.from_minor(units, cur)
    with pytest.raises(InvalidAmountError):
        Money(Decimal(units).scaleb(-cur.minor_unit), cur)
    big = Money.from_minor(10**27, cur)
    with pytest.raises(InvalidAmountError):
        big * 10**digits


@given(
    cur=st_currency(),
    value=st.decimals(
        allow_nan=False, allow_infinity=False, places=4, min_value=-(10**15), max_value=10**15
    ),
)
def test_construction_keeps_exactly_the_quantized_amount_or_refuses(
    cur: Currency, value: Decimal
) -> None:
    exact = value.quantize(cur.quantum, rounding=decimal.ROUND_DOWN)
    if exact != value:
        with pytest.raises(InvalidAmountError) as info:
            Money(value, cur)
        assert info.value.currency == cur.code  # type: ignore[attr-defined]
        return
    expected = exact.copy_abs() if exact.is_zero() else exact
    for built in (Money(value, cur), Money(str(value), cur.code), Money(f" {value} ", cur)):
        assert built.amount.as_tuple() == expected.as_tuple()
        assert built.currency is get_currency(cur.code)


@given(cur=st_currency())
def test_zero_is_the_checked_zero_and_never_negative(cur: Currency) -> None:
    for zero in (Money.zero(cur), Money.zero(cur.code), -Money.zero(cur), Money("-0", cur)):
        _same_money(zero, Money(0, cur))
        assert not zero.amount.is_signed()
    assert str(Money.zero(cur)) == str(Money(0, cur))


@given(cur=st_currency(), value=st.decimals(allow_nan=False, allow_infinity=False, places=6))
def test_rounding_equals_quantize_with_the_named_mode(cur: Currency, value: Decimal) -> None:
    for mode in Rounding:
        try:
            quantized = value.quantize(cur.quantum, rounding=mode.value)
        except decimal.InvalidOperation:  # more digits than the context holds: a typed error
            with pytest.raises(InvalidAmountError):
                Money.rounded(value, cur, rounding=mode)
            continue
        _same_money(Money.rounded(value, cur, rounding=mode), Money(quantized, cur))


_ALLOCATION_WEIGHTS = st.lists(
    st.one_of(st.integers(0, 30), st.integers(0, 10**6), st.integers(0, 10**19)),
    min_size=1,
    max_size=10,
).filter(lambda w: sum(w) > 0)


@given(total=st.integers(-(10**30), 10**30), weights=_ALLOCATION_WEIGHTS)
def test_integer_allocation_equals_the_decimal_method(total: int, weights: list[int]) -> None:
    assert allocate_minor(total, weights) == _allocate_decimal(total, weights)
    assert allocate_minor(total, tuple(weights)) == _allocate_decimal(total, weights)


@given(total=st.integers(-1000, 1000), weights=_ALLOCATION_WEIGHTS, prec=st.integers(28, 80))
def test_integer_allocation_equals_the_decimal_method_in_any_wide_context(
    total: int, weights: list[int], prec: int
) -> None:
    with decimal.localcontext() as ctx:
        ctx.prec = prec
        assert allocate_minor(total, weights) == _allocate_decimal(total, weights)


def test_equal_remainders_of_different_weights_follow_the_decimal_method() -> None:
    # 7 x (4, 1, 16) / 21 = 1.33.., 0.33.., 5.33..: three equal remainders, one unit left.
    assert allocate_minor(7, [4, 1, 16]) == _allocate_decimal(7, [4, 1, 16]) == [2, 0, 5]
    with decimal.localcontext() as ctx:
        ctx.prec = 60  # the decimal method then sees 0.33.. (50 digits) above 1.33.. (49)
        assert allocate_minor(7, [4, 1, 16]) == _allocate_decimal(7, [4, 1, 16]) == [1, 1, 5]


def test_allocation_refuses_bad_weights_with_the_facts() -> None:
    for weights in ([], [0, 0], [1, -1], [True, 1], [1.5, 1]):
        with pytest.raises((ValidationError, InvalidAmountError)) as info:
            allocate_minor(10, weights)  # type: ignore[arg-type]
        assert info.value.field in {"weights", "weight"}  # type: ignore[attr-defined]
