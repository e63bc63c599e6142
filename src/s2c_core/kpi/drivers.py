"""DSO driver analysis: which customers and segments moved DSO between two periods.

Method. With the simple DSO of a period written per customer,

    DSO = sum over customers c of AR_c x D / S

(``AR_c`` the customer's receivables at the period end, ``S`` the period's credit sales,
``D`` its days), the change between a period 1 and a period 2 splits exactly into one term per
customer (customers missing from a period count with ``AR_c = 0``)::

    contribution_c = AR_c2 x D2 / S2  -  AR_c1 x D1 / S1        sum_c contribution_c = ΔDSO

and each contribution further into a **receivables effect** (the customer's receivables
changed, valued at the old days-per-sales rate) and a **sales effect** (the days-per-sales rate
changed, applied to the new receivables)::

    receivables_effect_c = (AR_c2 - AR_c1) x D1 / S1
    sales_effect_c       = AR_c2 x (D2 / S2 - D1 / S1)

Segments add up their customers (a customer's segment is the one of period 2 when present).
This is an additive (Bennet-like, "old rate first") decomposition with no residual term.

Rounding. Both DSOs are reported to 0.1 day and the change is their difference. Contributions
are rounded to 0.1 day by the largest-remainder method so that, as printed, customer
contributions, segment contributions, and the receivables plus sales effects each sum
*exactly* to the reported change (ties go to the earlier customer id).

Examples:
    >>> from s2c_core.money import Money
    >>> before = DsoSnapshot(Money(1000, "EUR"), 30, (
    ...     CustomerBalance("A", "retail", Money(500, "EUR")),
    ...     CustomerBalance("B", "retail", Money(500, "EUR"))))
    >>> after = DsoSnapshot(Money(1000, "EUR"), 30, (
    ...     CustomerBalance("A", "retail", Money(800, "EUR")),
    ...     CustomerBalance("B", "retail", Money(500, "EUR"))))
    >>> report = dso_drivers(before, after)
    >>> report.dso_before, report.dso_after, report.change
    (Decimal('30.0'), Decimal('39.0'), Decimal('9.0'))
    >>> [(c.customer_id, c.contribution) for c in report.customers]
    [('A', Decimal('9.0')), ('B', Decimal('0.0'))]
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from attrs import field, frozen

from s2c_core.errors import ValidationError
from s2c_core.kpi._common import positive_int, same_currency
from s2c_core.kpi.dso import raw_dso
from s2c_core.kpi.facts import InvoiceFact, Period
from s2c_core.kpi.receivables import credit_sales
from s2c_core.kpi.rounding import DAYS_QUANTUM, quantize_days
from s2c_core.money import Currency, Money, get_currency, sum_money

__all__ = [
    "CustomerBalance",
    "DsoContribution",
    "DsoDriverReport",
    "DsoSnapshot",
    "SegmentContribution",
    "dso_drivers",
    "dso_snapshot",
]


@frozen
class CustomerBalance:
    """One customer's receivables at a period end.

    Attributes:
        customer_id: The customer.
        segment: Its segment.
        receivables: Its open receivables.

    Examples:
        >>> CustomerBalance("C1", "retail", Money(500, "EUR")).receivables
        Money('500.00', 'EUR')
    """

    customer_id: str
    segment: str
    receivables: Money


def _days(value: int) -> int:
    return positive_int(value, "days")


def _balances(value: Iterable[CustomerBalance]) -> tuple[CustomerBalance, ...]:
    return tuple(sorted(value, key=lambda b: b.customer_id))


@frozen
class DsoSnapshot:
    """What the simple DSO of one period is made of, per customer.

    Attributes:
        credit_sales: Credit sales of the period (must be positive).
        days: Days in the period.
        balances: Receivables per customer at the period end (one entry per customer).

    Examples:
        >>> balances = [CustomerBalance("A", "x", Money(300, "EUR"))]
        >>> snap = DsoSnapshot(Money(900, "EUR"), 30, balances)
        >>> str(snap.receivables), snap.dso
        ('EUR 300.00', Decimal('10.0'))
    """

    credit_sales: Money
    days: int = field(converter=_days)
    balances: tuple[CustomerBalance, ...] = field(converter=_balances)

    def __attrs_post_init__(self) -> None:
        ids = [b.customer_id for b in self.balances]
        if len(set(ids)) != len(ids):
            raise ValidationError(
                "a customer appears twice in a DSO snapshot", field="balances", value=ids
            )
        for balance in self.balances:
            same_currency(self.credit_sales, balance.receivables, "compare")
        raw_dso(self.receivables, self.credit_sales, days=self.days)  # checks sales > 0

    @property
    def receivables(self) -> Money:
        """Total receivables: the sum of the balances."""
        return sum_money((b.receivables for b in self.balances), self.credit_sales.currency)

    @property
    def dso(self) -> Decimal:
        """The simple DSO, to 0.1 day."""
        return quantize_days(raw_dso(self.receivables, self.credit_sales, days=self.days))


def dso_snapshot(
    invoices: Iterable[InvoiceFact], period: Period, *, currency: Currency | str
) -> DsoSnapshot:
    """Build the [DsoSnapshot][s2c_core.kpi.drivers.DsoSnapshot] of *period* from invoice facts.

    A customer's segment is that of its most recently issued invoice up to the period end;
    customers with nothing open are left out (they contribute zero).

    Examples:
        >>> from datetime import date
        >>> fact = InvoiceFact("1", "C", "s", "EUR", date(2024, 1, 2), date(2024, 2, 1),
        ...                    Money(300, "EUR"))
        >>> dso_snapshot([fact], Period.month(2024, 1), currency="EUR").dso
        Decimal('31.0')
    """
    cur = get_currency(currency)
    facts = list(invoices)
    open_by: dict[str, Decimal] = {}
    segment_of: dict[str, tuple[tuple[date, str], str]] = {}
    for inv in facts:
        if inv.issue_date > period.end:
            continue
        amount = inv.open_as_of(period.end)
        same_currency(Money.zero(cur), amount, "sum")
        open_by[inv.customer_id] = open_by.get(inv.customer_id, Decimal(0)) + amount.amount
        seen = segment_of.get(inv.customer_id)
        if seen is None or (inv.issue_date, inv.invoice_id) >= seen[0]:
            segment_of[inv.customer_id] = ((inv.issue_date, inv.invoice_id), inv.segment)
    balances = [
        CustomerBalance(cid, segment_of[cid][1], Money(amount, cur))
        for cid, amount in open_by.items()
        if amount != 0
    ]
    return DsoSnapshot(credit_sales(facts, period, currency=cur), period.days, balances)


@frozen
class DsoContribution:
    """One customer's share of the DSO change, in days (0.1).

    Returned by [dso_drivers][s2c_core.kpi.drivers.dso_drivers] (see its example).

    Attributes:
        customer_id: The customer.
        segment: Its segment.
        receivables_before: Its receivables at the end of period 1.
        receivables_after: Its receivables at the end of period 2.
        contribution: Its share of the change (receivables effect + sales effect).
        receivables_effect: The part due to its receivables changing.
        sales_effect: The part due to the period's sales and days changing.
    """

    customer_id: str
    segment: str
    receivables_before: Money
    receivables_after: Money
    contribution: Decimal
    receivables_effect: Decimal
    sales_effect: Decimal


@frozen
class SegmentContribution:
    """One segment's share of the DSO change, in days (0.1).

    Returned by [dso_drivers][s2c_core.kpi.drivers.dso_drivers] (see its example).

    Attributes:
        segment: The segment.
        customers: Number of its customers in either period.
        contribution: Its share of the change.
    """

    segment: str
    customers: int
    contribution: Decimal


@frozen
class DsoDriverReport:
    """The DSO change between two periods, split by customer and segment.

    Returned by [dso_drivers][s2c_core.kpi.drivers.dso_drivers] (see its example).

    Attributes:
        dso_before: DSO of period 1.
        dso_after: DSO of period 2.
        change: ``dso_after - dso_before``.
        receivables_effect: Sum of the customers' receivables effects.
        sales_effect: Sum of the customers' sales effects.
        customers: One row per customer, largest absolute contribution first.
        segments: One row per segment, largest absolute contribution first.
    """

    dso_before: Decimal
    dso_after: Decimal
    change: Decimal
    receivables_effect: Decimal
    sales_effect: Decimal
    customers: tuple[DsoContribution, ...]
    segments: tuple[SegmentContribution, ...]


def _apportion(raws: Sequence[Decimal], target: Decimal) -> list[Decimal]:
    """Round *raws* to 0.1 so that they sum exactly to *target* (a multiple of 0.1).

    Largest remainder: floor every value, then hand the missing tenths one by one to the values
    with the largest remainders (earlier first on ties); a surplus is taken back from the
    smallest remainders.
    """
    units = [r / DAYS_QUANTUM for r in raws]
    floors = [int(u.to_integral_value(rounding=decimal.ROUND_FLOOR)) for u in units]
    leftover = int(target / DAYS_QUANTUM) - sum(floors)
    if raws:
        order = sorted(range(len(raws)), key=lambda i: (-(units[i] - floors[i]), i))
        step = 1 if leftover > 0 else -1
        if step < 0:
            order.reverse()
        for k in range(abs(leftover)):
            floors[order[k % len(order)]] += step
    return [Decimal(f) * DAYS_QUANTUM for f in floors]


def dso_drivers(before: DsoSnapshot, after: DsoSnapshot) -> DsoDriverReport:
    """Split the DSO change from *before* to *after* by customer, segment and effect.

    See the module docstring for the method and the rounding.

    Raises:
        CurrencyMismatchError: the snapshots are in different currencies.

    Examples:
        >>> from s2c_core.money import Money
        >>> balances = [CustomerBalance("A", "x", Money(300, "EUR"))]
        >>> before = DsoSnapshot(Money(900, "EUR"), 30, balances)
        >>> after = DsoSnapshot(Money(600, "EUR"), 30, balances)
        >>> r = dso_drivers(before, after)
        >>> r.change, r.receivables_effect, r.sales_effect
        (Decimal('5.0'), Decimal('0.0'), Decimal('5.0'))
    """
    same_currency(before.credit_sales, after.credit_sales, "compare")
    cur = before.credit_sales.currency
    rate1 = Decimal(before.days) / before.credit_sales.amount
    rate2 = Decimal(after.days) / after.credit_sales.amount
    dso_before, dso_after = before.dso, after.dso
    change = dso_after - dso_before

    old = {b.customer_id: b for b in before.balances}
    new = {b.customer_id: b for b in after.balances}
    ids = sorted(set(old) | set(new))
    zero = Decimal(0)
    ar1 = [old[c].receivables.amount if c in old else zero for c in ids]
    ar2 = [new[c].receivables.amount if c in new else zero for c in ids]
    segments = [(new[c] if c in new else old[c]).segment for c in ids]

    raw_total = [a2 * rate2 - a1 * rate1 for a1, a2 in zip(ar1, ar2)]
    contributions = _apportion(raw_total, change)
    rows: list[DsoContribution] = []
    for i, cid in enumerate(ids):
        recv_raw = (ar2[i] - ar1[i]) * rate1
        sales_raw = ar2[i] * (rate2 - rate1)
        recv, sales = _apportion([recv_raw, sales_raw], contributions[i])
        rows.append(
            DsoContribution(
                cid,
                segments[i],
                Money(ar1[i], cur),
                Money(ar2[i], cur),
                contributions[i],
                recv,
                sales,
            )
        )

    segment_names = sorted(set(segments))
    segment_raw = [
        sum((raw for raw, seg in zip(raw_total, segments) if seg == name), zero)
        for name in segment_names
    ]
    segment_rows = [
        SegmentContribution(name, segments.count(name), value)
        for name, value in zip(segment_names, _apportion(segment_raw, change))
    ]
    rows.sort(key=lambda r: (-abs(r.contribution), r.customer_id))
    segment_rows.sort(key=lambda r: (-abs(r.contribution), r.segment))
    return DsoDriverReport(
        dso_before=dso_before,
        dso_after=dso_after,
        change=change,
        receivables_effect=sum((r.receivables_effect for r in rows), Decimal("0.0")),
        sales_effect=sum((r.sales_effect for r in rows), Decimal("0.0")),
        customers=tuple(rows),
        segments=tuple(segment_rows),
    )
