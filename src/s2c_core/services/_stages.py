"""The event log as stage events of the chain, per deal (order) or per case.

Used by [KpiService.cycle_times][s2c_core.services.kpi.KpiService.cycle_times]. Stage events:

| stage | event | linked to the deal by |
| --- | --- | --- |
| lead | ``LeadCaptured`` | ``LeadConverted.data.quote_id`` |
| quote | ``QuoteSent`` | ``OrderCreated.data.quote_id`` |
| order | ``OrderConfirmed`` | the order itself |
| shipment | ``ShipmentShipped`` | its ``data.order_id`` |
| invoice | ``InvoiceIssued`` (invoices, not credit notes) | its ``data.order_id`` |
| cash | ``InvoicePaid`` of such an invoice | the invoice |

``by="order"`` makes one case per order (a quote never ordered is its own case, so
lead -> quote still counts it; an invoice without an order too). ``by="case"`` groups by the
events' ``case_id`` (usually the customer; a converted lead's case is mapped to the customer it
became), so each case counts its first time at each stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from s2c_core.events import DomainEvent
from s2c_core.kpi.facts import StageEvent

__all__ = ["STAGE_EVENTS", "stage_events"]

STAGE_EVENTS: Final[Mapping[str, str]] = {
    "LeadCaptured": "lead",
    "QuoteSent": "quote",
    "OrderConfirmed": "order",
    "ShipmentShipped": "shipment",
    "InvoiceIssued": "invoice",
    "InvoicePaid": "cash",
}
"""Event name -> stage of the chain (invoices only, not credit notes)."""


def _text(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def stage_events(events: Iterable[DomainEvent], *, by: str = "order") -> list[StageEvent]:
    """Stage events of *events* with one case per order (``by="order"``) or per ``case_id``.

    Examples:
        >>> from datetime import UTC
        >>> t = lambda d: datetime(2026, 3, d, 9, tzinfo=UTC)
        >>> log = [DomainEvent("1", "QuoteSent", "quote", "Q1", t(2), case_id="C"),
        ...        DomainEvent("2", "OrderCreated", "order", "O1", t(4), {"quote_id": "Q1"}),
        ...        DomainEvent("3", "OrderConfirmed", "order", "O1", t(4), case_id="C")]
        >>> [(e.case_id, e.stage, e.at.day) for e in stage_events(log)]
        [('O1', 'quote', 2), ('O1', 'order', 4)]
    """
    if by not in ("order", "case"):
        raise ValueError(f"unknown case basis {by!r}; use order or case")
    invoices: set[str] = set()
    lead_customer: dict[str, str] = {}
    lead_of_quote: dict[str, str] = {}
    order_of_quote: dict[str, str] = {}
    order_of: dict[str, str] = {}  # shipment or invoice id -> order id
    raw: list[tuple[str, DomainEvent]] = []
    for event in events:
        data = event.data
        if event.name == "LeadConverted":
            customer, quote = _text(data, "customer_id"), _text(data, "quote_id")
            if customer:
                lead_customer[event.case_id or event.aggregate_id] = customer
            if quote:
                lead_of_quote[quote] = event.aggregate_id
            continue
        if event.name == "OrderCreated":
            quote = _text(data, "quote_id")
            if quote:
                order_of_quote[quote] = event.aggregate_id
            continue
        stage = STAGE_EVENTS.get(event.name)
        if stage is None:
            continue
        if event.name == "InvoiceIssued":
            if data.get("kind", "invoice") != "invoice":
                continue
            invoices.add(event.aggregate_id)
        elif event.name == "InvoicePaid" and event.aggregate_id not in invoices:
            continue
        order = _text(data, "order_id")
        if order and event.aggregate in ("shipment", "invoice"):
            order_of[event.aggregate_id] = order
        raw.append((stage, event))
    if by == "case":
        return [
            StageEvent(lead_customer.get(case, case), stage, event.at)
            for stage, event in raw
            for case in (event.case_id or event.aggregate_id,)
        ]
    out: list[StageEvent] = []
    leads_at: dict[str, datetime] = {}
    for stage, event in raw:
        if stage == "lead":
            leads_at[event.aggregate_id] = event.at
            continue
        if stage == "quote":
            quote = event.aggregate_id
            case = order_of_quote.get(quote, quote)
            lead = lead_of_quote.get(quote)
            if lead is not None and lead in leads_at:
                out.append(StageEvent(case, "lead", leads_at[lead]))
        elif stage == "order":
            case = event.aggregate_id
        else:
            case = order_of.get(event.aggregate_id, event.aggregate_id)
        out.append(StageEvent(case, stage, event.at))
    return out
