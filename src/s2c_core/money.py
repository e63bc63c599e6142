"""Money: a ``Decimal`` amount in an ISO 4217 currency that knows its minor unit.

Rules this module enforces, so no cent is ever created or lost:

* floats are refused everywhere (``Money(0.1, EUR)`` raises ``InvalidAmountError``);
* an amount is never finer than its currency's minor unit (EUR 2 decimals, JPY 0, BHD 3);
  a finer result is only produced through a *named* rounding
  ([Money.rounded][s2c_core.money.Money.rounded], [Money.multiply][s2c_core.money.Money.multiply]);
* arithmetic only combines amounts of one currency (``CurrencyMismatchError`` otherwise);
* splitting ([Money.allocate][s2c_core.money.Money.allocate],
  [Money.split][s2c_core.money.Money.split]) uses the largest-remainder method, so the parts
  always sum exactly to the whole.

Minor units follow ISO 4217 (the "Minor unit" column of the SIX list one). Hosts can add a
currency with [register_currency][s2c_core.money.register_currency].
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Final, SupportsIndex

from attrs import field, frozen

from s2c_core.errors import CurrencyMismatchError, InvalidAmountError, ValidationError

__all__ = [
    "EUR",
    "GBP",
    "USD",
    "Currency",
    "Money",
    "Rounding",
    "allocate_minor",
    "get_currency",
    "register_currency",
    "sum_money",
    "to_decimal",
]


class Rounding(StrEnum):
    """Named rounding modes (the ``decimal`` module's, under readable names).

    ``HALF_EVEN`` is banker's rounding (Tryton's default for term shares); ``HALF_UP`` is the
    commercial rounding most invoices and Odoo use.
    """

    HALF_EVEN = decimal.ROUND_HALF_EVEN
    HALF_UP = decimal.ROUND_HALF_UP
    HALF_DOWN = decimal.ROUND_HALF_DOWN
    DOWN = decimal.ROUND_DOWN
    UP = decimal.ROUND_UP
    FLOOR = decimal.ROUND_FLOOR
    CEILING = decimal.ROUND_CEILING


def _check_code(instance: object, attribute: object, value: str) -> None:
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise ValidationError(
            f"currency code must be 3 upper-case letters, got {value!r}",
            field="currency",
            value=value,
        )


def _check_minor(instance: object, attribute: object, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
        raise ValidationError(
            f"minor unit must be an int in 0..4, got {value!r}", field="minor_unit", value=value
        )


@frozen(order=True)
class Currency:
    """An ISO 4217 currency: its alphabetic code and the number of decimals of its minor unit.

    Examples:
        >>> Currency("EUR", 2).quantum
        Decimal('0.01')
    """

    code: str = field(validator=_check_code)
    minor_unit: int = field(default=2, validator=_check_minor)

    @property
    def quantum(self) -> Decimal:
        """The smallest amount: ``Decimal(1).scaleb(-minor_unit)`` (``0.01`` for EUR)."""
        return Decimal(1).scaleb(-self.minor_unit)

    def __str__(self) -> str:
        return self.code


# ISO 4217 minor units (SIX Group list one). Most currencies have 2; these differ.
_ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
_FOUR_DECIMALS = "CLF UYW"
_TWO_DECIMALS = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN BZD "
    "CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD "
    "GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD "
    "MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP "
    "PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
    "TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD YER ZAR ZMW ZWG"
)

_REGISTRY: dict[str, Currency] = {}
for _codes, _minor in (
    (_ZERO_DECIMALS, 0),
    (_TWO_DECIMALS, 2),
    (_THREE_DECIMALS, 3),
    (_FOUR_DECIMALS, 4),
):
    for _code in _codes.split():
        _REGISTRY[_code] = Currency(_code, _minor)

EUR: Final = _REGISTRY["EUR"]
USD: Final = _REGISTRY["USD"]
GBP: Final = _REGISTRY["GBP"]


def get_currency(code: str | Currency) -> Currency:
    """Return the registered currency for *code*; ``ValidationError`` for an unknown code."""
    if isinstance(code, Currency):
        return code
    try:
        return _REGISTRY[code.upper()] if isinstance(code, str) else _REGISTRY[code]
    except KeyError:
        raise ValidationError(f"unknown currency {code!r}", field="currency", value=code) from None


def register_currency(currency: Currency) -> Currency:
    """Register *currency* (e.g. a test currency ``XTS``); refuses to change an existing one."""
    known = _REGISTRY.get(currency.code)
    if known is not None and known != currency:
        raise ValidationError(
            f"currency {currency.code} is already registered with {known.minor_unit} decimals",
            field="currency",
            value=currency.code,
        )
    _REGISTRY[currency.code] = currency
    return currency


def to_decimal(value: Decimal | int | str, *, field_name: str = "amount") -> Decimal:
    """Convert *value* to a finite ``Decimal`` without loss; floats and bools are refused."""
    if isinstance(value, (bool, float)):
        raise InvalidAmountError(
            f"{field_name} must be a Decimal, int or str, not {type(value).__name__} "
            f"({value!r}): floats cannot represent money exactly",
            field=field_name,
            value=value,
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except decimal.InvalidOperation:
            raise InvalidAmountError(
                f"{field_name} {value!r} is not a number", field=field_name, value=value
            ) from None
    else:
        raise InvalidAmountError(
            f"{field_name} must be a Decimal, int or str, not {type(value).__name__}",
            field=field_name,
            value=value,
        )
    if not result.is_finite():
        raise InvalidAmountError(
            f"{field_name} {value!r} is not finite", field=field_name, value=value
        )
    return result


def _amount(value: Decimal | int | str) -> Decimal:
    return to_decimal(value)


def _as_currency(value: Currency | str) -> Currency:
    return get_currency(value)


@frozen(eq=True, order=False, repr=False)
class Money:
    """An exact amount of one currency, never finer than its minor unit.

    Construct with a ``Decimal``, ``int`` or ``str`` and a [Currency][s2c_core.money.Currency]
    or its code. The amount is kept at exactly the currency's exponent, so
    ``Money("10", EUR) == Money("10.00", EUR)`` and both print as ``EUR 10.00``.

    Examples:
        >>> Money("10.00", "EUR") + Money("0.05", "EUR")
        Money('10.05', 'EUR')
        >>> [str(m) for m in Money("100.00", "EUR").split(3)]
        ['EUR 33.34', 'EUR 33.33', 'EUR 33.33']
    """

    amount: Decimal = field(converter=_amount)
    currency: Currency = field(converter=_as_currency)

    def __attrs_post_init__(self) -> None:
        quantum = self.currency.quantum
        try:
            exact = self.amount.quantize(quantum, rounding=decimal.ROUND_DOWN)
        except decimal.InvalidOperation:
            raise InvalidAmountError(
                f"{self.amount} is too large to represent in {self.currency.code}",
                field="amount",
                value=self.amount,
            ) from None
        if exact != self.amount:
            raise InvalidAmountError(
                f"{self.amount} is finer than the minor unit of {self.currency.code} "
                f"({quantum}); round it with Money.rounded(..., rounding=...)",
                field="amount",
                value=self.amount,
                currency=self.currency.code,
            )
        if exact.is_zero():
            exact = exact.copy_abs()  # no "-0.00"
        object.__setattr__(self, "amount", exact)

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def zero(cls, currency: Currency | str) -> Money:
        """Zero in *currency*."""
        return cls(0, currency)

    @classmethod
    def from_minor(cls, minor_units: int, currency: Currency | str) -> Money:
        """Build from an integer count of minor units (cents): ``from_minor(1234, EUR)`` = 12.34."""
        if isinstance(minor_units, bool) or not isinstance(minor_units, int):
            raise InvalidAmountError(
                "minor units must be an int", field="amount", value=minor_units
            )
        cur = get_currency(currency)
        return cls(Decimal(minor_units).scaleb(-cur.minor_unit), cur)

    @classmethod
    def rounded(
        cls,
        amount: Decimal | int | str,
        currency: Currency | str,
        *,
        rounding: Rounding = Rounding.HALF_UP,
    ) -> Money:
        """Round *amount* to the minor unit of *currency* with the named *rounding* mode."""
        cur = get_currency(currency)
        value = to_decimal(amount)
        return cls(value.quantize(cur.quantum, rounding=str(rounding)), cur)

    @classmethod
    def _trusted(cls, amount: Decimal, currency: Currency) -> Money:
        """Build without checks: only for amounts already validated (storage round trips)."""
        money = object.__new__(cls)
        object.__setattr__(money, "amount", amount)
        object.__setattr__(money, "currency", currency)
        return money

    # -- views --------------------------------------------------------------------------------

    @property
    def minor_units(self) -> int:
        """The amount as an integer count of minor units (cents for EUR)."""
        return int(self.amount.scaleb(self.currency.minor_unit))

    def is_zero(self) -> bool:
        """True when the amount is zero."""
        return self.amount == 0

    def is_positive(self) -> bool:
        """True when the amount is above zero."""
        return self.amount > 0

    def is_negative(self) -> bool:
        """True when the amount is below zero."""
        return self.amount < 0

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency.code}')"

    def __str__(self) -> str:
        return f"{self.currency.code} {self.amount}"

    def __hash__(self) -> int:
        return hash((self.amount, self.currency.code))

    # -- arithmetic within one currency -------------------------------------------------------

    def _same(self, other: object, operation: str) -> Money:
        if not isinstance(other, Money):
            raise InvalidAmountError(
                f"cannot {operation} Money and {type(other).__name__}",
                field="amount",
                value=other,
            )
        if other.currency != self.currency:
            raise CurrencyMismatchError(
                self.currency.code, other.currency.code, operation=operation
            )
        return other

    def __add__(self, other: Money) -> Money:
        return _exact(self.amount + self._same(other, "add").amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return _exact(self.amount - self._same(other, "subtract").amount, self.currency)

    def __neg__(self) -> Money:
        return _exact(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: SupportsIndex) -> Money:
        """Multiply by an integer (exact); for a decimal factor use ``multiply``."""
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise InvalidAmountError(
                "Money * x takes an int; use Money.multiply(factor, rounding=...) for decimals",
                field="factor",
                value=factor,
            )
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def multiply(
        self, factor: Decimal | int | str, *, rounding: Rounding = Rounding.HALF_UP
    ) -> Money:
        """Multiply by an exact decimal *factor* and round to the minor unit with *rounding*."""
        return Money.rounded(
            self.amount * to_decimal(factor, field_name="factor"), self.currency, rounding=rounding
        )

    def _cmp(self, other: object) -> Decimal:
        return self._same(other, "compare").amount

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._cmp(other)

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._cmp(other)

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._cmp(other)

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._cmp(other)

    # -- splitting ----------------------------------------------------------------------------

    def allocate(self, weights: Sequence[Decimal | int | str]) -> list[Money]:
        """Split into ``len(weights)`` parts proportional to *weights*, summing exactly to self.

        Largest-remainder method (Hamilton): each part first gets the floor of its exact share
        in minor units; the units left over go one each to the parts with the largest
        remainders. **Tie-break:** equal remainders are served in list order (the earlier part
        first). Negative amounts are split as their absolute value and negated, so
        ``(-m).allocate(w) == [-p for p in m.allocate(w)]``. Weights must be non-negative with
        a positive sum; a zero weight always gets zero.

        Examples:
            >>> [str(p) for p in Money("0.05", "EUR").allocate([1, 1])]
            ['EUR 0.03', 'EUR 0.02']
        """
        units = allocate_minor(self.minor_units, weights)
        return [Money.from_minor(u, self.currency) for u in units]

    def split(self, parts: int) -> list[Money]:
        """Split into *parts* near-equal amounts (differing by at most one minor unit).

        The larger parts come first (the tie-break of [allocate][s2c_core.money.Money.allocate]).
        """
        if isinstance(parts, bool) or not isinstance(parts, int) or parts < 1:
            raise ValidationError(
                f"parts must be a positive int, got {parts!r}", field="parts", value=parts
            )
        return self.allocate([1] * parts)


def allocate_minor(total: int, weights: Sequence[Decimal | int | str]) -> list[int]:
    """Largest-remainder split of an integer *total* by *weights* (see ``Money.allocate``)."""
    if not weights:
        raise ValidationError("allocation needs at least one weight", field="weights", value=[])
    exact = [to_decimal(w, field_name="weight") for w in weights]
    if any(w < 0 for w in exact):
        raise ValidationError(
            "allocation weights must not be negative", field="weights", value=list(weights)
        )
    weight_sum = sum(exact, Decimal(0))
    if weight_sum <= 0:
        raise ValidationError(
            "allocation weights must have a positive sum", field="weights", value=list(weights)
        )
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    with decimal.localcontext() as ctx:
        ctx.prec = max(50, len(str(magnitude)) + 30)
        floors: list[int] = []
        remainders: list[Decimal] = []
        for w in exact:
            share = Decimal(magnitude) * w / weight_sum
            whole = int(share.to_integral_value(rounding=decimal.ROUND_FLOOR))
            floors.append(whole)
            remainders.append(share - whole)
    leftover = magnitude - sum(floors)
    order = sorted(range(len(exact)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return [sign * f for f in floors]


def sum_money(amounts: Iterable[Money], currency: Currency | str) -> Money:
    """Sum *amounts* (all in *currency*); the sum of nothing is zero in *currency*."""
    cur = get_currency(currency)
    total = Decimal(0)
    for m in amounts:
        if not isinstance(m, Money):
            raise InvalidAmountError(f"cannot sum {type(m).__name__}", field="amount", value=m)
        if m.currency != cur:
            raise CurrencyMismatchError(cur.code, m.currency.code, operation="sum")
        total += m.amount
    return _exact(total, cur)


def _exact(amount: Decimal, currency: Currency) -> Money:
    """Money from a sum or difference of valid amounts: fast path when nothing can be off.

    Adding amounts that share the currency's exponent keeps that exponent, unless the
    ``decimal`` context had to round (more than 28 digits): then the checked constructor
    raises, as it should.
    """
    if amount.as_tuple().exponent == -currency.minor_unit:
        return Money._trusted(amount.copy_abs() if amount.is_zero() else amount, currency)
    return Money(amount, currency)
