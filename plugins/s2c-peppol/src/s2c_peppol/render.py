"""Write invoices and credit notes as UBL 2.1 in the Peppol BIS Billing 3.0 profile.

The output passes the three layers an access point checks: the OASIS UBL 2.1 XSD, the
CEN EN 16931-1 business rules (``BR-*``, ``BR-CO-*`` and the per-category ``BR-S-*`` ...
``BR-O-*`` rules) and the Peppol BIS Billing 3.0 rules (``PEPPOL-EN16931-*``,
``PEPPOL-COMMON-*`` and national rules such as ``NL-R-*``).

Amounts come from [Invoice.totals][s2c_core.entities.receivables.Invoice.totals] unchanged:
the core already computes EN 16931 totals (line nets rounded, VAT per category on the sums,
BR-CO-10..BR-CO-17), so nothing is recomputed here.

Facts a document needs that the rules demand are checked before anything is written; a
missing one raises [ValidationError][s2c_core.errors.ValidationError] naming the rule
(``err.facts["rule"]``), e.g. ``BR-S-02`` for a standard-rated invoice without a seller VAT
number.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Final

from lxml import etree

from s2c_core.entities.common import Address, VatCategory
from s2c_core.entities.lines import AllowanceCharge, DocumentTotals, Line
from s2c_core.entities.party import Company, Customer
from s2c_core.entities.receivables import DocumentKind, Invoice
from s2c_core.errors import ValidationError
from s2c_core.money import Money, get_currency
from s2c_core.references import iban as iban_ref
from s2c_peppol._ubl import (
    CAC,
    CBC,
    CREDIT_NOTE_NS,
    CUSTOMIZATION_ID,
    INVOICE_NS,
    PROFILE_ID,
    fmt_decimal,
)
from s2c_peppol.identifiers import (
    EXEMPTION_CODES,
    EXEMPTION_TEXTS,
    compact_vat,
    electronic_address,
    legal_entity_id,
)

__all__ = ["CREDIT_TRANSFER", "SEPA_CREDIT_TRANSFER", "render_invoice"]

#: UNCL4461 payment means: 30 credit transfer, 58 SEPA credit transfer (BT-81).
CREDIT_TRANSFER: Final = "30"
SEPA_CREDIT_TRANSFER: Final = "58"

_ZERO_RATED: Final = frozenset(
    {
        VatCategory.ZERO,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_EU,
        VatCategory.EXPORT,
        VatCategory.OUTSIDE_SCOPE,
    }
)
#: Categories that require the seller's VAT identifier (BR-S-02, BR-Z-02, BR-E-02, BR-AE-02,
#: BR-IC-02, BR-G-02 and their allowance/charge variants).
_NEEDS_SELLER_VAT: Final = frozenset(
    {
        VatCategory.STANDARD,
        VatCategory.ZERO,
        VatCategory.EXEMPT,
        VatCategory.REVERSE_CHARGE,
        VatCategory.INTRA_EU,
        VatCategory.EXPORT,
    }
)
_SEPA_TEXT: Final = (
    "AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO PL "
    "PT RO SE SI SK SM VA"
)
_SEPA_COUNTRIES: Final = frozenset(_SEPA_TEXT.split())


def _q(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _cac(parent: etree._Element, name: str) -> etree._Element:
    return etree.SubElement(parent, _q(CAC, name))


def _cbc(parent: etree._Element, name: str, text: str, **attrs: str) -> None:
    """Add ``cbc:name`` unless *text* is blank (rule PEPPOL-EN16931-R008: no empty elements)."""
    if text and text.strip():
        element = etree.SubElement(parent, _q(CBC, name), attrs)
        try:
            element.text = text.strip()
        except ValueError:  # control characters XML 1.0 cannot hold
            raise ValidationError(
                f"{name}: {text!r} holds characters XML cannot carry", field=name, value=text
            ) from None


def _amount(parent: etree._Element, name: str, money: Money) -> None:
    element = etree.SubElement(parent, _q(CBC, name), currencyID=money.currency.code)
    element.text = str(money.amount)


def _tax_category(parent: etree._Element, name: str, category: VatCategory, rate: Decimal) -> None:
    """``cac:TaxCategory`` / ``cac:ClassifiedTaxCategory``; no rate for O (BR-O-05..07)."""
    tax = _cac(parent, name)
    _cbc(tax, "ID", category.value)
    if category is not VatCategory.OUTSIDE_SCOPE:
        _cbc(tax, "Percent", fmt_decimal(rate))
    _cbc(_cac(tax, "TaxScheme"), "ID", "VAT")


def _refuse(rule: str, message: str, field: str, value: object = None) -> ValidationError:
    return ValidationError(f"{rule}: {message}", field=field, value=value, rule=rule)


def _categories(lines: Iterable[Line], allowances: Iterable[AllowanceCharge]) -> set[VatCategory]:
    return {ln.vat_category for ln in lines} | {ac.vat_category for ac in allowances}


def _customer_address(customer: Customer) -> Address:
    address = customer.address
    if not (address.street or address.city or address.postal_code):
        return Address(country=customer.country)
    return address


def _check(invoice: Invoice, customer: Customer, seller: Company) -> None:
    """Refuse, before writing anything, a document the official rules would reject."""
    if not invoice.number:
        raise _refuse("BR-02", "the invoice has no number yet (issue it first)", "number")
    if invoice.issue_date is None:
        raise _refuse("BR-03", "the invoice has no issue date", "issue_date")
    if not invoice.lines:
        raise _refuse("BR-16", "an invoice needs at least one line", "lines")
    currency = get_currency(invoice.currency)
    if currency.minor_unit > 2:
        raise _refuse(
            "BR-DEC-09",
            f"{currency.code} has {currency.minor_unit} decimals; EN 16931 allows at most 2",
            "currency",
            currency.code,
        )
    for position, line in enumerate(invoice.lines, start=1):
        _check_rate(line.vat_category, line.vat_rate, f"line {position}")
    for ac in invoice.allowances:
        _check_rate(ac.vat_category, ac.vat_rate, "allowance/charge")
    categories = _categories(invoice.lines, invoice.allowances)
    if VatCategory.OUTSIDE_SCOPE in categories and len(categories) > 1:
        raise _refuse(
            "BR-O-11",
            "a document not subject to VAT (O) cannot mix other VAT categories",
            "vat_category",
        )
    if categories & _NEEDS_SELLER_VAT and not seller.vat_number:
        raise _refuse("BR-S-02", "the seller's VAT number is required", "seller.vat_number")
    if VatCategory.INTRA_EU in categories and not customer.vat_number:
        raise _refuse(
            "BR-IC-02",
            "an intra-community supply needs the buyer's VAT number",
            "customer.vat_number",
        )
    if (
        VatCategory.REVERSE_CHARGE in categories
        and not customer.vat_number
        and not customer.enterprise_number
    ):
        raise _refuse(
            "BR-AE-02",
            "reverse charge needs the buyer's VAT number or legal registration id",
            "customer.vat_number",
        )
    if _seller_endpoint(seller) is None:
        raise _refuse(
            "PEPPOL-EN16931-R020",
            "the seller needs an electronic address (Peppol id, enterprise or VAT number)",
            "seller.electronic_address",
        )
    if _buyer_endpoint(customer) is None:
        raise _refuse(
            "PEPPOL-EN16931-R010",
            "the buyer needs an electronic address (Peppol id, enterprise or VAT number)",
            "customer.electronic_address",
        )
    if invoice.kind is DocumentKind.INVOICE and seller.iban:
        iban_ref.validate(seller.iban)


def _check_rate(category: VatCategory, rate: Decimal, where: str) -> None:
    if category is VatCategory.STANDARD and rate <= 0:
        raise _refuse("BR-S-05", f"{where}: standard rate must be above 0", "vat_rate", rate)
    if category in _ZERO_RATED and rate != 0:
        rule = {
            VatCategory.ZERO: "BR-Z-05",
            VatCategory.EXEMPT: "BR-E-05",
            VatCategory.REVERSE_CHARGE: "BR-AE-05",
            VatCategory.INTRA_EU: "BR-IC-05",
            VatCategory.EXPORT: "BR-G-05",
            VatCategory.OUTSIDE_SCOPE: "BR-O-05",
        }[category]
        raise _refuse(rule, f"{where}: category {category.value} needs rate 0", "vat_rate", rate)


def _seller_endpoint(seller: Company) -> tuple[str, str] | None:
    return electronic_address(
        explicit=seller.electronic_address,
        enterprise_number=seller.enterprise_number,
        vat_number=seller.vat_number,
        country=seller.address.country,
    )


def _buyer_endpoint(customer: Customer) -> tuple[str, str] | None:
    return electronic_address(
        explicit=customer.electronic_address,
        enterprise_number=customer.enterprise_number,
        vat_number=customer.vat_number,
        country=_customer_address(customer).country,
    )


def _address(parent: etree._Element, name: str, address: Address) -> None:
    postal = _cac(parent, name)
    _cbc(postal, "StreetName", address.street)
    _cbc(postal, "AdditionalStreetName", address.additional)
    _cbc(postal, "CityName", address.city)
    _cbc(postal, "PostalZone", address.postal_code)
    _cbc(_cac(postal, "Country"), "IdentificationCode", address.country.upper())


def _party(
    parent: etree._Element,
    *,
    endpoint: tuple[str, str],
    name: str,
    address: Address,
    vat_number: str,
    register: tuple[str, str] | None,
    contact: tuple[str, str, str],
) -> None:
    """``cac:Party`` (BG-4 seller / BG-7 buyer): BT-34/49, BT-27/44, BG-5/8, BT-31/48, BT-30/47."""
    party = _cac(parent, "Party")
    _cbc(party, "EndpointID", endpoint[1], schemeID=endpoint[0])
    _cbc(_cac(party, "PartyName"), "Name", name)
    _address(party, "PostalAddress", address)
    if vat_number:
        tax_scheme = _cac(party, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", compact_vat(vat_number))
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", name)
    if register is not None:
        if register[0]:
            _cbc(legal, "CompanyID", register[1], schemeID=register[0])
        else:
            _cbc(legal, "CompanyID", register[1])
    if any(contact):
        person = _cac(party, "Contact")
        _cbc(person, "Name", contact[0])
        _cbc(person, "Telephone", contact[1])
        _cbc(person, "ElectronicMail", contact[2])


def _payment_terms_text(invoice: Invoice, totals: DocumentTotals) -> str:
    """Default payment terms note (BT-20), in English, from the invoice's own facts."""
    if invoice.kind is DocumentKind.CREDIT_NOTE:
        return "Credit note: the amount is deducted from your open balance or refunded."
    parts = [f"Payment term {invoice.payment_term}".strip()]
    if len(invoice.installments) > 1:
        schedule = "; ".join(
            f"{inst.due_date.isoformat()} {inst.amount}" for inst in invoice.installments
        )
        parts.append(f"installments: {schedule}")
    elif invoice.due_date is not None:
        parts.append(f"pay {totals.payable} by {invoice.due_date.isoformat()}")
    if invoice.payment_reference:
        parts.append(f"quoting {invoice.payment_reference}")
    text = ", ".join(parts) + "."
    if invoice.discount_percent and invoice.discount_until is not None:
        text += (
            f" {invoice.discount_percent}% cash discount if paid by "
            f"{invoice.discount_until.isoformat()}."
        )
    return text


def _due_date(invoice: Invoice) -> date | None:
    if invoice.due_date is not None:
        return invoice.due_date
    if invoice.installments:
        return max(inst.due_date for inst in invoice.installments)
    return None


def _line_allowance(parent: etree._Element, line: Line) -> None:
    """The line discount as an invoice line allowance (BG-27, reason code 95 "Discount").

    The percentage (BT-138) and base amount (BT-137) are written only when the rounded
    allowance amount stays within Peppol rule PEPPOL-EN16931-R040's 0.02 tolerance of
    base x percentage / 100 (always true for currencies with 2 decimals).
    """
    discount = line.discount_amount
    gross = line.gross_amount
    allowance = _cac(parent, "AllowanceCharge")
    _cbc(allowance, "ChargeIndicator", "false")
    _cbc(allowance, "AllowanceChargeReasonCode", "95")
    _cbc(allowance, "AllowanceChargeReason", "Discount")
    exact = gross.amount * line.discount_percent / 100
    with_percent = abs(exact - discount.amount) <= Decimal("0.02")
    if with_percent:
        _cbc(allowance, "MultiplierFactorNumeric", fmt_decimal(line.discount_percent))
    _amount(allowance, "Amount", discount)
    if with_percent:
        _amount(allowance, "BaseAmount", gross)


def _lines(root: etree._Element, invoice: Invoice, is_credit: bool) -> None:
    line_tag = "CreditNoteLine" if is_credit else "InvoiceLine"
    qty_tag = "CreditedQuantity" if is_credit else "InvoicedQuantity"
    for position, line in enumerate(invoice.lines, start=1):
        element = _cac(root, line_tag)
        _cbc(element, "ID", str(position))
        _cbc(element, qty_tag, fmt_decimal(line.quantity), unitCode=line.unit_code)
        _amount(element, "LineExtensionAmount", line.net_amount)
        if line.discount_amount.is_positive():
            _line_allowance(element, line)
        item = _cac(element, "Item")
        _cbc(item, "Name", line.description or str(line.product_id))
        _cbc(_cac(item, "SellersItemIdentification"), "ID", str(line.product_id))
        _tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
        _amount(_cac(element, "Price"), "PriceAmount", line.unit_price)


def render_invoice(
    invoice: Invoice,
    customer: Customer,
    seller: Company,
    *,
    credited_invoice: Invoice | None = None,
    delivery_date: date | None = None,
    purchase_order: str = "",
    payment_terms_note: str | None = None,
    payment_means_code: str | None = None,
) -> bytes:
    """Render *invoice* (an invoice or a credit note) as Peppol BIS Billing 3.0 UBL 2.1.

    Args:
        invoice: An issued invoice or credit note (number and issue date set).
        customer: The buyer (BG-7). Its ``electronic_address`` (``"0208:0123456749"``) is the
            EndpointID; without one, the Belgian/Dutch register number or the VAT number is used.
        seller: The seller (BG-4); its IBAN becomes the payment account (BT-84).
        credited_invoice: For a credit note, the invoice it corrects: its number and issue
            date become the preceding invoice reference (BG-3).
        delivery_date: Actual delivery date (BT-72). Intra-community supplies (category K) need
            one (BR-IC-11); the issue date is used when it is not given.
        purchase_order: The buyer's purchase order number (BT-13).
        payment_terms_note: Payment terms text (BT-20); a default is built from the invoice.
        payment_means_code: UNCL4461 code (BT-81); default ``58`` (SEPA credit transfer) for
            EUR to a SEPA-country IBAN, else ``30`` (credit transfer).

    Returns:
        The UTF-8 XML document.

    Raises:
        ValidationError: A fact the EN 16931 or Peppol rules require is missing or
            contradictory; ``err.facts["rule"]`` names the rule.
    """
    _check(invoice, customer, seller)
    assert invoice.number is not None
    assert invoice.issue_date is not None
    is_credit = invoice.kind is DocumentKind.CREDIT_NOTE
    totals = invoice.totals
    categories = _categories(invoice.lines, invoice.allowances)
    not_subject = VatCategory.OUTSIDE_SCOPE in categories
    doc_ns = CREDIT_NOTE_NS if is_credit else INVOICE_NS
    nsmap: dict[str | None, str] = {None: doc_ns, "cac": CAC, "cbc": CBC}
    root = etree.Element(_q(doc_ns, "CreditNote" if is_credit else "Invoice"), nsmap=nsmap)

    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", invoice.number)
    _cbc(root, "IssueDate", invoice.issue_date.isoformat())
    due = _due_date(invoice)
    if is_credit:
        _cbc(root, "CreditNoteTypeCode", "381")
    else:
        if due is not None:
            _cbc(root, "DueDate", due.isoformat())
        _cbc(root, "InvoiceTypeCode", "380")
    _cbc(root, "Note", invoice.note)
    _cbc(root, "DocumentCurrencyCode", totals.currency.code)
    # PEPPOL-EN16931-R003: a buyer reference or a purchase order reference is mandatory.
    buyer_reference = invoice.buyer_reference or (
        "" if purchase_order else (invoice.order_id or invoice.number)
    )
    _cbc(root, "BuyerReference", buyer_reference)
    if purchase_order or invoice.order_id:
        order = _cac(root, "OrderReference")
        _cbc(order, "ID", purchase_order or "NA")
        _cbc(order, "SalesOrderID", invoice.order_id or "")
    if credited_invoice is not None and credited_invoice.number:
        ref = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(ref, "ID", credited_invoice.number)
        if credited_invoice.issue_date is not None:
            _cbc(ref, "IssueDate", credited_invoice.issue_date.isoformat())

    seller_endpoint = _seller_endpoint(seller)
    buyer_endpoint = _buyer_endpoint(customer)
    assert seller_endpoint is not None
    assert buyer_endpoint is not None
    _party(
        _cac(root, "AccountingSupplierParty"),
        endpoint=seller_endpoint,
        name=seller.name,
        address=seller.address,
        vat_number="" if not_subject else seller.vat_number,
        register=legal_entity_id(seller.enterprise_number, seller.address.country),
        contact=("", seller.phone, seller.email),
    )
    buyer_address = _customer_address(customer)
    contact = customer.contacts[0] if customer.contacts else None
    _party(
        _cac(root, "AccountingCustomerParty"),
        endpoint=buyer_endpoint,
        name=customer.name,
        address=buyer_address,
        vat_number="" if not_subject else customer.vat_number,
        register=legal_entity_id(customer.enterprise_number, buyer_address.country),
        contact=(
            contact.name if contact else "",
            contact.phone if contact else "",
            (contact.email if contact and contact.email else customer.email),
        ),
    )
    if delivery_date is not None or VatCategory.INTRA_EU in categories:
        delivery = _cac(root, "Delivery")
        _cbc(delivery, "ActualDeliveryDate", (delivery_date or invoice.issue_date).isoformat())
        _address(_cac(delivery, "DeliveryLocation"), "Address", buyer_address)

    _payment_means(root, invoice, customer, seller, is_credit, due, payment_means_code)
    terms = payment_terms_note if payment_terms_note is not None else None
    _cbc(_cac(root, "PaymentTerms"), "Note", terms or _payment_terms_text(invoice, totals))

    for ac in invoice.allowances:
        element = _cac(root, "AllowanceCharge")
        _cbc(element, "ChargeIndicator", "true" if ac.is_charge else "false")
        _cbc(
            element,
            "AllowanceChargeReason",
            ac.reason or ("Charge" if ac.is_charge else "Discount"),
        )
        _amount(element, "Amount", ac.amount)
        _tax_category(element, "TaxCategory", ac.vat_category, ac.vat_rate)

    tax_total = _cac(root, "TaxTotal")
    _amount(tax_total, "TaxAmount", totals.tax_total)
    for row in totals.vat:
        subtotal = _cac(tax_total, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", row.taxable_amount)
        _amount(subtotal, "TaxAmount", row.tax_amount)
        category = _cac(subtotal, "TaxCategory")
        _cbc(category, "ID", row.category.value)
        if row.category is not VatCategory.OUTSIDE_SCOPE:
            _cbc(category, "Percent", fmt_decimal(row.rate))
        if row.category in EXEMPTION_TEXTS:  # BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10
            _cbc(category, "TaxExemptionReasonCode", EXEMPTION_CODES.get(row.category, ""))
            _cbc(
                category,
                "TaxExemptionReason",
                row.exemption_reason or EXEMPTION_TEXTS[row.category],
            )
        _cbc(_cac(category, "TaxScheme"), "ID", "VAT")

    monetary = _cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", totals.line_total)
    _amount(monetary, "TaxExclusiveAmount", totals.tax_exclusive)
    _amount(monetary, "TaxInclusiveAmount", totals.tax_inclusive)
    if any(not ac.is_charge for ac in invoice.allowances):
        _amount(monetary, "AllowanceTotalAmount", totals.allowance_total)
    if any(ac.is_charge for ac in invoice.allowances):
        _amount(monetary, "ChargeTotalAmount", totals.charge_total)
    _amount(monetary, "PayableAmount", totals.payable)

    _lines(root, invoice, is_credit)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _payment_means(
    root: etree._Element,
    invoice: Invoice,
    customer: Customer,
    seller: Company,
    is_credit: bool,
    due: date | None,
    code: str | None,
) -> None:
    """``cac:PaymentMeans`` (BG-16): credit transfer to the payee's IBAN (BG-17, BR-61).

    On an invoice the payee is the seller; on a credit note, the customer (when its IBAN is
    known), and the due date travels here (UBL credit notes have no header DueDate).
    """
    account = customer.iban if is_credit else seller.iban
    if not account:
        return
    compact = iban_ref.compact(account)
    if code is None:
        sepa = invoice.currency == "EUR" and compact[:2] in _SEPA_COUNTRIES
        code = SEPA_CREDIT_TRANSFER if sepa else CREDIT_TRANSFER
    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", code)
    if is_credit and due is not None:
        _cbc(means, "PaymentDueDate", due.isoformat())
    _cbc(means, "PaymentID", invoice.payment_reference)
    payee = _cac(means, "PayeeFinancialAccount")
    _cbc(payee, "ID", compact)
    _cbc(payee, "Name", customer.name if is_credit else seller.name)
    if not is_credit and seller.bic:
        _cbc(_cac(payee, "FinancialInstitutionBranch"), "ID", seller.bic.strip().upper())
