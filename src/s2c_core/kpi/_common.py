"""Small private helpers shared by the KPI modules."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from s2c_core.errors import CurrencyMismatchError, ValidationError
from s2c_core.money import Currency, Money


def same_currency(left: Money, right: Money, operation: str) -> None:
    """Raise CurrencyMismatchError unless *left* and *right* share a currency."""
    if left.currency != right.currency:
        raise CurrencyMismatchError(left.currency.code, right.currency.code, operation=operation)


def check_currency(amounts: Iterable[Money], currency: Currency, operation: str) -> None:
    """Raise CurrencyMismatchError for the first amount not in *currency*."""
    for amount in amounts:
        if amount.currency != currency:
            raise CurrencyMismatchError(currency.code, amount.currency.code, operation=operation)


def weighted_mean(pairs: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Mean of values weighted by weights, from ``(value, weight)`` pairs; None if no weight."""
    total = Decimal(0)
    weight_sum = Decimal(0)
    for value, weight in pairs:
        total += value * weight
        weight_sum += weight
    if weight_sum == 0:
        return None
    return total / weight_sum


def positive_int(value: int, name: str) -> int:
    """Return *value* if it is an int >= 1, else raise ValidationError."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(
            f"{name} must be a positive int, got {value!r}", field=name, value=value
        )
    return value
