"""Lifecycles: state enums and transition tables checked by shared ``transitions`` machines."""

from __future__ import annotations

from s2c_core.lifecycle._flow import Flow
from s2c_core.lifecycle.flows import (
    ALL_FLOWS,
    CUSTOMER_FLOW,
    DISPUTE_FLOW,
    INVOICE_FLOW,
    LEAD_FLOW,
    ORDER_FLOW,
    PAYMENT_FLOW,
    QUOTE_FLOW,
    SHIPMENT_FLOW,
    CustomerState,
    DisputeState,
    InvoiceState,
    LeadState,
    OrderState,
    PaymentState,
    QuoteState,
    ShipmentState,
)

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
    "Flow",
    "InvoiceState",
    "LeadState",
    "OrderState",
    "PaymentState",
    "QuoteState",
    "ShipmentState",
]
