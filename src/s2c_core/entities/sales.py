"""Quotes, orders, shipments and credit decisions: the sales half of the chain."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cached_property

from attrs import field, frozen

from s2c_core.entities.common import (
    CustomerId,
    OrderId,
    ProductId,
    QuoteId,
    ShipmentId,
    as_decimal,
    as_tuple,
    positive_quantity,
    slot_cached,
)
from s2c_core.entities.lines import (
    AllowanceCharge,
    DocumentTotals,
    Line,
    document_totals,
    remembered_totals,
)
from s2c_core.errors import ValidationError
from s2c_core.lifecycle.flows import OrderState, QuoteState, ShipmentState
from s2c_core.money import Money

__all__ = [
    "Approval",
    "CreditDecision",
    "CreditOutcome",
    "Order",
    "OrderLine",
    "Quote",
    "Shipment",
    "ShipmentLine",
]


def _lines_nonempty(instance: object, attribute: object, value: tuple[object, ...]) -> None:
    if not value:
        raise ValidationError("a document needs at least one line", field="lines", value=value)


def _one_currency(lines: tuple[Line, ...], currency: str) -> None:
    for index, line in enumerate(lines):
        if line.unit_price.currency.code != currency:
            raise ValidationError(
                f"line {index + 1} is in {line.unit_price.currency.code}, the document in "
                f"{currency}",
                field="currency",
                value=line.unit_price.currency.code,
                line=index,
            )


@frozen
class Approval:
    """A recorded approval: who allowed what, and why."""

    by: str
    reason: str
    at: datetime


@slot_cached
@frozen
class Quote:
    """An offer to a customer, valid until a date; revisions supersede it.

    Attributes:
        revision: 1 for the first version; a revision gets ``revision + 1``.
        supersedes: The quote this one replaced, if any.
        valid_until: Last day the customer can accept; set when the quote is sent.
        bounds_violations: Why the quote is outside preset bounds (needs approval to send).
    """

    id: QuoteId
    customer_id: CustomerId
    currency: str
    lines: tuple[Line, ...] = field(converter=as_tuple, validator=_lines_nonempty)
    status: QuoteState = QuoteState.DRAFT
    revision: int = 1
    supersedes: QuoteId | None = None
    superseded_by: QuoteId | None = None
    valid_days: int = 30
    valid_until: date | None = None
    payment_term: str = "net30"
    salesperson: str = ""
    lead_id: str | None = None
    allowances: tuple[AllowanceCharge, ...] = field(default=(), converter=as_tuple)
    bounds_violations: tuple[str, ...] = field(default=(), converter=as_tuple)
    approval: Approval | None = None
    created_at: datetime | None = None
    sent_at: datetime | None = None
    decided_at: datetime | None = None
    decline_reason: str = ""
    order_id: OrderId | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        _one_currency(self.lines, self.currency)

    @cached_property
    def totals(self) -> DocumentTotals:
        """EN 16931 totals of the quote."""
        return remembered_totals(self.lines, self.currency, self.allowances)


@frozen
class OrderLine(Line):
    """An order line, with how much was reserved, shipped and back-ordered."""

    reserved_quantity: Decimal = field(default=Decimal(0), converter=as_decimal)
    shipped_quantity: Decimal = field(default=Decimal(0), converter=as_decimal)
    invoiced_quantity: Decimal = field(default=Decimal(0), converter=as_decimal)
    backordered_quantity: Decimal = field(default=Decimal(0), converter=as_decimal)

    @property
    def open_quantity(self) -> Decimal:
        """Ordered but not yet shipped."""
        return self.quantity - self.shipped_quantity

    @classmethod
    def of(cls, line: Line) -> OrderLine:
        """The order line for a quote's (or a request's) *line*: nothing reserved or shipped yet.

        Examples:
            >>> from s2c_core.money import Money
            >>> OrderLine.of(Line(ProductId("p"), "Widget", 2, Money("5.00", "EUR"))).quantity
            Decimal('2')
        """
        return cls(
            product_id=line.product_id,
            description=line.description,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_category=line.vat_category,
            vat_rate=line.vat_rate,
            exemption_reason=line.exemption_reason,
            unit_code=line.unit_code,
            cost=line.cost,
        )


class CreditOutcome(StrEnum):
    """What a credit decision says."""

    APPROVED = "approved"
    REVIEW = "review"
    DENIED = "denied"
    HELD = "held"


@frozen
class CreditDecision:
    """A recorded credit decision for an order, with its reasons (and override, if any)."""

    id: str
    customer_id: CustomerId
    order_id: OrderId
    outcome: CreditOutcome
    reasons: tuple[str, ...] = field(converter=as_tuple)
    exposure: Money
    decided_at: datetime
    decided_by: str = "rules"
    override_reason: str = ""
    version: int = 0


@slot_cached
@frozen
class Order:
    """A customer's confirmed intent to buy. Every change returns a new Order."""

    id: OrderId
    customer_id: CustomerId
    currency: str
    lines: tuple[OrderLine, ...] = field(converter=as_tuple, validator=_lines_nonempty)
    status: OrderState = OrderState.DRAFT
    quote_id: QuoteId | None = None
    payment_term: str = "net30"
    salesperson: str = ""
    location: str = "main"
    allowances: tuple[AllowanceCharge, ...] = field(default=(), converter=as_tuple)
    credit_decision_id: str | None = None
    hold_reason: str = ""
    created_at: datetime | None = None
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None
    version: int = 0

    def __attrs_post_init__(self) -> None:
        _one_currency(self.lines, self.currency)

    @cached_property
    def totals(self) -> DocumentTotals:
        """EN 16931 totals of the whole order."""
        return remembered_totals(self.lines, self.currency, self.allowances)

    @property
    def uninvoiced_total(self) -> Money:
        """Gross (VAT included) value of what is ordered but not invoiced yet."""
        remaining = [
            Line(
                ln.product_id,
                ln.description,
                ln.quantity - ln.invoiced_quantity,
                ln.unit_price,
                ln.discount_percent,
                ln.vat_category,
                ln.vat_rate,
            )
            for ln in self.lines
            if ln.quantity > ln.invoiced_quantity
        ]
        if not remaining:
            return Money.zero(self.currency)
        return document_totals(remaining, self.currency).tax_inclusive


@frozen
class ShipmentLine:
    """Quantity of one order line on a shipment."""

    line_no: int
    product_id: ProductId
    quantity: Decimal = field(converter=as_decimal, validator=positive_quantity)


@frozen
class Shipment:
    """Goods leaving a location for a customer; partial deliveries are separate shipments."""

    id: ShipmentId
    order_id: OrderId
    customer_id: CustomerId
    lines: tuple[ShipmentLine, ...] = field(converter=as_tuple, validator=_lines_nonempty)
    status: ShipmentState = ShipmentState.PLANNED
    location: str = "main"
    carrier: str = ""
    tracking: str = ""
    created_at: datetime | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    promised_date: date | None = None
    error: str = ""
    version: int = 0
