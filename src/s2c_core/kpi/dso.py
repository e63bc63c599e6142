"""Days sales outstanding (DSO) and its companions: best possible DSO and average days delinquent.

DSO says how many days of sales are tied up in receivables. The formulas (Credit Research
Foundation definitions, as explained by Investopedia, AccountingTools and the CFI):

* **simple (standard) DSO** = ending receivables / credit sales x days in the period;
* **average-receivables DSO** = ((beginning + ending receivables) / 2) / credit sales x days;
* **countback DSO**: start from the ending receivables and walk back month by month, taking out
  each month's credit sales and adding that month's days, until the receivables left are less
  than a month's sales; that month adds ``left / its sales x its days``. It follows the sales
  that actually make up the balance, so seasonality does not distort it;
* **best possible DSO (BPDSO)** = current (not past-due) receivables / credit sales x days: the
  DSO if every customer paid on the due date;
* **average days delinquent (ADD)** = DSO - BPDSO: days beyond terms.

Days are ``Decimal`` rounded to 0.1 day half up
([quantize_days][s2c_core.kpi.rounding.quantize_days]).
DSO is undefined for zero or negative credit sales: the functions raise ``ValidationError``.

Examples:
    >>> from s2c_core.money import Money
    >>> dso(Money("150000.00", "USD"), Money("1800000.00", "USD"), days=365)
    Decimal('30.4')
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from attrs import field, frozen

from s2c_core.errors import ValidationError
from s2c_core.kpi._common import positive_int, same_currency
from s2c_core.kpi.facts import InvoiceFact, Period
from s2c_core.kpi.receivables import credit_sales, current_receivables, open_receivables
from s2c_core.kpi.rounding import quantize_days
from s2c_core.money import Currency, Money, get_currency

__all__ = [
    "DsoReport",
    "MonthSales",
    "average_days_delinquent",
    "average_dso",
    "best_possible_dso",
    "countback_dso",
    "dso",
    "dso_report",
    "monthly_sales",
    "raw_dso",
]


def _positive_days(days: int) -> int:
    return positive_int(days, "days")


def raw_dso(receivables: Money, sales: Money, *, days: int) -> Decimal:
    """Unrounded ``receivables / sales x days``, for callers that combine DSOs (driver analysis).

    Raises:
        ValidationError: *sales* is zero or negative, or *days* is not a positive int.
        CurrencyMismatchError: the amounts are in different currencies.

    Examples:
        >>> from s2c_core.money import Money
        >>> raw_dso(Money(1, "EUR"), Money(3, "EUR"), days=1)
        Decimal('0.3333333333333333333333333333')
    """
    _positive_days(days)
    same_currency(receivables, sales, "divide")
    if not sales.is_positive():
        raise ValidationError(
            f"DSO is undefined when credit sales are not positive ({sales})",
            field="credit_sales",
            value=sales,
        )
    return receivables.amount / sales.amount * days


def dso(receivables: Money, credit_sales: Money, *, days: int) -> Decimal:
    """Simple DSO: receivables / credit sales x days, to 0.1 day.

    Args:
        receivables: Total open receivables at the end of the period.
        credit_sales: Credit sales of the period.
        days: Days in the period (e.g. 30, 91, 365).

    Examples:
        >>> from s2c_core.money import Money
        >>> dso(Money("30000.00", "EUR"), Money("90000.00", "EUR"), days=90)
        Decimal('30.0')
    """
    return quantize_days(raw_dso(receivables, credit_sales, days=days))


def average_dso(beginning: Money, ending: Money, credit_sales: Money, *, days: int) -> Decimal:
    """Average-receivables DSO: ((beginning + ending) / 2) / credit sales x days, to 0.1 day.

    Examples:
        >>> from s2c_core.money import Money
        >>> average_dso(Money(40000, "EUR"), Money(50000, "EUR"), Money(300000, "EUR"), days=90)
        Decimal('13.5')
    """
    total = beginning + ending
    return quantize_days(raw_dso(total, credit_sales, days=days) / 2)


def best_possible_dso(current_receivables: Money, credit_sales: Money, *, days: int) -> Decimal:
    """Best possible DSO: current (not past-due) receivables / credit sales x days, to 0.1 day.

    Examples:
        >>> from s2c_core.money import Money
        >>> best_possible_dso(Money(20000, "EUR"), Money(90000, "EUR"), days=90)
        Decimal('20.0')
    """
    return dso(current_receivables, credit_sales, days=days)


def average_days_delinquent(
    receivables: Money, current_receivables: Money, credit_sales: Money, *, days: int
) -> Decimal:
    """Average days delinquent: DSO - best possible DSO, both rounded to 0.1 day first.

    Subtracting the rounded values keeps ``ADD == DSO - BPDSO`` exact in every report.

    Examples:
        >>> from s2c_core.money import Money
        >>> average_days_delinquent(
        ...     Money(30000, "EUR"), Money(20000, "EUR"), Money(90000, "EUR"), days=90)
        Decimal('10.0')
    """
    return dso(receivables, credit_sales, days=days) - best_possible_dso(
        current_receivables, credit_sales, days=days
    )


@frozen
class MonthSales:
    """Credit sales of one month (or month to date) and the number of days it covers.

    Attributes:
        sales: The credit sales of the month.
        days: Days covered (28 to 31 for a full month, fewer for a month to date).

    Examples:
        >>> from s2c_core.money import Money
        >>> MonthSales(Money(100000, "EUR"), 31).days
        31
    """

    sales: Money
    days: int = field(converter=_positive_days)


def countback_dso(receivables: Money, months: Sequence[MonthSales]) -> Decimal:
    """Countback DSO, to 0.1 day: walk back through *months* (most recent first).

    While the receivables left are at least the month's sales, subtract the sales and add the
    month's days; in the first month whose sales exceed what is left, add
    ``left / sales x days`` and stop. Zero receivables give 0.

    Raises:
        ValidationError: the receivables exceed all the sales given (pass more months).

    Examples:
        A quarter of 30-day months with sales 100 000 (latest), 80 000 and 70 000 and ending
        receivables of 212 000: 30 + 30 + 32 000 / 70 000 x 30 = 73.7 days.

        >>> from s2c_core.money import Money
        >>> months = [MonthSales(Money(s, "USD"), 30) for s in (100000, 80000, 70000)]
        >>> countback_dso(Money(212000, "USD"), months)
        Decimal('73.7')
    """
    currency = receivables.currency
    left = receivables.amount
    total_days = Decimal(0)
    for month in months:
        same_currency(receivables, month.sales, "count back")
        if left <= 0:
            break
        if month.sales.amount > left:
            total_days += left / month.sales.amount * month.days
            left = Decimal(0)
            break
        left -= month.sales.amount
        total_days += month.days
    if left > 0:
        raise ValidationError(
            f"receivables {Money(receivables.amount, currency)} exceed the sales of the "
            f"{len(months)} months given; pass more history",
            field="months",
            value=len(months),
        )
    return quantize_days(total_days)


def monthly_sales(
    invoices: Iterable[InvoiceFact], *, as_of: date, months: int, currency: Currency | str
) -> tuple[MonthSales, ...]:
    """Credit sales of the *months* calendar months ending with *as_of*'s, most recent first.

    The month of *as_of* is counted month to date (its days are ``as_of.day``).

    Examples:
        >>> from s2c_core.money import Money
        >>> facts = [InvoiceFact("1", "C", "s", "EUR", date(2024, 2, 10), date(2024, 3, 10),
        ...                      Money(100, "EUR"))]
        >>> [(str(m.sales), m.days) for m in monthly_sales(facts, as_of=date(2024, 3, 15),
        ...                                                months=2, currency="EUR")]
        [('EUR 0.00', 15), ('EUR 100.00', 29)]
    """
    cur = get_currency(currency)
    facts = list(invoices)
    periods: list[Period] = []
    year, month = as_of.year, as_of.month
    for index in range(months):
        whole = Period.month(year, month)
        periods.append(Period(whole.start, as_of) if index == 0 else whole)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return tuple(MonthSales(credit_sales(facts, p, currency=cur), p.days) for p in periods)


@frozen
class DsoReport:
    """DSO figures of one period, computed from invoice facts.

    Returned by [dso_report][s2c_core.kpi.dso.dso_report] (see its example).

    Attributes:
        period: The period measured.
        receivables: Open receivables at the end of the period.
        current_receivables: The part not yet past due.
        credit_sales: Credit sales of the period.
        dso: Simple DSO.
        best_possible_dso: Best possible DSO.
        average_days_delinquent: DSO - best possible DSO.
    """

    period: Period
    receivables: Money
    current_receivables: Money
    credit_sales: Money
    dso: Decimal
    best_possible_dso: Decimal
    average_days_delinquent: Decimal


def dso_report(
    invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str
) -> DsoReport:
    """Simple DSO, best possible DSO and ADD for *period* from invoice facts.

    Receivables are taken at the end of ``period.end``; days are ``period.days``.

    Examples:
        >>> from s2c_core.money import Money
        >>> facts = [
        ...     InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 2), date(2024, 1, 16),
        ...                 Money(600, "EUR")),
        ...     InvoiceFact("2", "C", "s", "EUR", date(2024, 1, 20), date(2024, 2, 19),
        ...                 Money(300, "EUR")),
        ... ]
        >>> r = dso_report(facts, Period.month(2024, 1), currency="EUR")
        >>> r.dso, r.best_possible_dso, r.average_days_delinquent
        (Decimal('31.0'), Decimal('10.3'), Decimal('20.7'))
    """
    facts = list(invoices)
    ending = open_receivables(facts, as_of=period.end, currency=currency)
    current = current_receivables(facts, as_of=period.end, currency=currency)
    sales = credit_sales(facts, period, currency=currency)
    simple = dso(ending, sales, days=period.days)
    best = best_possible_dso(current, sales, days=period.days)
    return DsoReport(period, ending, current, sales, simple, best, simple - best)
