"""Reading UBL invoices and credit notes back into entities: our own and the official examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from peppol_support import BUYER, OGM, SELLER, make_invoice, peppol_testdata
from s2c_peppol import parse_invoice, render_invoice

from s2c_core.entities.receivables import DocumentKind
from s2c_core.errors import ParseError
from s2c_core.money import Money

DATA = peppol_testdata()
EXAMPLES = sorted(DATA.glob("examples*/*.xml")) if DATA else []


def test_a_rendered_invoice_reads_back_with_its_references_and_parties() -> None:
    invoice = make_invoice(order_id="ord_42", note="Thank you.")
    parsed = parse_invoice(render_invoice(invoice, BUYER, SELLER, purchase_order="PO-9"))
    got = parsed.invoice
    assert got.lines == invoice.lines
    assert got.totals == invoice.totals
    assert (got.number, got.issue_date, got.due_date) == (
        "2026-000123",
        date(2026, 3, 2),
        date(2026, 4, 1),
    )
    assert got.payment_reference == OGM
    assert got.buyer_reference == "PO-7781"
    assert got.order_id == "ord_42"
    assert got.note == "Thank you."
    assert parsed.purchase_order == "PO-9"
    assert parsed.payment_means_code == "58"
    assert parsed.notes == ()
    assert parsed.buyer.vat_number == "BE0403019261"
    assert parsed.buyer.enterprise_number == "0403019261"
    assert parsed.buyer.electronic_address == "0208:0403019261"
    assert parsed.buyer.email == "boekhouding@hetanker.be"
    assert parsed.seller.electronic_address == "0208:0123456749"
    assert parsed.seller.iban == "BE71096123456769"
    assert parsed.seller.phone == SELLER.phone


def test_a_rendered_credit_note_reads_back_with_its_billing_reference() -> None:
    original = make_invoice()
    credit = make_invoice(kind=DocumentKind.CREDIT_NOTE, number="CN-1")
    parsed = parse_invoice(render_invoice(credit, BUYER, SELLER, credited_invoice=original))
    assert parsed.invoice.kind is DocumentKind.CREDIT_NOTE
    assert parsed.credited_invoice_number == "2026-000123"
    assert parsed.credited_invoice_date == date(2026, 3, 2)


@pytest.mark.skipif(not EXAMPLES, reason="shared/testdata/peppol not found (set S2C_SHARED)")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_official_examples_parse_and_keep_their_amounts(path: Path) -> None:
    parsed = parse_invoice(path.read_bytes(), source=path.name)
    stated = parsed.stated_totals
    totals = parsed.invoice.totals
    sign = -1 if stated.tax_exclusive.is_negative() else 1
    assert totals.tax_exclusive.amount * sign == stated.tax_exclusive.amount
    assert totals.tax_total.amount * sign == stated.tax_total.amount
    assert totals.tax_inclusive.amount * sign == stated.tax_inclusive.amount
    paid = parsed.invoice.paid.amount if parsed.invoice.paid else Decimal(0)
    rounding = parsed.rounding.amount if parsed.rounding else Decimal(0)
    assert (totals.tax_inclusive.amount - paid) * sign + rounding == stated.payable.amount
    assert parsed.invoice.number
    assert parsed.buyer.name
    assert parsed.seller.name


@pytest.mark.skipif(not EXAMPLES, reason="shared/testdata/peppol not found (set S2C_SHARED)")
def test_what_the_entities_cannot_hold_is_reported_not_lost() -> None:
    assert DATA is not None
    parsed = parse_invoice((DATA / "examples" / "base-example.xml").read_bytes())
    assert any("-3 DAY" in note for note in parsed.notes)
    assert parsed.invoice.allowances[-1].amount == Money("1500", "EUR")
    negative = parse_invoice((DATA / "examples" / "base-negative-inv-correction.xml").read_bytes())
    assert negative.invoice.kind is DocumentKind.CREDIT_NOTE
    assert any("negative total" in note for note in negative.notes)


DOCTYPE = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&xxe;</Invoice>"""
LAUGHS = b"""<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol2;</Invoice>"""


@pytest.mark.parametrize(
    "xml",
    [
        DOCTYPE,
        LAUGHS,
        b"<!-- c --><?pi x?>\n<!DOCTYPE x><Invoice/>",
        b"<Invoice>&undeclared;</Invoice>",
        b"<Order xmlns='urn:oasis:names:specification:ubl:schema:xsd:Order-2'/>",
        b"not xml",
    ],
    ids=["xxe", "billion-laughs", "doctype-after-comment", "undeclared-entity", "order", "text"],
)
def test_dangerous_or_foreign_xml_is_refused(xml: bytes) -> None:
    with pytest.raises(ParseError):
        parse_invoice(xml)


def test_bad_values_are_refused_naming_the_element() -> None:
    xml = render_invoice(make_invoice(), BUYER, SELLER)
    with pytest.raises(ParseError, match="IssueDate"):
        parse_invoice(xml.replace(b"<cbc:IssueDate>2026-03-02", b"<cbc:IssueDate>02/03/2026"))
    with pytest.raises(ParseError, match="VAT category"):
        parse_invoice(xml.replace(b"<cbc:ID>S</cbc:ID>", b"<cbc:ID>L</cbc:ID>"))
    with pytest.raises(ParseError, match="PayableAmount"):
        parse_invoice(
            xml.replace(b'PayableAmount currencyID="EUR">', b'PayableAmount currencyID="EUR">1.234')
        )
