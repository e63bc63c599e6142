"""The pure-Python [ReportingQueries][s2c_core.kpi.port.ReportingQueries] over any storage.

Used when the storage has no ``reporting`` of its own (the in-memory backend): it builds the
invoice facts with indexed repository queries and one pass over the event log (for write-off
dates), then sums them with the pure calculators, so it is the oracle by construction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date
from typing import Any, Final

from s2c_core.entities.receivables import DocumentKind, Invoice, Payment
from s2c_core.entities.registry import Range
from s2c_core.kpi.aging import DEFAULT_AGING_EDGES, AgingBasis, AgingReport, aging_report
from s2c_core.kpi.drivers import CustomerBalance
from s2c_core.kpi.facts import InvoiceFact, PaymentFact, Period
from s2c_core.kpi.port import (
    WRITE_OFF_EVENT,
    CeiInputs,
    DsoInputs,
    ForecastInputs,
    OpenBalance,
    allocation_settlement,
    balances_from_facts,
    forecast_inputs_from_facts,
    invoice_fact,
    latest_disputes,
)
from s2c_core.kpi.receivables import credit_sales, current_receivables, open_receivables
from s2c_core.lifecycle import InvoiceState, PaymentState
from s2c_core.money import Money
from s2c_core.ports import Storage, UnitOfWork

__all__ = ["RepositoryReporting", "latest_write_offs"]

_LIVE_PAYMENTS: Final = tuple(s.value for s in PaymentState if s is not PaymentState.RETURNED)
_EVENT_BATCH: Final = 5000


def latest_write_offs(uow: UnitOfWork, invoice_ids: set[str]) -> dict[str, tuple[Money, date]]:
    """The latest ``InvoiceWrittenOff`` of each invoice in *invoice_ids*: (amount, UTC date)."""
    found: dict[str, tuple[Money, date]] = {}
    if not invoice_ids:
        return found
    after = 0
    while True:
        batch = uow.events.read(after=after, limit=_EVENT_BATCH)
        if not batch:
            return found
        for event in batch:
            if event.name == WRITE_OFF_EVENT and event.aggregate_id in invoice_ids:
                raw: Any = event.data.get("amount")
                amount = Money(raw["amount"], raw["currency"])
                found[event.aggregate_id] = (amount, event.at.astimezone(UTC).date())
        after = batch[-1].sequence if batch[-1].sequence else after + len(batch)


class RepositoryReporting:
    """Reporting queries answered from the repositories (works on every storage)."""

    def __init__(self, storage: Storage) -> None:
        self._storage = storage

    # -- facts ---------------------------------------------------------------------------

    def _facts(self, as_of: date | None, currency: str) -> list[InvoiceFact]:
        with self._storage.unit_of_work() as uow:
            docs: list[Invoice] = uow.repo("invoice").query(
                issue_date=Range(hi=as_of), currency=currency
            )
            payments: list[Payment] = uow.repo("payment").query(
                status=_LIVE_PAYMENTS, received_on=Range(hi=as_of)
            )
            customer_ids = sorted({d.customer_id for d in docs})
            customers = uow.repo("customer").get_many(customer_ids)
            written = {str(d.id) for d in docs if d.status == InvoiceState.WRITTEN_OFF}
            write_offs = latest_write_offs(uow, written)
            disputes = latest_disputes(uow.repo("dispute").query(), as_of)
        settlements: dict[str, list[PaymentFact]] = {}
        for payment in payments:
            for allocation in payment.allocations:
                settlements.setdefault(allocation.invoice_id, []).append(
                    allocation_settlement(allocation, payment.received_on)
                )
        for doc in docs:
            if doc.kind == DocumentKind.CREDIT_NOTE and doc.credited is not None:
                assert doc.issue_date is not None  # issued documents only
                if doc.credited_invoice_id is not None and not doc.credited.is_zero():
                    settlements.setdefault(doc.credited_invoice_id, []).append(
                        PaymentFact(doc.issue_date, doc.credited)
                    )
                    settlements.setdefault(doc.id, []).append(
                        PaymentFact(doc.issue_date, -doc.credited)
                    )
        docs.sort(key=lambda d: (d.issue_date, d.id))
        facts: list[InvoiceFact] = []
        for doc in docs:
            customer = customers.get(doc.customer_id)
            write_off = write_offs.get(doc.id)
            if write_off is not None and as_of is not None and write_off[1] > as_of:
                write_off = None
            facts.append(
                invoice_fact(
                    doc,
                    segment=customer.segment if customer is not None else "",
                    settlements=settlements.get(doc.id, ()),
                    write_off=write_off,
                    disputed=disputes.get(doc.id),
                )
            )
        return facts

    def invoice_facts(self, as_of: date | None = None, *, currency: str) -> Iterator[InvoiceFact]:
        """Facts of the documents issued up to *as_of*, by issue date and id."""
        yield from self._facts(as_of, currency)

    # -- sums ----------------------------------------------------------------------------

    def open_balance(self, as_of: date, *, currency: str) -> OpenBalance:
        """Open and current receivables at the end of *as_of*."""
        facts = self._facts(as_of, currency)
        return OpenBalance(
            as_of,
            open_receivables(facts, as_of=as_of, currency=currency),
            current_receivables(facts, as_of=as_of, currency=currency),
        )

    def credit_sales(self, period: Period, *, currency: str) -> Money:
        """Totals of the documents issued in *period*."""
        return credit_sales(self._facts(period.end, currency), period, currency=currency)

    def dso_inputs(self, period: Period, *, currency: str) -> DsoInputs:
        """Receivables at both ends of *period*, its credit sales, current receivables."""
        facts = self._facts(period.end, currency)
        return DsoInputs(
            period,
            open_receivables(facts, as_of=period.end, currency=currency),
            open_receivables(facts, as_of=period.opening_date, currency=currency),
            credit_sales(facts, period, currency=currency),
            current_receivables(facts, as_of=period.end, currency=currency),
        )

    def cei_inputs(self, period: Period, *, currency: str) -> CeiInputs:
        """The four CEI sums of *period*."""
        inputs = self.dso_inputs(period, currency=currency)
        return CeiInputs(
            period,
            inputs.receivables_begin,
            inputs.credit_sales,
            inputs.receivables_end,
            inputs.current_end,
        )

    def aging(
        self,
        as_of: date,
        *,
        currency: str,
        basis: AgingBasis = AgingBasis.DUE_DATE,
        edges: Sequence[int] = DEFAULT_AGING_EDGES,
    ) -> AgingReport:
        """Aging buckets at the end of *as_of*."""
        facts = self._facts(as_of, currency)
        return aging_report(facts, as_of=as_of, currency=currency, basis=basis, edges=edges)

    def open_by_customer(self, as_of: date, *, currency: str) -> tuple[CustomerBalance, ...]:
        """Non-zero open receivables per customer at the end of *as_of*."""
        return balances_from_facts(self._facts(as_of, currency), as_of=as_of, currency=currency)

    def forecast_inputs(self, as_of: date, *, currency: str) -> ForecastInputs:
        """Open items and lateness histogram at the end of *as_of*."""
        facts = self._facts(as_of, currency)
        return forecast_inputs_from_facts(facts, as_of=as_of, currency=currency)
