"""Read UBL 2.1 invoices and credit notes (Peppol BIS Billing 3.0, EN 16931) into entities.

What the entities model is read exactly: number, dates, currency, parties, lines (quantity,
net unit price, line discount, VAT category and rate), document allowances and charges, VAT
exemption reasons, payment reference and account, references. What they do not model is
tolerated and reported in [ParsedInvoice.notes][s2c_peppol.parse.ParsedInvoice]:

* a line the [Line][s2c_core.entities.lines.Line] shape cannot hold exactly (negative or zero
  quantity, line charges, a unit price finer than the currency's minor unit, an allowance that
  is not a percentage of the line) keeps its net amount (BT-131): as one unit at that price,
  or, when negative, as a document allowance in the same VAT category, so every VAT category
  total and the amount due stay equal to the document's;
* the prepaid amount (BT-113) becomes ``invoice.paid``; the VAT total in accounting currency
  (BT-111) and the rounding amount (BT-114) are reported only.

The totals stated in the document are kept in ``ParsedInvoice.stated_totals``.

Security: a document type declaration (DTD) is refused before parsing, so no entity is ever
declared or expanded (XXE, "billion laughs"); the parser also runs with
``resolve_entities=False`` and ``no_network=True``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final, TypeVar

from attrs import field, frozen
from lxml import etree

from s2c_core.entities.common import (
    Address,
    Contact,
    CustomerId,
    InvoiceId,
    OrderId,
    ProductId,
    VatCategory,
    as_tuple,
)
from s2c_core.entities.lines import AllowanceCharge, DocumentTotals, Line, VatSubtotal
from s2c_core.entities.party import Company, Customer
from s2c_core.entities.receivables import DocumentKind, Invoice
from s2c_core.errors import ParseError, S2CError
from s2c_core.lifecycle.flows import InvoiceState
from s2c_core.money import Currency, Money, get_currency
from s2c_peppol._ubl import CAC, CBC, CREDIT_NOTE_NS, INVOICE_NS

__all__ = ["ParsedInvoice", "parse_invoice"]

_NS: Final = {"cac": CAC, "cbc": CBC}
_CREDIT_NOTE_CODES: Final = frozenset({"381", "396", "81", "83", "532"})
_REGISTER_SCHEMES: Final = frozenset({"0208", "0106"})
_PROLOG_MARKUP: Final = re.compile(rb"<!(?!--)")
T = TypeVar("T")


@frozen
class ParsedInvoice:
    """An incoming UBL invoice or credit note, as entities.

    Attributes:
        invoice: The document (status ``issued``); ``customer_id`` is ``buyer.id``.
        buyer: The buyer (BG-7) as a customer.
        seller: The seller (BG-4); IBAN and BIC from the payment account (BG-17).
        stated_totals: The totals as the document states them (BG-22, BG-23).
        customization_id: Specification identifier (BT-24).
        profile_id: Business process (BT-23).
        purchase_order: Purchase order reference (BT-13), ``""`` when absent or ``NA``.
        credited_invoice_number: Preceding invoice reference (BT-25).
        credited_invoice_date: Its issue date (BT-26).
        payment_terms_note: Payment terms (BT-20).
        payment_means_code: UNCL4461 payment means code (BT-81).
        delivery_date: Actual delivery date (BT-72).
        rounding: Rounding amount (BT-114), zero when absent.
        notes: What the entities could not hold exactly, and how it was represented.
    """

    invoice: Invoice
    buyer: Customer
    seller: Company
    stated_totals: DocumentTotals
    customization_id: str = ""
    profile_id: str = ""
    purchase_order: str = ""
    credited_invoice_number: str = ""
    credited_invoice_date: date | None = None
    payment_terms_note: str = ""
    payment_means_code: str = ""
    delivery_date: date | None = None
    rounding: Money | None = None
    notes: tuple[str, ...] = field(default=(), converter=as_tuple)


def _refuse_dtd(xml: bytes) -> None:
    """Refuse a DOCTYPE or any ``<!`` declaration before the root element (no entities)."""
    head = xml.lstrip(b"\xef\xbb\xbf \t\r\n")
    pos = 0
    while head.startswith((b"<?", b"<!--"), pos):
        end = head.find(b"?>" if head.startswith(b"<?", pos) else b"-->", pos)
        if end < 0:
            break
        pos = end + 2 if head.startswith(b"<?", pos) else end + 3
        while pos < len(head) and head[pos : pos + 1] in b" \t\r\n":
            pos += 1
    if _PROLOG_MARKUP.match(head, pos):
        raise ParseError("XML with a DTD or entity declarations is refused", field="DOCTYPE")


def _parse_xml(xml: bytes, source: str | None) -> etree._Element:
    _refuse_dtd(xml)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"not well-formed XML: {exc}", source=source) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ParseError("XML with a DTD or entity declarations is refused", source=source)
    return root


class _Reader:
    """Typed access to one document, raising ParseError that names the element."""

    def __init__(self, root: etree._Element, source: str | None) -> None:
        self.root = root
        self.source = source
        self.currency: Currency = get_currency("EUR")
        self.notes: list[str] = []

    def fail(self, message: str, path: str, value: object = None) -> ParseError:
        return ParseError(message, source=self.source, field=path, value=value)

    def text(self, node: etree._Element | None, path: str) -> str:
        if node is None:
            return ""
        found = node.findtext(path, namespaces=_NS)
        return " ".join(found.split()) if found else ""

    def convert(self, node: etree._Element | None, path: str, func: Callable[[str], T]) -> T | None:
        value = self.text(node, path)
        if not value:
            return None
        try:
            return func(value)
        except (ValueError, InvalidOperation, S2CError):
            raise self.fail(f"invalid value {value!r}", path, value) from None

    def date(self, node: etree._Element | None, path: str) -> date | None:
        return self.convert(node, path, date.fromisoformat)

    def decimal(self, node: etree._Element | None, path: str) -> Decimal | None:
        return self.convert(node, path, Decimal)

    def money(self, node: etree._Element | None, path: str) -> Money | None:
        return self.convert(node, path, lambda v: Money(Decimal(v), self.currency))

    def required_money(self, node: etree._Element | None, path: str) -> Money:
        value = self.money(node, path)
        if value is None:
            raise self.fail("missing amount", path)
        return value

    def category(self, node: etree._Element | None, path: str) -> VatCategory:
        code = self.text(node, f"{path}/cbc:ID")
        try:
            return VatCategory(code)
        except ValueError:
            raise self.fail(f"VAT category {code!r} is not supported", path, code) from None

    def rate(self, node: etree._Element | None, path: str) -> Decimal:
        return self.decimal(node, f"{path}/cbc:Percent") or Decimal(0)


def _address(r: _Reader, party: etree._Element | None) -> Address:
    postal = None if party is None else party.find("cac:PostalAddress", _NS)
    return Address(
        street=r.text(postal, "cbc:StreetName"),
        city=r.text(postal, "cbc:CityName"),
        postal_code=r.text(postal, "cbc:PostalZone"),
        country=r.text(postal, "cac:Country/cbc:IdentificationCode") or "",
        additional=r.text(postal, "cbc:AdditionalStreetName"),
    )


def _party_ids(r: _Reader, party: etree._Element | None) -> tuple[str, str, str, str]:
    """(name, electronic address ``scheme:id``, VAT number, register number)."""
    endpoint = None if party is None else party.find("cbc:EndpointID", _NS)
    address = ""
    if endpoint is not None and endpoint.text and endpoint.text.strip():
        address = f"{endpoint.get('schemeID', '')}:{endpoint.text.strip()}"
    vat_number = ""
    if party is not None:
        for scheme in party.iterfind("cac:PartyTaxScheme", _NS):
            if r.text(scheme, "cac:TaxScheme/cbc:ID").upper() == "VAT":
                vat_number = r.text(scheme, "cbc:CompanyID")
                break
    name = r.text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or r.text(
        party, "cac:PartyName/cbc:Name"
    )
    register = r.text(party, "cac:PartyLegalEntity/cbc:CompanyID")
    return name, address, vat_number, register


def _buyer(r: _Reader, customer_id: str | None) -> Customer:
    party = r.root.find("cac:AccountingCustomerParty/cac:Party", _NS)
    if party is None:
        raise r.fail("missing buyer", "cac:AccountingCustomerParty")
    name, address, vat_number, register = _party_ids(r, party)
    postal = _address(r, party)
    contact = party.find("cac:Contact", _NS)
    contacts: tuple[Contact, ...] = ()
    email = r.text(contact, "cbc:ElectronicMail")
    if contact is not None and (r.text(contact, "cbc:Name") or email):
        contacts = (
            Contact(
                name=r.text(contact, "cbc:Name") or name,
                email=email,
                phone=r.text(contact, "cbc:Telephone"),
            ),
        )
    ident = customer_id or "peppol:" + (address or vat_number or register or name)
    return Customer(
        id=CustomerId(ident),
        name=name or "(unnamed buyer)",
        country=postal.country,
        currency=r.currency.code,
        email=email,
        vat_number=vat_number,
        enterprise_number=register,
        electronic_address=address,
        address=postal,
        contacts=contacts,
    )


def _seller(r: _Reader) -> Company:
    party = r.root.find("cac:AccountingSupplierParty/cac:Party", _NS)
    if party is None:
        raise r.fail("missing seller", "cac:AccountingSupplierParty")
    name, address, vat_number, register = _party_ids(r, party)
    account = r.root.find("cac:PaymentMeans/cac:PayeeFinancialAccount", _NS)
    is_credit = etree.QName(r.root).namespace == CREDIT_NOTE_NS
    return Company(
        name=name or "(unnamed seller)",
        vat_number=vat_number,
        enterprise_number=register,
        electronic_address=address,
        iban="" if is_credit else r.text(account, "cbc:ID"),
        bic="" if is_credit else r.text(account, "cac:FinancialInstitutionBranch/cbc:ID"),
        email=r.text(party, "cac:Contact/cbc:ElectronicMail"),
        phone=r.text(party, "cac:Contact/cbc:Telephone"),
        address=_address(r, party),
    )


def _exemption_reasons(r: _Reader) -> dict[tuple[VatCategory, Decimal], str]:
    reasons: dict[tuple[VatCategory, Decimal], str] = {}
    for sub in r.root.iterfind("cac:TaxTotal/cac:TaxSubtotal", _NS):
        category = r.category(sub, "cac:TaxCategory")
        rate = r.rate(sub, "cac:TaxCategory").normalize()
        text = r.text(sub, "cac:TaxCategory/cbc:TaxExemptionReason") or r.text(
            sub, "cac:TaxCategory/cbc:TaxExemptionReasonCode"
        )
        if text and category not in (VatCategory.STANDARD, VatCategory.ZERO):
            reasons[(category, rate)] = text
    return reasons


def _line(
    r: _Reader,
    element: etree._Element,
    quantity_tag: str,
    reasons: dict[tuple[VatCategory, Decimal], str],
    sign: int,
) -> Line | AllowanceCharge:
    """One UBL line as a Line, or a document allowance when its net amount is negative.

    *sign* is -1 for a document with a negative total, read as the opposite kind.
    """
    ident = r.text(element, "cbc:ID")
    where = f"line {ident}"
    quantity = sign * (r.decimal(element, f"cbc:{quantity_tag}") or Decimal(0))
    quantity_el = element.find(f"cbc:{quantity_tag}", _NS)
    unit_code = (quantity_el.get("unitCode") if quantity_el is not None else None) or "C62"
    net = r.required_money(element, "cbc:LineExtensionAmount")
    net = -net if sign < 0 else net
    price = r.decimal(element, "cac:Price/cbc:PriceAmount") or Decimal(0)
    base_quantity = r.decimal(element, "cac:Price/cbc:BaseQuantity") or Decimal(1)
    item = element.find("cac:Item", _NS)
    category = r.category(item, "cac:ClassifiedTaxCategory")
    rate = r.rate(item, "cac:ClassifiedTaxCategory")
    name = r.text(item, "cbc:Name") or r.text(item, "cbc:Description") or where
    product = (
        r.text(item, "cac:SellersItemIdentification/cbc:ID")
        or r.text(item, "cac:StandardItemIdentification/cbc:ID")
        or f"line-{ident}"
    )
    reason = reasons.get((category, rate.normalize()), "")
    allowances: list[Money] = []
    percents: list[Decimal] = []
    has_charge = False
    for ac in element.iterfind("cac:AllowanceCharge", _NS):
        if r.text(ac, "cbc:ChargeIndicator").lower() == "true":
            has_charge = True
        else:
            allowances.append(r.required_money(ac, "cbc:Amount"))
            percent = r.decimal(ac, "cbc:MultiplierFactorNumeric")
            if percent is not None:
                percents.append(percent)
    if sign < 0 and allowances:
        has_charge = True  # in a document read with flipped signs, an allowance is a charge
    exact = _exact_line(
        product,
        name,
        quantity,
        price / base_quantity,
        net,
        allowances,
        percents,
        has_charge,
        category,
        rate,
        reason,
        unit_code,
    )
    if exact is not None:
        return exact
    r.notes.append(
        f"{where}: {quantity} {unit_code} at {price}/{base_quantity} with line allowances/charges "
        f"kept as its net amount {net}"
    )
    if net.is_negative():
        return AllowanceCharge(-net, reason=name, vat_category=category, vat_rate=rate)
    return Line(
        ProductId(product),
        name,
        Decimal(1),
        net,
        vat_category=category,
        vat_rate=rate,
        exemption_reason=reason,
        unit_code=unit_code,
    )


def _exact_line(
    product: str,
    name: str,
    quantity: Decimal,
    unit_price: Decimal,
    net: Money,
    allowances: list[Money],
    percents: list[Decimal],
    has_charge: bool,
    category: VatCategory,
    rate: Decimal,
    reason: str,
    unit_code: str,
) -> Line | None:
    """The line as the core's Line when that reproduces its net amount exactly, else None."""
    if quantity <= 0 or has_charge or unit_price < 0:
        return None
    try:
        price = Money(unit_price, net.currency)
    except S2CError:
        return None
    discount = Decimal(0)
    if len(percents) == 1 and len(allowances) == 1:
        discount = percents[0]
    elif allowances:
        gross = price.multiply(quantity)
        if gross.is_zero():
            return None
        total = sum((a.amount for a in allowances), Decimal(0))
        discount = (total * 100 / gross.amount).quantize(Decimal("0.0001")).normalize()
    try:
        line = Line(
            ProductId(product),
            name,
            quantity,
            price,
            discount_percent=discount,
            vat_category=category,
            vat_rate=rate,
            exemption_reason=reason,
            unit_code=unit_code,
        )
    except S2CError:
        return None
    return line if line.net_amount == net else None


def _document_allowances(r: _Reader, sign: int) -> list[AllowanceCharge]:
    """Document allowances and charges (BG-20, BG-21), signs normalised to positive amounts."""
    result = []
    for ac in r.root.iterfind("cac:AllowanceCharge", _NS):
        is_charge = r.text(ac, "cbc:ChargeIndicator").lower() == "true"
        reason = r.text(ac, "cbc:AllowanceChargeReason") or r.text(
            ac, "cbc:AllowanceChargeReasonCode"
        )
        amount = r.required_money(ac, "cbc:Amount")
        flip = (sign < 0) != amount.is_negative()  # a negative allowance is a charge
        result.append(
            AllowanceCharge(
                abs(amount),
                reason,
                is_charge=is_charge != flip,
                vat_category=r.category(ac, "cac:TaxCategory"),
                vat_rate=r.rate(ac, "cac:TaxCategory"),
            )
        )
    return result


def _stated_totals(r: _Reader) -> tuple[DocumentTotals, Money]:
    zero = Money.zero(r.currency)
    total = r.root.find("cac:LegalMonetaryTotal", _NS)
    rows = []
    tax_total = zero
    for tax in r.root.iterfind("cac:TaxTotal", _NS):
        amount_el = tax.find("cbc:TaxAmount", _NS)
        if amount_el is not None and amount_el.get("currencyID") == r.currency.code:
            tax_total = r.required_money(tax, "cbc:TaxAmount")
        elif amount_el is not None:
            r.notes.append(
                f"VAT total in accounting currency {amount_el.get('currencyID')} "
                f"({amount_el.text}) not modelled"
            )
        for sub in tax.iterfind("cac:TaxSubtotal", _NS):
            rows.append(
                VatSubtotal(
                    r.category(sub, "cac:TaxCategory"),
                    r.rate(sub, "cac:TaxCategory"),
                    r.required_money(sub, "cbc:TaxableAmount"),
                    r.required_money(sub, "cbc:TaxAmount"),
                    r.text(sub, "cac:TaxCategory/cbc:TaxExemptionReason"),
                )
            )

    def get(name: str) -> Money:
        return r.money(total, f"cbc:{name}") or zero

    totals = DocumentTotals(
        currency=r.currency,
        line_total=get("LineExtensionAmount"),
        allowance_total=get("AllowanceTotalAmount"),
        charge_total=get("ChargeTotalAmount"),
        tax_exclusive=get("TaxExclusiveAmount"),
        vat=tuple(rows),
        tax_total=tax_total,
        tax_inclusive=get("TaxInclusiveAmount"),
        prepaid=get("PrepaidAmount"),
        payable=get("PayableAmount"),
    )
    return totals, get("PayableRoundingAmount")


def parse_invoice(
    xml: bytes,
    *,
    invoice_id: str | None = None,
    customer_id: str | None = None,
    source: str | None = None,
) -> ParsedInvoice:
    """Parse a UBL 2.1 invoice or credit note (Peppol BIS Billing 3.0 / EN 16931 CIUS).

    Args:
        xml: The document bytes.
        invoice_id: Id for the invoice entity; default ``"ubl:<number>"``.
        customer_id: Id for the buyer; default ``"peppol:<scheme>:<endpoint id>"``.
        source: A label (file name) used in error messages.

    Raises:
        ParseError: Not well-formed, a DTD, not an Invoice/CreditNote, or a value the
            entities cannot hold (unknown VAT category, malformed amount or date).
    """
    root = _parse_xml(xml, source)
    qname = etree.QName(root)
    if (qname.namespace, qname.localname) not in (
        (INVOICE_NS, "Invoice"),
        (CREDIT_NOTE_NS, "CreditNote"),
    ):
        raise ParseError(
            f"root element {qname.localname!r} is not a UBL Invoice or CreditNote", source=source
        )
    r = _Reader(root, source)
    is_credit_doc = qname.localname == "CreditNote"
    code = r.text(root, "cbc:CreditNoteTypeCode" if is_credit_doc else "cbc:InvoiceTypeCode")
    kind = DocumentKind.CREDIT_NOTE if code in _CREDIT_NOTE_CODES else DocumentKind.INVOICE
    currency_code = r.text(root, "cbc:DocumentCurrencyCode")
    try:
        r.currency = get_currency(currency_code)
    except S2CError:
        raise r.fail(f"unknown currency {currency_code!r}", "cbc:DocumentCurrencyCode") from None
    number = r.text(root, "cbc:ID")
    issue_date = r.date(root, "cbc:IssueDate")
    if not number or issue_date is None:
        raise r.fail("a document needs an ID and an IssueDate", "cbc:ID")

    buyer = _buyer(r, customer_id)
    seller = _seller(r)
    reasons = _exemption_reasons(r)
    stated, rounding = _stated_totals(r)
    sign = -1 if stated.tax_exclusive.is_negative() else 1
    if sign < 0:
        kind = (
            DocumentKind.INVOICE if kind is DocumentKind.CREDIT_NOTE else DocumentKind.CREDIT_NOTE
        )
        r.notes.append(f"negative total: read as a {kind.value} with positive amounts")
    quantity_tag = "CreditedQuantity" if is_credit_doc else "InvoicedQuantity"
    line_tag = "cac:CreditNoteLine" if is_credit_doc else "cac:InvoiceLine"
    lines: list[Line] = []
    allowances: list[AllowanceCharge] = []
    for element in root.iterfind(line_tag, _NS):
        parsed = _line(r, element, quantity_tag, reasons, sign)
        if isinstance(parsed, Line):
            lines.append(parsed)
        else:
            allowances.append(parsed)
    allowances = _document_allowances(r, sign) + allowances
    if not lines:
        raise r.fail("no line the entities can hold (all lines are negative)", line_tag)
    if not rounding.is_zero():
        r.notes.append(f"rounding amount {rounding} not modelled")

    due = r.date(root, "cbc:DueDate") or r.date(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    purchase_order = r.text(root, "cac:OrderReference/cbc:ID")
    sales_order = r.text(root, "cac:OrderReference/cbc:SalesOrderID")
    notes = [n.text.strip() for n in root.iterfind("cbc:Note", _NS) if n.text and n.text.strip()]
    invoice = Invoice(
        id=InvoiceId(invoice_id or f"ubl:{number}"),
        customer_id=buyer.id,
        currency=r.currency.code,
        lines=lines,
        kind=kind,
        status=InvoiceState.ISSUED,
        number=number,
        issue_date=issue_date,
        due_date=due,
        payment_term="",
        payment_reference=r.text(root, "cac:PaymentMeans/cbc:PaymentID"),
        order_id=OrderId(sales_order) if sales_order else None,
        allowances=allowances,
        note="\n".join(notes),
        buyer_reference=r.text(root, "cbc:BuyerReference"),
        paid=stated.prepaid if stated.prepaid.is_positive() else None,
    )
    if stated.prepaid.is_positive():
        r.notes.append(f"prepaid amount {stated.prepaid} recorded as paid")
    return ParsedInvoice(
        invoice=invoice,
        buyer=buyer,
        seller=seller,
        stated_totals=stated,
        customization_id=r.text(root, "cbc:CustomizationID"),
        profile_id=r.text(root, "cbc:ProfileID"),
        purchase_order="" if purchase_order.upper() == "NA" else purchase_order,
        credited_invoice_number=r.text(
            root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID"
        ),
        credited_invoice_date=r.date(
            root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate"
        ),
        payment_terms_note=r.text(root, "cac:PaymentTerms/cbc:Note"),
        payment_means_code=r.text(root, "cac:PaymentMeans/cbc:PaymentMeansCode"),
        delivery_date=r.date(root, "cac:Delivery/cbc:ActualDeliveryDate"),
        rounding=rounding,
        notes=tuple(r.notes),
    )
