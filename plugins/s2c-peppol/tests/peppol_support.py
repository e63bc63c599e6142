"""Shared builders and the official-rules validator for the s2c-peppol tests.

The validator lives in the shared folder beside the repository (``<repo>/../shared`` or the
``S2C_SHARED`` environment variable): ``tools/peppol_validate.py`` runs the UBL 2.1 XSD, the
CEN EN 16931 Schematron and the Peppol BIS Billing 3.0.21 Schematron. It is never copied into
the project; tests skip with a reason when it is absent.
"""

from __future__ import annotations

import functools
import os
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from s2c_core.entities import Address, Company, Customer, Invoice, Line
from s2c_core.entities.common import CustomerId, InvoiceId, ProductId, VatCategory
from s2c_core.entities.lines import AllowanceCharge
from s2c_core.entities.receivables import DocumentKind
from s2c_core.lifecycle.flows import InvoiceState
from s2c_core.money import Money

REPO = Path(__file__).resolve().parents[3]
OGM = "+++090/9337/55493+++"


def shared_dir() -> Path | None:
    """The shared folder (test data and tools), or None when this checkout has none."""
    env = os.environ.get("S2C_SHARED")
    candidate = Path(env) if env else REPO.parent / "shared"
    return candidate if (candidate / "tools" / "peppol_validate.py").exists() else None


def peppol_testdata() -> Path | None:
    """``shared/testdata/peppol``, or None."""
    shared = shared_dir()
    return None if shared is None else shared / "testdata" / "peppol"


@functools.cache
def validator_or_reason() -> tuple[Any, str]:
    """(Validator, "") compiled once per process, or (None, why it is unavailable)."""
    shared = shared_dir()
    if shared is None:
        return None, "shared/tools/peppol_validate.py not found (set S2C_SHARED)"
    tools = str(shared / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    try:
        from peppol_validate import Validator
    except ImportError as exc:  # saxonche or lxml missing
        return None, f"the official-rules validator cannot load: {exc}"
    return Validator(), ""


SELLER = Company(
    name="Brouwerij De Kroon BV",
    vat_number="BE0123456749",
    enterprise_number="0123.456.749",
    iban="BE71 0961 2345 6769",
    bic="GKCCBEBB",
    email="finance@dekroon.be",
    phone="+32 2 555 01 23",
    address=Address("Kerkstraat 12", "Leuven", "3000", "BE"),
)

BUYER = Customer(
    id=CustomerId("cus_horeca_1"),
    name="Café Het Anker NV",
    language="nl",
    vat_number="BE0403019261",
    enterprise_number="0403.019.261",
    email="boekhouding@hetanker.be",
    address=Address("Meir 2", "Antwerpen", "2000", "BE"),
)

NL_BUYER = Customer(
    id=CustomerId("cus_nl_1"),
    name="Groothandel Zuid BV",
    country="NL",
    vat_number="NL123456789B01",
    electronic_address="0106:12345678",
    enterprise_number="12345678",
    address=Address("Markt 5", "Eindhoven", "5611 AB", "NL"),
)


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def make_invoice(
    lines: list[Line] | None = None,
    *,
    currency: str = "EUR",
    kind: DocumentKind = DocumentKind.INVOICE,
    number: str = "2026-000123",
    allowances: tuple[AllowanceCharge, ...] = (),
    **extra: Any,
) -> Invoice:
    """An issued invoice with sensible defaults."""
    if lines is None:
        lines = [
            Line(ProductId("keg-50"), "Pils keg 50 l", 3, eur("129.99"), discount_percent=10),
            Line(ProductId("glass"), "Tasting glasses", Decimal("24"), eur("2.35")),
            Line(ProductId("book"), "Brewing handbook", 1, eur("34.50"), vat_rate=6),
        ]
    values: dict[str, Any] = {
        "id": InvoiceId(f"inv_{number}"),
        "customer_id": BUYER.id,
        "currency": currency,
        "lines": lines,
        "kind": kind,
        "status": InvoiceState.ISSUED,
        "number": number,
        "issue_date": date(2026, 3, 2),
        "due_date": date(2026, 4, 1),
        "payment_reference": OGM,
        "buyer_reference": "PO-7781",
        "allowances": allowances,
    }
    values.update(extra)
    return Invoice(**values)


def line(category: VatCategory, rate: str, reason: str = "", **kw: Any) -> Line:
    """A simple line of *category* at *rate*."""
    values: dict[str, Any] = {
        "product_id": ProductId("svc"),
        "description": "Consulting",
        "quantity": Decimal(2),
        "unit_price": eur("150.00"),
        "vat_category": category,
        "vat_rate": Decimal(rate),
        "exemption_reason": reason,
    }
    values.update(kw)
    return Line(**values)
