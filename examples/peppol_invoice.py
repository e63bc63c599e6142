"""Peppol invoice: one issued invoice written as Peppol BIS Billing 3.0 UBL and as a PDF.

Run: ``python examples/peppol_invoice.py [--out FOLDER]`` (default: a new temporary folder).
Needs the ``s2c-peppol`` and ``s2c-pdf`` plugins. When the shared official-rules validator is
present (``<repo>/../shared`` or ``$S2C_SHARED``, with ``lxml`` and ``saxonche`` installed), the
UBL is checked against the UBL 2.1 XSD, the EN 16931 rules and the Peppol BIS 3.0 rules.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from s2c_pdf import render_pdf
from s2c_peppol import parse_invoice, render_invoice

from s2c_core import Address, Company, Customer, Invoice, Line, Money
from s2c_core.entities.common import CustomerId, InvoiceId, ProductId
from s2c_core.entities.lines import AllowanceCharge
from s2c_core.lifecycle.flows import InvoiceState

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
CUSTOMER = Customer(
    id=CustomerId("C-10042"),
    name="Café Het Anker NV",
    language="nl",
    vat_number="BE0403019261",
    electronic_address="0208:0403019261",
    address=Address("Meir 2", "Antwerpen", "2000", "BE"),
)


def build_invoice() -> Invoice:
    """An issued invoice: three lines at 21 % and 6 %, a line discount, a document discount."""
    eur = "EUR"
    return Invoice(
        id=InvoiceId("inv_2026_000123"),
        customer_id=CUSTOMER.id,
        currency=eur,
        lines=[
            Line(
                ProductId("KEG-50"), "Pils keg 50 l", 3, Money("129.99", eur), discount_percent=10
            ),
            Line(ProductId("GLS-6"), "Tasting glasses (box of 6)", 4, Money("14.50", eur)),
            Line(ProductId("BOOK-1"), "Brewing handbook", 1, Money("34.50", eur), vat_rate=6),
            Line(
                ProductId("SVC-TAP"),
                "Tap installation",
                Decimal("2.5"),
                Money("65.00", eur),
                unit_code="HUR",
            ),
        ],
        allowances=[AllowanceCharge(Money("10.00", eur), "Loyalty discount")],
        status=InvoiceState.ISSUED,
        number="2026-000123",
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        payment_reference="+++090/9337/55493+++",
        buyer_reference="PO-7781",
    )


def shared_validator() -> tuple[Any, str]:
    """The shared official-rules validator, or (None, why not)."""
    env = os.environ.get("S2C_SHARED")
    shared = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    tools = shared / "tools"
    if not (tools / "peppol_validate.py").exists():
        return None, f"no validator at {tools} (set S2C_SHARED)"
    sys.path.insert(0, str(tools))
    try:
        from peppol_validate import Validator
    except ImportError as exc:
        return None, f"validator cannot load ({exc}); pip install lxml saxonche"
    return Validator(), ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="output folder")
    args = parser.parse_args(argv)
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="s2c-peppol-"))
    out.mkdir(parents=True, exist_ok=True)

    invoice = build_invoice()
    xml = render_invoice(invoice, CUSTOMER, SELLER)
    (out / f"{invoice.number}.xml").write_bytes(xml)
    pdf = render_pdf("invoice", invoice=invoice, customer=CUSTOMER, seller=SELLER)
    (out / f"{invoice.number}.pdf").write_bytes(pdf)
    print(f"UBL: {out / f'{invoice.number}.xml'} ({len(xml)} bytes)")
    print(f"PDF: {out / f'{invoice.number}.pdf'} ({len(pdf)} bytes)")
    print(f"amount due: {invoice.totals.payable}, VAT {invoice.totals.tax_total}")

    parsed = parse_invoice(xml)
    assert parsed.invoice.totals == invoice.totals, "round trip changed the totals"
    print("round trip: the parsed invoice has the same lines and totals")

    validator, reason = shared_validator()
    if validator is None:
        print(f"validation skipped: {reason}")
        return 0
    result = validator.validate(xml)
    ok = not result["xsd"] and not result["fatal"]
    print(
        f"validation (UBL 2.1 XSD, EN 16931, Peppol BIS 3.0): {'passed' if ok else 'FAILED'}; "
        f"xsd errors {len(result['xsd'])}, fatal {result['fatal']}, warnings {result['warning']}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
