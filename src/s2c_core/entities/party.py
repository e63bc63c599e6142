"""Customers, leads and products."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from attrs import field, frozen

from s2c_core.entities.common import (
    Address,
    Contact,
    CustomerId,
    LeadId,
    ProductId,
    QuoteId,
    VatCategory,
    as_decimal,
    as_tuple,
)
from s2c_core.errors import ValidationError
from s2c_core.lifecycle.flows import CustomerState, LeadState
from s2c_core.money import Money

__all__ = ["Company", "Customer", "Lead", "Product", "StockLevel"]

_LANGUAGES = ("nl", "fr", "en", "de")


def _check_language(instance: object, attribute: object, value: str) -> None:
    if value not in _LANGUAGES:
        raise ValidationError(
            f"language must be one of {_LANGUAGES}, got {value!r}", field="language", value=value
        )


def _non_empty(instance: object, attribute: object, value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        name = getattr(attribute, "name", "value")
        raise ValidationError(f"{name} must be a non-empty string", field=name, value=value)


@frozen
class Customer:
    """A customer account: who buys, how they pay, how they are reached.

    Attributes:
        segment: Segment name used by policies (credit rules, dunning plans, KPIs).
        language: Document and message language (``nl``, ``fr``, ``en``, ``de``).
        credit_limit: Maximum exposure, or None for "decided by rules only".
        payment_term: Code of the customer's default payment term (``"net30"`` ...).
        dunning_plan: Code of the dunning plan, or None for the segment's default.
        electronic_address: Peppol participant id, e.g. ``"0208:0123456789"``.
        channels: Preferred channels in order, e.g. ``("email", "letter")``.
    """

    id: CustomerId
    name: str = field(validator=_non_empty)
    segment: str = "default"
    language: str = field(default="en", validator=_check_language)
    country: str = "BE"
    currency: str = "EUR"
    email: str = ""
    vat_number: str = ""
    enterprise_number: str = ""
    electronic_address: str = ""
    iban: str = ""
    address: Address = Address()
    contacts: tuple[Contact, ...] = field(default=(), converter=as_tuple)
    channels: tuple[str, ...] = field(default=("email",), converter=as_tuple)
    credit_limit: Money | None = None
    payment_term: str = "net30"
    dunning_plan: str | None = None
    is_consumer: bool = False
    status: CustomerState = CustomerState.PROSPECT
    hold_reason: str = ""
    created_at: datetime | None = None
    version: int = 0


@frozen
class Lead:
    """A first contact: a person or company that might buy."""

    id: LeadId
    name: str = field(validator=_non_empty)
    company: str = ""
    email: str = ""
    source: str = ""
    campaign: str = ""
    segment: str = "default"
    language: str = field(default="en", validator=_check_language)
    status: LeadState = LeadState.NEW
    disqualify_reason: str = ""
    customer_id: CustomerId | None = None
    quote_id: QuoteId | None = None
    created_at: datetime | None = None
    version: int = 0


def _non_negative_money(instance: object, attribute: object, value: Any) -> None:
    if value is not None and value.is_negative():
        name = getattr(attribute, "name", "amount")
        raise ValidationError(f"{name} must not be negative, got {value}", field=name, value=value)


@frozen
class Product:
    """Something sold: goods (stocked) or a service.

    Attributes:
        unit_price: List price per unit, excluding VAT.
        cost: Unit cost, for margins.
        vat_rate: VAT percentage, e.g. ``Decimal("21")``.
        unit_code: UN/ECE Rec 20 unit code (``C62`` = piece, ``HUR`` = hour).
    """

    id: ProductId
    name: str = field(validator=_non_empty)
    unit_price: Money = field(validator=_non_negative_money)
    cost: Money | None = field(default=None, validator=_non_negative_money)
    vat_category: VatCategory = VatCategory.STANDARD
    vat_rate: Decimal = field(default=Decimal("21"), converter=as_decimal)
    unit_code: str = "C62"
    stocked: bool = True
    version: int = 0

    def __attrs_post_init__(self) -> None:
        from s2c_core.entities.lines import _check_vat

        _check_vat(self.vat_category, self.vat_rate, f"product {self.id}")


@frozen
class StockLevel:
    """On-hand and reserved quantity of one product at one location."""

    product_id: ProductId
    location: str
    on_hand: Decimal = field(converter=as_decimal)
    reserved: Decimal = field(default=Decimal(0), converter=as_decimal)
    version: int = 0

    @property
    def id(self) -> str:
        """Storage key: ``product@location``."""
        return f"{self.product_id}@{self.location}"

    @property
    def available(self) -> Decimal:
        """On hand minus reserved."""
        return self.on_hand - self.reserved


@frozen
class Company:
    """The selling company: who issues the invoices and receives the money.

    Attributes:
        enterprise_number: National company id (Belgian KBO/BCE, Dutch KvK ...).
        electronic_address: Peppol participant id ``scheme:id``, e.g. ``0208:0123456749``.
        creditor_id: SEPA creditor identifier for direct debits.
    """

    name: str = field(validator=_non_empty)
    vat_number: str = ""
    enterprise_number: str = ""
    electronic_address: str = ""
    iban: str = ""
    bic: str = ""
    creditor_id: str = ""
    email: str = ""
    phone: str = ""
    address: Address = Address()
