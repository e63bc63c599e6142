"""Typed ids and small values shared by the entities."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any, NewType

from attrs import frozen

from s2c_core.errors import ValidationError
from s2c_core.money import to_decimal

__all__ = [
    "Address",
    "Contact",
    "CustomerId",
    "DisputeId",
    "InvoiceId",
    "LeadId",
    "MandateId",
    "OrderId",
    "PaymentId",
    "ProductId",
    "QuoteId",
    "ShipmentId",
    "VatCategory",
    "as_decimal",
    "as_tuple",
    "new_id",
    "positive_quantity",
]

CustomerId = NewType("CustomerId", str)
LeadId = NewType("LeadId", str)
ProductId = NewType("ProductId", str)
QuoteId = NewType("QuoteId", str)
OrderId = NewType("OrderId", str)
ShipmentId = NewType("ShipmentId", str)
InvoiceId = NewType("InvoiceId", str)
PaymentId = NewType("PaymentId", str)
DisputeId = NewType("DisputeId", str)
MandateId = NewType("MandateId", str)


def new_id(prefix: str) -> str:
    """A new random id with a readable prefix, e.g. ``inv_3f2a...`` (uuid4, 128 bits)."""
    return f"{prefix}_{uuid.uuid4().hex}"


def as_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    """attrs converter: any iterable to a tuple (lossless)."""
    return tuple(value)


def as_decimal(value: Decimal | int | str) -> Decimal:
    """attrs converter: an exact Decimal; floats refused (see ``money.to_decimal``)."""
    return to_decimal(value, field_name="value")


def positive_quantity(instance: object, attribute: Any, value: Decimal) -> None:
    """attrs validator: a quantity must be above zero."""
    if value <= 0:
        raise ValidationError(
            f"{attribute.name} must be above zero, got {value}", field=attribute.name, value=value
        )


class VatCategory(StrEnum):
    """VAT category codes (UNCL5305 subset used by EN 16931, BT-151 / BT-118)."""

    STANDARD = "S"
    ZERO = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_EU = "K"
    EXPORT = "G"
    OUTSIDE_SCOPE = "O"


@frozen
class Address:
    """A postal address (EN 16931 BG-5 / BG-8 shape)."""

    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = "BE"
    additional: str = ""


@frozen
class Contact:
    """A person or mailbox at a customer, with the channel it is reached on."""

    name: str
    email: str = ""
    phone: str = ""
    role: str = ""
