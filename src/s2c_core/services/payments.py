"""Payments: record, allocate (explicitly, oldest first or by reference), return, refund.

Allocation rules, applied in one unit of work per payment:

* an invoice is never allocated more than its open amount; the rest stays on the payment as
  unapplied cash (the customer's credit), usable for later invoices or refunded;
* paid within the early-payment window, a payment of at least the total minus the discount
  settles the invoice and records the discount;
* an underpayment within ``Policy.payment_tolerance`` is written off by rule;
* a bank return or reversal un-applies the payment and reopens its invoices, which go back into
  follow-up (dunning).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from s2c_core.entities import Allocation, CustomerId, Invoice, Payment, PaymentId
from s2c_core.entities.common import new_id, replace
from s2c_core.errors import BusinessRuleError, CurrencyMismatchError, ValidationError
from s2c_core.kpi.port import WRITE_OFF_EVENT
from s2c_core.lifecycle import INVOICE_FLOW, PAYMENT_FLOW, InvoiceState, PaymentState
from s2c_core.money import Money, sum_money
from s2c_core.references import ReferenceScheme, detect_reference, ogm_vcs, rf_creditor
from s2c_core.services._base import Context, Tx

__all__ = ["PaymentService", "apply_to_invoice", "normalise_reference"]

_OPEN = (
    InvoiceState.ISSUED,
    InvoiceState.PARTIALLY_PAID,
    InvoiceState.DISPUTED,
    InvoiceState.WRITTEN_OFF,
)


def normalise_reference(text: str) -> str:
    """The printed form of a valid OGM/VCS or RF reference in *text*, or ``""``."""
    found = detect_reference(text or "")
    if found is None:
        return ""
    scheme, clean = found
    return ogm_vcs.format(clean) if scheme == ReferenceScheme.OGM_VCS else rf_creditor.format(clean)


def _zero(m: Money | None, currency: str) -> Money:
    return m if m is not None else Money.zero(currency)


def _collectible(invoice: Invoice) -> Money:
    """What a payment can still settle: a written-off invoice counts its write-off as open."""
    if invoice.status == InvoiceState.WRITTEN_OFF:
        return replace(invoice, written_off=None).open_amount
    return invoice.open_amount


def apply_to_invoice(
    tx: Tx, payment: Payment, invoice: Invoice, amount: Money, *, case_id: str = ""
) -> tuple[Invoice, Allocation]:
    """Apply *amount* of *payment* to *invoice* (discount and tolerance rules included)."""
    if invoice.status not in _OPEN or invoice.kind != "invoice":
        raise BusinessRuleError(
            f"invoice {invoice.number or invoice.id} is not open",
            rule="invoice_not_open",
            invoice_id=invoice.id,
        )
    if amount.currency.code != invoice.currency:
        raise CurrencyMismatchError(invoice.currency, amount.currency.code, operation="allocate")
    if not amount.is_positive():
        raise ValidationError("allocated amount must be above zero", field="amount", value=amount)
    was_written_off = invoice.status == InvoiceState.WRITTEN_OFF
    if was_written_off:
        # a later payment reverses the write-off
        invoice = replace(invoice, written_off=None)
    open_amount = invoice.open_amount
    if amount > open_amount:
        raise BusinessRuleError(
            f"cannot allocate {amount} to {invoice.number}: only {open_amount} open",
            rule="over_allocation",
            invoice_id=invoice.id,
            open_amount=open_amount,
        )
    discount: Money | None = None
    write_off: Money | None = None
    rest = open_amount - amount
    paid_on = payment.received_on
    if (
        rest.is_positive()
        and invoice.discount_percent
        and invoice.discount_until
        and paid_on <= invoice.discount_until
        and invoice.paid is None
    ):
        offered = invoice.total.multiply(Decimal(invoice.discount_percent) / 100)
        if rest <= offered:
            discount = rest
            rest = Money.zero(invoice.currency)
    tolerance = tx.ctx.policy.payment_tolerance
    if rest.is_positive() and tolerance.currency.code == invoice.currency and rest <= tolerance:
        write_off = rest
        rest = Money.zero(invoice.currency)
    paid = _zero(invoice.paid, invoice.currency) + amount
    written = _zero(invoice.written_off, invoice.currency)
    if discount is not None:
        written += discount
    if write_off is not None:
        written += write_off
    changes: dict[str, Any] = {
        "paid": paid,
        "written_off": written if not written.is_zero() else None,
        "write_off_reason": "" if was_written_off else invoice.write_off_reason,
    }
    data = {
        "payment_id": payment.id,
        "amount": amount,
        "discount": discount,
        "write_off": write_off,
    }
    case = case_id or invoice.customer_id
    if rest.is_zero():
        updated = tx.move(
            "invoice",
            invoice,
            INVOICE_FLOW,
            "pay",
            case_id=case,
            data=data,
            paid_on=paid_on,
            **changes,
        )
    elif invoice.status == InvoiceState.PARTIALLY_PAID or was_written_off:
        updated = tx.save(
            "invoice", replace(invoice, status=InvoiceState.PARTIALLY_PAID, **changes)
        )
        tx.record("invoice", invoice.id, "payment_applied", case_id=case, data=data)
    else:
        updated = tx.move(
            "invoice", invoice, INVOICE_FLOW, "pay_part", case_id=case, data=data, **changes
        )
    return updated, Allocation(invoice.id, amount, discount, write_off, tx.now)


def _grow_bad_debt(tx: Tx, invoice: Invoice, amount: Money, payment_id: str, reason: str) -> None:
    """Record that *amount* of cash returned on a written-off invoice is bad debt too.

    Reporting reads the amount declared uncollectible from the invoice's latest
    ``InvoiceWrittenOff`` event (the small differences written off with payments are
    settlements, not bad debt). The returned cash joins that part, so a new write-off event
    carries the grown amount, dated on the return: without it the books would show the cash
    neither paid nor written off.
    """
    latest: Money | None = None
    for event in tx.uow.events.read(aggregate_id=invoice.id, limit=1000):
        if event.name == WRITE_OFF_EVENT:
            raw: Any = event.data.get("amount")
            latest = Money(raw["amount"], raw["currency"])
    for event in tx.events:  # written off again earlier in this unit of work
        if event.name == WRITE_OFF_EVENT and event.aggregate_id == invoice.id:
            raw = event.data.get("amount")
            latest = Money(raw["amount"], raw["currency"])
    grown = amount if latest is None else latest + amount
    tx.record(
        "invoice",
        invoice.id,
        "written_off",
        from_state=str(invoice.status),
        to_state=str(invoice.status),
        case_id=invoice.customer_id,
        data={"amount": grown, "reason": f"payment returned: {reason}", "payment_id": payment_id},
    )


class PaymentService:
    """Payments and cash application."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    def get(self, payment_id: str) -> Payment:
        """The payment; ``NotFoundError`` if unknown."""
        result: Payment = self._ctx.load("payment", payment_id)
        return result

    def unapplied(self) -> list[Payment]:
        """Payments waiting for a person: not (fully) applied, oldest first."""
        with self._ctx.tx() as tx:
            return tx.uow.repo("payment").query(
                status=(
                    PaymentState.UNAPPLIED,
                    PaymentState.PARTIALLY_ALLOCATED,
                    PaymentState.RECEIVED,
                ),
                order_by="received_on",
            )

    def record(
        self,
        amount: Money,
        *,
        received_on: date,
        customer_id: str | None = None,
        payer_name: str = "",
        payer_iban: str = "",
        bank_reference: str = "",
        reference: str = "",
        remittance_text: str = "",
        method: str = "transfer",
        auto_apply: bool = True,
    ) -> Payment:
        """Record a received payment and, by default, apply it automatically.

        Automatic application: the invoice with the payment's structured reference first,
        then the customer's open invoices oldest due first. What is left waits as unapplied.
        """
        if not amount.is_positive():
            raise ValidationError(
                "a received payment must be above zero", field="amount", value=amount
            )

        def body(tx: Tx) -> Payment:
            if customer_id is not None:
                tx.get("customer", customer_id)
            payment = Payment(
                PaymentId(new_id("pay")),
                amount,
                received_on,
                customer_id=CustomerId(customer_id) if customer_id else None,
                payer_name=payer_name,
                payer_iban=payer_iban,
                bank_reference=bank_reference,
                structured_reference=normalise_reference(reference),
                remittance_text=remittance_text,
                method=method,
                created_at=tx.now,
            )
            payment = tx.add("payment", payment)
            tx.record(
                "payment",
                payment.id,
                "received",
                to_state=str(payment.status),
                case_id=customer_id or payment.id,
                data={"amount": amount, "reference": payment.structured_reference},
            )
            if auto_apply:
                payment = self.auto_apply_in(tx, payment)
            return payment

        return self._ctx.run(body)

    def auto_apply_in(
        self, tx: Tx, payment: Payment, *, invoices: Sequence[Invoice] | None = None
    ) -> Payment:
        """Apply *payment* to *invoices* or (by reference, then oldest first) in order."""
        repo = tx.uow.repo("invoice")
        targets: list[Invoice] = list(invoices or ())
        if not targets and payment.structured_reference:
            targets = [
                i
                for i in repo.query(payment_reference=payment.structured_reference)
                if i.status in _OPEN
            ]
            if targets and payment.customer_id is None:
                payment = tx.save("payment", replace(payment, customer_id=targets[0].customer_id))
        if not targets and payment.customer_id:
            targets = repo.query(
                customer_id=payment.customer_id,
                kind="invoice",
                status=(InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID),
                order_by="due_date",
            )
        plan = []
        left = payment.unapplied
        for invoice in targets:
            if not left.is_positive():
                break
            if invoice.currency != payment.amount.currency.code:
                continue
            collectible = _collectible(invoice)
            take = left if left <= collectible else collectible
            if take.is_positive():
                plan.append((invoice.id, take))
                left -= take
        return self.allocate_in(tx, payment, plan) if plan else self._park(tx, payment)

    def _park(self, tx: Tx, payment: Payment) -> Payment:
        if payment.status in (PaymentState.RECEIVED,):
            return tx.move(
                "payment",
                payment,
                PAYMENT_FLOW,
                "park",
                case_id=payment.customer_id or payment.id,
                data={"unapplied": payment.unapplied},
            )
        return payment

    def allocate(self, payment_id: str, plan: Sequence[tuple[str, Money]]) -> Payment:
        """Apply a payment explicitly: ``[(invoice_id, amount), ...]``. All or nothing."""

        def body(tx: Tx) -> Payment:
            return self.allocate_in(tx, tx.get("payment", payment_id), plan)

        return self._ctx.run(body)

    def allocate_in(self, tx: Tx, payment: Payment, plan: Sequence[tuple[str, Money]]) -> Payment:
        """Apply *plan* of *payment* inside *tx* (checks everything first)."""
        total = sum_money((amt for _, amt in plan), payment.amount.currency)
        if total > payment.unapplied:
            raise BusinessRuleError(
                f"cannot allocate {total}: only {payment.unapplied} unapplied on the payment",
                rule="over_allocation",
                payment_id=payment.id,
            )
        allocations = list(payment.allocations)
        customer_id = payment.customer_id
        for invoice_id, amount in plan:
            invoice: Invoice = tx.get("invoice", invoice_id)
            if customer_id is None:
                customer_id = invoice.customer_id
            _, allocation = apply_to_invoice(tx, payment, invoice, amount)
            allocations.append(allocation)
        # the plan's allocations are its amounts: what stays unapplied is known without a copy
        event = "allocate" if (payment.unapplied - total).is_zero() else "allocate_part"
        return tx.move(
            "payment",
            payment,
            PAYMENT_FLOW,
            event,
            case_id=customer_id or payment.id,
            data={"allocations": [(i, a) for i, a in plan]},
            allocations=tuple(allocations),
            customer_id=customer_id,
        )

    def apply_credit(self, customer_id: str) -> list[Payment]:
        """Use the customer's unapplied cash on their open invoices, oldest first."""

        def body(tx: Tx) -> list[Payment]:
            out = []
            for payment in tx.uow.repo("payment").query(
                customer_id=customer_id,
                status=(PaymentState.UNAPPLIED, PaymentState.PARTIALLY_ALLOCATED),
                order_by="received_on",
            ):
                out.append(self.auto_apply_in(tx, payment))
            return out

        return self._ctx.run(body)

    def refund(self, payment_id: str, amount: Money, *, reason: str = "") -> Payment:
        """Pay back (part of) a payment's unapplied cash to the customer."""

        def body(tx: Tx) -> Payment:
            payment: Payment = tx.get("payment", payment_id)
            if amount > payment.unapplied or not amount.is_positive():
                raise BusinessRuleError(
                    f"can refund at most {payment.unapplied}",
                    rule="over_refund",
                    payment_id=payment_id,
                )
            refunded = _zero(payment.refunded, payment.amount.currency.code) + amount
            updated = replace(payment, refunded=refunded)
            if updated.unapplied.is_zero():
                return tx.move(
                    "payment",
                    payment,
                    PAYMENT_FLOW,
                    "refund",
                    case_id=payment.customer_id or payment.id,
                    data={"amount": amount, "reason": reason},
                    refunded=refunded,
                )
            saved = tx.save("payment", updated)
            tx.record(
                "payment",
                payment.id,
                "partially_refunded",
                case_id=payment.customer_id or payment.id,
                data={"amount": amount},
            )
            return saved

        return self._ctx.run(body)

    def return_payment(self, payment_id: str, *, reason: str) -> Payment:
        """A bank return or reversal: un-apply the payment and reopen its invoices.

        A paid (or credited) invoice reopens and goes back into follow-up. An invoice that was
        written off stays written off: the returned cash joins its uncollectible part, so its
        open amount stays zero and the bad-debt figures grow by the returned amount.
        """

        def body(tx: Tx) -> Payment:
            return self.return_in(tx, tx.get("payment", payment_id), reason=reason)

        return self._ctx.run(body)

    def return_in(self, tx: Tx, payment: Payment, *, reason: str) -> Payment:
        """Return *payment* inside *tx* (see ``return_payment``)."""
        PAYMENT_FLOW.next_state(payment.status, "return_payment", entity_id=payment.id)
        for allocation in payment.allocations:
            invoice: Invoice = tx.get("invoice", allocation.invoice_id)
            cur = invoice.currency
            paid = _zero(invoice.paid, cur) - allocation.amount
            written = _zero(invoice.written_off, cur)
            for extra in (allocation.discount, allocation.write_off):
                if extra is not None:
                    written -= extra
            if invoice.status == InvoiceState.WRITTEN_OFF:
                # the rest was declared uncollectible; the cash that came back joins that part,
                # so the invoice stays written off with nothing open (bad debt grows)
                written += allocation.amount
            changes: dict[str, Any] = {
                "paid": paid if paid.is_positive() else None,
                "written_off": written if written.is_positive() else None,
                "paid_on": None,
            }
            reopened = replace(invoice, **changes)
            reopens = invoice.status == InvoiceState.PAID or (
                invoice.status == InvoiceState.CREDITED and reopened.open_amount.is_positive()
            )
            if reopens:
                # a credited invoice whose payment comes back owes that money again
                event = "reopen" if reopened.paid is None else "reopen_part"
                tx.move(
                    "invoice",
                    invoice,
                    INVOICE_FLOW,
                    event,
                    case_id=invoice.customer_id,
                    data={"payment_id": payment.id, "reason": reason},
                    **changes,
                )
            elif invoice.status == InvoiceState.PARTIALLY_PAID and reopened.paid is None:
                tx.move(
                    "invoice",
                    invoice,
                    INVOICE_FLOW,
                    "reopen",
                    case_id=invoice.customer_id,
                    data={"payment_id": payment.id, "reason": reason},
                    **changes,
                )
            else:
                tx.save("invoice", reopened)
                if invoice.status == InvoiceState.WRITTEN_OFF:
                    _grow_bad_debt(tx, invoice, allocation.amount, payment.id, reason)
                tx.record(
                    "invoice",
                    invoice.id,
                    "payment_returned",
                    case_id=invoice.customer_id,
                    data={
                        "payment_id": payment.id,
                        "amount": allocation.amount,
                        "written_off": invoice.status == InvoiceState.WRITTEN_OFF,
                    },
                )
        return tx.move(
            "payment",
            payment,
            PAYMENT_FLOW,
            "return_payment",
            case_id=payment.customer_id or payment.id,
            data={"reason": reason},
            return_reason=reason,
        )
