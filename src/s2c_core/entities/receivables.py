"""Invoices, credit notes, payments, disputes, promises and direct-debit mandates."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from functools import cached_property

from attrs import field, frozen

from s2c_core.entities.common import (
    CustomerId,
    DisputeId,
    InvoiceId,
    MandateId,
    OrderId,
    PaymentId,
    ShipmentId,
    as_tuple,
    slot_cached,
)
from s2c_core.entities.lines import (
    AllowanceCharge,
    DocumentTotals,
    Line,
    remembered_totals,
)
from s2c_core.lifecycle.flows import DisputeState, InvoiceState, PaymentState
from s2c_core.money import Money, sum_money

__all__ = [
    "Allocation",
    "Dispute",
    "DocumentKind",
    "Installment",
    "Invoice",
    "Mandate",
    "Payment",
    "PromiseToPay",
]


class DocumentKind(StrEnum):
    """Invoice (UNCL1001 380) or credit note (381)."""

    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


@frozen
class Installment:
    """One due amount of an invoice's payment schedule."""

    due_date: date
    amount: Money


@frozen
class PromiseToPay:
    """A customer's promise to pay *amount* by *due*; pauses dunning until then."""

    amount: Money
    due: date
    made_at: datetime
    note: str = ""


@slot_cached
@frozen
class Invoice:
    """An invoice or credit note. Immutable once issued except for settlement facts.

    Amounts are positive on both kinds; the kind says the direction.

    Attributes:
        number: Gapless number given on issue (``2026-000123``), None while a draft.
        payment_reference: Structured reference customers pay with (OGM/VCS or RF).
        credited_invoice_id: For a credit note, the invoice it corrects (billing reference).
        installments: The payment schedule computed from the term when issued.
        paid: Sum of payments allocated to this invoice.
        credited: Sum of credit notes applied to this invoice.
        written_off: Amount written off (uncollectible, small difference, discount).
        dunning_level: Highest dunning step done so far (0 = none).
    """

    id: InvoiceId
    customer_id: CustomerId
    currency: str
    lines: tuple[Line, ...] = field(converter=as_tuple)
    kind: DocumentKind = DocumentKind.INVOICE
    status: InvoiceState = InvoiceState.DRAFT
    series: str = "INV"
    number: str | None = None
    issue_date: date | None = None
    due_date: date | None = None
    installments: tuple[Installment, ...] = field(default=(), converter=as_tuple)
    payment_term: str = "net30"
    payment_reference: str = ""
    discount_percent: str = ""
    discount_until: date | None = None
    order_id: OrderId | None = None
    shipment_id: ShipmentId | None = None
    credited_invoice_id: InvoiceId | None = None
    allowances: tuple[AllowanceCharge, ...] = field(default=(), converter=as_tuple)
    note: str = ""
    buyer_reference: str = ""
    purchase_order: str = ""
    delivery_date: date | None = None
    paid: Money | None = None
    credited: Money | None = None
    written_off: Money | None = None
    disputed: Money | None = None
    dunning_level: int = 0
    last_dunned_on: date | None = None
    promise: PromiseToPay | None = None
    dispute_id: DisputeId | None = None
    write_off_reason: str = ""
    paid_on: date | None = None
    created_at: datetime | None = None
    issued_at: datetime | None = None
    version: int = 0

    @cached_property
    def totals(self) -> DocumentTotals:
        """EN 16931 totals (see ``entities.lines``)."""
        return remembered_totals(self.lines, self.currency, self.allowances)

    @property
    def total(self) -> Money:
        """Amount due of the document (BT-115), VAT included."""
        return self.totals.payable

    def _or_zero(self, value: Money | None) -> Money:
        return value if value is not None else Money.zero(self.currency)

    @cached_property
    def settled(self) -> Money:
        """Paid + credited + written off."""
        return sum_money(
            (
                self._or_zero(self.paid),
                self._or_zero(self.credited),
                self._or_zero(self.written_off),
            ),
            self.currency,
        )

    @cached_property
    def open_amount(self) -> Money:
        """What the customer still owes on this document (never below zero)."""
        rest = self.total - self.settled
        return rest if rest.is_positive() else Money.zero(self.currency)

    @property
    def is_open(self) -> bool:
        """Issued and not fully settled (disputed invoices are open but not collectible)."""
        return self.status in (
            InvoiceState.ISSUED,
            InvoiceState.PARTIALLY_PAID,
            InvoiceState.DISPUTED,
        )


@frozen
class Allocation:
    """Part of a payment applied to one invoice.

    Attributes:
        amount: Cash applied.
        discount: Early-payment discount granted with it (settles without cash).
        write_off: Small difference written off by the tolerance rule.
    """

    invoice_id: InvoiceId
    amount: Money
    discount: Money | None = None
    write_off: Money | None = None
    at: datetime | None = None


@slot_cached
@frozen
class Payment:
    """Money received from (or returned to) a customer, and where it was applied.

    Attributes:
        entry_key: The bank entry it came from, for idempotent imports.
        allocations: Applications to invoices.
        refunded: Amount paid back to the customer from its credit.
    """

    id: PaymentId
    amount: Money
    received_on: date
    customer_id: CustomerId | None = None
    payer_name: str = ""
    payer_iban: str = ""
    bank_reference: str = ""
    entry_key: str | None = None
    structured_reference: str = ""
    remittance_text: str = ""
    method: str = "transfer"
    status: PaymentState = PaymentState.RECEIVED
    allocations: tuple[Allocation, ...] = field(default=(), converter=as_tuple)
    refunded: Money | None = None
    return_reason: str = ""
    created_at: datetime | None = None
    version: int = 0

    @cached_property
    def allocated(self) -> Money:
        """Cash applied to invoices."""
        return sum_money((a.amount for a in self.allocations), self.amount.currency)

    @cached_property
    def unapplied(self) -> Money:
        """Cash not applied and not refunded: the customer's credit from this payment."""
        refunded = self.refunded if self.refunded is not None else Money.zero(self.amount.currency)
        return self.amount - self.allocated - refunded


@frozen
class Dispute:
    """A customer's objection to an invoice or some of its lines; pauses dunning."""

    id: DisputeId
    invoice_id: InvoiceId
    customer_id: CustomerId
    amount: Money
    reason: str
    line_numbers: tuple[int, ...] = field(default=(), converter=as_tuple)
    status: DisputeState = DisputeState.OPEN
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: str = ""
    credit_note_id: InvoiceId | None = None
    version: int = 0


@frozen
class Mandate:
    """A SEPA direct-debit mandate (EPC SDD Core rulebook).

    Attributes:
        sequence: ``FRST`` until the first collection, then ``RCUR``.
    """

    id: MandateId
    customer_id: CustomerId
    iban: str
    signed_on: date
    bic: str = ""
    sequence: str = "FRST"
    active: bool = True
    version: int = 0
