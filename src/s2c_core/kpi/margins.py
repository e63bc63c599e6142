"""Revenue, gross profit, gross margin, markup and average order value.

Formulas (CFI, Investopedia):

* **gross profit** = revenue - cost of goods sold;
* **gross margin %** = gross profit / revenue x 100 (share of the selling price kept);
* **markup %** = gross profit / cost x 100 (what was added on top of cost);
* **average order value** = total order value / number of orders.

From invoice facts, revenue is each invoice's ``net_amount`` (excluding VAT) when known, else its
``amount``; credit notes count negative. Margins are computed only over invoices whose ``cost``
is known; the report says how many had none. Percentages are rounded to 0.01, money to the
minor unit, both half up.

Examples:
    >>> from s2c_core.money import Money
    >>> gross_margin_percent(Money(1000, "EUR"), Money(600, "EUR"))
    Decimal('40.00')
    >>> markup_percent(Money(1000, "EUR"), Money(600, "EUR"))
    Decimal('66.67')
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from attrs import frozen

from s2c_core.errors import ValidationError
from s2c_core.kpi._common import same_currency
from s2c_core.kpi.facts import InvoiceFact, Period
from s2c_core.kpi.rounding import ratio
from s2c_core.money import Currency, Money, Rounding, get_currency, sum_money

__all__ = [
    "MarginReport",
    "average_order_value",
    "gross_margin_percent",
    "gross_profit",
    "margin_report",
    "markup_percent",
    "revenue",
]


def gross_profit(revenue: Money, cost: Money) -> Money:
    """Revenue minus cost of goods sold.

    Examples:
        >>> from s2c_core.money import Money
        >>> str(gross_profit(Money(1000, "EUR"), Money(600, "EUR")))
        'EUR 400.00'
    """
    return revenue - cost


def gross_margin_percent(revenue: Money, cost: Money) -> Decimal:
    """Gross profit / revenue x 100, to 0.01.

    Raises:
        ValidationError: revenue is zero.

    Examples:
        >>> from s2c_core.money import Money
        >>> gross_margin_percent(Money(50, "EUR"), Money(60, "EUR"))
        Decimal('-20.00')
    """
    same_currency(revenue, cost, "compare")
    result = ratio((revenue - cost).amount, revenue.amount)
    if result is None:
        raise ValidationError(
            "gross margin is undefined for zero revenue", field="revenue", value=revenue
        )
    return result


def markup_percent(revenue: Money, cost: Money) -> Decimal:
    """Gross profit / cost x 100, to 0.01.

    Raises:
        ValidationError: cost is zero.

    Examples:
        >>> from s2c_core.money import Money
        >>> markup_percent(Money(125, "EUR"), Money(100, "EUR"))
        Decimal('25.00')
    """
    same_currency(revenue, cost, "compare")
    result = ratio((revenue - cost).amount, cost.amount)
    if result is None:
        raise ValidationError("markup is undefined for zero cost", field="cost", value=cost)
    return result


def average_order_value(order_totals: Iterable[Money], *, currency: Currency | str) -> Money:
    """Total of *order_totals* / their number, rounded half up to the minor unit.

    Raises:
        ValidationError: there are no orders.

    Examples:
        >>> from s2c_core.money import Money
        >>> str(average_order_value([Money(10, "EUR"), Money(20, "EUR"), Money(20, "EUR")],
        ...                         currency="EUR"))
        'EUR 16.67'
    """
    totals = list(order_totals)
    if not totals:
        raise ValidationError(
            "average order value needs at least one order", field="order_totals", value=[]
        )
    cur = get_currency(currency)
    total = sum_money(totals, cur)
    return Money.rounded(total.amount / len(totals), cur, rounding=Rounding.HALF_UP)


def revenue(invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str) -> Money:
    """Revenue of the invoices and credit notes issued in *period* (net amounts when known).

    Examples:
        >>> from datetime import date
        >>> from s2c_core.money import Money
        >>> fact = InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...                    Money("121.00", "EUR"), net_amount=Money("100.00", "EUR"))
        >>> str(revenue([fact], Period.month(2024, 1), currency="EUR"))
        'EUR 100.00'
    """
    return sum_money((inv.revenue for inv in invoices if inv.issue_date in period), currency)


@frozen
class MarginReport:
    """Revenue and margins of one period.

    Returned by [margin_report][s2c_core.kpi.margins.margin_report] (see its example).

    Attributes:
        period: The period (by invoice date).
        revenue: Revenue of every invoice in the period.
        costed_revenue: Revenue of the invoices whose cost is known.
        cost: Their cost.
        gross_profit: ``costed_revenue - cost``.
        gross_margin_percent: ``gross_profit / costed_revenue x 100`` (None if that is zero).
        markup_percent: ``gross_profit / cost x 100`` (None if cost is zero).
        invoices: Number of invoices in the period.
        uncosted_invoices: How many of them have no cost.
    """

    period: Period
    revenue: Money
    costed_revenue: Money
    cost: Money
    gross_profit: Money
    gross_margin_percent: Decimal | None
    markup_percent: Decimal | None
    invoices: int
    uncosted_invoices: int


def margin_report(
    invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str
) -> MarginReport:
    """Revenue, gross profit, gross margin and markup of *period* from invoice facts.

    Examples:
        >>> from datetime import date
        >>> from s2c_core.money import Money
        >>> facts = [
        ...     InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...                 Money(1000, "EUR"), cost=Money(600, "EUR")),
        ...     InvoiceFact("2", "C", "s", "EUR", date(2024, 1, 5), date(2024, 2, 4),
        ...                 Money(500, "EUR")),
        ... ]
        >>> r = margin_report(facts, Period.month(2024, 1), currency="EUR")
        >>> str(r.revenue), r.gross_margin_percent, r.markup_percent, r.uncosted_invoices
        ('EUR 1500.00', Decimal('40.00'), Decimal('66.67'), 1)
    """
    cur = get_currency(currency)
    in_period = [inv for inv in invoices if inv.issue_date in period]
    costed = [inv for inv in in_period if inv.cost is not None]
    total_revenue = sum_money((inv.revenue for inv in in_period), cur)
    costed_revenue = sum_money((inv.revenue for inv in costed), cur)
    cost = sum_money((inv.cost for inv in costed if inv.cost is not None), cur)
    profit = costed_revenue - cost
    return MarginReport(
        period=period,
        revenue=total_revenue,
        costed_revenue=costed_revenue,
        cost=cost,
        gross_profit=profit,
        gross_margin_percent=ratio(profit.amount, costed_revenue.amount),
        markup_percent=ratio(profit.amount, cost.amount),
        invoices=len(in_period),
        uncosted_invoices=len(in_period) - len(costed),
    )
