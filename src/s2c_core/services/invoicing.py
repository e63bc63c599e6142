"""Invoicing use cases: issue invoices from orders, gapless numbers, references, credit notes."""

from __future__ import annotations

import builtins
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from s2c_core.entities import (
    Customer,
    DocumentKind,
    Installment,
    Invoice,
    InvoiceId,
    Line,
    Order,
    ShipmentId,
)
from s2c_core.entities.common import new_id, replace
from s2c_core.errors import BusinessRuleError, ConfigurationError, ValidationError
from s2c_core.lifecycle import INVOICE_FLOW, InvoiceState
from s2c_core.money import Money
from s2c_core.policy import Policy
from s2c_core.references import ReferenceScheme, generate_reference, ogm_vcs, rf_creditor
from s2c_core.services._base import Context, Tx

__all__ = [
    "InvoiceService",
    "credit_note_in",
    "invoice_order_lines",
    "issue_in",
    "preset_term",
    "resolve_term",
]

_PRESET_CODES = (
    (re.compile(r"^(receipt|due_on_receipt)$"), "due_on_receipt"),
    (re.compile(r"^(?P<p>\d+(?:\.\d+)?)/(?P<d>\d+)net(?P<n>\d+)$"), "discount_net"),
    (re.compile(r"^net(?P<n>\d+)$"), "net_days"),
    (re.compile(r"^eom$"), "end_of_month"),
    (re.compile(r"^(?P<n>\d+)eom$"), "net_days_then_end_of_month"),
    (re.compile(r"^eom(?P<n>\d+)$"), "end_of_month_then_days"),
    (re.compile(r"^eonm$"), "end_of_next_month"),
    (re.compile(r"^day(?P<n>\d+)$"), "fixed_day_of_next_month"),
)


@cache
def preset_term(code: str) -> Any:
    """The named preset for a term *code* (cached).

    Codes: ``receipt``; ``net30``; ``2/10net30`` (2 % discount within 10 days, net 30);
    ``eom`` (end of month); ``45eom`` (45 days, then end of that month); ``eom45`` (end of
    month, then 45 days); ``eonm`` (end of next month); ``day10`` (the 10th of next month).
    """
    from s2c_core import terms

    for pattern, name in _PRESET_CODES:
        match = pattern.match(code)
        if match is None:
            continue
        groups = match.groupdict()
        if name == "due_on_receipt":
            return terms.due_on_receipt()
        if name == "discount_net":
            discount = terms.CashDiscount(Decimal(groups["p"]), int(groups["d"]))
            return terms.net_days(int(groups["n"]), discounts=[discount])
        if name in ("end_of_month", "end_of_next_month"):
            return getattr(terms, name)()
        return getattr(terms, name)(int(groups["n"]))
    raise ConfigurationError(f"unknown payment term code {code!r}")


def resolve_term(policy: Policy, code: str) -> Any:
    """The payment term for *code*: the policy's own terms first, else a named preset.

    ``ConfigurationError`` for an unknown code.
    """
    if code in policy.terms:
        return policy.terms[code]
    return preset_term(code)


def _reference(policy: Policy, year: int, number: int) -> str:
    seed = year * 1_000_000 + number
    if policy.reference_scheme == "rf":
        return rf_creditor.format(generate_reference(ReferenceScheme.RF, seed))
    return ogm_vcs.format(generate_reference(ReferenceScheme.OGM_VCS, seed))


def issue_in(tx: Tx, invoice: Invoice, *, case_id: str = "") -> Invoice:
    """Issue a draft invoice inside *tx*: gapless number, schedule, reference, state."""
    INVOICE_FLOW.next_state(invoice.status, "issue", entity_id=invoice.id)
    policy = tx.ctx.policy
    if not invoice.lines:
        raise ValidationError("an invoice needs at least one line", field="lines")
    if not invoice.total.is_positive() and invoice.kind == DocumentKind.INVOICE:
        raise BusinessRuleError("an invoice total must be above zero", rule="invoice_total")
    issue_date = tx.now.date()
    year = issue_date.year
    number = tx.uow.counters.next(invoice.series, year)
    number_text = f"{invoice.series}-{year}-{number:06d}"
    changes: dict[str, Any] = {"number": number_text, "issue_date": issue_date, "issued_at": tx.now}
    if invoice.kind == DocumentKind.INVOICE:
        term = resolve_term(policy, invoice.payment_term)
        schedule = term.schedule(invoice.total, issue_date)
        installments = tuple(Installment(i.due_date, i.amount) for i in schedule)
        changes["installments"] = installments
        changes["due_date"] = max(i.due_date for i in installments)
        changes["payment_reference"] = _reference(policy, year, number)
        if term.discounts:
            discount = term.discounts[0]
            changes["discount_percent"] = str(discount.percent)
            changes["discount_until"] = discount.deadline(issue_date)
    else:
        changes["due_date"] = issue_date
    issued = tx.move(
        "invoice",
        invoice,
        INVOICE_FLOW,
        "issue",
        case_id=case_id or invoice.customer_id,
        data={
            "number": number_text,
            "total": invoice.total,
            "kind": str(invoice.kind),
            "due_date": changes.get("due_date"),
            "order_id": invoice.order_id or "",
        },
        **changes,
    )
    return issued


def invoice_order_lines(
    tx: Tx,
    order: Order,
    quantities: Mapping[int, Decimal],
    *,
    shipment_id: str | None = None,
    case_id: str = "",
) -> Invoice:
    """Create and issue an invoice for *quantities* of *order*'s lines (line no -> qty)."""
    lines = []
    new_order_lines = list(order.lines)
    for line_no, qty in sorted(quantities.items()):
        ol = order.lines[line_no - 1]
        if ol.invoiced_quantity + qty > ol.quantity:
            raise BusinessRuleError(
                f"line {line_no}: invoicing more than ordered", rule="over_invoicing", line=line_no
            )
        lines.append(
            Line(
                ol.product_id,
                ol.description,
                qty,
                ol.unit_price,
                ol.discount_percent,
                ol.vat_category,
                ol.vat_rate,
                ol.exemption_reason,
                ol.unit_code,
                ol.cost,
            )
        )
        new_order_lines[line_no - 1] = replace(ol, invoiced_quantity=ol.invoiced_quantity + qty)
    draft = Invoice(
        InvoiceId(new_id("inv")),
        order.customer_id,
        order.currency,
        lines,
        series=tx.ctx.policy.invoice_series,
        payment_term=order.payment_term,
        order_id=order.id,
        shipment_id=ShipmentId(shipment_id) if shipment_id else None,
        buyer_reference=order.id,
        created_at=tx.now,
    )
    draft = tx.add("invoice", draft)
    tx.record(
        "invoice",
        draft.id,
        "drafted",
        to_state=str(draft.status),
        case_id=case_id or order.customer_id,
        data={"order_id": order.id},
    )
    tx.save("order", replace(order, lines=new_order_lines))
    return issue_in(tx, draft, case_id=case_id)


class InvoiceService:
    """Invoices and credit notes."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def get(self, invoice_id: str) -> Invoice:
        """The invoice or credit note; ``NotFoundError`` if unknown."""
        result: Invoice = self._ctx.load("invoice", invoice_id)
        return result

    def by_number(self, number: str) -> Invoice | None:
        """The document with this number, or None."""
        with self._ctx.tx() as tx:
            found = tx.uow.repo("invoice").query(number=number, limit=1)
        return found[0] if found else None

    def list(self, **criteria: Any) -> list[Invoice]:
        """Documents matching indexed criteria (``customer_id``, ``status``, ``due_date`` ...)."""
        with self._ctx.tx() as tx:
            return tx.uow.repo("invoice").query(**criteria)

    def open_for(self, customer_id: str) -> builtins.list[Invoice]:
        """The customer's open invoices, oldest due first."""
        with self._ctx.tx() as tx:
            return tx.uow.repo("invoice").query(
                customer_id=customer_id,
                kind="invoice",
                status=(InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID, InvoiceState.DISPUTED),
                order_by="due_date",
            )

    def create(
        self,
        customer_id: str,
        lines: Sequence[Line],
        *,
        payment_term: str | None = None,
        note: str = "",
        buyer_reference: str = "",
        issue: bool = True,
    ) -> Invoice:
        """A free invoice (not from an order): drafted and, by default, issued at once."""

        def body(tx: Tx) -> Invoice:
            customer: Customer = tx.get("customer", customer_id)
            term = payment_term or customer.payment_term
            resolve_term(self._ctx.policy, term)
            draft = Invoice(
                InvoiceId(new_id("inv")),
                customer.id,
                customer.currency,
                lines,
                series=self._ctx.policy.invoice_series,
                payment_term=term,
                note=note,
                buyer_reference=buyer_reference,
                created_at=tx.now,
            )
            if not draft.lines:
                raise ValidationError("an invoice needs at least one line", field="lines")
            for line in draft.lines:
                if line.unit_price.currency.code != customer.currency:
                    from s2c_core.errors import CurrencyMismatchError

                    raise CurrencyMismatchError(
                        customer.currency, line.unit_price.currency.code, operation="invoice"
                    )
            stored = tx.add("invoice", draft)
            tx.record(
                "invoice", draft.id, "drafted", to_state=str(draft.status), case_id=customer.id
            )
            return issue_in(tx, stored) if issue else stored

        return self._ctx.run(body)

    def issue(self, invoice_id: str) -> Invoice:
        """Issue a draft invoice: number, schedule, reference. Immutable afterwards."""

        def body(tx: Tx) -> Invoice:
            return issue_in(tx, tx.get("invoice", invoice_id))

        return self._ctx.run(body)

    def credit_note(
        self,
        invoice_id: str,
        *,
        reason: str,
        quantities: Mapping[int, Decimal | int | str] | None = None,
    ) -> Invoice:
        """Issue a credit note for the whole invoice or some quantities of its lines.

        The credit is applied to the invoice's open amount; a full credit moves it to
        ``credited``. On a paid invoice the credit note stays open as the customer's credit.
        """
        if not reason.strip():
            raise ValidationError("a credit note needs a reason", field="reason")

        def body(tx: Tx) -> Invoice:
            return credit_note_in(tx, invoice_id, reason=reason, quantities=quantities)

        return self._ctx.run(body)


def credit_note_in(
    tx: Tx,
    invoice_id: str,
    *,
    reason: str,
    quantities: Mapping[int, Decimal | int | str] | None = None,
) -> Invoice:
    """Issue a credit note inside *tx* (see ``InvoiceService.credit_note``)."""
    invoice: Invoice = tx.get("invoice", invoice_id)
    if invoice.kind != DocumentKind.INVOICE or invoice.status == InvoiceState.DRAFT:
        raise BusinessRuleError("only issued invoices can be credited", rule="credit_note")
    credited_before = _credited_quantities(tx, invoice)
    if quantities is None:
        lines = [
            replace(ln, quantity=ln.quantity - credited_before.get(n, Decimal(0)))
            for n, ln in enumerate(invoice.lines, start=1)
            if ln.quantity > credited_before.get(n, Decimal(0))
        ]
    else:
        lines = []
        for n, raw in sorted(quantities.items()):
            qty = Decimal(str(raw))
            if not 1 <= n <= len(invoice.lines):
                raise ValidationError(f"invoice has no line {n}", field="line", value=n)
            left = invoice.lines[n - 1].quantity - credited_before.get(n, Decimal(0))
            if qty <= 0 or qty > left:
                raise BusinessRuleError(
                    f"line {n}: can credit at most {left}", rule="over_credit", line=n
                )
            lines.append(replace(invoice.lines[n - 1], quantity=qty))
    if not lines:
        raise BusinessRuleError("nothing left to credit", rule="over_credit")
    note = Invoice(
        InvoiceId(new_id("inv")),
        invoice.customer_id,
        invoice.currency,
        lines,
        kind=DocumentKind.CREDIT_NOTE,
        series=tx.ctx.policy.credit_note_series,
        payment_term=invoice.payment_term,
        credited_invoice_id=invoice.id,
        order_id=invoice.order_id,
        note=reason,
        buyer_reference=invoice.buyer_reference or invoice.number or "",
        created_at=tx.now,
    )
    note = tx.add("invoice", note)
    tx.record(
        "invoice",
        note.id,
        "drafted",
        to_state="draft",
        case_id=invoice.customer_id,
        data={"credits": invoice.id},
    )
    note = issue_in(tx, note)
    amount = note.total
    if invoice.is_open:
        applied = amount if amount <= invoice.open_amount else invoice.open_amount
        credited = (invoice.credited or Money.zero(invoice.currency)) + applied
        updated = replace(invoice, credited=credited)
        if updated.open_amount.is_zero():
            tx.move(
                "invoice",
                invoice,
                INVOICE_FLOW,
                "credit",
                case_id=invoice.customer_id,
                data={"credit_note": note.id, "amount": applied},
                credited=credited,
            )
        else:
            tx.save("invoice", updated)
            tx.record(
                "invoice",
                invoice.id,
                "partially_credited",
                case_id=invoice.customer_id,
                data={"credit_note": note.id, "amount": applied},
            )
        note_paid = applied
        note = tx.save("invoice", replace(note, credited=note_paid))
        if note.open_amount.is_zero():
            note = tx.move(
                "invoice",
                note,
                INVOICE_FLOW,
                "pay",
                case_id=invoice.customer_id,
                data={"settled_against": invoice.id},
                paid_on=tx.now.date(),
            )
    return note


def _credited_quantities(tx: Tx, invoice: Invoice) -> dict[int, Decimal]:
    notes = [
        n
        for n in tx.uow.repo("invoice").query(customer_id=invoice.customer_id, kind="credit_note")
        if n.credited_invoice_id == invoice.id
    ]
    totals: dict[int, Decimal] = {}
    for note in notes:
        for cl in note.lines:
            for n, ln in enumerate(invoice.lines, start=1):
                if ln.product_id == cl.product_id and ln.unit_price == cl.unit_price:
                    totals[n] = totals.get(n, Decimal(0)) + cl.quantity
                    break
    return totals
