"""KPIs over the stored books: ``app.kpi``.

Thin wrappers: each method gathers its inputs from the storage and calls the pure calculator of
[s2c_core.kpi][s2c_core.kpi] that holds the formula. The heavy balances (aging, DSO, CEI,
per-customer balances, the forecast's inputs) come from the storage's own
[ReportingQueries][s2c_core.kpi.port.ReportingQueries] (``storage.reporting``, e.g. SQL
``SUM(CASE ...)`` inside the database) when it has one, otherwise from a pure-Python
implementation over the repositories; both give results equal to the pure calculators run on
[invoice_facts][s2c_core.services.kpi.KpiService.invoice_facts].

Amounts are in one currency, the policy's unless a ``currency`` is passed. Periods are
[Period][s2c_core.kpi.facts.Period]s (closed ranges of days); "as of" a day means at its end.

Examples:
    >>> from datetime import datetime, UTC
    >>> from s2c_core import S2C, FixedClock
    >>> from s2c_core.kpi import Period
    >>> app = S2C.open("memory://", clock=FixedClock(datetime(2026, 3, 2, tzinfo=UTC)),
    ...                load_entry_points=False)
    >>> app.kpi.aging().total
    Money('0.00', 'EUR')
    >>> app.kpi.funnel(Period.month(2026, 2)).leads
    0
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Final, Literal

from s2c_core.entities.common import replace
from s2c_core.entities.receivables import Invoice
from s2c_core.entities.sales import Order, Shipment
from s2c_core.errors import ValidationError
from s2c_core.events import DomainEvent
from s2c_core.kpi.aging import (
    DEFAULT_AGING_EDGES,
    AgingBasis,
    AgingReport,
    AllowanceReport,
    BadDebtReport,
    bad_debt_allowance,
    bad_debt_report,
)
from s2c_core.kpi.behaviour import (
    CreditPolicyRow,
    PaymentBehaviour,
    credit_policy_vs_actual,
    payment_behaviour,
)
from s2c_core.kpi.cei import CeiReport, cei
from s2c_core.kpi.drivers import (
    CustomerBalance,
    DsoContribution,
    DsoDriverReport,
    DsoSnapshot,
    dso_drivers,
)
from s2c_core.kpi.dso import (
    DsoReport,
    MonthSales,
    average_days_delinquent,
    average_dso,
    best_possible_dso,
    countback_dso,
    dso,
)
from s2c_core.kpi.facts import Grouping, InvoiceFact, OrderFulfilmentFact, Period, StageEvent
from s2c_core.kpi.forecast import CashForecast, cash_forecast
from s2c_core.kpi.funnel import (
    DEFAULT_STAGES,
    DisputeReport,
    FulfilmentReport,
    FunnelReport,
    StageTransitionTime,
    dispute_report,
    fulfilment_report,
    funnel_conversion,
    stage_cycle_times,
)
from s2c_core.kpi.margins import MarginReport, margin_report
from s2c_core.kpi.port import DsoInputs, ReportingQueries, forecast_facts
from s2c_core.kpi.report import DsoTrendPoint, KpiReport
from s2c_core.lifecycle import InvoiceState, OrderState, QuoteState
from s2c_core.money import Money
from s2c_core.ports import UnitOfWork
from s2c_core.services._base import Context
from s2c_core.services._reporting import RepositoryReporting
from s2c_core.services._stages import STAGE_EVENTS, stage_events

__all__ = ["STAGE_EVENTS", "DsoMethod", "KpiService", "month_periods"]

log = logging.getLogger(__name__)

DsoMethod = Literal["simple", "average", "countback"]
"""How [KpiService.dso][s2c_core.services.kpi.KpiService.dso] reads the receivables."""

_EVENT_BATCH: Final = 5000
_CHUNK: Final = 500
_PAID_STATES: Final = (InvoiceState.PAID.value, InvoiceState.CREDITED.value)
_DONE_ORDERS: Final = (OrderState.FULFILLED, OrderState.CLOSED)
_SENT_QUOTES: Final = (
    QuoteState.SENT,
    QuoteState.ACCEPTED,
    QuoteState.DECLINED,
    QuoteState.EXPIRED,
)


def month_periods(as_of: date, months: int) -> tuple[Period, ...]:
    """The *months* calendar months ending with *as_of*'s, oldest first; the last to date.

    Examples:
        >>> [str(p.start) + ".." + str(p.end) for p in month_periods(date(2024, 3, 15), 2)]
        ['2024-02-01..2024-02-29', '2024-03-01..2024-03-15']
    """
    if months < 1:
        raise ValidationError(f"months must be at least 1, got {months}", field="months")
    periods: list[Period] = []
    year, month = as_of.year, as_of.month
    for index in range(months):
        whole = Period.month(year, month)
        periods.append(Period(whole.start, as_of) if index == 0 else whole)
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return tuple(reversed(periods))


def _error_flags(error: str) -> tuple[bool, bool, bool]:
    """(complete, damage_free, documentation_ok) of a delivery error code."""
    text = error.lower()
    if not text:
        return True, True, True
    if "damage" in text:
        return True, False, True
    if any(word in text for word in ("short", "incomplete", "missing", "quantity")):
        return False, True, True
    return True, True, False  # wrong document, label, invoice, item: a documentation error


class KpiService:
    """Sales-to-cash KPIs computed from the stored books (``app.kpi``)."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._fallback: RepositoryReporting | None = None

    # -- plumbing ------------------------------------------------------------------------

    @property
    def reporting(self) -> ReportingQueries:
        """The storage's own reporting queries, else the pure-Python implementation."""
        found = getattr(self._ctx.storage, "reporting", None)
        if found is not None and isinstance(found, ReportingQueries):
            return found
        if self._fallback is None:
            self._fallback = RepositoryReporting(self._ctx.storage)
        return self._fallback

    def _cur(self, currency: str | None) -> str:
        return currency or self._ctx.policy.currency

    def _today(self) -> date:
        return self._ctx.today()

    def _recent(self, period: Period | None, days: int = 90) -> Period:
        if period is not None:
            return period
        today = self._today()
        return Period(today - timedelta(days=days - 1), today)

    def invoice_facts(
        self, as_of: date | None = None, *, currency: str | None = None
    ) -> Iterator[InvoiceFact]:
        """The [InvoiceFact][s2c_core.kpi.facts.InvoiceFact]s of the stored documents.

        Documents issued up to *as_of* (all when None), by issue date then id, with the
        settlements and write-offs dated up to *as_of*; the rules are those of
        [s2c_core.kpi.port][s2c_core.kpi.port].
        """
        return self.reporting.invoice_facts(as_of, currency=self._cur(currency))

    def _facts(self, as_of: date, currency: str | None, period: Period) -> list[InvoiceFact]:
        """The facts up to *as_of* that *period*'s KPIs look at, streamed and filtered.

        Only documents issued in the period, or settled or written off in it, are kept, so
        memory follows the period's activity, not the size of the ledger.
        """
        return [
            fact
            for fact in self.invoice_facts(as_of, currency=currency)
            if _active_in(fact, period)
        ]

    # -- DSO -----------------------------------------------------------------------------

    def dso_inputs(self, period: Period, *, currency: str | None = None) -> DsoInputs:
        """Receivables at both ends of *period*, its credit sales and current receivables."""
        return self.reporting.dso_inputs(period, currency=self._cur(currency))

    def dso(
        self,
        period: Period,
        *,
        method: DsoMethod = "simple",
        currency: str | None = None,
        months: int = 12,
    ) -> Decimal:
        """DSO of *period* in days (0.1), by the *method* of [kpi.dso][s2c_core.kpi.dso].

        Args:
            period: The period; receivables are taken at its end.
            method: ``simple`` (ending receivables / sales x days), ``average`` (mean of the
                beginning and ending receivables) or ``countback`` (walk back through the
                monthly sales ending with ``period.end``'s month).
            currency: Report currency (default: the policy's).
            months: Months of sales history the countback may use.

        Raises:
            ValidationError: Credit sales are not positive (or, for countback, the
                receivables exceed *months* of sales), or an unknown method.
        """
        cur = self._cur(currency)
        if method == "simple":
            balance = self.reporting.open_balance(period.end, currency=cur)
            sales = self.reporting.credit_sales(period, currency=cur)
            return dso(balance.total, sales, days=period.days)
        if method == "average":
            inputs = self.reporting.dso_inputs(period, currency=cur)
            return average_dso(
                inputs.receivables_begin,
                inputs.receivables_end,
                inputs.credit_sales,
                days=period.days,
            )
        if method == "countback":
            balance = self.reporting.open_balance(period.end, currency=cur)
            history = [
                MonthSales(self.reporting.credit_sales(p, currency=cur), p.days)
                for p in reversed(month_periods(period.end, months))
            ]
            return countback_dso(balance.total, history)
        raise ValidationError(
            f"unknown DSO method {method!r}; use simple, average or countback",
            field="method",
            value=method,
        )

    def dso_report(self, period: Period, *, currency: str | None = None) -> DsoReport:
        """DSO, best possible DSO and average days delinquent of *period*.

        Raises:
            ValidationError: Credit sales of the period are not positive.
        """
        return _dso_report(self._end_inputs(period, self._cur(currency)))

    def best_possible_dso(self, period: Period, *, currency: str | None = None) -> Decimal:
        """Current (not past-due) receivables / credit sales x days, to 0.1 day."""
        inputs = self._end_inputs(period, self._cur(currency))
        return best_possible_dso(inputs.current_end, inputs.credit_sales, days=period.days)

    def add(self, period: Period, *, currency: str | None = None) -> Decimal:
        """Average days delinquent of *period*: DSO - best possible DSO."""
        inputs = self._end_inputs(period, self._cur(currency))
        return average_days_delinquent(
            inputs.receivables_end, inputs.current_end, inputs.credit_sales, days=period.days
        )

    def _end_inputs(self, period: Period, currency: str) -> DsoInputs:
        """DSO inputs without the beginning balance (which simple DSO does not need)."""
        balance = self.reporting.open_balance(period.end, currency=currency)
        sales = self.reporting.credit_sales(period, currency=currency)
        return DsoInputs(period, balance.total, Money.zero(currency), sales, balance.current)

    def dso_drivers(
        self, period_a: Period, period_b: Period, *, currency: str | None = None
    ) -> DsoDriverReport:
        """Split the DSO change from *period_a* to *period_b* by customer, segment, effect.

        See [kpi.drivers][s2c_core.kpi.drivers] for the decomposition.
        """
        cur = self._cur(currency)
        return dso_drivers(self._snapshot(period_a, cur), self._snapshot(period_b, cur))

    def _snapshot(self, period: Period, currency: str) -> DsoSnapshot:
        balances = self.reporting.open_by_customer(period.end, currency=currency)
        sales = self.reporting.credit_sales(period, currency=currency)
        return DsoSnapshot(sales, period.days, balances)

    def dso_trend(
        self,
        as_of: date | None = None,
        *,
        months: int = 6,
        drivers: int = 3,
        currency: str | None = None,
    ) -> tuple[DsoTrendPoint, ...]:
        """Monthly DSO over the *months* months ending with *as_of*'s (the last to date).

        Each month after the first carries its change against the month before and the
        *drivers* customers that contributed most to it.
        """
        cur = self._cur(currency)
        points: list[DsoTrendPoint] = []
        previous: DsoSnapshot | None = None
        for period in month_periods(as_of or self._today(), months):
            inputs = self._end_inputs(period, cur)
            balances = self.reporting.open_by_customer(period.end, currency=cur)
            snapshot: DsoSnapshot | None = None
            report: DsoReport | None = None
            if inputs.credit_sales.is_positive():
                snapshot = DsoSnapshot(inputs.credit_sales, period.days, balances)
                report = _dso_report(inputs)
            change = None
            top: tuple[DsoContribution, ...] = ()
            if snapshot is not None and previous is not None:
                moved = dso_drivers(previous, snapshot)
                change = moved.change
                top = moved.customers[:drivers]
            points.append(
                DsoTrendPoint(
                    period,
                    inputs.receivables_end,
                    inputs.current_end,
                    inputs.credit_sales,
                    None if report is None else report.dso,
                    None if report is None else report.best_possible_dso,
                    None if report is None else report.average_days_delinquent,
                    change,
                    top,
                )
            )
            previous = snapshot
        return tuple(points)

    # -- CEI, aging, bad debt ------------------------------------------------------------

    def cei(self, period: Period, *, months: int = 1, currency: str | None = None) -> CeiReport:
        """Collection effectiveness index of *period* with its four inputs.

        Raises:
            ValidationError: Nothing was collectible (the denominator is not positive).
        """
        inputs = self.reporting.cei_inputs(period, currency=self._cur(currency))
        value = cei(
            inputs.begin_total,
            inputs.credit_sales,
            inputs.end_total,
            inputs.end_current,
            months=months,
        )
        return CeiReport(
            period,
            inputs.begin_total,
            inputs.credit_sales,
            inputs.end_total,
            inputs.end_current,
            value,
        )

    def aging(
        self,
        as_of: date | None = None,
        *,
        basis: AgingBasis | str = AgingBasis.DUE_DATE,
        edges: Sequence[int] = DEFAULT_AGING_EDGES,
        currency: str | None = None,
    ) -> AgingReport:
        """Receivables open at the end of *as_of* (default today) by age bucket."""
        return self.reporting.aging(
            as_of or self._today(),
            currency=self._cur(currency),
            basis=AgingBasis(basis),
            edges=tuple(edges),
        )

    def open_by_customer(
        self, as_of: date | None = None, *, currency: str | None = None
    ) -> tuple[CustomerBalance, ...]:
        """Customers with a non-zero open balance at the end of *as_of*, by customer id."""
        return self.reporting.open_by_customer(as_of or self._today(), currency=self._cur(currency))

    def bad_debt(self, period: Period, *, currency: str | None = None) -> BadDebtReport:
        """Write-offs dated in *period* against its credit sales."""
        cur = self._cur(currency)
        return bad_debt_report(self._facts(period.end, cur, period), period, currency=cur)

    def allowance(
        self,
        percents: Sequence[Decimal | int | str] | Mapping[str, Decimal | int | str],
        as_of: date | None = None,
        *,
        currency: str | None = None,
    ) -> AllowanceReport:
        """Allowance for doubtful accounts: *percents* applied to the aging buckets."""
        return bad_debt_allowance(self.aging(as_of, currency=currency), percents)

    # -- sales ---------------------------------------------------------------------------

    def margins(self, period: Period, *, currency: str | None = None) -> MarginReport:
        """Revenue, gross profit, gross margin and markup of the documents of *period*."""
        cur = self._cur(currency)
        return margin_report(self._facts(period.end, cur, period), period, currency=cur)

    def funnel(self, period: Period, *, basis: str = "activity") -> FunnelReport:
        """Lead -> quote -> order -> cash conversion over *period*.

        Args:
            period: The period.
            basis: ``"activity"``: what entered each stage during the period: leads
                captured, quotes sent (the last revision of each), orders confirmed, and of
                those orders the ones whose invoices are all paid (or credited) by now; with
                existing customers quoting without a lead, quotes may outnumber leads.
                ``"leads"``: the cohort of leads captured in the period followed down the
                chain, counted per lead: leads with a sent quote, with an order, with the
                order paid (whenever that happened).
        """
        if basis not in ("activity", "leads"):
            raise ValidationError(
                f"unknown funnel basis {basis!r}; use activity or leads",
                field="basis",
                value=basis,
            )
        with self._ctx.tx() as tx:
            leads = [
                lead.id
                for lead in tx.uow.repo("lead").query()
                if lead.created_at is not None and lead.created_at.date() in period
            ]
            sent = [
                quote
                for quote in tx.uow.repo("quote").query(status=_SENT_QUOTES)
                if quote.sent_at is not None and quote.superseded_by is None
            ]
            if basis == "leads":
                cohort = set(leads)
                sent = [q for q in sent if q.lead_id in cohort]
                orders: list[Order] = list(
                    tx.uow.repo("order").get_many([q.order_id for q in sent if q.order_id]).values()
                )
            else:
                sent = [q for q in sent if q.sent_at is not None and q.sent_at.date() in period]
                orders = [
                    order
                    for order in tx.uow.repo("order").query()
                    if order.confirmed_at is not None and order.confirmed_at.date() in period
                ]
            orders = [o for o in orders if o.confirmed_at is not None]
            paid = self._paid_orders(tx.uow, [o.id for o in orders])
        if basis == "leads":
            lead_of = {q.order_id: q.lead_id for q in sent if q.order_id}
            return funnel_conversion(
                leads=leads,
                quotes=[q.lead_id for q in sent if q.lead_id],
                orders=[lead_of[o.id] for o in orders if lead_of.get(o.id)],
                paid=[lead_of[oid] for oid in paid if lead_of.get(oid)],
            )
        return funnel_conversion(
            leads=leads, quotes=[q.id for q in sent], orders=[o.id for o in orders], paid=paid
        )

    @staticmethod
    def _paid_orders(uow: UnitOfWork, order_ids: Sequence[str]) -> list[str]:
        """The orders among *order_ids* with at least one invoice, all paid or credited."""
        invoices: list[Invoice] = []
        for start in range(0, len(order_ids), _CHUNK):
            invoices += uow.repo("invoice").query(
                order_id=tuple(order_ids[start : start + _CHUNK]), kind="invoice"
            )
        states: dict[str, list[str]] = {}
        for invoice in invoices:
            if invoice.order_id is not None and invoice.status != InvoiceState.DRAFT:
                states.setdefault(invoice.order_id, []).append(str(invoice.status))
        return [oid for oid, found in states.items() if all(s in _PAID_STATES for s in found)]

    def fulfilment(self, period: Period) -> FulfilmentReport:
        """Perfect-order figures of the orders fulfilled with a last delivery in *period*.

        An order is on time when every shipment with a promised date was delivered by it;
        complete when it was delivered in one shipment without a shortage error; the
        shipment ``error`` codes containing ``damage`` count against damage-free, and any
        other error code against documentation.
        """
        with self._ctx.tx() as tx:
            shipments: list[Shipment] = tx.uow.repo("shipment").query(status="delivered")
            by_order: dict[str, list[Shipment]] = {}
            for shipment in shipments:
                by_order.setdefault(shipment.order_id, []).append(shipment)
            orders = tx.uow.repo("order").get_many(sorted(by_order))
        facts: list[OrderFulfilmentFact] = []
        for order_id, group in sorted(by_order.items()):
            order = orders.get(order_id)
            if order is None or order.status not in _DONE_ORDERS:
                continue
            delivered = [s.delivered_at for s in group if s.delivered_at is not None]
            if not delivered or max(delivered).date() not in period:
                continue
            on_time = all(
                s.promised_date is None
                or (s.delivered_at is not None and s.delivered_at.date() <= s.promised_date)
                for s in group
            )
            flags = [_error_flags(s.error) for s in group]
            facts.append(
                OrderFulfilmentFact(
                    order_id,
                    on_time=on_time,
                    complete=len(group) == 1 and all(f[0] for f in flags),
                    damage_free=all(f[1] for f in flags),
                    documentation_ok=all(f[2] for f in flags),
                )
            )
        return fulfilment_report(facts)

    # -- event log -----------------------------------------------------------------------

    def event_log(self, *, batch: int = _EVENT_BATCH) -> Iterator[DomainEvent]:
        """Every committed domain event in log order, read in batches of *batch*."""
        after = 0
        while True:
            with self._ctx.storage.unit_of_work() as uow:
                events = uow.events.read(after=after, limit=batch)
            if not events:
                return
            yield from events
            after = events[-1].sequence if events[-1].sequence else after + len(events)

    def stage_events(self, *, by: str = "order") -> list[StageEvent]:
        """The event log as [StageEvent][s2c_core.kpi.facts.StageEvent]s of the chain.

        Args:
            by: ``"order"``: one case per order, linked from lead to cash through the ids
                the events carry (quote -> order -> shipments, invoices -> payments);
                ``"case"``: the events' ``case_id`` (usually the customer; a converted
                lead's case is mapped to its customer), each case counted at its first
                time in each stage.
        """
        if by not in ("order", "case"):
            raise ValidationError(
                f"unknown case basis {by!r}; use order or case", field="by", value=by
            )
        return stage_events(self.event_log(), by=by)

    def cycle_times(
        self, *, stages: Sequence[str] = DEFAULT_STAGES, by: str = "order"
    ) -> tuple[StageTransitionTime, ...]:
        """Median, p90 and mean days between consecutive *stages*, from the event log.

        Cases are orders by default (``by="case"`` for the events' ``case_id``).
        """
        return stage_cycle_times(self.stage_events(by=by), stages=stages)

    # -- customers and collections -------------------------------------------------------

    def payment_behaviour(
        self,
        period: Period | None = None,
        *,
        by: Grouping | str = Grouping.SEGMENT,
        currency: str | None = None,
    ) -> tuple[PaymentBehaviour, ...]:
        """Days late, share paid late and write-off rate per segment (or customer) in *period*.

        *period* defaults to the 90 days ending today.
        """
        chosen = self._recent(period)
        cur = self._cur(currency)
        return payment_behaviour(self._facts(chosen.end, cur, chosen), chosen, currency=cur, by=by)

    def credit_policy_vs_actual(
        self,
        period: Period | None = None,
        *,
        granted_terms: Mapping[str, int] | None = None,
        currency: str | None = None,
    ) -> tuple[CreditPolicyRow, ...]:
        """Per customer, granted term days versus actual days to pay in *period* (90 days)."""
        chosen = self._recent(period)
        cur = self._cur(currency)
        return credit_policy_vs_actual(
            self._facts(chosen.end, cur, chosen), chosen, currency=cur, granted_terms=granted_terms
        )

    def dispute_rate(self, period: Period, *, currency: str | None = None) -> DisputeReport:
        """Invoices issued in *period* that were disputed (up to today), by count and amount."""
        cur = self._cur(currency)
        facts = self._facts(max(period.end, self._today()), cur, period)
        return dispute_report(facts, period, currency=cur)

    def cash_forecast(
        self,
        as_of: date | None = None,
        *,
        weeks: int = 13,
        min_payments: int = 3,
        currency: str | None = None,
    ) -> CashForecast:
        """Weekly expected receipts of what is open at *as_of* (default today).

        The storage aggregates the open items and a lateness histogram; the forecast is
        then [cash_forecast][s2c_core.kpi.forecast.cash_forecast] on equivalent facts.
        """
        cur = self._cur(currency)
        day = as_of or self._today()
        inputs = self.reporting.forecast_inputs(day, currency=cur)
        return cash_forecast(
            forecast_facts(inputs, currency=cur),
            as_of=day,
            weeks=weeks,
            currency=cur,
            min_payments=min_payments,
        )

    # -- the report ----------------------------------------------------------------------

    def report(
        self,
        as_of: date | None = None,
        period: Period | None = None,
        previous_period: Period | None = None,
        *,
        trend_months: int = 6,
        forecast_weeks: int = 13,
        top: int = 10,
        currency: str | None = None,
    ) -> KpiReport:
        """Build the [KpiReport][s2c_core.kpi.report.KpiReport] at *as_of* (default today).

        Args:
            as_of: Balances are taken at the end of this day.
            period: The measured period; default the three calendar months ending with
                *as_of*'s month (the last one to date).
            previous_period: The comparison period of the driver analysis; default the same
                number of days just before *period*.
            trend_months: Months in the DSO trend.
            forecast_weeks: Weeks in the cash forecast.
            top: Customers kept in the driver analysis and the largest balances.
            currency: Report currency (default: the policy's).
        """
        cur = self._cur(currency)
        day = as_of or self._today()
        chosen = period or Period(month_periods(day, 3)[0].start, day)
        before = previous_period or Period(
            chosen.start - timedelta(days=chosen.days), chosen.opening_date
        )
        facts = self._facts(max(day, chosen.end), cur, chosen)
        inputs = self.reporting.dso_inputs(chosen, currency=cur)
        dso_now = _dso_report(inputs) if inputs.credit_sales.is_positive() else None
        dso_before = self._maybe_dso(before, cur)
        drivers = None
        if dso_now is not None and dso_before is not None:
            full = self.dso_drivers(before, chosen, currency=cur)
            drivers = replace(full, customers=full.customers[:top])
        try:
            cei_report: CeiReport | None = _cei_report(inputs)
        except ValidationError:
            cei_report = None
        forecast = self.cash_forecast(day, weeks=forecast_weeks, currency=cur)
        balances = self.open_by_customer(day, currency=cur)
        largest = sorted(balances, key=lambda b: (-b.receivables.amount, b.customer_id))[:top]
        trend = self.dso_trend(day, months=trend_months, currency=cur)
        mentioned = {b.customer_id for b in largest}
        mentioned.update(c.customer_id for p in trend for c in p.drivers)
        if drivers is not None:
            mentioned.update(c.customer_id for c in drivers.customers)
        with self._ctx.tx() as tx:
            found = tx.uow.repo("customer").get_many(sorted(mentioned))
        names = {cid: customer.name for cid, customer in found.items()}
        return KpiReport(
            currency=cur,
            as_of=day,
            period=chosen,
            previous_period=before,
            generated_at=self._ctx.clock.now(),
            company=self._ctx.policy.company.name,
            dso=dso_now,
            dso_previous=dso_before,
            dso_trend=trend,
            drivers=drivers,
            aging=self.aging(day, currency=cur),
            cei=cei_report,
            funnel=self.funnel(chosen),
            lead_funnel=self.funnel(chosen, basis="leads"),
            cycle_times=self.cycle_times(),
            forecast=replace(forecast, lines=()),
            margins=margin_report(facts, chosen, currency=cur),
            behaviour=payment_behaviour(facts, chosen, currency=cur),
            bad_debt=bad_debt_report(facts, chosen, currency=cur),
            disputes=dispute_report(facts, chosen, currency=cur),
            largest_balances=tuple(largest),
            customer_names=names,
        )

    def _maybe_dso(self, period: Period, currency: str) -> DsoReport | None:
        inputs = self._end_inputs(period, currency)
        if not inputs.credit_sales.is_positive():
            return None
        return _dso_report(inputs)


def _dso_report(inputs: DsoInputs) -> DsoReport:
    """The [DsoReport][s2c_core.kpi.dso.DsoReport] of *inputs* (as ``kpi.dso.dso_report``)."""
    days = inputs.period.days
    simple = dso(inputs.receivables_end, inputs.credit_sales, days=days)
    best = best_possible_dso(inputs.current_end, inputs.credit_sales, days=days)
    return DsoReport(
        inputs.period,
        inputs.receivables_end,
        inputs.current_end,
        inputs.credit_sales,
        simple,
        best,
        simple - best,
    )


def _cei_report(inputs: DsoInputs) -> CeiReport:
    """The monthly-convention [CeiReport][s2c_core.kpi.cei.CeiReport] of *inputs*."""
    begin, sales = inputs.receivables_begin, inputs.credit_sales
    end, current = inputs.receivables_end, inputs.current_end
    return CeiReport(inputs.period, begin, sales, end, current, cei(begin, sales, end, current))


def _active_in(fact: InvoiceFact, period: Period) -> bool:
    """True when *fact* was issued, settled or written off in *period*.

    Margins, bad debt, disputes, payment behaviour and credit terms of a period look only at
    such facts, so leaving the others out changes none of them.
    """
    return (
        fact.issue_date in period
        or fact.written_off_date in period
        or any(p.paid_on in period for p in fact.paid)
    )
