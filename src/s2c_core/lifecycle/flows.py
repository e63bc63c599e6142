"""The lifecycle of every aggregate: its states and its transition table.

Each table is plain data read by one shared ``transitions`` machine (see ``_flow.Flow``).
Entities record the state they are given; services ask the flow for the next state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from s2c_core.lifecycle._flow import Flow

__all__ = [
    "ALL_FLOWS",
    "CUSTOMER_FLOW",
    "DISPUTE_FLOW",
    "INVOICE_FLOW",
    "LEAD_FLOW",
    "ORDER_FLOW",
    "PAYMENT_FLOW",
    "QUOTE_FLOW",
    "SHIPMENT_FLOW",
    "CustomerState",
    "DisputeState",
    "InvoiceState",
    "LeadState",
    "OrderState",
    "PaymentState",
    "QuoteState",
    "ShipmentState",
]


class CustomerState(StrEnum):
    """Customer account states."""

    PROSPECT = "prospect"
    ACTIVE = "active"
    ON_HOLD = "on_hold"
    CLOSED = "closed"


CUSTOMER_FLOW: Final = Flow[CustomerState](
    "customer",
    CustomerState,
    [
        ("activate", CustomerState.PROSPECT, CustomerState.ACTIVE),
        ("hold", (CustomerState.PROSPECT, CustomerState.ACTIVE), CustomerState.ON_HOLD),
        ("release", CustomerState.ON_HOLD, CustomerState.ACTIVE),
        ("close", (CustomerState.PROSPECT, CustomerState.ACTIVE), CustomerState.CLOSED),
    ],
    initial=CustomerState.PROSPECT,
    final=[CustomerState.CLOSED],
)


class LeadState(StrEnum):
    """Lead states, from first contact to conversion."""

    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    CONVERTED = "converted"
    DISQUALIFIED = "disqualified"


LEAD_FLOW: Final = Flow[LeadState](
    "lead",
    LeadState,
    [
        ("contact", LeadState.NEW, LeadState.CONTACTED),
        ("qualify", (LeadState.NEW, LeadState.CONTACTED), LeadState.QUALIFIED),
        ("convert", LeadState.QUALIFIED, LeadState.CONVERTED),
        (
            "disqualify",
            (LeadState.NEW, LeadState.CONTACTED, LeadState.QUALIFIED),
            LeadState.DISQUALIFIED,
        ),
    ],
    initial=LeadState.NEW,
    final=[LeadState.CONVERTED, LeadState.DISQUALIFIED],
)


class QuoteState(StrEnum):
    """Quote states; a revision supersedes its predecessor."""

    DRAFT = "draft"
    PENDING_APPROVAL = "pending_approval"
    APPROVED = "approved"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"


QUOTE_FLOW: Final = Flow[QuoteState](
    "quote",
    QuoteState,
    [
        ("request_approval", QuoteState.DRAFT, QuoteState.PENDING_APPROVAL),
        ("approve", QuoteState.PENDING_APPROVAL, QuoteState.APPROVED),
        ("send", (QuoteState.DRAFT, QuoteState.APPROVED), QuoteState.SENT),
        ("accept", QuoteState.SENT, QuoteState.ACCEPTED),
        ("decline", QuoteState.SENT, QuoteState.DECLINED),
        ("expire", QuoteState.SENT, QuoteState.EXPIRED),
        (
            "supersede",
            (QuoteState.DRAFT, QuoteState.PENDING_APPROVAL, QuoteState.APPROVED, QuoteState.SENT),
            QuoteState.SUPERSEDED,
        ),
    ],
    initial=QuoteState.DRAFT,
    final=[QuoteState.ACCEPTED, QuoteState.DECLINED, QuoteState.EXPIRED, QuoteState.SUPERSEDED],
)


class OrderState(StrEnum):
    """Order states."""

    DRAFT = "draft"
    ON_HOLD = "on_hold"
    CONFIRMED = "confirmed"
    PARTIALLY_SHIPPED = "partially_shipped"
    FULFILLED = "fulfilled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


ORDER_FLOW: Final = Flow[OrderState](
    "order",
    OrderState,
    [
        ("hold", OrderState.DRAFT, OrderState.ON_HOLD),
        ("confirm", (OrderState.DRAFT, OrderState.ON_HOLD), OrderState.CONFIRMED),
        (
            "ship_part",
            (OrderState.CONFIRMED, OrderState.PARTIALLY_SHIPPED),
            OrderState.PARTIALLY_SHIPPED,
        ),
        ("fulfil", (OrderState.CONFIRMED, OrderState.PARTIALLY_SHIPPED), OrderState.FULFILLED),
        ("close", OrderState.FULFILLED, OrderState.CLOSED),
        (
            "cancel",
            (OrderState.DRAFT, OrderState.ON_HOLD, OrderState.CONFIRMED),
            OrderState.CANCELLED,
        ),
    ],
    initial=OrderState.DRAFT,
    final=[OrderState.CLOSED, OrderState.CANCELLED],
)


class ShipmentState(StrEnum):
    """Shipment states."""

    PLANNED = "planned"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    RETURNED = "returned"
    CANCELLED = "cancelled"


SHIPMENT_FLOW: Final = Flow[ShipmentState](
    "shipment",
    ShipmentState,
    [
        ("pick", ShipmentState.PLANNED, ShipmentState.PICKED),
        ("pack", ShipmentState.PICKED, ShipmentState.PACKED),
        (
            "ship",
            (ShipmentState.PLANNED, ShipmentState.PICKED, ShipmentState.PACKED),
            ShipmentState.SHIPPED,
        ),
        ("deliver", ShipmentState.SHIPPED, ShipmentState.DELIVERED),
        ("return_goods", (ShipmentState.SHIPPED, ShipmentState.DELIVERED), ShipmentState.RETURNED),
        (
            "cancel",
            (ShipmentState.PLANNED, ShipmentState.PICKED, ShipmentState.PACKED),
            ShipmentState.CANCELLED,
        ),
    ],
    initial=ShipmentState.PLANNED,
    final=[ShipmentState.RETURNED, ShipmentState.CANCELLED],
)


class InvoiceState(StrEnum):
    """Invoice and credit-note states."""

    DRAFT = "draft"
    ISSUED = "issued"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    DISPUTED = "disputed"
    WRITTEN_OFF = "written_off"
    CREDITED = "credited"
    CANCELLED = "cancelled"


_OPEN = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID)

INVOICE_FLOW: Final = Flow[InvoiceState](
    "invoice",
    InvoiceState,
    [
        ("issue", InvoiceState.DRAFT, InvoiceState.ISSUED),
        ("cancel", InvoiceState.DRAFT, InvoiceState.CANCELLED),
        ("pay_part", (*_OPEN, InvoiceState.DISPUTED), InvoiceState.PARTIALLY_PAID),
        ("pay", (*_OPEN, InvoiceState.DISPUTED, InvoiceState.WRITTEN_OFF), InvoiceState.PAID),
        (
            "reopen",
            (InvoiceState.PAID, InvoiceState.PARTIALLY_PAID, InvoiceState.CREDITED),
            InvoiceState.ISSUED,
        ),
        ("reopen_part", (InvoiceState.PAID, InvoiceState.CREDITED), InvoiceState.PARTIALLY_PAID),
        ("dispute", _OPEN, InvoiceState.DISPUTED),
        ("resolve_dispute", InvoiceState.DISPUTED, InvoiceState.ISSUED),
        ("resolve_dispute_part", InvoiceState.DISPUTED, InvoiceState.PARTIALLY_PAID),
        ("write_off", (*_OPEN, InvoiceState.DISPUTED), InvoiceState.WRITTEN_OFF),
        ("credit", (*_OPEN, InvoiceState.DISPUTED), InvoiceState.CREDITED),
    ],
    initial=InvoiceState.DRAFT,
    final=[InvoiceState.CANCELLED],
)


class DisputeState(StrEnum):
    """Dispute states."""

    OPEN = "open"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    REJECTED = "rejected"


DISPUTE_FLOW: Final = Flow[DisputeState](
    "dispute",
    DisputeState,
    [
        ("investigate", DisputeState.OPEN, DisputeState.INVESTIGATING),
        ("resolve", (DisputeState.OPEN, DisputeState.INVESTIGATING), DisputeState.RESOLVED),
        ("reject", (DisputeState.OPEN, DisputeState.INVESTIGATING), DisputeState.REJECTED),
    ],
    initial=DisputeState.OPEN,
    final=[DisputeState.RESOLVED, DisputeState.REJECTED],
)


class PaymentState(StrEnum):
    """Payment states (a received amount and where it went)."""

    RECEIVED = "received"
    UNAPPLIED = "unapplied"
    PARTIALLY_ALLOCATED = "partially_allocated"
    ALLOCATED = "allocated"
    RETURNED = "returned"
    REFUNDED = "refunded"


_HELD = (PaymentState.RECEIVED, PaymentState.UNAPPLIED, PaymentState.PARTIALLY_ALLOCATED)

PAYMENT_FLOW: Final = Flow[PaymentState](
    "payment",
    PaymentState,
    [
        ("park", (PaymentState.RECEIVED, PaymentState.UNAPPLIED), PaymentState.UNAPPLIED),
        ("allocate_part", (*_HELD,), PaymentState.PARTIALLY_ALLOCATED),
        ("allocate", (*_HELD,), PaymentState.ALLOCATED),
        ("return_payment", (*_HELD, PaymentState.ALLOCATED), PaymentState.RETURNED),
        (
            "refund",
            (PaymentState.UNAPPLIED, PaymentState.PARTIALLY_ALLOCATED),
            PaymentState.REFUNDED,
        ),
    ],
    initial=PaymentState.RECEIVED,
    final=[PaymentState.RETURNED, PaymentState.REFUNDED],
)

ALL_FLOWS: Final[tuple[Flow, ...]] = (  # type: ignore[type-arg]
    CUSTOMER_FLOW,
    LEAD_FLOW,
    QUOTE_FLOW,
    ORDER_FLOW,
    SHIPMENT_FLOW,
    INVOICE_FLOW,
    DISPUTE_FLOW,
    PAYMENT_FLOW,
)
