"""Entities of the whole chain: frozen attrs records with a ``status`` and a ``version``."""

from __future__ import annotations

from s2c_core.entities.common import Address
from s2c_core.entities.common import Contact
from s2c_core.entities.common import CustomerId
from s2c_core.entities.common import DisputeId
from s2c_core.entities.common import InvoiceId
from s2c_core.entities.common import LeadId
from s2c_core.entities.common import MandateId
from s2c_core.entities.common import OrderId
from s2c_core.entities.common import PaymentId
from s2c_core.entities.common import ProductId
from s2c_core.entities.common import QuoteId
from s2c_core.entities.common import ShipmentId
from s2c_core.entities.common import VatCategory
from s2c_core.entities.lines import AllowanceCharge
from s2c_core.entities.lines import DocumentTotals
from s2c_core.entities.lines import Line
from s2c_core.entities.lines import VatSubtotal
from s2c_core.entities.lines import document_totals
from s2c_core.entities.party import Company
from s2c_core.entities.party import Customer
from s2c_core.entities.party import Lead
from s2c_core.entities.party import Product
from s2c_core.entities.party import StockLevel
from s2c_core.entities.receivables import Allocation
from s2c_core.entities.receivables import Dispute
from s2c_core.entities.receivables import DocumentKind
from s2c_core.entities.receivables import Installment
from s2c_core.entities.receivables import Invoice
from s2c_core.entities.receivables import Mandate
from s2c_core.entities.receivables import Payment
from s2c_core.entities.receivables import PromiseToPay
from s2c_core.entities.sales import Approval
from s2c_core.entities.sales import CreditDecision
from s2c_core.entities.sales import CreditOutcome
from s2c_core.entities.sales import Order
from s2c_core.entities.sales import OrderLine
from s2c_core.entities.sales import Quote
from s2c_core.entities.sales import Shipment
from s2c_core.entities.sales import ShipmentLine
from s2c_core.entities.statement import BankEntry
from s2c_core.entities.statement import BankStatement

__all__ = [
    "Address",
    "Allocation",
    "AllowanceCharge",
    "Approval",
    "BankEntry",
    "BankStatement",
    "Company",
    "Contact",
    "CreditDecision",
    "CreditOutcome",
    "Customer",
    "CustomerId",
    "Dispute",
    "DisputeId",
    "DocumentKind",
    "DocumentTotals",
    "Installment",
    "Invoice",
    "InvoiceId",
    "Lead",
    "LeadId",
    "Line",
    "Mandate",
    "MandateId",
    "Order",
    "OrderId",
    "OrderLine",
    "Payment",
    "PaymentId",
    "Product",
    "ProductId",
    "PromiseToPay",
    "Quote",
    "QuoteId",
    "Shipment",
    "ShipmentId",
    "ShipmentLine",
    "StockLevel",
    "VatCategory",
    "VatSubtotal",
    "document_totals",
]
