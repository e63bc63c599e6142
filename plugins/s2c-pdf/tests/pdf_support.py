"""Shared builders and PDF inspection helpers for the s2c-pdf tests."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from s2c_core.entities import Address, Company, Customer, Invoice, Line
from s2c_core.entities.common import CustomerId, InvoiceId, PaymentId, ProductId
from s2c_core.entities.lines import AllowanceCharge
from s2c_core.entities.receivables import DocumentKind, Payment
from s2c_core.lifecycle.flows import InvoiceState
from s2c_core.money import Money

OGM = "+++090/9337/55493+++"

SELLER = Company(
    name="Brouwerij De Kroon BV",
    vat_number="BE0123456749",
    enterprise_number="0123.456.749",
    iban="BE71 0961 2345 6769",
    bic="GKCCBEBB",
    email="finance@dekroon.be",
    phone="+32 16 55 01 23",
    address=Address("Kerkstraat 12", "Leuven", "3000", "BE"),
)


def customer(language: str = "nl") -> Customer:
    return Customer(
        id=CustomerId("C-10042"),
        name="Café Het Anker NV" if language != "fr" else "Brasserie L'Ancre SA",
        language=language,
        vat_number="BE0403019261",
        address=Address("Meir 2", "Antwerpen", "2000", "BE")
        if language != "fr"
        else Address("Rue Haute 17", "Bruxelles", "1000", "BE"),
    )


def eur(amount: str) -> Money:
    return Money(amount, "EUR")


def make_invoice(
    *, kind: DocumentKind = DocumentKind.INVOICE, number: str = "2026-000123", **extra: Any
) -> Invoice:
    values: dict[str, Any] = {
        "id": InvoiceId(f"inv_{number}"),
        "customer_id": CustomerId("C-10042"),
        "currency": "EUR",
        "lines": [
            Line(ProductId("KEG-50"), "Pils keg 50 l", 3, eur("129.99"), discount_percent=10),
            Line(ProductId("GLS-6"), "Tasting glasses (box of 6)", 4, eur("14.50")),
            Line(ProductId("BOOK-1"), "Brewing handbook", 1, eur("34.50"), vat_rate=6),
            Line(
                ProductId("SVC-TAP"),
                "Tap installation (hours)",
                Decimal("2.5"),
                eur("65.00"),
                unit_code="HUR",
            ),
        ],
        "kind": kind,
        "status": InvoiceState.ISSUED,
        "number": number,
        "issue_date": date(2026, 3, 2),
        "due_date": date(2026, 4, 1),
        "payment_reference": OGM,
        "buyer_reference": "PO-7781",
        "allowances": (AllowanceCharge(eur("10.00"), "Loyalty discount"),),
    }
    values.update(extra)
    return Invoice(**values)


def overdue_invoices() -> list[Invoice]:
    first = make_invoice(
        number="2026-000101",
        issue_date=date(2026, 1, 5),
        due_date=date(2026, 2, 4),
        payment_reference="+++000/0000/10197+++",
    )
    second = make_invoice(
        number="2026-000117",
        issue_date=date(2026, 1, 20),
        due_date=date(2026, 2, 19),
        paid=eur("200.00"),
        status=InvoiceState.PARTIALLY_PAID,
    )
    return [first, second]


def unapplied_payment() -> Payment:
    return Payment(
        id=PaymentId("pay_1"),
        amount=eur("50.00"),
        received_on=date(2026, 2, 25),
        customer_id=CustomerId("C-10042"),
        bank_reference="BANK-REF-0091",
        created_at=datetime(2026, 2, 25, tzinfo=UTC),
    )


def pdf_text(pdf: bytes) -> str:
    """All text of *pdf*, whitespace collapsed (pypdf)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def page_image(pdf: bytes, *, page: int = 0, dpi: int = 200) -> Any:
    """Page *page* as a PIL image: pdftoppm when installed, else pypdfium2; None if neither."""
    if shutil.which("pdftoppm"):
        from PIL import Image

        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "doc.pdf"
            src.write_bytes(pdf)
            subprocess.run(
                [
                    "pdftoppm",
                    "-r",
                    str(dpi),
                    "-f",
                    str(page + 1),
                    "-l",
                    str(page + 1),
                    "-png",
                    "-singlefile",
                    str(src),
                    str(Path(tmp) / "page"),
                ],
                check=True,
            )
            with Image.open(Path(tmp) / "page.png") as image:
                return image.convert("RGB")
    try:
        import pypdfium2
    except ImportError:
        return None
    document = pypdfium2.PdfDocument(pdf)
    return document[page].render(scale=dpi / 72).to_pil().convert("RGB")
