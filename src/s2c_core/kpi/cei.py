"""Collection effectiveness index (CEI): what was collected out of what could be collected.

Formula (Credit Research Foundation; AccountingTools, Investopedia)::

    CEI = (B + S - ET) / (B + S - EC) x 100

with ``B`` the receivables at the beginning of the period, ``S`` the credit sales of the
period, ``ET`` the total receivables at its end and ``EC`` the current (not yet past-due)
receivables at its end. The numerator is what was collected (or written off); the denominator
is what was collectible, since current receivables could not yet be collected.

**Period convention.** CEI is a monthly measure: ``B`` is taken at the end of the day before the
period starts, ``ET`` and ``EC`` at the end of its last day, ``S`` over the period. For a window
of several months, the CRF formula as published by CreditGuru uses *average monthly* credit sales
(``S / N`` with N months): pass ``months=N``. Passing the whole window's sales with the default
``months=1`` gives the window's CEI instead; both appear in published worked examples.

With consistent inputs (``0 <= EC <= ET`` and nothing collected negative) CEI lies in 0..100.
The result is a percentage rounded to 0.01 half up.

Examples:
    >>> from s2c_core.money import Money
    >>> cei(Money(100000, "USD"), Money(1000000, "USD"), Money(120000, "USD"), Money(100000, "USD"))
    Decimal('98.00')
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from attrs import frozen

from s2c_core.errors import ValidationError
from s2c_core.kpi._common import positive_int, same_currency
from s2c_core.kpi.facts import InvoiceFact, Period
from s2c_core.kpi.receivables import credit_sales, current_receivables, open_receivables
from s2c_core.kpi.rounding import quantize_percent
from s2c_core.money import Currency, Money

__all__ = [
    "CeiReport",
    "cei",
    "cei_report",
]


def cei(
    beginning_receivables: Money,
    credit_sales: Money,
    ending_total_receivables: Money,
    ending_current_receivables: Money,
    *,
    months: int = 1,
) -> Decimal:
    """Collection effectiveness index in percent, to 0.01.

    Args:
        beginning_receivables: Total receivables at the start of the period.
        credit_sales: Credit sales of the period.
        ending_total_receivables: Total receivables at the end of the period.
        ending_current_receivables: Receivables not yet past due at the end of the period.
        months: Divide *credit_sales* by this many months (CRF's monthly-average convention for
            multi-month windows); 1 for a monthly CEI.

    Raises:
        ValidationError: the denominator (collectible amount) is zero or negative.

    Examples:
        CreditGuru's three-month sample (B 6 200, S 10 890 over 3 months, ET 6 340, EC 3 590):

        >>> from s2c_core.money import Money
        >>> b, s, et, ec = (Money(v, "USD") for v in (6200, 10890, 6340, 3590))
        >>> cei(b, s, et, ec, months=3), cei(b, s, et, ec)
        (Decimal('55.93'), Decimal('79.63'))
    """
    positive_int(months, "months")
    for other in (credit_sales, ending_total_receivables, ending_current_receivables):
        same_currency(beginning_receivables, other, "compute CEI of")
    available = beginning_receivables.amount + credit_sales.amount / months
    collectible = available - ending_current_receivables.amount
    if collectible <= 0:
        raise ValidationError(
            "CEI is undefined: beginning receivables + credit sales - ending current "
            f"receivables is {collectible}, not positive",
            field="ending_current_receivables",
            value=ending_current_receivables,
        )
    collected = available - ending_total_receivables.amount
    return quantize_percent(collected / collectible * 100)


@frozen
class CeiReport:
    """CEI of one period with its four inputs.

    Returned by [cei_report][s2c_core.kpi.cei.cei_report] (see its example).

    Attributes:
        period: The period measured.
        beginning_receivables: Receivables at the end of ``period.opening_date``.
        credit_sales: Credit sales issued in the period.
        ending_total_receivables: Receivables at the end of ``period.end``.
        ending_current_receivables: The part of them not yet past due.
        cei: The index, in percent.
    """

    period: Period
    beginning_receivables: Money
    credit_sales: Money
    ending_total_receivables: Money
    ending_current_receivables: Money
    cei: Decimal


def cei_report(
    invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str
) -> CeiReport:
    """CEI of *period* (normally a calendar month) computed from invoice facts.

    Examples:
        >>> from datetime import date
        >>> from s2c_core.money import Money
        >>> from s2c_core.kpi.facts import PaymentFact
        >>> facts = [
        ...     InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 5), date(2024, 2, 4),
        ...                 Money(100, "EUR"), paid=[PaymentFact(date(2024, 2, 10),
        ...                 Money(100, "EUR"))]),
        ...     InvoiceFact("2", "C", "s", "EUR", date(2024, 2, 1), date(2024, 2, 15),
        ...                 Money(100, "EUR")),
        ...     InvoiceFact("3", "C", "s", "EUR", date(2024, 2, 20), date(2024, 3, 20),
        ...                 Money(100, "EUR")),
        ... ]
        >>> cei_report(facts, Period.month(2024, 2), currency="EUR").cei
        Decimal('50.00')
    """
    facts = list(invoices)
    beginning = open_receivables(facts, as_of=period.opening_date, currency=currency)
    sales = credit_sales(facts, period, currency=currency)
    ending = open_receivables(facts, as_of=period.end, currency=currency)
    current = current_receivables(facts, as_of=period.end, currency=currency)
    return CeiReport(
        period, beginning, sales, ending, current, cei(beginning, sales, ending, current)
    )
