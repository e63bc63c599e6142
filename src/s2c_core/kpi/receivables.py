"""Balances the KPIs start from: open, current and overdue receivables, credit sales, write-offs.

All are sums over [InvoiceFact][s2c_core.kpi.facts.InvoiceFact] records in one currency (a
fact in another currency raises ``CurrencyMismatchError``: convert first).

* **open receivables** as of day *d*: ``sum(amount - payments dated <= d - write-off dated <= d)``
  over invoices issued on or before *d* (credit notes included, negative);
* **current receivables**: the part of it not yet past due (due date on or after *d*);
* **overdue receivables**: the part past due (due date before *d*);
* **credit sales** of a period: the invoice amounts (gross, credit notes negative) issued in it;
* **write-offs** of a period: the write-offs dated in it.

Examples:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> from s2c_core.kpi.facts import InvoiceFact, Period
    >>> facts = [
    ...     InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 5), date(2024, 2, 4),
    ...                 Money(100, "EUR")),
    ...     InvoiceFact("2", "C", "s", "EUR", date(2024, 3, 1), date(2024, 3, 31),
    ...                 Money(50, "EUR")),
    ... ]
    >>> str(open_receivables(facts, as_of=date(2024, 3, 10), currency="EUR"))
    'EUR 150.00'
    >>> str(overdue_receivables(facts, as_of=date(2024, 3, 10), currency="EUR"))
    'EUR 100.00'
    >>> str(credit_sales(facts, Period.month(2024, 3), currency="EUR"))
    'EUR 50.00'
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from s2c_core.kpi.facts import InvoiceFact, Period
from s2c_core.money import Currency, Money, sum_money

__all__ = [
    "credit_sales",
    "current_receivables",
    "open_receivables",
    "overdue_receivables",
    "write_offs",
]


def open_receivables(
    invoices: Iterable[InvoiceFact], *, as_of: date, currency: Currency | str
) -> Money:
    """Total open receivables at the end of *as_of* (see the module docstring).

    Examples:
        >>> from s2c_core.kpi.facts import PaymentFact
        >>> fact = InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 5), date(2024, 2, 4),
        ...     Money(100, "EUR"), paid=[PaymentFact(date(2024, 2, 10), Money(30, "EUR"))])
        >>> str(open_receivables([fact], as_of=date(2024, 2, 10), currency="EUR"))
        'EUR 70.00'
    """
    return sum_money((inv.open_as_of(as_of) for inv in invoices), currency)


def current_receivables(
    invoices: Iterable[InvoiceFact], *, as_of: date, currency: Currency | str
) -> Money:
    """Open receivables not yet past due at the end of *as_of* (due date >= *as_of*).

    Examples:
        >>> from s2c_core.kpi.facts import PaymentFact
        >>> fact = InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 5), date(2024, 2, 4),
        ...     Money(100, "EUR"), paid=[PaymentFact(date(2024, 2, 10), Money(30, "EUR"))])
        >>> str(current_receivables([fact], as_of=date(2024, 2, 4), currency="EUR"))
        'EUR 100.00'
    """
    return sum_money((inv.open_as_of(as_of) for inv in invoices if inv.due_date >= as_of), currency)


def overdue_receivables(
    invoices: Iterable[InvoiceFact], *, as_of: date, currency: Currency | str
) -> Money:
    """Open receivables past due at the end of *as_of* (due date < *as_of*).

    Examples:
        >>> from s2c_core.kpi.facts import PaymentFact
        >>> fact = InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 5), date(2024, 2, 4),
        ...     Money(100, "EUR"), paid=[PaymentFact(date(2024, 2, 10), Money(30, "EUR"))])
        >>> str(overdue_receivables([fact], as_of=date(2024, 2, 5), currency="EUR"))
        'EUR 100.00'
    """
    return sum_money((inv.open_as_of(as_of) for inv in invoices if inv.due_date < as_of), currency)


def credit_sales(
    invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str
) -> Money:
    """Gross amounts of the invoices and credit notes issued in *period* (net credit sales).

    Examples:
        >>> credit_note = InvoiceFact("CN1", "C", "s", "EUR", date(2024, 1, 9), date(2024, 1, 9),
        ...                           Money(-20, "EUR"))
        >>> str(credit_sales([credit_note], Period.month(2024, 1), currency="EUR"))
        'EUR -20.00'
    """
    return sum_money((inv.amount for inv in invoices if inv.issue_date in period), currency)


def write_offs(
    invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str
) -> Money:
    """Write-offs dated in *period*.

    Examples:
        >>> fact = InvoiceFact("1", "C", "s", "EUR", date(2023, 6, 1), date(2023, 7, 1),
        ...     Money(100, "EUR"), written_off=Money(100, "EUR"), written_off_date=date(2024, 1, 2))
        >>> str(write_offs([fact], Period.month(2024, 1), currency="EUR"))
        'EUR 100.00'
    """
    return sum_money(
        (
            inv.written_off
            for inv in invoices
            if inv.written_off is not None and inv.written_off_date in period
        ),
        currency,
    )
