"""Fixed compensation and collection costs for late payment, one policy per jurisdiction.

**Businesses (B2B).** Directive 2011/7/EU art. 6: a creditor is entitled to a fixed sum of at
least EUR 40 per late commercial payment as compensation for recovery costs, without a
reminder. Transposed as: Belgium, law of 2 August 2002, art. 6; France, Code de commerce
L441-10, II and D441-5 (*indemnité forfaitaire pour frais de recouvrement*, EUR 40); Germany,
§ 288(5) BGB (EUR 40); the Netherlands, art. 6:96(4) BW (at least EUR 40, and the WIK scale
below applies between businesses unless agreed otherwise).

**Consumers (B2C).**

* Netherlands: *Besluit vergoeding voor buitengerechtelijke incassokosten* (Stb. 2012, 141),
  art. 2, the "WIK scale": 15 % of the first EUR 2,500 of the principal, 10 % of the next
  2,500, 5 % of the next 5,000, 1 % of the next 190,000, 0.5 % above, at least EUR 40 and at
  most EUR 6,775; increased by the VAT rate when the creditor cannot recover VAT (art. 2(3)).
  Costs may only be claimed after a reminder giving 14 days to pay, counted from the day
  after its receipt (art. 6:96(6) BW).
* Belgium: Code of Economic Law, book XIX "Debts of the consumer" (law of 4 May 2023,
  Moniteur belge 23 May 2023, in force 1 September 2023): the first reminder is free; damages
  may only be claimed after a grace period of 14 calendar days (from the third working day
  after a paper reminder is sent, or the day after an e-mail); the damages clause is capped
  at EUR 20 for a balance up to EUR 150; EUR 30 + 10 % of the tranche from 150.01 to 500;
  EUR 65 + 5 % of the tranche above 500, at most EUR 2,000 (figures as published by Belgian
  creditors and law firms, e.g. Farys and legaleyes.be; the article number within book XIX was
  not verified). Interest is capped at the B2B rate of the law of 2 August 2002.
* France: costs of amicable recovery without an enforceable title stay with the creditor
  (Code des procédures civiles d'exécution, L111-8): no flat fee.
* Germany and the directive in general: no statutory flat fee for consumers (actual damages
  only, §§ 280, 286 BGB).
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Final, Protocol, runtime_checkable

from attrs import field, frozen

from s2c_core.errors import NotFoundError, ValidationError
from s2c_core.money import EUR, Money, Rounding, to_decimal

__all__ = [
    "BelgianFeePolicy",
    "CollectionFee",
    "DebtorKind",
    "DutchFeePolicy",
    "EuDirectiveFeePolicy",
    "FeeConditions",
    "FeePolicy",
    "FrenchFeePolicy",
    "GermanFeePolicy",
    "belgian_consumer_damages_cap",
    "fee_policy",
    "register_fee_policy",
    "registered_fee_countries",
    "wik_collection_costs",
]

_FORTY: Final = Decimal(40)
_HUNDRED: Final = Decimal(100)


class DebtorKind(StrEnum):
    """Who owes the money: a business (commercial transaction) or a consumer.

    Examples:
        >>> DebtorKind("consumer").name
        'CONSUMER'
    """

    BUSINESS = "business"
    CONSUMER = "consumer"


@frozen
class CollectionFee:
    """A compensation or collection-cost amount and its legal basis.

    Attributes:
        amount: The fee excluding VAT.
        vat: VAT added to it (zero unless a rule adds it).
        rule: The legal basis, in words.
    """

    amount: Money
    vat: Money
    rule: str

    @property
    def total(self) -> Money:
        """``amount + vat``."""
        return self.amount + self.vat


@frozen
class FeeConditions:
    """When a fee may be charged.

    Attributes:
        reminder_required: A reminder must be sent before any fee.
        first_reminder_free: The first reminder itself may not be charged.
        grace_days: Days the reminder must give before fees become due (0 = none).
        rule: The legal basis, in words.
    """

    reminder_required: bool
    first_reminder_free: bool
    grace_days: int
    rule: str


@runtime_checkable
class FeePolicy(Protocol):
    """The late-payment compensation rules of one jurisdiction.

    Implement it to add a country, then [register_fee_policy][s2c_core.terms.register_fee_policy].
    """

    @property
    def country(self) -> str:
        """ISO 3166-1 alpha-2 code of the jurisdiction."""
        ...

    def collection_fee(self, principal: Money, *, debtor: DebtorKind) -> CollectionFee:
        """The statutory compensation (or its maximum) for a late payment of *principal*."""
        ...

    def conditions(self, debtor: DebtorKind) -> FeeConditions:
        """When the fee may be charged to *debtor*."""
        ...


def _zero() -> Money:
    return Money.zero(EUR)


def _require_eur(principal: Money, rule: str) -> None:
    if principal.currency != EUR:
        raise ValidationError(
            f"{rule} is defined in EUR; convert {principal.currency.code} first",
            field="currency",
            value=principal.currency.code,
        )
    if principal.is_negative():
        raise ValidationError(
            f"a late-payment fee needs a positive principal, got {principal}",
            field="principal",
            value=principal,
        )


_WIK_TIERS: Final = (
    (Decimal(2_500), Decimal("0.15")),
    (Decimal(2_500), Decimal("0.10")),
    (Decimal(5_000), Decimal("0.05")),
    (Decimal(190_000), Decimal("0.01")),
)
_WIK_ABOVE: Final = Decimal("0.005")
_WIK_MAX: Final = Decimal(6_775)
_WIK_RULE: Final = "Besluit vergoeding voor buitengerechtelijke incassokosten, art. 2 (NL)"


def wik_collection_costs(
    principal: Money,
    *,
    vat_percent: Decimal | int | str = 0,
    rounding: Rounding = Rounding.HALF_UP,
) -> CollectionFee:
    """Dutch extrajudicial collection costs (the WIK scale), optionally with VAT.

    Formula: ``15 % × min(P, 2500) + 10 % × next 2500 + 5 % × next 5000 + 1 % × next 190000
    + 0.5 % × rest``, rounded once, then at least EUR 40 and at most EUR 6,775; VAT at
    *vat_percent* is added when the creditor cannot recover VAT (Besluit art. 2(3)).

    Args:
        principal: The principal sum (EUR), without interest.
        vat_percent: VAT rate to add (21) when the creditor cannot deduct VAT, else 0.
        rounding: Rounding of the scale amount and of the VAT.

    Returns:
        The [CollectionFee][s2c_core.terms.CollectionFee].

    Examples:
        >>> str(wik_collection_costs(Money("2500.00", "EUR")).amount)
        'EUR 375.00'
        >>> str(wik_collection_costs(Money("5000.00", "EUR"), vat_percent=21).total)
        'EUR 756.25'
    """
    _require_eur(principal, "the WIK scale")
    if principal.is_zero():
        return CollectionFee(_zero(), _zero(), _WIK_RULE)
    rest = principal.amount
    fee = Decimal(0)
    for width, rate in _WIK_TIERS:
        part = min(rest, width)
        fee += part * rate
        rest -= part
    fee += rest * _WIK_ABOVE
    amount = Money.rounded(fee, EUR, rounding=rounding)
    amount = max(amount, Money(_FORTY, EUR))
    amount = min(amount, Money(_WIK_MAX, EUR))
    vat = amount.multiply(
        to_decimal(vat_percent, field_name="vat_percent") / _HUNDRED, rounding=rounding
    )
    return CollectionFee(amount, vat, _WIK_RULE)


_BE_XIX_RULE: Final = "Code of Economic Law book XIX (law of 4 May 2023), damages cap (BE)"


def belgian_consumer_damages_cap(balance: Money, *, rounding: Rounding = Rounding.HALF_UP) -> Money:
    """Maximum damages a Belgian consumer owes for a late payment (book XIX CEL).

    Formula: balance ≤ 150 → EUR 20; ≤ 500 → EUR 30 + 10 % × (balance − 150);
    above → EUR 65 + 5 % × (balance − 500), at most EUR 2,000.

    Examples:
        >>> [str(belgian_consumer_damages_cap(Money(b, "EUR")))
        ...  for b in ("100.00", "400.00", "1500.00", "100000.00")]
        ['EUR 20.00', 'EUR 55.00', 'EUR 115.00', 'EUR 2000.00']
    """
    _require_eur(balance, "the Belgian consumer-debt scale")
    amount = balance.amount
    if amount <= 150:
        cap = Decimal(20)
    elif amount <= 500:
        cap = 30 + (amount - 150) * Decimal("0.10")
    else:
        cap = min(65 + (amount - 500) * Decimal("0.05"), Decimal(2_000))
    return Money.rounded(cap, EUR, rounding=rounding)


_NO_CONDITIONS: Final = FeeConditions(
    False, False, 0, "no reminder needed (Directive 2011/7/EU art. 6(1): due without a reminder)"
)


@frozen
class EuDirectiveFeePolicy:
    """Directive 2011/7/EU art. 6: EUR 40 per late commercial payment; nothing for consumers.

    Examples:
        >>> str(EuDirectiveFeePolicy("LU").collection_fee(
        ...     Money("10.00", "EUR"), debtor=DebtorKind.BUSINESS).amount)
        'EUR 40.00'
    """

    country: str = "EU"
    rule: str = "Directive 2011/7/EU art. 6: fixed EUR 40 per late commercial payment"
    consumer_rule: str = (
        "no statutory flat fee for consumers (Directive 2011/7/EU covers "
        "commercial transactions only)"
    )

    def collection_fee(self, principal: Money, *, debtor: DebtorKind) -> CollectionFee:
        """EUR 40 for a business debtor, zero for a consumer."""
        _require_eur(principal, "the EUR 40 compensation")
        if DebtorKind(debtor) is DebtorKind.CONSUMER:
            return CollectionFee(_zero(), _zero(), self.consumer_rule)
        if principal.is_zero():
            return CollectionFee(_zero(), _zero(), self.rule)
        return CollectionFee(Money(_FORTY, EUR), _zero(), self.rule)

    def conditions(self, debtor: DebtorKind) -> FeeConditions:
        """No reminder needed for businesses; consumers owe no flat fee anyway."""
        return _NO_CONDITIONS


@frozen
class FrenchFeePolicy(EuDirectiveFeePolicy):
    """France: EUR 40 *indemnité forfaitaire* (C. com. L441-10 II, D441-5); consumers: none.

    Examples:
        >>> FrenchFeePolicy().collection_fee(Money("10.00", "EUR"),
        ...                                  debtor=DebtorKind.CONSUMER).amount.is_zero()
        True
    """

    country: str = "FR"
    rule: str = "Code de commerce L441-10 II and D441-5: indemnité forfaitaire EUR 40"
    consumer_rule: str = "amicable recovery costs stay with the creditor (CPCE L111-8)"


@frozen
class GermanFeePolicy(EuDirectiveFeePolicy):
    """Germany: EUR 40 flat fee § 288(5) BGB for non-consumer debtors; consumers: none."""

    country: str = "DE"
    rule: str = "§ 288(5) BGB: EUR 40 flat fee (Verzugspauschale)"
    consumer_rule: str = "no flat fee for consumers; actual damages only (§§ 280, 286 BGB)"


@frozen
class BelgianFeePolicy:
    """Belgium: EUR 40 for businesses (law of 2 Aug 2002 art. 6); book XIX cap for consumers.

    Examples:
        >>> be = BelgianFeePolicy()
        >>> str(be.collection_fee(Money("1500.00", "EUR"), debtor=DebtorKind.CONSUMER).amount)
        'EUR 115.00'
        >>> be.conditions(DebtorKind.CONSUMER).grace_days
        14
    """

    country: str = "BE"

    def collection_fee(self, principal: Money, *, debtor: DebtorKind) -> CollectionFee:
        """EUR 40 (B2B) or the maximum damages of book XIX (B2C)."""
        _require_eur(principal, "Belgian late-payment compensation")
        if principal.is_zero():
            return CollectionFee(_zero(), _zero(), "nothing overdue")
        if DebtorKind(debtor) is DebtorKind.CONSUMER:
            return CollectionFee(belgian_consumer_damages_cap(principal), _zero(), _BE_XIX_RULE)
        return CollectionFee(
            Money(_FORTY, EUR), _zero(), "law of 2 Aug 2002 art. 6: fixed EUR 40 (BE)"
        )

    def conditions(self, debtor: DebtorKind) -> FeeConditions:
        """Consumers: a free first reminder and 14 days' grace; businesses: none."""
        if DebtorKind(debtor) is DebtorKind.CONSUMER:
            return FeeConditions(
                True, True, 14, _BE_XIX_RULE + ": free first reminder, 14 calendar days' grace"
            )
        return _NO_CONDITIONS


def _percent(value: Decimal | int | str) -> Decimal:
    return to_decimal(value, field_name="vat_percent")


@frozen
class DutchFeePolicy:
    """Netherlands: the WIK scale (B2C mandatory, B2B unless agreed; at least EUR 40).

    Attributes:
        vat_percent: VAT added when the creditor cannot recover VAT (21 in 2025).
        creditor_recovers_vat: True for a VAT-registered creditor that deducts VAT (no VAT
            added to the costs).

    Examples:
        >>> str(DutchFeePolicy().collection_fee(Money("10000.00", "EUR"),
        ...                                     debtor=DebtorKind.CONSUMER).amount)
        'EUR 875.00'
    """

    country: str = "NL"
    vat_percent: Decimal = field(default=Decimal(21), converter=_percent)
    creditor_recovers_vat: bool = True

    def collection_fee(self, principal: Money, *, debtor: DebtorKind) -> CollectionFee:
        """The WIK scale amount, with VAT when the creditor cannot recover it."""
        DebtorKind(debtor)
        vat = Decimal(0) if self.creditor_recovers_vat else self.vat_percent
        return wik_collection_costs(principal, vat_percent=vat)

    def conditions(self, debtor: DebtorKind) -> FeeConditions:
        """Consumers: a reminder giving 14 days (art. 6:96(6) BW); businesses: none."""
        if DebtorKind(debtor) is DebtorKind.CONSUMER:
            return FeeConditions(
                True,
                True,
                14,
                "art. 6:96(6) BW: reminder giving 14 days from the day after receipt",
            )
        return FeeConditions(False, False, 0, "art. 6:96(4) BW: due without a reminder")


_POLICIES: dict[str, FeePolicy] = {
    "BE": BelgianFeePolicy(),
    "NL": DutchFeePolicy(),
    "FR": FrenchFeePolicy(),
    "DE": GermanFeePolicy(),
    "LU": EuDirectiveFeePolicy("LU"),
}


def fee_policy(country: str) -> FeePolicy:
    """The registered [FeePolicy][s2c_core.terms.FeePolicy] of *country* (ISO alpha-2).

    Raises [NotFoundError][s2c_core.errors.NotFoundError] for a country with no policy.

    Examples:
        >>> fee_policy("nl").country
        'NL'
    """
    try:
        return _POLICIES[country.upper()]
    except KeyError:
        raise NotFoundError("fee policy", country) from None


def register_fee_policy(policy: FeePolicy, *, replace: bool = False) -> FeePolicy:
    """Register *policy* under its ``country``; refuses to replace one unless *replace*.

    Examples:
        >>> register_fee_policy(EuDirectiveFeePolicy("AT")).country
        'AT'
    """
    if not isinstance(policy, FeePolicy):
        raise ValidationError(
            f"{type(policy).__name__} does not implement FeePolicy", field="policy", value=policy
        )
    code = policy.country.upper()
    if code in _POLICIES and not replace and _POLICIES[code] != policy:
        raise ValidationError(
            f"a fee policy for {code} is already registered; pass replace=True to replace it",
            field="country",
            value=code,
        )
    _POLICIES[code] = policy
    return policy


def registered_fee_countries() -> tuple[str, ...]:
    """The country codes with a registered fee policy, sorted.

    Examples:
        >>> {"BE", "DE", "FR", "LU", "NL"} <= set(registered_fee_countries())
        True
    """
    return tuple(sorted(_POLICIES))
