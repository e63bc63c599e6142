"""Cash forecast: when the open receivables will likely be paid, summed per ISO week.

Method (the "payment-behaviour" collection forecast used in treasury practice, AFP):

1. Learn each customer's lateness from its past payments (amount-weighted mean days late, and
   the 10th and 90th percentiles), see [lateness_profile][s2c_core.kpi.behaviour.lateness_profile].
   A customer with too few payments borrows its segment's lateness, else everyone's, else 0.
2. For every invoice open at the end of the as-of day, the **expected** receipt date is
   ``due date + round(mean days late)``; the **early** and **late** dates use the 10th and 90th
   percentiles instead (widened to include the expected date, so the band always contains it).
   Days round half up to whole days.
3. Sum the open amounts per ISO week (Monday to Sunday) for *weeks* weeks, the first being the
   week of the as-of day. A date before the as-of day (a receipt already late against its
   expectation) is counted in the first week; a date after the last week goes to
   ``beyond_*``.

So, for each of the three scenarios, the weekly amounts plus the beyond-horizon amount equal
the total open receivables exactly. Credit notes still open count negative.

Examples:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> from s2c_core.kpi.facts import InvoiceFact
    >>> fact = InvoiceFact("1", "C1", "retail", "EUR", date(2024, 3, 1), date(2024, 3, 14),
    ...                    Money(100, "EUR"))
    >>> fc = cash_forecast([fact], as_of=date(2024, 3, 6), weeks=3, currency="EUR")
    >>> [(w.iso_week, str(w.expected)) for w in fc.weeks]
    [(10, 'EUR 0.00'), (11, 'EUR 100.00'), (12, 'EUR 0.00')]
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from attrs import frozen

from s2c_core.kpi._common import positive_int, same_currency
from s2c_core.kpi.behaviour import lateness_profile
from s2c_core.kpi.facts import InvoiceFact
from s2c_core.money import Currency, Money, get_currency

__all__ = [
    "CashForecast",
    "ForecastLine",
    "ForecastWeek",
    "cash_forecast",
]


@frozen
class ForecastWeek:
    """Expected receipts of one ISO week under the three scenarios.

    Returned by [cash_forecast][s2c_core.kpi.forecast.cash_forecast] (see its example).

    Attributes:
        week_start: The Monday of the week.
        iso_year: The ISO year.
        iso_week: The ISO week number.
        expected: Receipts at the mean lateness.
        early: Receipts at the 10th-percentile lateness.
        late: Receipts at the 90th-percentile lateness.
    """

    week_start: date
    iso_year: int
    iso_week: int
    expected: Money
    early: Money
    late: Money


@frozen
class ForecastLine:
    """The forecast of one open invoice.

    Returned by [cash_forecast][s2c_core.kpi.forecast.cash_forecast] (see its example).

    Attributes:
        invoice_id: The invoice.
        customer_id: Its customer.
        open_amount: Its open amount at the as-of date.
        expected_date: Expected receipt date.
        early_date: Early-scenario date (<= expected).
        late_date: Late-scenario date (>= expected).
        basis: Whose lateness was used: ``customer``, ``segment``, ``overall`` or ``none``.
    """

    invoice_id: str
    customer_id: str
    open_amount: Money
    expected_date: date
    early_date: date
    late_date: date
    basis: str


@frozen
class CashForecast:
    """Weekly expected receipts of the receivables open at *as_of*.

    Returned by [cash_forecast][s2c_core.kpi.forecast.cash_forecast] (see its example).

    Attributes:
        as_of: The forecast date.
        weeks: One row per ISO week, the week of *as_of* first.
        beyond_expected: Expected receipts after the last week.
        beyond_early: Early-scenario receipts after the last week.
        beyond_late: Late-scenario receipts after the last week.
        total_open: Total open receivables (each scenario's weeks + beyond add up to it).
        lines: One line per open invoice.
    """

    as_of: date
    weeks: tuple[ForecastWeek, ...]
    beyond_expected: Money
    beyond_early: Money
    beyond_late: Money
    total_open: Money
    lines: tuple[ForecastLine, ...]


def _whole_days(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=decimal.ROUND_HALF_UP))


def cash_forecast(
    invoices: Iterable[InvoiceFact],
    *,
    as_of: date,
    weeks: int,
    currency: Currency | str,
    min_payments: int = 3,
) -> CashForecast:
    """Forecast the receipts of the invoices open at *as_of* over *weeks* ISO weeks.

    *invoices* holds both the history (paid invoices teach lateness; only payments dated up to
    *as_of* are used) and the open invoices to forecast. See the module docstring.

    Examples:
        >>> from s2c_core.kpi.facts import PaymentFact
        >>> history = [InvoiceFact(f"H{i}", "C1", "retail", "EUR", date(2024, 1, 1),
        ...     date(2024, 1, 31), Money(100, "EUR"),
        ...     paid=[PaymentFact(date(2024, 1, 31) + timedelta(days=d), Money(100, "EUR"))])
        ...     for i, d in enumerate((10, 14, 18))]
        >>> open_one = InvoiceFact("O1", "C1", "retail", "EUR", date(2024, 3, 1),
        ...     date(2024, 3, 31), Money(250, "EUR"))
        >>> fc = cash_forecast([*history, open_one], as_of=date(2024, 3, 15), weeks=6,
        ...                    currency="EUR")
        >>> line = fc.lines[0]
        >>> line.basis, str(line.expected_date), str(line.early_date), str(line.late_date)
        ('customer', '2024-04-14', '2024-04-11', '2024-04-17')
    """
    positive_int(weeks, "weeks")
    cur = get_currency(currency)
    facts = list(invoices)
    profile = lateness_profile(facts, as_of=as_of, currency=cur, min_payments=min_payments)
    first_monday = as_of - timedelta(days=as_of.weekday())
    horizon_end = first_monday + timedelta(days=7 * weeks - 1)
    zero = Money.zero(cur)
    expected = [Decimal(0)] * weeks
    early = [Decimal(0)] * weeks
    late = [Decimal(0)] * weeks
    beyond = [Decimal(0), Decimal(0), Decimal(0)]
    total = Decimal(0)
    lines: list[ForecastLine] = []

    def place(buckets: list[Decimal], slot: int, day: date, amount: Decimal) -> None:
        if day > horizon_end:
            beyond[slot] += amount
            return
        index = max(0, (day - first_monday).days // 7)
        buckets[index] += amount

    for inv in facts:
        open_amount = inv.open_as_of(as_of)
        same_currency(zero, open_amount, "forecast")
        if open_amount.is_zero():
            continue
        basis, stats = profile.lookup(inv.customer_id, inv.segment)
        if stats is None:
            mean_days = low_days = high_days = 0
        else:
            mean_days = _whole_days(stats.mean_days)
            low_days = min(_whole_days(stats.p10_days), mean_days)
            high_days = max(_whole_days(stats.p90_days), mean_days)
        dates = [inv.due_date + timedelta(days=d) for d in (mean_days, low_days, high_days)]
        amount = open_amount.amount
        total += amount
        for slot, (buckets, day) in enumerate(zip((expected, early, late), dates)):
            place(buckets, slot, day, amount)
        lines.append(
            ForecastLine(
                inv.invoice_id, inv.customer_id, open_amount, dates[0], dates[1], dates[2], basis
            )
        )
    rows = []
    for index in range(weeks):
        monday = first_monday + timedelta(days=7 * index)
        iso = monday.isocalendar()
        rows.append(
            ForecastWeek(
                monday,
                iso.year,
                iso.week,
                Money(expected[index], cur),
                Money(early[index], cur),
                Money(late[index], cur),
            )
        )
    return CashForecast(
        as_of=as_of,
        weeks=tuple(rows),
        beyond_expected=Money(beyond[0], cur),
        beyond_early=Money(beyond[1], cur),
        beyond_late=Money(beyond[2], cur),
        total_open=Money(total, cur),
        lines=tuple(lines),
    )
