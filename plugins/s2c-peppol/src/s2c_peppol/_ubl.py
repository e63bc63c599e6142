"""UBL 2.1 names shared by the writer and the reader (OASIS UBL 2.1, Peppol BIS Billing 3.0)."""

from __future__ import annotations

from decimal import Decimal
from typing import Final

__all__ = [
    "CAC",
    "CBC",
    "CREDIT_NOTE_NS",
    "CUSTOMIZATION_ID",
    "INVOICE_NS",
    "PROFILE_ID",
    "fmt_decimal",
]

CAC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC: Final = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
INVOICE_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS: Final = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

#: Specification identifier (BT-24) of Peppol BIS Billing 3.0 (rule PEPPOL-EN16931-R004).
CUSTOMIZATION_ID: Final = (
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
)
#: Business process (BT-23) "billing" of Peppol BIS Billing 3.0 (rules R001 and R007).
PROFILE_ID: Final = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"


def fmt_decimal(value: Decimal) -> str:
    """A decimal in plain notation without trailing zeros: ``21``, ``5.5``, ``0.125``.

    Example:
        >>> fmt_decimal(Decimal("2.10E+1")), fmt_decimal(Decimal("1.500"))
        ('21', '1.5')
    """
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text
