"""Benchmark: documents per second (target: 100 Peppol UBL invoices rendered per second).

Workloads, each on the same four-line Belgian invoice (two VAT rates, a line discount and a
document allowance):

* ``ubl_renders_per_s``: ``s2c_peppol.render_invoice`` (UBL 2.1, Peppol BIS Billing 3.0);
* ``ubl_parses_per_s``: ``s2c_peppol.parse_invoice`` of that UBL back into entities;
* ``pdf_renders_per_s``: ``s2c_pdf.render_pdf`` (Jinja2 + WeasyPrint, EPC QR), reported
  separately: layout and font subsetting make PDF two to three orders slower than UBL;
* ``validation_ms_per_doc`` / ``validator_compile_s``: the shared official-rules validator
  (UBL XSD + EN 16931 + Peppol Schematron via Saxon), when ``../shared`` is present.

Rates are the best of a few runs measured with CPU time of this process (neighbours on a shared
machine disturb it far less than wall-clock time).

Usage: ``python benchmarks/bench_documents.py [--quick]`` (or through ``benchmarks/run.py``).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from s2c_core import Address, Company, Customer, Invoice, Line, Money
from s2c_core.entities.common import CustomerId, InvoiceId, ProductId
from s2c_core.entities.lines import AllowanceCharge
from s2c_core.lifecycle.flows import InvoiceState

TARGET_UBL_RENDERS_PER_SECOND = 100.0

SELLER = Company(
    name="Brouwerij De Kroon BV",
    vat_number="BE0123456749",
    enterprise_number="0123.456.749",
    iban="BE71096123456769",
    bic="GKCCBEBB",
    email="finance@dekroon.be",
    address=Address("Kerkstraat 12", "Leuven", "3000", "BE"),
)
CUSTOMER = Customer(
    id=CustomerId("C-1"),
    name="Café Het Anker NV",
    language="nl",
    vat_number="BE0403019261",
    address=Address("Meir 2", "Antwerpen", "2000", "BE"),
)


def _invoice(n: int) -> Invoice:
    eur = "EUR"
    return Invoice(
        id=InvoiceId(f"inv_{n}"),
        customer_id=CUSTOMER.id,
        currency=eur,
        lines=[
            Line(ProductId("KEG"), "Pils keg 50 l", 3, Money("129.99", eur), discount_percent=10),
            Line(ProductId("GLS"), "Tasting glasses", 4, Money("14.50", eur)),
            Line(ProductId("BOOK"), "Brewing handbook", 1, Money("34.50", eur), vat_rate=6),
            Line(ProductId("TAP"), "Tap installation", Decimal("2.5"), Money("65.00", eur)),
        ],
        allowances=[AllowanceCharge(Money("10.00", eur), "Loyalty discount")],
        status=InvoiceState.ISSUED,
        number=f"2026-{n:06d}",
        issue_date=date(2026, 3, 2),
        due_date=date(2026, 4, 1),
        payment_reference="+++090/9337/55493+++",
        buyer_reference="PO-7781",
    )


def _best_rate(work: Callable[[], int], repeats: int) -> float:
    """Operations per CPU second of the fastest of *repeats* runs of *work*."""
    best = 0.0
    for _ in range(repeats):
        t0 = time.process_time()
        count = work()
        elapsed = max(time.process_time() - t0, 1e-9)
        best = max(best, count / elapsed)
    return best


def _validator() -> Any:
    env = os.environ.get("S2C_SHARED")
    shared = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    tools = shared / "tools"
    if not (tools / "peppol_validate.py").exists():
        return None
    sys.path.insert(0, str(tools))
    try:
        from peppol_validate import Validator
    except ImportError:
        return None
    return Validator()


def run(quick: bool = False) -> dict[str, float]:
    """Measure and return the rates (see the module docstring for each key)."""
    from s2c_pdf import render_pdf
    from s2c_peppol import parse_invoice, render_invoice

    n_ubl = 200 if quick else 2000
    n_pdf = 2 if quick else 8
    invoices = [_invoice(i) for i in range(n_ubl)]
    render_invoice(invoices[0], CUSTOMER, SELLER)  # warm-up (imports, caches)

    def ubl() -> int:
        for invoice in invoices:
            render_invoice(invoice, CUSTOMER, SELLER)
        return len(invoices)

    xml = render_invoice(invoices[0], CUSTOMER, SELLER)

    def parse() -> int:
        for _ in range(n_ubl):
            parse_invoice(xml)
        return n_ubl

    render_pdf("invoice", invoice=invoices[0], customer=CUSTOMER, seller=SELLER)  # warm-up

    def pdf() -> int:
        for invoice in invoices[:n_pdf]:
            render_pdf("invoice", invoice=invoice, customer=CUSTOMER, seller=SELLER)
        return n_pdf

    results: dict[str, float] = {
        "ubl_renders_per_s": round(_best_rate(ubl, 3), 1),
        "ubl_target_renders_per_s": TARGET_UBL_RENDERS_PER_SECOND,
        "ubl_parses_per_s": round(_best_rate(parse, 3), 1),
        "pdf_renders_per_s": round(_best_rate(pdf, 1 if quick else 2), 2),
    }
    results["ubl_vs_target"] = round(
        results["ubl_renders_per_s"] / TARGET_UBL_RENDERS_PER_SECOND, 1
    )
    t0 = time.perf_counter()
    validator = _validator()
    if validator is not None:
        results["validator_compile_s"] = round(time.perf_counter() - t0, 2)
        validator.validate(xml)  # Saxon warm-up
        docs = [render_invoice(inv, CUSTOMER, SELLER) for inv in invoices[: 20 if quick else 100]]
        t0 = time.perf_counter()
        fatal = sum(len(validator.validate(doc)["fatal"]) for doc in docs)
        results["validation_ms_per_doc"] = round((time.perf_counter() - t0) * 1000 / len(docs), 2)
        results["validation_fatal_findings"] = float(fatal)
    return results


if __name__ == "__main__":
    for key, value in run(quick="--quick" in sys.argv).items():
        print(f"{key}: {value}")
