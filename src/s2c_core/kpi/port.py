"""The reporting port: what a storage backend computes for the KPIs, and how facts are built.

The KPI formulas live in the pure modules of [kpi][s2c_core.kpi] and read
[InvoiceFact][s2c_core.kpi.facts.InvoiceFact] records. A storage backend may instead push the
heavy sums into the database by implementing [ReportingQueries][s2c_core.kpi.port.ReportingQueries]
(exposed as ``storage.reporting``); ``app.kpi`` then feeds the returned sums to the same
formulas. Whatever the backend, its answers must equal the pure calculators run on the facts the
backend itself builds (``invoice_facts``): the hypothesis tests of each backend check exactly that.

**From stored records to facts** (one rule set for every backend,
see [invoice_fact][s2c_core.kpi.port.invoice_fact]):

* every issued invoice or credit note is one fact; ``amount`` is its total (VAT included),
  negative for a credit note; the customer's current segment is the fact's segment;
* each allocation of a payment that was not returned settles the invoice on the payment's
  ``received_on`` date by its cash **plus** the early-payment discount and the tolerance
  write-off it carried (one [PaymentFact][s2c_core.kpi.facts.PaymentFact] per allocation);
* a credit note applied to an invoice settles that invoice on the note's issue date by the
  amount applied, and settles the note itself by minus that amount on the same day (so both
  leave the open balance together; the application counts as a settlement in the
  payment-behaviour statistics);
* a manual write-off (an invoice in state ``written_off``) is the amount of its latest
  ``InvoiceWrittenOff`` event, dated by that event's UTC date;
* ``disputed`` is the amount of the invoice's latest dispute opened up to the as-of date,
  whatever its outcome (so a dispute rate counts the invoices that were disputed).

With these rules a fact's open amount at a far future date equals the invoice's stored open
amount (negative for a credit note), so a backend can compute "open as of *d*" as the stored
open amount plus every settlement dated after *d* (payments received, credit notes issued and
write-offs made after *d*), which touches only recent rows.

Examples:
    >>> from datetime import date
    >>> from s2c_core.money import Money
    >>> inputs = ForecastInputs(
    ...     as_of=date(2024, 3, 15),
    ...     open_items=(OpenItem("I1", "C1", "retail", date(2024, 3, 1), date(2024, 3, 31),
    ...                          Money(250, "EUR")),),
    ...     lateness=(LatenessBin("C1", "retail", 10, 3, Money(300, "EUR")),),
    ... )
    >>> [f.invoice_id for f in forecast_facts(inputs, currency="EUR")]
    ['I1', '~lateness:C1']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, runtime_checkable

from attrs import field, frozen

from s2c_core.entities.receivables import Allocation, Dispute, DocumentKind, Invoice
from s2c_core.kpi.aging import DEFAULT_AGING_EDGES, AgingBasis, AgingReport
from s2c_core.kpi.drivers import CustomerBalance
from s2c_core.kpi.facts import InvoiceFact, PaymentFact, Period
from s2c_core.money import Currency, Money, Rounding, get_currency, sum_money

__all__ = [
    "WRITE_OFF_EVENT",
    "CeiInputs",
    "DsoInputs",
    "ForecastInputs",
    "LatenessBin",
    "OpenBalance",
    "OpenItem",
    "ReportingQueries",
    "allocation_settlement",
    "balances_from_facts",
    "forecast_facts",
    "forecast_inputs_from_facts",
    "invoice_fact",
    "latest_disputes",
]

WRITE_OFF_EVENT = "InvoiceWrittenOff"
"""The event whose latest occurrence dates an invoice's manual write-off."""


def _as_tuple(value: Iterable[object]) -> tuple[object, ...]:
    return tuple(value)


@frozen
class OpenBalance:
    """Open receivables at the end of one day.

    Attributes:
        as_of: The day.
        total: Every open amount (credit notes negative).
        current: The part not yet past due (due date on or after *as_of*).

    Examples:
        >>> OpenBalance(date(2024, 1, 31), Money(100, "EUR"), Money(40, "EUR")).overdue
        Money('60.00', 'EUR')
    """

    as_of: date
    total: Money
    current: Money

    @property
    def overdue(self) -> Money:
        """``total - current``: the part past due."""
        return self.total - self.current


@frozen
class DsoInputs:
    """The sums DSO needs for one period.

    Attributes:
        period: The period.
        receivables_end: Open receivables at the end of ``period.end``.
        receivables_begin: Open receivables at the end of ``period.opening_date``.
        credit_sales: Credit sales issued in the period (credit notes negative).
        current_end: The part of *receivables_end* not yet past due (for best possible DSO).

    Examples:
        >>> eur = lambda v: Money(v, "EUR")
        >>> DsoInputs(Period.month(2024, 1), eur(300), eur(200), eur(900), eur(100)).days
        31
    """

    period: Period
    receivables_end: Money
    receivables_begin: Money
    credit_sales: Money
    current_end: Money

    @property
    def days(self) -> int:
        """Days in the period."""
        return self.period.days


@frozen
class CeiInputs:
    """The four sums of the collection effectiveness index for one period.

    Attributes:
        period: The period.
        begin_total: Receivables at the end of ``period.opening_date``.
        credit_sales: Credit sales of the period.
        end_total: Receivables at the end of ``period.end``.
        end_current: The part of them not yet past due.

    Examples:
        >>> eur = lambda v: Money(v, "EUR")
        >>> CeiInputs(Period.month(2024, 1), eur(1), eur(2), eur(3), eur(1)).end_total
        Money('3.00', 'EUR')
    """

    period: Period
    begin_total: Money
    credit_sales: Money
    end_total: Money
    end_current: Money


@frozen
class OpenItem:
    """One document open at the forecast date.

    Attributes:
        invoice_id: The document id.
        customer_id: Its customer.
        segment: The customer's segment.
        issue_date: Its issue date.
        due_date: Its due date.
        open_amount: Its open amount at the forecast date (negative for a credit note).

    Examples:
        >>> OpenItem("I1", "C1", "retail", date(2024, 3, 1), date(2024, 3, 31),
        ...          Money(5, "EUR")).due_date
        datetime.date(2024, 3, 31)
    """

    invoice_id: str
    customer_id: str
    segment: str
    issue_date: date
    due_date: date
    open_amount: Money


@frozen
class LatenessBin:
    """Settlements of one customer that came the same number of days after the due date.

    Attributes:
        customer_id: The customer.
        segment: Its segment.
        days_late: Settlement date minus due date (negative when early).
        payments: How many settlements.
        amount: Their total amount (each is positive).

    Examples:
        >>> LatenessBin("C1", "retail", -2, 1, Money(80, "EUR")).days_late
        -2
    """

    customer_id: str
    segment: str
    days_late: int
    payments: int
    amount: Money


@frozen
class ForecastInputs:
    """What the cash forecast needs, aggregated: the open items and a lateness histogram.

    Attributes:
        as_of: The forecast date.
        open_items: Documents with a non-zero open amount, by issue date then id.
        lateness: Settlements up to *as_of* of positive invoices, per customer and days late.
    """

    as_of: date
    open_items: tuple[OpenItem, ...] = field(converter=_as_tuple)
    lateness: tuple[LatenessBin, ...] = field(converter=_as_tuple)


@runtime_checkable
class ReportingQueries(Protocol):
    """KPI inputs a storage computes itself (``storage.reporting``), in one currency.

    "Open as of *d*" and "credit sales" follow the fact rules of the module docstring;
    every result must equal what the pure calculators give on ``invoice_facts``.
    """

    def invoice_facts(self, as_of: date | None = None, *, currency: str) -> Iterator[InvoiceFact]:
        """Facts of the documents issued up to *as_of* (all when None), by issue date and id.

        Only settlements and write-offs dated up to *as_of* are included.
        """
        ...

    def open_balance(self, as_of: date, *, currency: str) -> OpenBalance:
        """Open and current receivables at the end of *as_of*."""
        ...

    def credit_sales(self, period: Period, *, currency: str) -> Money:
        """Totals of the documents issued in *period*, credit notes negative."""
        ...

    def dso_inputs(self, period: Period, *, currency: str) -> DsoInputs:
        """Receivables at both ends of *period*, its credit sales and current receivables."""
        ...

    def cei_inputs(self, period: Period, *, currency: str) -> CeiInputs:
        """The four CEI sums of *period*."""
        ...

    def aging(
        self,
        as_of: date,
        *,
        currency: str,
        basis: AgingBasis = AgingBasis.DUE_DATE,
        edges: Sequence[int] = DEFAULT_AGING_EDGES,
    ) -> AgingReport:
        """Open receivables at the end of *as_of*, summed per age bucket."""
        ...

    def open_by_customer(self, as_of: date, *, currency: str) -> tuple[CustomerBalance, ...]:
        """Non-zero open receivables per customer at the end of *as_of*, by customer id."""
        ...

    def forecast_inputs(self, as_of: date, *, currency: str) -> ForecastInputs:
        """Open items and the lateness histogram at the end of *as_of*."""
        ...


def allocation_settlement(allocation: Allocation, received_on: date) -> PaymentFact:
    """What one allocation settled: cash + discount + tolerance write-off, on *received_on*.

    Examples:
        >>> from s2c_core.entities.common import InvoiceId
        >>> a = Allocation(InvoiceId("I1"), Money("98.00", "EUR"), discount=Money(2, "EUR"))
        >>> allocation_settlement(a, date(2024, 1, 5)).amount
        Money('100.00', 'EUR')
    """
    amount = allocation.amount
    for extra in (allocation.discount, allocation.write_off):
        if extra is not None:
            amount = amount + extra
    return PaymentFact(received_on, amount)


def _cost(invoice: Invoice) -> Money | None:
    costs: list[Money] = []
    for line in invoice.lines:
        if line.cost is None:
            return None
        costs.append(line.cost.multiply(line.quantity, rounding=Rounding.HALF_UP))
    return sum_money(costs, invoice.currency)


def invoice_fact(
    invoice: Invoice,
    *,
    segment: str,
    settlements: Iterable[PaymentFact] = (),
    write_off: tuple[Money, date] | None = None,
    disputed: Money | None = None,
    salesperson: str = "",
) -> InvoiceFact:
    """The [InvoiceFact][s2c_core.kpi.facts.InvoiceFact] of one issued document.

    Args:
        invoice: An issued invoice or credit note (``issue_date`` and ``due_date`` set).
        segment: The customer's segment.
        settlements: What settled it (see the module docstring), in any order; they are
            sorted by date then amount so that every backend builds equal facts.
        write_off: The manual write-off ``(amount, date)``, if any.
        disputed: The amount of its latest dispute, if any.
        salesperson: The salesperson credited with the sale.

    Amounts are signed by kind (credit notes negative); ``net_amount`` is the tax-exclusive
    total and ``cost`` the sum of the lines' quantity x unit cost (None when a line has none).

    Examples:
        >>> from s2c_core.entities import Line, ProductId, InvoiceId, CustomerId
        >>> inv = Invoice(InvoiceId("I1"), CustomerId("C1"), "EUR",
        ...               [Line(ProductId("p"), "Beer", 2, Money(10, "EUR"),
        ...                     cost=Money(6, "EUR"))],
        ...               issue_date=date(2024, 1, 2), due_date=date(2024, 2, 1))
        >>> fact = invoice_fact(inv, segment="retail")
        >>> str(fact.amount), str(fact.net_amount), str(fact.cost)
        ('EUR 24.20', 'EUR 20.00', 'EUR 12.00')
    """
    if invoice.issue_date is None or invoice.due_date is None:
        raise ValueError(f"invoice {invoice.id} is not issued")
    sign = -1 if invoice.kind == DocumentKind.CREDIT_NOTE else 1
    totals = invoice.totals
    cost = _cost(invoice)
    ordered = sorted(settlements, key=lambda p: (p.paid_on, p.amount.amount))
    return InvoiceFact(
        invoice_id=invoice.id,
        customer_id=invoice.customer_id,
        segment=segment,
        currency=invoice.currency,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        amount=totals.payable * sign,
        paid=ordered,
        written_off=None if write_off is None else write_off[0],
        written_off_date=None if write_off is None else write_off[1],
        disputed=disputed or Money.zero(invoice.currency),
        salesperson=salesperson,
        cost=None if cost is None else cost * sign,
        net_amount=totals.tax_exclusive * sign,
    )


def latest_disputes(disputes: Iterable[Dispute], as_of: date | None) -> dict[str, Money]:
    """The amount of each invoice's latest dispute opened up to *as_of* (UTC date), by invoice.

    Examples:
        >>> from datetime import datetime, UTC
        >>> from s2c_core.entities import Dispute, DisputeId, InvoiceId, CustomerId
        >>> d = Dispute(DisputeId("D1"), InvoiceId("I1"), CustomerId("C1"), Money(5, "EUR"),
        ...             "price", opened_at=datetime(2024, 1, 9, tzinfo=UTC))
        >>> latest_disputes([d], date(2024, 1, 8)), latest_disputes([d], None)
        ({}, {'I1': Money('5.00', 'EUR')})
    """
    latest: dict[str, tuple[tuple[datetime, str], Money]] = {}
    for dispute in disputes:
        opened = dispute.opened_at or datetime.min.replace(tzinfo=UTC)
        if as_of is not None and opened.astimezone(UTC).date() > as_of:
            continue
        rank = (opened, dispute.id)
        seen = latest.get(dispute.invoice_id)
        if seen is None or rank > seen[0]:
            latest[dispute.invoice_id] = (rank, dispute.amount)
    return {invoice_id: amount for invoice_id, (_, amount) in latest.items()}


def _split(total: int, parts: int) -> list[int]:
    """*parts* positive minor amounts summing to *total* (``total >= parts``)."""
    return [1] * (parts - 1) + [total - (parts - 1)]


def forecast_facts(inputs: ForecastInputs, *, currency: Currency | str) -> list[InvoiceFact]:
    """Facts equivalent to *inputs* for [cash_forecast][s2c_core.kpi.forecast.cash_forecast].

    Each open item becomes a fact open by its amount; each customer's lateness bins become one
    settled fact whose payments reproduce the bins (same days late, same count, same total per
    bin), so the lateness profile, and hence the forecast, is the one of the real facts. The
    settled facts are dated so that every payment falls on or before ``inputs.as_of``.

    Examples:
        >>> inputs = ForecastInputs(date(2024, 3, 15), (),
        ...                         (LatenessBin("C1", "s", 4, 2, Money(10, "EUR")),))
        >>> fact = forecast_facts(inputs, currency="EUR")[0]
        >>> [(str(p.paid_on), str(p.amount)) for p in fact.paid]
        [('2024-03-15', 'EUR 0.01'), ('2024-03-15', 'EUR 9.99')]
    """
    cur = get_currency(currency)
    facts = [
        InvoiceFact(
            item.invoice_id,
            item.customer_id,
            item.segment,
            cur,
            item.issue_date,
            max(item.due_date, item.issue_date),
            item.open_amount,
        )
        for item in inputs.open_items
    ]
    by_customer: dict[str, list[LatenessBin]] = {}
    for entry in inputs.lateness:
        by_customer.setdefault(entry.customer_id, []).append(entry)
    for customer_id in sorted(by_customer):
        bins = by_customer[customer_id]
        base = inputs.as_of - timedelta(days=max(0, *(b.days_late for b in bins)))
        paid: list[PaymentFact] = []
        for entry in bins:
            day = base + timedelta(days=entry.days_late)
            paid.extend(
                PaymentFact(day, Money.from_minor(part, cur))
                for part in _split(entry.amount.minor_units, entry.payments)
            )
        total = Money.from_minor(sum(b.amount.minor_units for b in bins), cur)
        facts.append(
            InvoiceFact(
                f"~lateness:{customer_id}",
                customer_id,
                bins[0].segment,
                cur,
                base,
                base,
                total,
                paid=paid,
            )
        )
    return facts


def forecast_inputs_from_facts(
    invoices: Iterable[InvoiceFact], *, as_of: date, currency: Currency | str
) -> ForecastInputs:
    """Aggregate facts into [ForecastInputs][s2c_core.kpi.port.ForecastInputs] (the oracle).

    Open items are the facts with a non-zero open amount at the end of *as_of*, in the order
    given; the lateness bins count the positive settlements dated up to *as_of* of positive
    invoices (the observations of [lateness_profile][s2c_core.kpi.behaviour.lateness_profile]),
    sorted by customer then days late.

    Examples:
        >>> fact = InvoiceFact("1", "C1", "retail", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...     Money(100, "EUR"), paid=[PaymentFact(date(2024, 2, 5), Money(60, "EUR"))])
        >>> inputs = forecast_inputs_from_facts([fact], as_of=date(2024, 3, 1), currency="EUR")
        >>> str(inputs.open_items[0].open_amount), inputs.lateness[0].days_late
        ('EUR 40.00', 5)
    """
    cur = get_currency(currency)
    items: list[OpenItem] = []
    bins: dict[tuple[str, int], list[int]] = {}
    segments: dict[str, str] = {}
    for inv in invoices:
        open_amount = inv.open_as_of(as_of)
        if inv.issue_date <= as_of and not open_amount.is_zero():
            items.append(
                OpenItem(
                    inv.invoice_id,
                    inv.customer_id,
                    inv.segment,
                    inv.issue_date,
                    inv.due_date,
                    open_amount,
                )
            )
        if not inv.amount.is_positive():
            continue
        for pay in inv.paid:
            if pay.paid_on > as_of or not pay.amount.is_positive():
                continue
            key = (inv.customer_id, (pay.paid_on - inv.due_date).days)
            slot = bins.setdefault(key, [0, 0])
            slot[0] += 1
            slot[1] += pay.amount.minor_units
            segments[inv.customer_id] = inv.segment
    lateness = tuple(
        LatenessBin(cid, segments[cid], days, count, Money.from_minor(total, cur))
        for (cid, days), (count, total) in sorted(bins.items())
    )
    return ForecastInputs(as_of, items, lateness)


def balances_from_facts(
    invoices: Iterable[InvoiceFact], *, as_of: date, currency: Currency | str
) -> tuple[CustomerBalance, ...]:
    """Non-zero open receivables per customer at the end of *as_of*, by customer id (oracle).

    Examples:
        >>> fact = InvoiceFact("1", "C1", "retail", "EUR", date(2024, 1, 1), date(2024, 1, 31),
        ...                    Money(100, "EUR"))
        >>> balances_from_facts([fact], as_of=date(2024, 2, 1), currency="EUR")[0].receivables
        Money('100.00', 'EUR')
    """
    cur = get_currency(currency)
    sums: dict[str, int] = {}
    segments: dict[str, str] = {}
    for inv in invoices:
        if inv.issue_date > as_of:
            continue
        sums[inv.customer_id] = sums.get(inv.customer_id, 0) + inv.open_as_of(as_of).minor_units
        segments[inv.customer_id] = inv.segment
    return tuple(
        CustomerBalance(cid, segments[cid], Money.from_minor(total, cur))
        for cid, total in sorted(sums.items())
        if total != 0
    )
