"""Receivables aging, the bad-debt allowance it supports, and the bad-debt ratio.

**Aging.** Every invoice open at the end of the as-of day is placed in a bucket by its age in
days: ``as_of - due date`` (days past due, the usual collector's view) or ``as_of - invoice
date`` (days since invoicing), chosen with [AgingBasis][s2c_core.kpi.aging.AgingBasis]. Bucket
edges are the inclusive upper bounds of every bucket but the last; the default
``(0, 30, 60, 90)`` gives ``current`` (age <= 0: not yet due), ``1-30``, ``31-60``, ``61-90`` and
``90+`` (more than 90 days). Open amounts follow
[InvoiceFact.open_as_of][s2c_core.kpi.facts.InvoiceFact.open_as_of]; credit notes and
overpayments sit in their bucket as negative amounts, so the buckets always sum to the total
open receivables.

**Allowance** (aging method of estimating uncollectible accounts, as taught in intermediate
accounting texts): each bucket's open amount times its estimated uncollectible percentage,
rounded half up to the minor unit; a negative bucket carries no allowance. The allowance of a
bucket never exceeds its open amount.

**Bad-debt ratio** = write-offs / credit sales x 100, over one period.

Examples:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> from s2c_core.kpi.facts import InvoiceFact
    >>> facts = [
    ...     InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 1), date(2024, 1, 31),
    ...                 Money(100, "EUR")),
    ...     InvoiceFact("2", "C", "s", "EUR", date(2024, 3, 1), date(2024, 3, 31),
    ...                 Money(40, "EUR")),
    ... ]
    >>> report = aging_report(facts, as_of=date(2024, 3, 15), currency="EUR")
    >>> [(b.label, str(b.amount)) for b in report.buckets]  # doctest: +NORMALIZE_WHITESPACE
    [('current', 'EUR 40.00'), ('1-30', 'EUR 0.00'), ('31-60', 'EUR 100.00'),
     ('61-90', 'EUR 0.00'), ('90+', 'EUR 0.00')]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Final

from attrs import frozen

from s2c_core.errors import ValidationError
from s2c_core.kpi._common import same_currency
from s2c_core.kpi.facts import InvoiceFact, Period
from s2c_core.kpi.receivables import credit_sales, write_offs
from s2c_core.kpi.rounding import ratio
from s2c_core.money import Currency, Money, Rounding, get_currency, to_decimal

__all__ = [
    "DEFAULT_AGING_EDGES",
    "AgingBasis",
    "AgingBucket",
    "AgingReport",
    "AllowanceLine",
    "AllowanceReport",
    "BadDebtReport",
    "aging_report",
    "bad_debt_allowance",
    "bad_debt_ratio",
    "bad_debt_report",
    "bucket_labels",
]

DEFAULT_AGING_EDGES: Final = (0, 30, 60, 90)
"""Buckets current, 1-30, 31-60, 61-90 and 90+ (more than 90 days)."""


class AgingBasis(StrEnum):
    """The date an invoice's age is counted from.

    Examples:
        >>> AgingBasis("invoice_date")
        <AgingBasis.INVOICE_DATE: 'invoice_date'>
    """

    DUE_DATE = "due_date"
    """Age = days past due (negative or zero while not yet due)."""
    INVOICE_DATE = "invoice_date"
    """Age = days since the invoice date."""


def _check_edges(edges: Sequence[int]) -> tuple[int, ...]:
    values = tuple(edges)
    if not values or any(isinstance(e, bool) or not isinstance(e, int) for e in values):
        raise ValidationError(
            "aging edges must be a non-empty sequence of ints", field="edges", value=values
        )
    if any(b <= a for a, b in itertools.pairwise(values)):
        raise ValidationError(
            "aging edges must be strictly increasing", field="edges", value=values
        )
    return values


def bucket_labels(edges: Sequence[int] = DEFAULT_AGING_EDGES) -> tuple[str, ...]:
    """Return the bucket labels for *edges*: ``len(edges) + 1`` of them.

    The first bucket is ``current`` when its edge is 0, else ``up to N``; the middle ones are
    ``low-high`` (inclusive); the last is ``N+`` meaning more than N days.

    Examples:
        >>> bucket_labels((30, 60))
        ('up to 30', '31-60', '60+')
    """
    values = _check_edges(edges)
    first = "current" if values[0] == 0 else f"up to {values[0]}"
    middle = [f"{low + 1}-{high}" for low, high in itertools.pairwise(values)]
    return (first, *middle, f"{values[-1]}+")


@frozen
class AgingBucket:
    """The open receivables of one age bucket.

    Returned by [aging_report][s2c_core.kpi.aging.aging_report] (see its example).

    Attributes:
        label: The bucket label (see [bucket_labels][s2c_core.kpi.aging.bucket_labels]).
        min_days: The smallest age in the bucket (None: unbounded, the first bucket).
        max_days: The largest age in the bucket (None: unbounded, the last bucket).
        amount: The open amount in the bucket.
        count: How many invoices with a non-zero open amount fall in it.
    """

    label: str
    min_days: int | None
    max_days: int | None
    amount: Money
    count: int


@frozen
class AgingReport:
    """Receivables aging at one date.

    Returned by [aging_report][s2c_core.kpi.aging.aging_report] (see its example).

    Attributes:
        as_of: The aging date (end of day).
        basis: Due date or invoice date.
        buckets: The buckets, youngest first.
        total: Total open receivables (the sum of the buckets).
    """

    as_of: date
    basis: AgingBasis
    buckets: tuple[AgingBucket, ...]
    total: Money


def _bucket_index(age: int, edges: tuple[int, ...]) -> int:
    for index, edge in enumerate(edges):
        if age <= edge:
            return index
    return len(edges)


def aging_report(
    invoices: Iterable[InvoiceFact],
    *,
    as_of: date,
    currency: Currency | str,
    basis: AgingBasis | str = AgingBasis.DUE_DATE,
    edges: Sequence[int] = DEFAULT_AGING_EDGES,
) -> AgingReport:
    """Age the receivables open at the end of *as_of* into buckets.

    Args:
        invoices: Invoice facts in *currency*.
        as_of: The aging date.
        currency: The report currency.
        basis: Count age from the due date (default) or from the invoice date.
        edges: Inclusive upper bounds of the buckets but the last, strictly increasing.

    Examples:
        >>> from s2c_core.money import Money
        >>> fact = InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...                    Money(100, "EUR"))
        >>> report = aging_report([fact], as_of=date(2024, 2, 15), currency="EUR",
        ...                       basis=AgingBasis.INVOICE_DATE, edges=(30, 60))
        >>> [(b.label, b.count) for b in report.buckets]
        [('up to 30', 0), ('31-60', 1), ('60+', 0)]
    """
    cur = get_currency(currency)
    chosen = AgingBasis(basis)
    bounds = _check_edges(edges)
    labels = bucket_labels(bounds)
    sums = [Decimal(0)] * len(labels)
    counts = [0] * len(labels)
    for inv in invoices:
        open_amount = inv.open_as_of(as_of)
        same_currency(Money.zero(cur), open_amount, "age")
        if open_amount.is_zero():
            continue
        start = inv.due_date if chosen is AgingBasis.DUE_DATE else inv.issue_date
        index = _bucket_index((as_of - start).days, bounds)
        sums[index] += open_amount.amount
        counts[index] += 1
    lows: list[int | None] = [None, *(e + 1 for e in bounds)]
    highs: list[int | None] = [*bounds, None]
    buckets = tuple(
        AgingBucket(label, low, high, Money(total, cur), count)
        for label, low, high, total, count in zip(labels, lows, highs, sums, counts)
    )
    return AgingReport(as_of, chosen, buckets, Money(sum(sums, Decimal(0)), cur))


@frozen
class AllowanceLine:
    """The allowance for doubtful accounts of one aging bucket.

    Returned by [bad_debt_allowance][s2c_core.kpi.aging.bad_debt_allowance] (see its example).

    Attributes:
        label: The bucket label.
        open_amount: The bucket's open receivables.
        percent: The estimated uncollectible percentage (0 to 100).
        allowance: ``max(open_amount, 0) x percent / 100``, rounded half up.
    """

    label: str
    open_amount: Money
    percent: Decimal
    allowance: Money


@frozen
class AllowanceReport:
    """Allowance for doubtful accounts by the aging method.

    Returned by [bad_debt_allowance][s2c_core.kpi.aging.bad_debt_allowance] (see its example).

    Attributes:
        lines: One line per aging bucket.
        total: The required allowance balance.
    """

    lines: tuple[AllowanceLine, ...]
    total: Money


def bad_debt_allowance(
    report: AgingReport,
    percents: Sequence[Decimal | int | str] | Mapping[str, Decimal | int | str],
) -> AllowanceReport:
    """Apply uncollectible *percents* to the buckets of an aging *report*.

    Args:
        report: An aging report.
        percents: One percentage (0 to 100) per bucket, in bucket order, or a mapping from
            bucket label to percentage (a missing label means 0).

    Raises:
        ValidationError: wrong number of percentages, an unknown label, or a percentage outside
            0..100.

    Examples:
        A textbook aging schedule: 700 000 current at 5 %, 120 000 (1-30) at 8 %, 80 000 (31-60)
        at 20 %, 30 000 (61-90) at 25 % and 10 000 (90+) at 50 % needs 73 100.

        >>> from s2c_core.money import Money
        >>> amounts = (700000, 120000, 80000, 30000, 10000)
        >>> buckets = tuple(AgingBucket(label, None, None, Money(a, "USD"), 1)
        ...                 for label, a in zip(bucket_labels(), amounts))
        >>> report = AgingReport(date(2024, 12, 31), AgingBasis.DUE_DATE, buckets,
        ...                      Money(sum(amounts), "USD"))
        >>> str(bad_debt_allowance(report, [5, 8, 20, 25, 50]).total)
        'USD 73100.00'
    """
    labels = [b.label for b in report.buckets]
    if isinstance(percents, Mapping):
        unknown = sorted(set(percents) - set(labels))
        if unknown:
            raise ValidationError(
                f"unknown aging buckets {unknown}", field="percents", value=unknown
            )
        chosen = [percents.get(label, 0) for label in labels]
    else:
        chosen = list(percents)
        if len(chosen) != len(labels):
            raise ValidationError(
                f"{len(chosen)} percentages for {len(labels)} aging buckets",
                field="percents",
                value=chosen,
            )
    lines: list[AllowanceLine] = []
    currency = report.total.currency
    for bucket, raw in zip(report.buckets, chosen):
        percent = to_decimal(raw, field_name="percent")
        if not Decimal(0) <= percent <= Decimal(100):
            raise ValidationError(
                f"percentage {percent} is outside 0..100", field="percents", value=percent
            )
        base = max(bucket.amount.amount, Decimal(0))
        allowance = Money.rounded(base * percent / 100, currency, rounding=Rounding.HALF_UP)
        lines.append(AllowanceLine(bucket.label, bucket.amount, percent, allowance))
    total = Money(sum((line.allowance.amount for line in lines), Decimal(0)), currency)
    return AllowanceReport(tuple(lines), total)


def bad_debt_ratio(written_off: Money, credit_sales: Money) -> Decimal:
    """Bad-debt ratio in percent, to 0.01: write-offs / credit sales x 100.

    Raises:
        ValidationError: credit sales are not positive.

    Examples:
        >>> from s2c_core.money import Money
        >>> bad_debt_ratio(Money(85000, "USD"), Money(10185000, "USD"))
        Decimal('0.83')
    """
    same_currency(written_off, credit_sales, "divide")
    if not credit_sales.is_positive():
        raise ValidationError(
            "the bad-debt ratio needs positive credit sales",
            field="credit_sales",
            value=credit_sales,
        )
    result = ratio(written_off.amount, credit_sales.amount)
    assert result is not None  # credit sales are positive
    return result


@frozen
class BadDebtReport:
    """Write-offs against credit sales over one period.

    Returned by [bad_debt_report][s2c_core.kpi.aging.bad_debt_report] (see its example).

    Attributes:
        period: The period.
        written_off: Write-offs dated in the period.
        credit_sales: Credit sales issued in the period.
        bad_debt_ratio: ``written_off / credit_sales x 100`` (None without positive sales).
    """

    period: Period
    written_off: Money
    credit_sales: Money
    bad_debt_ratio: Decimal | None


def bad_debt_report(
    invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str
) -> BadDebtReport:
    """Write-offs, credit sales and the bad-debt ratio of *period* from invoice facts.

    Examples:
        >>> from s2c_core.money import Money
        >>> fact = InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...                    Money(200, "EUR"), written_off=Money(50, "EUR"),
        ...                    written_off_date=date(2024, 1, 31))
        >>> bad_debt_report([fact], Period.month(2024, 1), currency="EUR").bad_debt_ratio
        Decimal('25.00')
    """
    facts = list(invoices)
    lost = write_offs(facts, period, currency=currency)
    sales = credit_sales(facts, period, currency=currency)
    value = bad_debt_ratio(lost, sales) if sales.is_positive() else None
    return BadDebtReport(period, lost, sales, value)
