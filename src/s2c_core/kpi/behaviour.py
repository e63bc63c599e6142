"""Payment behaviour: days late by segment, lateness profiles, and credit terms versus practice.

Every payment of a (positive) invoice is one observation: ``days late = payment date - due date``
(negative when paid early), weighted by the amount paid. From these:

* **average days late** (amount-weighted, signed: the CRF's "average days beyond terms" measured
  on payments) = ``sum(amount x days late) / sum(amount)``;
* **share paid late** = amount paid after the due date / amount paid x 100;
* **write-off rate** = write-offs / invoiced amount x 100;
* a **lateness profile** per customer, per segment and overall (weighted mean, and 10th and 90th
  percentiles of the per-payment days late, type-7 interpolation) that the cash forecast uses;
* **credit policy versus actual**: per customer, the granted term (due date - invoice date) and
  the actual days to pay (payment date - invoice date), both weighted by the amounts paid, so
  their difference is exactly the customer's average days late.

Days are rounded to 0.1 day and percentages to 0.01, half up.

Examples:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> from s2c_core.kpi.facts import InvoiceFact, PaymentFact, Period
    >>> fact = InvoiceFact("1", "C1", "retail", "EUR", date(2024, 1, 1), date(2024, 1, 31),
    ...     Money(100, "EUR"), paid=[PaymentFact(date(2024, 1, 21), Money(60, "EUR")),
    ...                              PaymentFact(date(2024, 2, 10), Money(40, "EUR"))])
    >>> row = payment_behaviour([fact], Period.month(2024, 2), currency="EUR")[0]
    >>> row.key, row.average_days_late, row.share_paid_late
    ('retail', Decimal('10.0'), Decimal('100.00'))
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import Final

from attrs import field, frozen

from s2c_core.kpi._common import check_currency, positive_int, weighted_mean
from s2c_core.kpi.facts import Grouping, InvoiceFact, Period
from s2c_core.kpi.rounding import percentile, quantize_days, ratio
from s2c_core.money import Currency, Money, get_currency

__all__ = [
    "CreditPolicyRow",
    "LatenessProfile",
    "LatenessStats",
    "PaymentBehaviour",
    "credit_policy_vs_actual",
    "lateness_profile",
    "payment_behaviour",
]

_P10: Final = Decimal("0.1")
_P90: Final = Decimal("0.9")


def _key(inv: InvoiceFact, by: Grouping) -> str:
    if by is Grouping.CUSTOMER:
        return inv.customer_id
    if by is Grouping.SEGMENT:
        return inv.segment
    return inv.salesperson


def _payments(
    invoices: Iterable[InvoiceFact], currency: Currency, keep: Period | date
) -> Iterator[tuple[InvoiceFact, date, Decimal]]:
    """(invoice, payment date, amount) of positive payments on positive invoices.

    *keep* is a period (payments dated in it) or a date (payments dated up to it).
    """
    for inv in invoices:
        check_currency([inv.amount], currency, "sum")
        if not inv.amount.is_positive():
            continue
        for pay in inv.paid:
            if not pay.amount.is_positive():
                continue
            inside = pay.paid_on in keep if isinstance(keep, Period) else pay.paid_on <= keep
            if inside:
                yield inv, pay.paid_on, pay.amount.amount


@frozen
class PaymentBehaviour:
    """How one group paid during a period.

    Returned by [payment_behaviour][s2c_core.kpi.behaviour.payment_behaviour] (see its example).

    Attributes:
        key: The segment, customer or salesperson.
        payments: Number of payments observed.
        paid: Amount paid in the period.
        average_days_late: Amount-weighted days late, signed (None without payments).
        share_paid_late: Percent of the paid amount paid after the due date (None if none paid).
        invoiced: Gross amount of the group's invoices issued in the period.
        written_off: Write-offs dated in the period.
        write_off_rate: written_off / invoiced x 100 (None without invoicing).
    """

    key: str
    payments: int
    paid: Money
    average_days_late: Decimal | None
    share_paid_late: Decimal | None
    invoiced: Money
    written_off: Money
    write_off_rate: Decimal | None


def payment_behaviour(
    invoices: Iterable[InvoiceFact],
    period: Period,
    *,
    currency: Currency | str,
    by: Grouping | str = Grouping.SEGMENT,
) -> tuple[PaymentBehaviour, ...]:
    """Payment behaviour of each segment (or customer, or salesperson) over *period*.

    Payments dated in *period* are observed; invoicing and write-offs are those of *period*.
    Rows are sorted by key.

    Examples:
        >>> from s2c_core.kpi.facts import PaymentFact
        >>> fact = InvoiceFact("1", "C1", "retail", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...     Money(100, "EUR"), written_off=Money(100, "EUR"),
        ...     written_off_date=date(2024, 1, 31))
        >>> row = payment_behaviour([fact], Period.month(2024, 1), currency="EUR", by="customer")[0]
        >>> row.key, row.average_days_late, row.write_off_rate
        ('C1', None, Decimal('100.00'))
    """
    grouping = Grouping(by)
    cur = get_currency(currency)
    facts = list(invoices)
    weighted: dict[str, list[tuple[Decimal, Decimal]]] = {}
    late: dict[str, Decimal] = {}
    invoiced: dict[str, Decimal] = {}
    lost: dict[str, Decimal] = {}
    for inv, paid_on, amount in _payments(facts, cur, period):
        key = _key(inv, grouping)
        days = Decimal((paid_on - inv.due_date).days)
        weighted.setdefault(key, []).append((days, amount))
        if days > 0:
            late[key] = late.get(key, Decimal(0)) + amount
    for inv in facts:
        key = _key(inv, grouping)
        if inv.issue_date in period and inv.amount.is_positive():
            invoiced[key] = invoiced.get(key, Decimal(0)) + inv.amount.amount
        if inv.written_off is not None and inv.written_off_date in period:
            lost[key] = lost.get(key, Decimal(0)) + inv.written_off.amount
    rows: list[PaymentBehaviour] = []
    for key in sorted(set(weighted) | set(invoiced) | set(lost)):
        pairs = weighted.get(key, [])
        paid = sum((a for _, a in pairs), Decimal(0))
        mean = weighted_mean(pairs)
        rows.append(
            PaymentBehaviour(
                key=key,
                payments=len(pairs),
                paid=Money(paid, cur),
                average_days_late=None if mean is None else quantize_days(mean),
                share_paid_late=ratio(late.get(key, Decimal(0)), paid),
                invoiced=Money(invoiced.get(key, Decimal(0)), cur),
                written_off=Money(lost.get(key, Decimal(0)), cur),
                write_off_rate=ratio(lost.get(key, Decimal(0)), invoiced.get(key, Decimal(0))),
            )
        )
    return tuple(rows)


@frozen
class LatenessStats:
    """Observed lateness of one customer, segment or of everyone.

    Returned by [lateness_profile][s2c_core.kpi.behaviour.lateness_profile] (see its example).

    Attributes:
        payments: Number of payments observed.
        mean_days: Amount-weighted mean days late (unrounded).
        p10_days: 10th percentile of days late per payment (unrounded).
        p90_days: 90th percentile of days late per payment (unrounded).
    """

    payments: int
    mean_days: Decimal
    p10_days: Decimal
    p90_days: Decimal


def _stats(pairs: list[tuple[Decimal, Decimal]]) -> LatenessStats:
    days = [d for d, _ in pairs]
    mean = weighted_mean(pairs)
    return LatenessStats(
        len(pairs),
        mean if mean is not None else Decimal(0),
        percentile(days, _P10),
        percentile(days, _P90),
    )


def _frozen_map(value: Mapping[str, LatenessStats]) -> tuple[tuple[str, LatenessStats], ...]:
    return tuple(sorted(value.items()))


@frozen
class LatenessProfile:
    """Lateness per customer and segment (with enough payments), and overall.

    Returned by [lateness_profile][s2c_core.kpi.behaviour.lateness_profile] (see its example).

    Attributes:
        customers: ``(customer_id, stats)`` pairs, sorted.
        segments: ``(segment, stats)`` pairs, sorted.
        overall: Stats over every payment (None without any payment).
        min_payments: Payments a customer or segment needs to get its own stats.
    """

    customers: tuple[tuple[str, LatenessStats], ...] = field(converter=_frozen_map)
    segments: tuple[tuple[str, LatenessStats], ...] = field(converter=_frozen_map)
    overall: LatenessStats | None
    min_payments: int
    _by_customer: dict[str, LatenessStats] = field(init=False, eq=False, repr=False)
    _by_segment: dict[str, LatenessStats] = field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_customer", dict(self.customers))
        object.__setattr__(self, "_by_segment", dict(self.segments))

    def lookup(self, customer_id: str, segment: str) -> tuple[str, LatenessStats | None]:
        """Stats for a customer, falling back to its segment, then overall.

        Returns:
            ``("customer" | "segment" | "overall" | "none", stats or None)``.
        """
        stats = self._by_customer.get(customer_id)
        if stats is not None:
            return "customer", stats
        stats = self._by_segment.get(segment)
        if stats is not None:
            return "segment", stats
        if self.overall is not None:
            return "overall", self.overall
        return "none", None


def lateness_profile(
    invoices: Iterable[InvoiceFact],
    *,
    as_of: date,
    currency: Currency | str,
    min_payments: int = 3,
) -> LatenessProfile:
    """Observed lateness from the payments dated up to *as_of*.

    A customer or segment gets its own stats once it has *min_payments* payments; the overall
    stats need one.

    Examples:
        >>> from s2c_core.kpi.facts import PaymentFact
        >>> fact = InvoiceFact("1", "C1", "retail", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...     Money(100, "EUR"), paid=[PaymentFact(date(2024, 2, 5), Money(100, "EUR"))])
        >>> profile = lateness_profile([fact], as_of=date(2024, 3, 1), currency="EUR")
        >>> profile.lookup("C1", "retail")[0], profile.overall.mean_days
        ('overall', Decimal('5'))
    """
    positive_int(min_payments, "min_payments")
    cur = get_currency(currency)
    by_customer: dict[str, list[tuple[Decimal, Decimal]]] = {}
    by_segment: dict[str, list[tuple[Decimal, Decimal]]] = {}
    everything: list[tuple[Decimal, Decimal]] = []
    for inv, paid_on, amount in _payments(invoices, cur, as_of):
        pair = (Decimal((paid_on - inv.due_date).days), amount)
        by_customer.setdefault(inv.customer_id, []).append(pair)
        by_segment.setdefault(inv.segment, []).append(pair)
        everything.append(pair)
    return LatenessProfile(
        customers={k: _stats(v) for k, v in by_customer.items() if len(v) >= min_payments},
        segments={k: _stats(v) for k, v in by_segment.items() if len(v) >= min_payments},
        overall=_stats(everything) if everything else None,
        min_payments=min_payments,
    )


@frozen
class CreditPolicyRow:
    """A customer's granted payment term against how long it actually took to pay.

    Returned by
    [credit_policy_vs_actual][s2c_core.kpi.behaviour.credit_policy_vs_actual] (see its example).

    Attributes:
        customer_id: The customer.
        segment: Its segment (of its latest paid invoice).
        payments: Payments observed.
        paid: Amount paid.
        granted_days: Granted term in days (weighted by amount paid, or the override).
        actual_days: Days from invoice date to payment (weighted by amount paid).
        excess_days: actual_days - granted_days.
    """

    customer_id: str
    segment: str
    payments: int
    paid: Money
    granted_days: Decimal
    actual_days: Decimal
    excess_days: Decimal


def credit_policy_vs_actual(
    invoices: Iterable[InvoiceFact],
    period: Period,
    *,
    currency: Currency | str,
    granted_terms: Mapping[str, int] | None = None,
) -> tuple[CreditPolicyRow, ...]:
    """Per customer, granted term days versus actual average days to pay in *period*.

    Payments dated in *period* are observed. *granted_terms* (customer id to days) replaces the
    terms read from the invoices for the customers it names. Rows come with the largest excess
    first, then by customer id.

    Examples:
        >>> from s2c_core.kpi.facts import PaymentFact
        >>> fact = InvoiceFact("1", "C1", "retail", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...     Money(100, "EUR"), paid=[PaymentFact(date(2024, 2, 15), Money(100, "EUR"))])
        >>> row = credit_policy_vs_actual([fact], Period.month(2024, 2), currency="EUR")[0]
        >>> row.granted_days, row.actual_days, row.excess_days
        (Decimal('30.0'), Decimal('45.0'), Decimal('15.0'))
    """
    cur = get_currency(currency)
    overrides = dict(granted_terms or {})
    granted: dict[str, list[tuple[Decimal, Decimal]]] = {}
    actual: dict[str, list[tuple[Decimal, Decimal]]] = {}
    segment_of: dict[str, tuple[tuple[date, str], str]] = {}
    for inv, paid_on, amount in _payments(invoices, cur, period):
        cid = inv.customer_id
        term = overrides.get(cid, inv.term_days)
        granted.setdefault(cid, []).append((Decimal(term), amount))
        actual.setdefault(cid, []).append((Decimal((paid_on - inv.issue_date).days), amount))
        rank = (inv.issue_date, inv.invoice_id)
        if cid not in segment_of or rank >= segment_of[cid][0]:
            segment_of[cid] = (rank, inv.segment)
    rows: list[CreditPolicyRow] = []
    for cid, pairs in actual.items():
        granted_mean = weighted_mean(granted[cid])
        actual_mean = weighted_mean(pairs)
        assert granted_mean is not None  # amounts are positive
        assert actual_mean is not None
        granted_days = quantize_days(granted_mean)
        actual_days = quantize_days(actual_mean)
        rows.append(
            CreditPolicyRow(
                customer_id=cid,
                segment=segment_of[cid][1],
                payments=len(pairs),
                paid=Money(sum((a for _, a in pairs), Decimal(0)), cur),
                granted_days=granted_days,
                actual_days=actual_days,
                excess_days=actual_days - granted_days,
            )
        )
    rows.sort(key=lambda r: (-r.excess_days, r.customer_id))
    return tuple(rows)
