"""Receivables follow-up: disputes, promises to pay, write-offs and the statement of account.

* A **dispute** on a whole invoice or on some of its lines moves the invoice to ``disputed``
  (dunning pauses) and keeps the disputed amount on the invoice, apart from what is collectible.
  It ends in a credit note (full or partial) or a rejection; either way the invoice goes back
  into follow-up and dunning resumes at the next step not yet done.
* A **promise to pay** (date, amount) pauses dunning until that date (plus a short grace for
  the bank statement to arrive); the tick then records it as kept or broken, and a broken
  promise escalates to the next dunning step at once (see ``services.dunning``).
* A **write-off** closes an uncollectible invoice with a reason; a later payment reverses it
  (``services.payments.apply_to_invoice``).
* The **statement of account** is what a letter or a customer portal shows: open items with
  their days overdue, aging buckets, recent payments and unapplied credit.

Examples:
    >>> from datetime import datetime, UTC
    >>> from s2c_core import S2C, FixedClock
    >>> app = S2C.open("memory://", clock=FixedClock(datetime(2026, 3, 2, tzinfo=UTC)),
    ...                load_entry_points=False)
    >>> customer = app.customers.register("Café Central", customer_id="cus_central")
    >>> statement = app.receivables.statement("cus_central")
    >>> statement.total_open, len(statement.items)
    (Money('0.00', 'EUR'), 0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from attrs import frozen

from s2c_core.entities import (
    Customer,
    Dispute,
    DisputeId,
    DocumentKind,
    Invoice,
    Payment,
    PromiseToPay,
    document_totals,
)
from s2c_core.entities.common import new_id, replace
from s2c_core.entities.registry import Range
from s2c_core.errors import BusinessRuleError, CurrencyMismatchError, ValidationError
from s2c_core.kpi import AgingReport, InvoiceFact, aging_report
from s2c_core.lifecycle import DISPUTE_FLOW, INVOICE_FLOW, DisputeState, InvoiceState, PaymentState
from s2c_core.money import Money, sum_money
from s2c_core.services._base import Context, Tx
from s2c_core.services.invoicing import credit_note_in

__all__ = [
    "COLLECTIBLE",
    "ReceivableService",
    "Statement",
    "StatementItem",
    "StatementPayment",
    "settled_before_promise",
]

COLLECTIBLE: Final = (InvoiceState.ISSUED, InvoiceState.PARTIALLY_PAID)
"""Invoice states dunning works on (disputed and written-off invoices are not collectible)."""

_OPEN: Final = (*COLLECTIBLE, InvoiceState.DISPUTED)
_UNAPPLIED: Final = (
    PaymentState.RECEIVED,
    PaymentState.UNAPPLIED,
    PaymentState.PARTIALLY_ALLOCATED,
)
_PROMISE_EVENT: Final = "InvoicePromiseMade"


@frozen
class StatementItem:
    """One open document on a statement of account.

    Attributes:
        invoice_id: The document id.
        number: Its printed number.
        kind: ``invoice`` or ``credit_note``.
        issue_date: Invoice date.
        due_date: Due date.
        total: Document total, VAT included.
        open_amount: What is still owed on it (for a credit note: credit left to use).
        days_overdue: Days past the due date at the statement date (0 when not yet due).
        status: The document state (``issued``, ``partially_paid``, ``disputed``).
        disputed: Amount under dispute, if any (not collectible while disputed).
        promised_on: Date the customer promised to pay by, if a promise is pending.
        dunning_level: Dunning steps done so far.
        payment_reference: Structured reference to pay with.
    """

    invoice_id: str
    number: str
    kind: str
    issue_date: date | None
    due_date: date | None
    total: Money
    open_amount: Money
    days_overdue: int
    status: str
    disputed: Money | None = None
    promised_on: date | None = None
    dunning_level: int = 0
    payment_reference: str = ""


@frozen
class StatementPayment:
    """A payment received from the customer, and how much of it is not applied yet."""

    payment_id: str
    received_on: date
    amount: Money
    allocated: Money
    unapplied: Money
    reference: str
    status: str


@frozen
class Statement:
    """A customer's statement of account at one date: the data a letter or portal shows.

    Open amounts are the current ones; ``as_of`` is the reference date of the days overdue,
    the aging and the payment window. Documents in another currency than the customer's are
    left out.

    Attributes:
        customer_id: The customer.
        customer_name: Their name.
        currency: The customer's currency; every amount is in it.
        as_of: Reference date.
        items: Open invoices, oldest due first (disputed ones included, flagged).
        credit_notes: Credit notes with credit left (issued on already paid invoices).
        aging: Aging of the collectible items (disputed items are kept apart).
        total_open: Sum of the open items (disputed included).
        total_overdue: Open amount of collectible items past their due date.
        total_disputed: Amount under dispute.
        payments: Payments received in the window (``payments_since`` .. ``as_of``).
        unapplied_payments: Cash received and not applied to any invoice yet.
        unapplied_credit: Unapplied cash plus credit-note credit: what the customer may offset.
        balance: ``total_open - unapplied_credit``.
    """

    customer_id: str
    customer_name: str
    currency: str
    as_of: date
    items: tuple[StatementItem, ...]
    credit_notes: tuple[StatementItem, ...]
    aging: AgingReport
    total_open: Money
    total_overdue: Money
    total_disputed: Money
    payments: tuple[StatementPayment, ...]
    unapplied_payments: Money
    unapplied_credit: Money
    balance: Money


def _item(invoice: Invoice, as_of: date) -> StatementItem:
    due = invoice.due_date
    overdue = max((as_of - due).days, 0) if due is not None else 0
    return StatementItem(
        invoice_id=invoice.id,
        number=invoice.number or "",
        kind=str(invoice.kind),
        issue_date=invoice.issue_date,
        due_date=due,
        total=invoice.total,
        open_amount=invoice.open_amount,
        days_overdue=overdue,
        status=str(invoice.status),
        disputed=invoice.disputed if invoice.status == InvoiceState.DISPUTED else None,
        promised_on=invoice.promise.due if invoice.promise is not None else None,
        dunning_level=invoice.dunning_level,
        payment_reference=invoice.payment_reference,
    )


def settled_before_promise(tx: Tx, invoice: Invoice) -> Money | None:
    """What was settled on *invoice* when its pending promise was made (from the event log).

    Returns None when the invoice has no promise or the ``InvoicePromiseMade`` event is missing.
    """
    promise = invoice.promise
    if promise is None:
        return None
    found: Money | None = None
    for event in tx.uow.events.read(aggregate_id=invoice.id, limit=10_000):
        if event.name == _PROMISE_EVENT and event.data.get("due") == promise.due.isoformat():
            raw = event.data.get("settled_before")
            if isinstance(raw, Mapping):
                found = Money(str(raw["amount"]), str(raw["currency"]))
    return found


class ReceivableService:
    """Disputes, promises to pay, write-offs and statements of account (``app.receivables``)."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    # -- disputes ------------------------------------------------------------------------

    def get_dispute(self, dispute_id: str) -> Dispute:
        """The dispute; ``NotFoundError`` if unknown."""
        result: Dispute = self._ctx.load("dispute", dispute_id)
        return result

    def disputes(
        self, *, customer_id: str | None = None, status: str | Sequence[str] | None = None
    ) -> list[Dispute]:
        """Disputes, optionally of one customer and/or in some states, by id."""
        criteria: dict[str, Any] = {}
        if customer_id is not None:
            criteria["customer_id"] = customer_id
        if status is not None:
            criteria["status"] = status if isinstance(status, str) else tuple(status)
        with self._ctx.tx() as tx:
            return tx.uow.repo("dispute").query(**criteria)

    def open_dispute(
        self,
        invoice_id: str,
        *,
        reason: str,
        lines: Sequence[int] | None = None,
        actor: str = "",
    ) -> Dispute:
        """Record the customer's objection to an invoice, or to some of its lines.

        The invoice moves to ``disputed`` (dunning pauses) and keeps the disputed amount:
        the gross amount of the disputed lines (line net + VAT, without document-level
        allowances), or the whole open amount, never more than what is open.

        Args:
            invoice_id: An issued, unpaid or partially paid invoice.
            reason: Why the customer objects (required).
            lines: 1-based line numbers in dispute; None for the whole invoice.
            actor: Who records it, for the audit trail.

        Raises:
            ValidationError: No reason, or a line number the invoice does not have.
            InvalidTransitionError: The invoice is not open (paid, credited, already disputed).
        """
        if not reason.strip():
            raise ValidationError("a dispute needs a reason", field="reason")
        numbers = tuple(sorted(set(lines or ())))

        def body(tx: Tx) -> Dispute:
            invoice: Invoice = tx.get("invoice", invoice_id)
            INVOICE_FLOW.next_state(invoice.status, "dispute", entity_id=invoice.id)
            if invoice.kind != DocumentKind.INVOICE:
                raise BusinessRuleError("only invoices can be disputed", rule="dispute_kind")
            for n in numbers:
                if not 1 <= n <= len(invoice.lines):
                    raise ValidationError(f"invoice has no line {n}", field="lines", value=n)
            open_amount = invoice.open_amount
            if numbers:
                selected = [invoice.lines[n - 1] for n in numbers]
                amount = document_totals(selected, invoice.currency).payable
                amount = min(amount, open_amount)
            else:
                amount = open_amount
            dispute = Dispute(
                DisputeId(new_id("dsp")),
                invoice.id,
                invoice.customer_id,
                amount,
                reason,
                line_numbers=numbers,
                opened_at=tx.now,
            )
            dispute = tx.add("dispute", dispute)
            tx.record(
                "dispute",
                dispute.id,
                "opened",
                to_state=str(dispute.status),
                case_id=invoice.customer_id,
                data={
                    "invoice_id": invoice.id,
                    "amount": amount,
                    "reason": reason,
                    "lines": list(numbers),
                },
            )
            tx.move(
                "invoice",
                invoice,
                INVOICE_FLOW,
                "dispute",
                case_id=invoice.customer_id,
                data={"dispute_id": dispute.id, "amount": amount, "reason": reason},
                disputed=amount,
                dispute_id=dispute.id,
            )
            return dispute

        return self._ctx.run(body, actor=actor)

    def investigate(self, dispute_id: str, *, note: str = "", actor: str = "") -> Dispute:
        """Mark the dispute as being investigated (optional step)."""

        def body(tx: Tx) -> Dispute:
            dispute: Dispute = tx.get("dispute", dispute_id)
            return tx.move(
                "dispute",
                dispute,
                DISPUTE_FLOW,
                "investigate",
                case_id=dispute.customer_id,
                data={"note": note},
            )

        return self._ctx.run(body, actor=actor)

    def resolve_dispute(
        self,
        dispute_id: str,
        *,
        resolution: str,
        quantities: Mapping[int, Decimal | int | str] | None = None,
        actor: str = "",
    ) -> Dispute:
        """Settle the dispute in the customer's favour with a credit note.

        Without *quantities*, the disputed lines are credited in full (the whole invoice for a
        dispute on the whole invoice). A partial credit leaves the rest of the invoice
        collectible again: dunning resumes at the next step not yet done.

        Args:
            dispute_id: An open or investigating dispute.
            resolution: What was agreed (becomes the credit note's reason).
            quantities: Line number -> quantity to credit, for a partial credit.
            actor: Who decided.

        Returns:
            The resolved dispute, with ``credit_note_id``.
        """
        if not resolution.strip():
            raise ValidationError("a resolution needs a text", field="resolution")

        def body(tx: Tx) -> Dispute:
            dispute: Dispute = tx.get("dispute", dispute_id)
            DISPUTE_FLOW.next_state(dispute.status, "resolve", entity_id=dispute.id)
            invoice: Invoice = tx.get("invoice", dispute.invoice_id)
            wanted: Mapping[int, Decimal | int | str] | None = quantities
            if wanted is None and dispute.line_numbers:
                wanted = {n: invoice.lines[n - 1].quantity for n in dispute.line_numbers}
            note = credit_note_in(
                tx,
                invoice.id,
                reason=f"dispute {dispute.id}: {resolution}",
                quantities=wanted,
            )
            self._end_invoice_dispute(tx, invoice.id, dispute, outcome="resolved")
            return tx.move(
                "dispute",
                dispute,
                DISPUTE_FLOW,
                "resolve",
                case_id=dispute.customer_id,
                data={"credit_note_id": note.id, "amount": note.total, "resolution": resolution},
                closed_at=tx.now,
                resolution=resolution,
                credit_note_id=note.id,
            )

        return self._ctx.run(body, actor=actor)

    def reject_dispute(self, dispute_id: str, *, reason: str, actor: str = "") -> Dispute:
        """Reject the dispute: the invoice is collectible again, dunning resumes where it was."""
        if not reason.strip():
            raise ValidationError("a rejection needs a reason", field="reason")

        def body(tx: Tx) -> Dispute:
            dispute: Dispute = tx.get("dispute", dispute_id)
            DISPUTE_FLOW.next_state(dispute.status, "reject", entity_id=dispute.id)
            self._end_invoice_dispute(tx, dispute.invoice_id, dispute, outcome="rejected")
            return tx.move(
                "dispute",
                dispute,
                DISPUTE_FLOW,
                "reject",
                case_id=dispute.customer_id,
                data={"reason": reason},
                closed_at=tx.now,
                resolution=reason,
            )

        return self._ctx.run(body, actor=actor)

    @staticmethod
    def _end_invoice_dispute(tx: Tx, invoice_id: str, dispute: Dispute, *, outcome: str) -> None:
        """Take the invoice out of ``disputed`` (back to issued / partially paid)."""
        invoice: Invoice = tx.get("invoice", invoice_id)
        data = {"dispute_id": dispute.id, "outcome": outcome}
        if invoice.status != InvoiceState.DISPUTED:
            # fully credited (or otherwise settled) meanwhile: just drop the disputed amount
            if invoice.disputed is not None:
                tx.save("invoice", replace(invoice, disputed=None))
            return
        paid = invoice.paid is not None and invoice.paid.is_positive()
        tx.move(
            "invoice",
            invoice,
            INVOICE_FLOW,
            "resolve_dispute_part" if paid else "resolve_dispute",
            case_id=invoice.customer_id,
            data=data,
            disputed=None,
        )

    # -- promises ------------------------------------------------------------------------

    def promise(
        self,
        invoice_id: str,
        *,
        amount: Money,
        due: date,
        note: str = "",
        actor: str = "",
    ) -> Invoice:
        """Record the customer's promise to pay *amount* by *due*: dunning pauses until then.

        A new promise replaces a pending one. After *due* (plus the dunning engine's grace
        days) the tick checks it: kept when at least *amount* was settled since the promise,
        broken otherwise, and a broken promise escalates to the next dunning step at once.

        Raises:
            ValidationError: Amount not above zero, or a date in the past.
            BusinessRuleError: The invoice is not collectible, or the amount exceeds what is
                open.
        """
        if not amount.is_positive():
            raise ValidationError("a promised amount must be above zero", field="amount")

        def body(tx: Tx) -> Invoice:
            invoice: Invoice = tx.get("invoice", invoice_id)
            if due < tx.now.date():
                raise ValidationError(
                    f"a promise must be for today or later, got {due}", field="due", value=due
                )
            if invoice.status not in COLLECTIBLE or invoice.kind != DocumentKind.INVOICE:
                raise BusinessRuleError(
                    f"invoice {invoice.number or invoice.id} is {invoice.status}: "
                    "a promise needs an unpaid invoice",
                    rule="promise_not_open",
                    invoice_id=invoice.id,
                )
            if amount.currency.code != invoice.currency:
                raise CurrencyMismatchError(invoice.currency, amount.currency.code)
            if amount > invoice.open_amount:
                raise BusinessRuleError(
                    f"cannot promise {amount}: only {invoice.open_amount} open",
                    rule="over_promise",
                    invoice_id=invoice.id,
                )
            saved = tx.save(
                "invoice",
                replace(invoice, promise=PromiseToPay(amount, due, tx.now, note)),
            )
            tx.record(
                "invoice",
                invoice.id,
                "promise_made",
                case_id=invoice.customer_id,
                data={
                    "amount": amount,
                    "due": due,
                    "note": note,
                    "open_amount": invoice.open_amount,
                    "settled_before": invoice.settled,
                },
            )
            return saved

        return self._ctx.run(body, actor=actor)

    # -- write-offs ----------------------------------------------------------------------

    def write_off(self, invoice_id: str, *, reason: str, actor: str = "") -> Invoice:
        """Write the open amount off as uncollectible, with a reason.

        A pending promise is dropped and an open dispute is closed as resolved (by the
        write-off). A payment received later reverses the write-off.
        """
        if not reason.strip():
            raise ValidationError("a write-off needs a reason", field="reason")

        def body(tx: Tx) -> Invoice:
            invoice: Invoice = tx.get("invoice", invoice_id)
            INVOICE_FLOW.next_state(invoice.status, "write_off", entity_id=invoice.id)
            amount = invoice.open_amount
            if not amount.is_positive():
                raise BusinessRuleError("nothing left to write off", rule="write_off_nothing")
            if invoice.status == InvoiceState.DISPUTED and invoice.dispute_id:
                dispute: Dispute = tx.get("dispute", invoice.dispute_id)
                if dispute.status in (DisputeState.OPEN, DisputeState.INVESTIGATING):
                    tx.move(
                        "dispute",
                        dispute,
                        DISPUTE_FLOW,
                        "resolve",
                        case_id=dispute.customer_id,
                        data={"resolution": "written off"},
                        closed_at=tx.now,
                        resolution=f"written off: {reason}",
                    )
            written = (invoice.written_off or Money.zero(invoice.currency)) + amount
            return tx.move(
                "invoice",
                invoice,
                INVOICE_FLOW,
                "write_off",
                case_id=invoice.customer_id,
                data={"amount": amount, "reason": reason},
                written_off=written,
                write_off_reason=reason,
                disputed=None,
                promise=None,
            )

        return self._ctx.run(body, actor=actor)

    # -- statement -----------------------------------------------------------------------

    def statement(
        self,
        customer_id: str,
        as_of: date | None = None,
        *,
        payments_since: date | None = None,
    ) -> Statement:
        """The customer's statement of account at *as_of* (today by default).

        Args:
            customer_id: The customer.
            as_of: Reference date for days overdue, aging and the payment window.
            payments_since: First day of the payment window (default: 90 days before *as_of*).
        """
        day = as_of or self._ctx.today()
        since = payments_since or day - timedelta(days=90)
        with self._ctx.tx() as tx:
            customer: Customer = tx.get("customer", customer_id)
            invoices = tx.uow.repo("invoice")
            open_docs: list[Invoice] = invoices.query(
                customer_id=customer_id,
                kind=DocumentKind.INVOICE,
                status=_OPEN,
                currency=customer.currency,
                order_by="due_date",
            )
            notes: list[Invoice] = invoices.query(
                customer_id=customer_id,
                kind=DocumentKind.CREDIT_NOTE,
                status=InvoiceState.ISSUED,
                currency=customer.currency,
                order_by="issue_date",
            )
            payment_repo = tx.uow.repo("payment")
            window: list[Payment] = payment_repo.query(
                customer_id=customer_id,
                currency=customer.currency,
                received_on=Range(since, day),
                order_by="received_on",
            )
            unapplied: list[Payment] = payment_repo.query(
                customer_id=customer_id, currency=customer.currency, status=_UNAPPLIED
            )
        currency = customer.currency
        items = tuple(
            _item(i, day)
            for i in open_docs
            if i.issue_date is None or i.issue_date <= day
            if i.open_amount.is_positive()
        )
        credit_notes = tuple(_item(n, day) for n in notes if n.open_amount.is_positive())
        collectible = [i for i in items if i.status != InvoiceState.DISPUTED]
        facts = [
            InvoiceFact(
                i.number or i.invoice_id,
                customer.id,
                customer.segment,
                currency,
                i.issue_date or day,
                i.due_date or i.issue_date or day,
                i.open_amount,
            )
            for i in collectible
        ]
        aging = aging_report(facts, as_of=day, currency=currency)
        zero = Money.zero(currency)
        total_open = sum_money((i.open_amount for i in items), currency)
        overdue = sum_money((i.open_amount for i in collectible if i.days_overdue > 0), currency)
        disputed = sum_money(
            (i.disputed or i.open_amount for i in items if i.status == InvoiceState.DISPUTED),
            currency,
        )
        cash = sum_money((p.unapplied for p in unapplied if p.unapplied.is_positive()), currency)
        credit = cash + sum_money((n.open_amount for n in credit_notes), currency)
        payments = tuple(
            StatementPayment(
                p.id,
                p.received_on,
                p.amount,
                p.allocated,
                p.unapplied if p.status in _UNAPPLIED else zero,
                p.structured_reference or p.remittance_text,
                str(p.status),
            )
            for p in window
        )
        return Statement(
            customer_id=customer.id,
            customer_name=customer.name,
            currency=currency,
            as_of=day,
            items=items,
            credit_notes=credit_notes,
            aging=aging,
            total_open=total_open,
            total_overdue=overdue,
            total_disputed=disputed,
            payments=payments,
            unapplied_payments=cash,
            unapplied_credit=credit,
            balance=total_open - credit,
        )
