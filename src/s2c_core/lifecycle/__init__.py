"""Lifecycles: state enums and transition tables checked by shared ``transitions`` machines."""

from __future__ import annotations

from s2c_core.lifecycle._flow import Flow
from s2c_core.lifecycle.flows import ALL_FLOWS
from s2c_core.lifecycle.flows import CUSTOMER_FLOW
from s2c_core.lifecycle.flows import DISPUTE_FLOW
from s2c_core.lifecycle.flows import INVOICE_FLOW
from s2c_core.lifecycle.flows import LEAD_FLOW
from s2c_core.lifecycle.flows import ORDER_FLOW
from s2c_core.lifecycle.flows import PAYMENT_FLOW
from s2c_core.lifecycle.flows import QUOTE_FLOW
from s2c_core.lifecycle.flows import SHIPMENT_FLOW
from s2c_core.lifecycle.flows import CustomerState
from s2c_core.lifecycle.flows import DisputeState
from s2c_core.lifecycle.flows import InvoiceState
from s2c_core.lifecycle.flows import LeadState
from s2c_core.lifecycle.flows import OrderState
from s2c_core.lifecycle.flows import PaymentState
from s2c_core.lifecycle.flows import QuoteState
from s2c_core.lifecycle.flows import ShipmentState

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
