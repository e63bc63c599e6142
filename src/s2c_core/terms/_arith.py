"""Integer rounding and unchecked Money construction for the hot paths (internal).

``Money`` lives in ``s2c_core.money`` and validates every construction (about 2.6 µs); the
schedule and interest loops compute in integer minor units and build their results here.
"""

from __future__ import annotations

from decimal import Decimal

from s2c_core.money import Currency, Money

__all__ = ["div_round", "money_from_minor"]


def div_round(numerator: int, denominator: int, mode: str) -> int:
    """``numerator / denominator`` (denominator > 0) rounded to an int with a decimal mode.

    *mode* is a ``decimal`` rounding constant (the value of a ``Rounding`` member). Same
    results as ``Decimal(numerator / denominator).to_integral_value(rounding=mode)`` computed
    exactly, but in integer arithmetic.
    """
    quotient, rest = divmod(numerator, denominator)  # floor division, 0 <= rest < denominator
    if not rest:
        return quotient
    if mode == "ROUND_FLOOR":
        return quotient
    if mode == "ROUND_CEILING":
        return quotient + 1
    if mode == "ROUND_DOWN":  # toward zero
        return quotient if numerator >= 0 else quotient + 1
    if mode == "ROUND_UP":  # away from zero
        return quotient + 1 if numerator >= 0 else quotient
    twice = 2 * rest
    if twice < denominator:
        return quotient
    if twice > denominator:
        return quotient + 1
    if mode == "ROUND_HALF_EVEN":
        return quotient + (quotient & 1)
    if mode == "ROUND_HALF_UP":  # ties away from zero
        return quotient + 1 if numerator >= 0 else quotient
    if mode == "ROUND_HALF_DOWN":  # ties toward zero
        return quotient if numerator >= 0 else quotient + 1
    raise ValueError(f"unsupported rounding mode {mode!r}")


_new = object.__new__
_set = object.__setattr__


def money_from_minor(units: int, currency: Currency) -> Money:
    """``Money.from_minor(units, currency)`` without re-validation.

    Safe because ``Decimal(units).scaleb(-minor_unit)`` has exactly the currency's exponent and
    an int has no negative zero, which is all Money's checked constructor verifies and
    normalises. The unit tests compare it with ``Money.from_minor`` for every minor unit.
    """
    money = _new(Money)
    _set(money, "amount", Decimal(units).scaleb(-currency.minor_unit))
    _set(money, "currency", currency)
    return money
