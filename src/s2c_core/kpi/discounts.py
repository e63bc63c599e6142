"""Discounts given: quote (price) discounts and early-payment (cash) discounts, grouped.

Discounts are revenue given away; grouping them by customer, segment or salesperson shows where
pricing discipline slips (the "price waterfall" view of pricing analyses). Each group reports
the quote discounts, the early-payment discounts, their total and the number of discounts.

Examples:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> from s2c_core.kpi.facts import DiscountFact
    >>> facts = [
    ...     DiscountFact("Q1", "quote", "C1", "retail", "ann", date(2024, 1, 3), Money(50, "EUR")),
    ...     DiscountFact("I7", "early_payment", "C1", "retail", "", date(2024, 1, 9),
    ...                  Money(4, "EUR")),
    ...     DiscountFact("Q2", "quote", "C2", "retail", "bob", date(2024, 1, 4), Money(10, "EUR")),
    ... ]
    >>> [(g.key, str(g.total)) for g in discounts_given(facts, by="customer", currency="EUR")]
    [('C1', 'EUR 54.00'), ('C2', 'EUR 10.00')]
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from attrs import frozen

from s2c_core.kpi._common import same_currency
from s2c_core.kpi.facts import DiscountFact, DiscountKind, Grouping, Period
from s2c_core.money import Currency, Money, get_currency

__all__ = [
    "DiscountGroup",
    "discounts_given",
]


@frozen
class DiscountGroup:
    """Discounts given within one group.

    Returned by [discounts_given][s2c_core.kpi.discounts.discounts_given] (see its example).

    Attributes:
        key: The customer id, segment or salesperson ("" for none).
        quote_discounts: Sum of the quote discounts.
        early_payment_discounts: Sum of the early-payment discounts.
        total: Both together.
        count: Number of discounts.
    """

    key: str
    quote_discounts: Money
    early_payment_discounts: Money
    total: Money
    count: int


def _key(fact: DiscountFact, by: Grouping) -> str:
    if by is Grouping.CUSTOMER:
        return fact.customer_id
    if by is Grouping.SEGMENT:
        return fact.segment
    return fact.salesperson


def discounts_given(
    discounts: Iterable[DiscountFact],
    *,
    by: Grouping | str,
    currency: Currency | str,
    period: Period | None = None,
) -> tuple[DiscountGroup, ...]:
    """Group *discounts* (of *period*, when given) by customer, segment or salesperson.

    Groups come largest total first, then by key.

    Examples:
        >>> from datetime import date
        >>> from s2c_core.money import Money
        >>> facts = [DiscountFact("Q1", "quote", "C1", "retail", "ann", date(2024, 1, 3),
        ...                       Money(50, "EUR"))]
        >>> [g.key for g in discounts_given(facts, by=Grouping.SALESPERSON,
        ...                                 currency="EUR", period=Period.month(2024, 2))]
        []
    """
    grouping = Grouping(by)
    cur = get_currency(currency)
    zero = Money.zero(cur)
    sums: dict[str, list[Decimal]] = {}
    counts: dict[str, int] = {}
    for fact in discounts:
        same_currency(zero, fact.amount, "sum")
        if period is not None and fact.given_on not in period:
            continue
        key = _key(fact, grouping)
        pair = sums.setdefault(key, [Decimal(0), Decimal(0)])
        pair[0 if fact.kind is DiscountKind.QUOTE else 1] += fact.amount.amount
        counts[key] = counts.get(key, 0) + 1
    groups = [
        DiscountGroup(key, Money(q, cur), Money(e, cur), Money(q + e, cur), counts[key])
        for key, (q, e) in sums.items()
    ]
    groups.sort(key=lambda g: (-g.total.amount, g.key))
    return tuple(groups)
