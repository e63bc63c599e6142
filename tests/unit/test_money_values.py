"""Money and Currency as value types: immutable attrs records with exact equality and order."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

import attrs
import pytest

from s2c_core import CurrencyMismatchError, InvalidAmountError, Money, ValidationError, sum_money
from s2c_core.money import EUR, USD, Currency, get_currency, register_currency


def test_money_is_a_frozen_attrs_record() -> None:
    m = Money("1.50", EUR)
    assert attrs.has(Money)
    assert [f.name for f in attrs.fields(Money)] == ["amount", "currency"]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        m.amount = Decimal(2)  # type: ignore[misc]
    with pytest.raises(AttributeError):
        m.note = "x"  # type: ignore[attr-defined]
    assert attrs.asdict(m) == {
        "amount": Decimal("1.50"),
        "currency": {"code": "EUR", "minor_unit": 2},
    }


def test_evolve_builds_through_the_checked_constructor() -> None:
    m = Money("1.50", EUR)
    assert attrs.evolve(m, amount=Decimal(2)) == Money("2.00", EUR)
    assert attrs.evolve(Money("3", EUR), currency="JPY") == Money(3, "JPY")
    with pytest.raises(InvalidAmountError):
        attrs.evolve(m, amount=Decimal("1.505"))
    with pytest.raises(InvalidAmountError):
        attrs.evolve(m, currency="JPY")


def test_copies_and_pickles_are_equal_values() -> None:
    m = Money("-3.07", "BHD")
    for other in (copy.copy(m), copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert other == m
        assert hash(other) == hash(m)
        assert other.amount.as_tuple() == m.amount.as_tuple()


def test_repr_and_str() -> None:
    assert repr(Money("10", "EUR")) == "Money('10.00', 'EUR')"
    assert str(Money("-0.5", "USD")) == "USD -0.50"
    assert str(Money("-0.00", "EUR")) == "EUR 0.00"
    assert str(Money(7, "JPY")) == "JPY 7"


def test_equality_and_hash_follow_amount_and_currency() -> None:
    assert Money("10", EUR) == Money("10.00", "EUR")
    assert hash(Money("10", EUR)) == hash(Money("10.00", "EUR"))
    assert Money("10", EUR) != Money("10", USD)
    assert Money("10", EUR) != Decimal("10.00")
    assert len({Money("1", EUR), Money("1.00", EUR), Money("1", USD)}) == 2


def test_an_equal_currency_object_counts_as_the_same_currency() -> None:
    twin = Currency("EUR", 2)
    assert twin is not EUR
    assert twin == EUR
    assert hash(twin) == hash(EUR)
    a, b = Money("1.10", twin), Money("2.20", EUR)
    assert a == Money("1.10", EUR)
    assert a + b == Money("3.30", EUR)
    assert b - a == Money("1.10", EUR)
    assert a < b
    assert sum_money([a, b], EUR) == sum_money([b, a], twin) == Money("3.30", EUR)


def test_currencies_order_by_code_then_minor_unit() -> None:
    assert sorted([USD, Currency("EUR", 3), EUR]) == [EUR, Currency("EUR", 3), USD]
    assert Currency("EUR", 3) != EUR
    assert EUR <= Currency("EUR", 2) <= EUR
    assert EUR != "EUR"
    with pytest.raises(TypeError):
        EUR < "USD"  # type: ignore[operator]  # noqa: B015


def test_registering_an_equal_currency_keeps_the_registered_one() -> None:
    assert register_currency(Currency("EUR", 2)) == EUR
    assert get_currency("EUR") is EUR
    with pytest.raises(ValidationError):
        register_currency(Currency("EUR", 3))
    test_currency = register_currency(Currency("XTS", 3))
    assert Money.zero("XTS") == Money("0.000", test_currency)


def test_operations_refuse_other_types_and_currencies_with_the_facts() -> None:
    eur, usd = Money("1.00", EUR), Money("1.00", USD)
    for operation in (
        lambda: eur + usd,
        lambda: eur - usd,
        lambda: eur < usd,
        lambda: eur >= usd,
        lambda: sum_money([eur, usd], EUR),
    ):
        with pytest.raises(CurrencyMismatchError) as info:
            operation()
        assert (info.value.left, info.value.right) == ("EUR", "USD")  # type: ignore[attr-defined]
    for operation in (
        lambda: eur + 1,
        lambda: eur - Decimal(1),
        lambda: eur < 1,
        lambda: sum_money([eur, 1], EUR),  # type: ignore[list-item]
        lambda: eur * Decimal(2),
    ):
        with pytest.raises(InvalidAmountError):
            operation()


def test_subclasses_build_their_own_kind_and_combine_into_money() -> None:
    class Price(Money):
        pass

    assert type(Price.zero(EUR)) is Price
    assert type(Price.from_minor(150, EUR)) is Price
    assert type(Price.rounded("1.005", EUR)) is Price
    price = Price("1.50", EUR)
    assert type(price + Money("1.00", EUR)) is Money
    assert price != Money("1.50", EUR)  # attrs equality: same class only
    assert price + Money("1.00", EUR) == Money("2.50", EUR)
