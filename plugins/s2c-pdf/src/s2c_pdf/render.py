"""PDF invoices, credit notes, payment reminders and statements of account.

Each document is an HTML page from a Jinja2 template (``templates/<document>.html``, extending
``base.html``) styled by ``style.css``, laid out by WeasyPrint on A4. Wording comes from
[TRANSLATIONS][s2c_pdf.i18n.TRANSLATIONS] (Dutch, French, English), amounts and dates are
formatted by Babel for ``nl_BE``, ``fr_BE`` or ``en_GB``. Payable documents in euros carry an
EPC069-12 QR code ([epc_payload][s2c_pdf.epc.epc_payload]) with the amount and the structured
reference, so the customer's banking app fills in the transfer.

Invoice content follows what EN 16931-1 and the Belgian VAT code (art. 226 of Directive
2006/112/EC) expect on an invoice: seller and buyer names, addresses and VAT numbers, number and
dates, lines with quantity, unit price and VAT rate, the VAT breakdown per rate with exemption
reasons, totals, and payment terms.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from weasyprint import CSS, HTML

from s2c_core.entities.common import Address, VatCategory
from s2c_core.entities.party import Company, Customer
from s2c_core.entities.receivables import DocumentKind, Invoice, Payment
from s2c_core.errors import ValidationError
from s2c_core.money import Money, get_currency, sum_money
from s2c_core.references import iban as iban_ref
from s2c_core.references import ogm_vcs, rf_creditor
from s2c_core.references.schemes import ReferenceScheme, detect_reference
from s2c_pdf.epc import epc_payload, epc_qr_data_uri
from s2c_pdf.i18n import Formatter, pick_language

__all__ = ["DOCUMENTS", "PdfRenderer", "render_html", "render_pdf"]

#: Documents this plugin renders; ``reminder`` is accepted for ``payment_reminder``.
DOCUMENTS: Final = ("invoice", "credit_note", "payment_reminder", "statement")
_ALIASES: Final = {"reminder": "payment_reminder"}
_TEMPLATES: Final = Path(__file__).parent / "templates"


def _address_lines(address: Address, home: str = "") -> list[str]:
    """Postal lines; the country only when it differs from *home* (the seller's country)."""
    city = " ".join(part for part in (address.postal_code, address.city) if part)
    lines = [address.street, address.additional, city]
    if address.country and address.country.upper() != home.upper():
        lines.append(address.country)
    return [line for line in lines if line]


def _format_reference(reference: str) -> str:
    found = detect_reference(reference) if reference.strip() else None
    if found is None:
        return reference.strip()
    scheme, compact = found
    return (
        ogm_vcs.format(compact)
        if scheme is ReferenceScheme.OGM_VCS
        else rf_creditor.format(compact)
    )


def _format_iban(value: str) -> str:
    return iban_ref.format(value) if value and iban_ref.is_valid(value) else value


def _party_context(f: Formatter, seller: Company) -> dict[str, Any]:
    address = _address_lines(seller.address, seller.address.country)
    return {
        "name": seller.name,
        "address": address,
        "address_line": [", ".join(address)] if address else [],
        "vat": seller.vat_number,
        "enterprise": seller.enterprise_number,
        "iban": _format_iban(seller.iban),
        "bic": seller.bic,
        "email": seller.email,
        "phone": seller.phone,
    }


def _customer_context(customer: Customer, home: str) -> dict[str, Any]:
    address = customer.address
    if not (address.street or address.city):
        address = Address(country=customer.country)
    return {
        "name": customer.name,
        "address": _address_lines(address, home),
        "vat": customer.vat_number,
        "id": str(customer.id),
    }


class PdfRenderer:
    """The ``pdf`` [DocumentRenderer][s2c_core.ports.DocumentRenderer], and its theme.

    Args:
        template_dirs: Folders searched before the built-in templates; a file there named
            like a built-in one (``invoice.html``, ``base.html`` ...) replaces it.
        stylesheets: Extra CSS files or CSS text applied after ``style.css``.
        translations: Replacement texts by language and key (see ``s2c_pdf.i18n``).
        accent: The theme colour (CSS colour), default dark blue.

    ``render(document, data)`` takes ``invoice``, ``customer``, ``seller`` and optionally
    ``credited_invoice``, ``language``; reminders and statements take ``invoices``,
    ``payments``, ``as_of``, ``level``, ``fee``, ``interest``, ``pay_by`` (see
    [render_pdf][s2c_pdf.render.render_pdf]).
    """

    name = "pdf"
    media_type = "application/pdf"
    documents = DOCUMENTS

    def __init__(
        self,
        *,
        template_dirs: Sequence[str | os.PathLike[str]] = (),
        stylesheets: Sequence[str | os.PathLike[str]] = (),
        translations: Mapping[str, Mapping[str, str]] | None = None,
        accent: str = "#1d4e89",
    ) -> None:
        loaders: list[Any] = [FileSystemLoader([str(d) for d in template_dirs])]
        loaders.append(PackageLoader("s2c_pdf", "templates"))
        self.env = Environment(
            loader=ChoiceLoader(loaders),
            autoescape=True,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.translations = translations or {}
        css = [CSS(filename=str(_TEMPLATES / "style.css"))]
        for sheet in stylesheets:
            path = Path(sheet)
            css.append(
                CSS(filename=str(path))
                if path.suffix == ".css" and path.exists()
                else CSS(string=str(sheet))
            )
        css.append(CSS(string=f":root {{ --accent: {accent}; }}"))
        self.stylesheets = css

    def render(self, document: str, data: Mapping[str, Any]) -> bytes:
        """Render *document* from *data* to PDF bytes."""
        return self.pdf(self.html(document, data))

    def html(self, document: str, data: Mapping[str, Any]) -> str:
        """Render *document* from *data* to the HTML WeasyPrint lays out."""
        document = _ALIASES.get(document, document)
        if document not in DOCUMENTS:
            raise ValidationError(
                f"pdf renders {DOCUMENTS}, not {document!r}", field="document", value=document
            )
        seller = _require(data, "seller", Company)
        customer = _require(data, "customer", Customer)
        f = Formatter(pick_language(data.get("language"), customer.language), self.translations)
        context: dict[str, Any] = {
            "document": document,
            "language": f.language,
            "t": f.t,
            "seller": _party_context(f, seller),
            "customer": _customer_context(customer, seller.address.country),
            "payment": None,
        }
        if document in ("invoice", "credit_note"):
            context.update(_invoice_context(f, document, data, seller, customer))
        elif document == "payment_reminder":
            context.update(_reminder_context(f, data, seller, customer))
        else:
            context.update(_statement_context(f, data, seller, customer))
        names = [f"{document}.html"] + (["invoice.html"] if document == "credit_note" else [])
        return self.env.select_template(names).render(context)

    def pdf(self, html: str) -> bytes:
        """Lay *html* out on A4 pages and return the PDF."""
        data: bytes = HTML(string=html, base_url=str(_TEMPLATES)).write_pdf(
            stylesheets=self.stylesheets
        )
        return data


def _require(data: Mapping[str, Any], key: str, kind: type[Any]) -> Any:
    value = data.get(key)
    if not isinstance(value, kind):
        raise ValidationError(
            f"data[{key!r}] must be a {kind.__name__}, got {type(value).__name__}",
            field=key,
            value=value,
        )
    return value


def _money_or_none(value: Any, currency: str) -> Money | None:
    if value is None:
        return None
    if not isinstance(value, Money):
        raise ValidationError("fee and interest must be Money", field="fee", value=value)
    if value.currency.code != currency:
        raise ValidationError(
            "fee and interest must be in the invoices' currency", field="fee", value=value
        )
    return value if value.is_positive() else None


def _payment_context(
    f: Formatter,
    seller: Company,
    amount: Money,
    due: date | None,
    reference: str,
    text: str,
    notes: Iterable[str] = (),
) -> dict[str, Any] | None:
    """Payment instructions and, for euros, the EPC QR code (EPC069-12)."""
    if not seller.iban or not amount.is_positive():
        return None
    qr = None
    if amount.currency.code == "EUR":
        payload = epc_payload(
            name=seller.name[:70],
            iban=seller.iban,
            amount=amount,
            bic=seller.bic,
            reference=reference,
            text=text[:140],
            information=text[:70],
        )
        qr = epc_qr_data_uri(payload)
    if due is not None:
        instruction = f.t("pay_to", amount=f.money(amount), due=f.date(due))
    else:
        instruction = f.t("pay_to_now", amount=f.money(amount))
    return {
        "instruction": instruction,
        "iban": _format_iban(seller.iban),
        "bic": seller.bic,
        "reference": _format_reference(reference) if detect_reference(reference or "-") else "",
        "qr": qr,
        "notes": list(notes),
    }


def _invoice_context(
    f: Formatter, document: str, data: Mapping[str, Any], seller: Company, customer: Customer
) -> dict[str, Any]:
    invoice: Invoice = _require(data, "invoice", Invoice)
    expected = DocumentKind.CREDIT_NOTE if document == "credit_note" else DocumentKind.INVOICE
    if invoice.kind is not expected:
        raise ValidationError(
            f"document {document!r} does not match the invoice kind {invoice.kind.value!r}",
            field="document",
            value=document,
        )
    credited = data.get("credited_invoice")
    totals = invoice.totals
    lines = []
    for line in invoice.lines:
        vat = (
            f.percent(line.vat_rate)
            if line.vat_category is VatCategory.STANDARD
            else (line.vat_category.value)
        )
        lines.append(
            {
                "description": line.description,
                "product_id": str(line.product_id),
                "quantity": f.number(line.quantity),
                "unit_price": f.money(line.unit_price),
                "discount": f.percent(line.discount_percent) if line.discount_percent else "",
                "vat": vat,
                "net": f.money(line.net_amount),
            }
        )
    vat_rows = []
    for row in totals.vat:
        label = f.percent(row.rate)
        if row.category is not VatCategory.STANDARD:
            label = f"{label} ({row.category.value})"
        vat_rows.append(
            {
                "label": label,
                "taxable": f.money(row.taxable_amount),
                "tax": f.money(row.tax_amount),
                "reason": row.exemption_reason,
            }
        )
    allowances = [
        {
            "label": ac.reason or f.t("charge" if ac.is_charge else "allowance"),
            "amount": f.money(ac.amount if ac.is_charge else -ac.amount),
        }
        for ac in invoice.allowances
    ]
    is_credit = invoice.kind is DocumentKind.CREDIT_NOTE
    settled = invoice.settled
    open_amount = invoice.open_amount
    meta = [(f.t("number"), invoice.number or "—"), (f.t("issue_date"), f.date(invoice.issue_date))]
    if not is_credit and invoice.due_date:
        meta.append((f.t("due_date"), f.date(invoice.due_date)))
    meta.append((f.t("customer_number"), str(customer.id)))
    if invoice.buyer_reference:
        meta.append((f.t("your_reference"), invoice.buyer_reference))
    if invoice.order_id:
        meta.append((f.t("order"), str(invoice.order_id)))
    if isinstance(credited, Invoice) and credited.number:
        meta.append((f.t("credits_invoice"), f"{credited.number} ({f.date(credited.issue_date)})"))
    notes = []
    if invoice.note:
        notes.append(invoice.note)
    if any(row.category is VatCategory.REVERSE_CHARGE for row in totals.vat):
        notes.append(f.t("reverse_charge_note"))
    if is_credit:
        notes.append(f.t("credit_note_text"))
    payment = None
    if not is_credit:
        extra = []
        if invoice.discount_percent and invoice.discount_until:
            extra.append(
                f.t(
                    "cash_discount",
                    percent=invoice.discount_percent,
                    date=f.date(invoice.discount_until),
                )
            )
        payment = _payment_context(
            f,
            seller,
            open_amount,
            invoice.due_date,
            invoice.payment_reference,
            f"{f.t('invoice')} {invoice.number}",
            extra,
        )
    title = f"{f.t(document)} {invoice.number or ''}".strip()
    return {
        "title": title,
        "meta": meta,
        "lines": lines,
        "vat_rows": vat_rows,
        "allowances": allowances,
        "notes": notes,
        "installments": [(f.date(i.due_date), f.money(i.amount)) for i in invoice.installments]
        if len(invoice.installments) > 1
        else [],
        "totals": {
            "line_total": f.money(totals.line_total),
            "tax_exclusive": f.money(totals.tax_exclusive),
            "tax_total": f.money(totals.tax_total),
            "paid": f.money(-settled) if settled.is_positive() and not is_credit else "",
            "label": f.t(
                "credit_total" if is_credit else ("open" if settled.is_positive() else "total")
            ),
            "due": f.money(totals.payable if is_credit else open_amount),
        },
        "payment": payment,
    }


def _invoices(data: Mapping[str, Any]) -> list[Invoice]:
    found = list(data.get("invoices") or ())
    if not all(isinstance(inv, Invoice) for inv in found):
        raise ValidationError("data['invoices'] must hold Invoice entities", field="invoices")
    return found


def _as_of(data: Mapping[str, Any]) -> date:
    as_of = data.get("as_of")
    if not isinstance(as_of, date):
        raise ValidationError("data['as_of'] must be a date", field="as_of", value=as_of)
    return as_of


def _currency_of(invoices: Sequence[Invoice], customer: Customer) -> str:
    currencies = {inv.currency for inv in invoices}
    if len(currencies) > 1:
        raise ValidationError(
            "one document cannot mix currencies", field="invoices", value=sorted(currencies)
        )
    return currencies.pop() if currencies else get_currency(customer.currency).code


def _reminder_context(
    f: Formatter, data: Mapping[str, Any], seller: Company, customer: Customer
) -> dict[str, Any]:
    invoices = [inv for inv in _invoices(data) if inv.kind is DocumentKind.INVOICE]
    if not invoices:
        raise ValidationError("a payment reminder needs at least one invoice", field="invoices")
    as_of = _as_of(data)
    level = int(data.get("level") or 1)
    currency = _currency_of(invoices, customer)
    fee = _money_or_none(data.get("fee"), currency)
    interest = _money_or_none(data.get("interest"), currency)
    pay_by = data.get("pay_by")
    rows = []
    for inv in sorted(invoices, key=lambda i: (i.due_date or as_of, i.number or "")):
        days = (as_of - inv.due_date).days if inv.due_date else 0
        rows.append(
            {
                "number": inv.number or str(inv.id),
                "reference": _format_reference(inv.payment_reference),
                "issue_date": f.short_date(inv.issue_date),
                "due_date": f.short_date(inv.due_date),
                "days": str(days) if days > 0 else "",
                "amount": f.money(inv.total),
                "open": f.money(inv.open_amount),
            }
        )
    open_total = sum_money((inv.open_amount for inv in invoices), currency)
    due = sum_money([open_total, *(m for m in (fee, interest) if m is not None)], currency)
    reference = invoices[0].payment_reference if len(invoices) == 1 else ""
    numbers = ", ".join(inv.number or str(inv.id) for inv in invoices)
    key = "payment_reminder" if level <= 1 else f"payment_reminder_{min(level, 3)}"
    meta = [(f.t("date"), f.date(as_of)), (f.t("customer_number"), str(customer.id))]
    if isinstance(pay_by, date):
        meta.append((f.t("pay_by"), f.date(pay_by)))
    contact = seller.email or seller.phone or seller.name
    return {
        "title": f.t(key),
        "meta": meta,
        "intro": f.t(f"reminder_intro_{min(max(level, 1), 3)}"),
        "outro": f.t("reminder_outro", contact=contact),
        "rows": rows,
        "totals": {
            "open": f.money(open_total),
            "fee": f.money(fee) if fee else "",
            "interest": f.money(interest) if interest else "",
            "due": f.money(due),
        },
        "payment": _payment_context(
            f,
            seller,
            due,
            pay_by if isinstance(pay_by, date) else None,
            reference,
            f"{f.t('invoice')} {numbers}",
        ),
    }


def _statement_context(
    f: Formatter, data: Mapping[str, Any], seller: Company, customer: Customer
) -> dict[str, Any]:
    invoices = _invoices(data)
    payments = list(data.get("payments") or ())
    as_of = _as_of(data)
    currency = _currency_of(invoices, customer)
    rows: list[tuple[date, dict[str, Any]]] = []
    balance: list[Money] = []
    for inv in invoices:
        sign = -1 if inv.kind is DocumentKind.CREDIT_NOTE else 1
        open_amount = inv.open_amount if sign > 0 else inv.total - inv.settled
        if not open_amount.is_positive():
            continue
        days = (as_of - inv.due_date).days if inv.due_date and sign > 0 else 0
        signed_open = open_amount if sign > 0 else -open_amount
        balance.append(signed_open)
        rows.append(
            (
                inv.issue_date or as_of,
                {
                    "date": f.short_date(inv.issue_date),
                    "label": f"{f.t(inv.kind.value)} {inv.number or inv.id}",
                    "reference": _format_reference(inv.payment_reference),
                    "due_date": f.short_date(inv.due_date) if sign > 0 else "",
                    "days": str(days) if days > 0 else "",
                    "amount": f.money(inv.total if sign > 0 else -inv.total),
                    "open": f.money(signed_open),
                },
            )
        )
    for payment in payments:
        if not isinstance(payment, Payment):
            raise ValidationError("data['payments'] must hold Payment entities", field="payments")
        unapplied = payment.unapplied
        if not unapplied.is_positive() or unapplied.currency.code != currency:
            continue
        balance.append(-unapplied)
        rows.append(
            (
                payment.received_on,
                {
                    "date": f.short_date(payment.received_on),
                    "label": f.t("unapplied_payment"),
                    "reference": payment.bank_reference or payment.structured_reference,
                    "due_date": "",
                    "days": "",
                    "amount": f.money(-payment.amount),
                    "open": f.money(-unapplied),
                },
            )
        )
    rows.sort(key=lambda item: item[0])
    total = sum_money(balance, currency)
    meta = [(f.t("as_of"), f.date(as_of)), (f.t("customer_number"), str(customer.id))]
    credit = total.is_negative()
    return {
        "title": f.t("statement"),
        "meta": meta,
        "rows": [row for _, row in rows],
        "totals": {
            "label": f.t("credit_balance" if credit else "balance"),
            "due": f.money(-total if credit else total),
        },
        "payment": _payment_context(
            f, seller, total, None, "", f"{customer.name} {as_of.isoformat()}"
        ),
    }


@functools.cache
def _default_renderer() -> PdfRenderer:
    return PdfRenderer()


def render_html(document: str, **data: Any) -> str:
    """The HTML of *document* (see [render_pdf][s2c_pdf.render.render_pdf]), for previews."""
    return _default_renderer().html(document, data)


def render_pdf(
    document: str,
    *,
    seller: Company,
    customer: Customer,
    invoice: Invoice | None = None,
    credited_invoice: Invoice | None = None,
    invoices: Iterable[Invoice] = (),
    payments: Iterable[Payment] = (),
    as_of: date | None = None,
    level: int = 1,
    fee: Money | None = None,
    interest: Money | None = None,
    pay_by: date | None = None,
    language: str | None = None,
) -> bytes:
    """Render a document to PDF with the default theme.

    Args:
        document: ``"invoice"``, ``"credit_note"``, ``"payment_reminder"`` (or
            ``"reminder"``) or ``"statement"``.
        seller: The issuing company (letterhead, footer ids, payment account).
        customer: The addressee; its ``language`` picks the wording unless *language* is given.
        invoice: The invoice or credit note (``invoice`` / ``credit_note``).
        credited_invoice: For a credit note, the invoice it corrects.
        invoices: Overdue invoices (reminder) or open documents (statement).
        payments: Payments with an unapplied part, shown on a statement as credits.
        as_of: Reminder or statement date; days overdue count from it.
        level: Reminder level (1 friendly reminder, 2 second reminder, 3 final notice).
        fee: Reminder fee to add, if any.
        interest: Late-payment interest to add, if any.
        pay_by: Date by which the reminder asks to pay.
        language: ``nl``, ``fr`` or ``en``; default the customer's language.

    Returns:
        The PDF bytes (A4, fonts embedded).
    """
    data: dict[str, Any] = {
        "seller": seller,
        "customer": customer,
        "invoice": invoice,
        "credited_invoice": credited_invoice,
        "invoices": tuple(invoices),
        "payments": tuple(payments),
        "as_of": as_of,
        "level": level,
        "fee": fee,
        "interest": interest,
        "pay_by": pay_by,
        "language": language,
    }
    return _default_renderer().render(document, data)
