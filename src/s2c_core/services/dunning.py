"""The dunning engine: reminders before the due date, then escalation, with fees and interest.

A [DunningPlan][s2c_core.policy.DunningPlan] is data: ordered steps with an offset in days
from the due date (negative = friendly reminder before it), a channel, a template, an optional
fee and whether statutory interest and compensation are claimed. The customer's own plan wins,
else its segment's, else the policy default; the customer's language picks the translation.

**Which step, when** ([next_step][s2c_core.services.dunning.next_step]): an invoice's
``dunning_level`` is the last step done. The next step is always ``level + 1`` - steps are never
jumped over, except reminders *before* the due date once it has passed (and a pre-due reminder
whose date falls before the invoice date). It is due when its offset has passed **and** at least
the plan's gap (difference of the two steps' offsets) has gone by since the previous letter.
So a tick running late, or an invoice found 40 days overdue by the first tick, gets one letter
- the first reminder - and then the next steps at the plan's pace: never several letters at
once, never a final notice as the first contact, and the statutory conditions "a reminder
before any fee" and "14 days' grace" (Belgian and Dutch consumers) hold naturally. After a
dispute is rejected or partly credited, dunning resumes the same way: the next step not done.

**Paused**: disputed and written-off invoices are not queried at all; a pending promise to
pay pauses until its date plus ``promise_grace_days``; unapplied cash from the customer that
covers the open amount holds the letter (someone has to apply it; re-checked every tick).
A **broken promise** escalates: the next step goes out at once, whatever its offset or gap.

**Exactly once**: each letter has the natural key ``dunning:{invoice_id}:{level}``, claimed
through the unit of work's ``ActionLog`` in the same unit of work that re-reads the invoice,
raises its level and queues the notification. A concurrent payment either commits first (the
re-read sees the invoice paid) or makes the save conflict (retry, then it is seen paid).

**Fees and interest** are claimed *in the letter* and recorded as an
``InvoiceLateChargesClaimed`` event; they are not added to the invoice (an issued invoice is
immutable and a separate fee invoice would use a number of the gapless series for an amount
the debtor may contest). ``step.fee`` is the plan's fixed fee; ``jurisdiction_fee`` claims the
statutory compensation of the policy's country once per invoice
([fee_policy][s2c_core.terms.fee_policy]); ``claim_interest`` adds statutory late interest on
the open amount from the day after the due date to today
([statutory_interest][s2c_core.terms.statutory_interest]). When the country's
[FeeConditions][s2c_core.terms.FeeConditions] require a reminder first (consumers in BE, NL),
nothing is charged until a reminder after the due date was sent at least ``grace_days`` ago.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any, Final

from attrs import frozen

from s2c_core.entities import Customer, DocumentKind, Invoice
from s2c_core.entities.common import replace
from s2c_core.entities.registry import Range
from s2c_core.errors import S2CError
from s2c_core.lifecycle import PaymentState
from s2c_core.money import Money, sum_money
from s2c_core.policy import DunningPlan, DunningStep
from s2c_core.ports import Notification
from s2c_core.services._base import Context, Tx
from s2c_core.services.receivables import COLLECTIBLE, settled_before_promise
from s2c_core.terms import (
    DebtorKind,
    EuDirectiveFeePolicy,
    FeePolicy,
    Jurisdiction,
    fee_policy,
    statutory_interest,
)

__all__ = [
    "DueStep",
    "DunningEngine",
    "LateCharges",
    "TickAction",
    "dunning_key",
    "iter_by_date",
    "next_step",
]

log = logging.getLogger(__name__)

_UNAPPLIED: Final = (
    PaymentState.RECEIVED,
    PaymentState.UNAPPLIED,
    PaymentState.PARTIALLY_ALLOCATED,
)


@frozen
class TickAction:
    """One action the time-driven work did, with its natural key.

    Attributes:
        key: The natural key claimed for it (``dunning:inv_1:2``, ``hold:cus_1:2026-03-01``).
        kind: ``quote_reminder``, ``quote_expired``, ``pre_due_reminder``, ``dunning``,
            ``promise_kept``, ``promise_broken``, ``hold``, ``release``, or
            ``dunning_held`` (not done: unapplied cash covers the invoice).
        subject_id: The aggregate acted on (invoice, quote or customer id).
        channel: The channel of the notification sent, if any.
        template: Its template name.
        detail: A short human-readable description.
    """

    key: str
    kind: str
    subject_id: str
    channel: str = ""
    template: str = ""
    detail: str = ""


@frozen
class DueStep:
    """The dunning step due for an invoice now.

    Attributes:
        level: The step's 1-based level (the invoice's ``dunning_level`` after it is done).
        step: The plan step.
        skipped: Levels jumped over (pre-due reminders whose time has passed).
        escalated: True when due because a promise to pay was broken.
    """

    level: int
    step: DunningStep
    skipped: tuple[int, ...] = ()
    escalated: bool = False


def dunning_key(invoice_id: str, level: int) -> str:
    """The natural key of dunning step *level* of an invoice: ``dunning:{id}:{level}``."""
    return f"dunning:{invoice_id}:{level}"


def next_step(
    plan: DunningPlan,
    *,
    level: int,
    last_dunned_on: date | None,
    due_date: date,
    issue_date: date | None,
    today: date,
    escalate: bool = False,
) -> DueStep | None:
    """The step due today for an invoice at dunning *level*, or None (see module docs).

    Rule: candidate = first step after *level*, skipping pre-due steps (negative offset) once
    the due date has passed or when their date precedes the invoice date. It is due when
    ``today >= due_date + offset`` and, if a step was done before,
    ``today - last_dunned_on >= offset(candidate) - offset(level)``. With *escalate* (a broken
    promise) the candidate is due at once.

    Example:
        >>> from s2c_core.policy import Policy
        >>> plan = Policy().dunning_plans["standard"]
        >>> due = date(2026, 4, 1)
        >>> next_step(plan, level=0, last_dunned_on=None, due_date=due,
        ...           issue_date=date(2026, 3, 2), today=date(2026, 5, 11)).level
        2
        >>> next_step(plan, level=2, last_dunned_on=date(2026, 5, 11), due_date=due,
        ...           issue_date=date(2026, 3, 2), today=date(2026, 5, 12)) is None
        True
    """
    overdue_days = (today - due_date).days
    skipped: list[int] = []
    candidate = level + 1
    while candidate <= len(plan.steps):
        step = plan.steps[candidate - 1]
        reminder_day = due_date + timedelta(days=step.offset_days)
        too_late = overdue_days > 0 or escalate
        before_invoice = issue_date is not None and reminder_day < issue_date
        if step.offset_days < 0 and (too_late or before_invoice):
            skipped.append(candidate)
            candidate += 1
            continue
        break
    else:
        return None
    step = plan.steps[candidate - 1]
    if escalate:
        return DueStep(candidate, step, tuple(skipped), escalated=True)
    if overdue_days < step.offset_days:
        return None
    if last_dunned_on is not None and 1 <= level <= len(plan.steps):
        gap = step.offset_days - plan.steps[level - 1].offset_days
        if (today - last_dunned_on).days < gap:
            return None
    return DueStep(candidate, step, tuple(skipped))


@frozen
class LateCharges:
    """Fees and interest claimed with one dunning letter (all None when nothing is claimed).

    Attributes:
        fee: The plan step's fixed fee.
        statutory_fee: The jurisdiction's compensation (e.g. EUR 40 B2B), once per invoice.
        statutory_fee_rule: Its legal basis.
        interest: Statutory late interest on the open amount, up to today.
        interest_percent: The annual rate of the last interest period.
        interest_days: Days of delay counted.
        notes: Why something was not claimed (missing rate, conditions not met ...).
    """

    fee: Money | None = None
    statutory_fee: Money | None = None
    statutory_fee_rule: str = ""
    interest: Money | None = None
    interest_percent: str = ""
    interest_days: int = 0
    notes: tuple[str, ...] = ()

    def total(self, currency: str) -> Money:
        """The sum of what is claimed, in *currency*."""
        parts = [m for m in (self.fee, self.statutory_fee, self.interest) if m is not None]
        return sum_money(parts, currency)

    @property
    def any(self) -> bool:
        """True when something is claimed."""
        return any(m is not None for m in (self.fee, self.statutory_fee, self.interest))


def _jurisdiction(country: str) -> Jurisdiction:
    try:
        return Jurisdiction(country.upper())
    except ValueError:
        return Jurisdiction.EU


def _fee_policy(country: str) -> FeePolicy:
    try:
        return fee_policy(country)
    except S2CError:
        return EuDirectiveFeePolicy(country.upper())


def iter_by_date(
    ctx: Context,
    aggregate: str,
    field: str,
    *,
    lo: date | None,
    hi: date | None,
    batch: int,
    **criteria: Any,
) -> Iterator[list[Any]]:
    """Pages of entities matching *criteria* with ``lo <= field <= hi``, by *field*, indexed.

    Keyset pagination on the date index: each page holds at most *batch* entities plus the
    rest of its last day (so ties on one date are never split or repeated). Each page is read
    in its own short unit of work; callers process it afterwards.
    """
    start = lo
    while True:
        with ctx.tx() as tx:
            repo = tx.uow.repo(aggregate)
            page = repo.query(order_by=field, limit=batch, **criteria, **{field: Range(start, hi)})
            full = len(page) >= batch
            if full:
                last = getattr(page[-1], field)
                head = [e for e in page if getattr(e, field) != last]
                page = head + repo.query(order_by=field, **criteria, **{field: last})
        if page:
            yield page
        if not full:
            return
        if hi is not None and last >= hi:
            return
        start = last + timedelta(days=1)


class DunningEngine:
    """Finds invoices whose next dunning step is due and does it, one unit of work each.

    Args:
        ctx: The service context (its clock gives "today").
        batch_size: Invoices read per query page.
        promise_grace_days: Days after a promise's date before it is judged (bank delay).
    """

    def __init__(self, ctx: Context, *, batch_size: int = 200, promise_grace_days: int = 2):
        self._ctx = ctx
        self.batch_size = batch_size
        self.promise_grace_days = promise_grace_days

    def candidates(self, today: date) -> Iterator[list[Invoice]]:
        """Pages of collectible invoices some step may be due for (indexed query only).

        Criteria: state issued or partially paid, kind invoice, ``dunning_level`` below the
        longest plan, and due on or before ``today + lead`` where *lead* is the earliest
        pre-due offset of any plan.
        """
        plans = list(self._ctx.policy.dunning_plans.values())
        lead = max((-p.steps[0].offset_days for p in plans if p.steps), default=0)
        longest = max((len(p.steps) for p in plans), default=0)
        if longest == 0:
            return iter(())
        return iter_by_date(
            self._ctx,
            "invoice",
            "due_date",
            lo=None,
            hi=today + timedelta(days=max(lead, 0)),
            batch=self.batch_size,
            status=COLLECTIBLE,
            kind=DocumentKind.INVOICE,
            dunning_level=Range(None, longest - 1),
        )

    def process(self, invoice_id: str, *, actor: str = "tick") -> list[TickAction]:
        """Re-read one invoice and do what is due for it, in one unit of work (with retries)."""

        def body(tx: Tx) -> list[TickAction]:
            return self.process_in(tx, invoice_id)

        return self._ctx.run(body, actor=actor)

    def process_in(self, tx: Tx, invoice_id: str) -> list[TickAction]:
        """Do what is due for *invoice_id* inside *tx* (the caller commits)."""
        today = tx.now.date()
        invoice: Invoice = tx.get("invoice", invoice_id)
        if (
            invoice.kind != DocumentKind.INVOICE
            or invoice.status not in COLLECTIBLE
            or invoice.due_date is None
            or not invoice.open_amount.is_positive()
        ):
            return []
        due_date = invoice.due_date
        customer: Customer = tx.get("customer", invoice.customer_id)
        plan = tx.ctx.policy.dunning_plan_for(customer.segment, customer.dunning_plan)
        actions: list[TickAction] = []
        escalate = False
        promise = invoice.promise
        if promise is not None:
            if today <= promise.due + timedelta(days=self.promise_grace_days):
                return []
            invoice, action = self._judge_promise(tx, invoice)
            actions.append(action)
            escalate = action.kind == "promise_broken"
        due = next_step(
            plan,
            level=invoice.dunning_level,
            last_dunned_on=invoice.last_dunned_on,
            due_date=due_date,
            issue_date=invoice.issue_date,
            today=today,
            escalate=escalate,
        )
        if due is None:
            return actions
        key = dunning_key(invoice.id, due.level)
        cash = self._unapplied_cash(tx, invoice)
        if cash >= invoice.open_amount:
            log.info("dunning %s held: unapplied cash %s covers %s", key, cash, invoice.open_amount)
            actions.append(
                TickAction(key, "dunning_held", invoice.id, detail=f"unapplied cash {cash}")
            )
            return actions
        if not tx.uow.actions.claim(key, tx.now):
            return actions
        actions.append(self._dun(tx, invoice, customer, plan, due, key))
        return actions

    # -- promises ------------------------------------------------------------------------

    def _judge_promise(self, tx: Tx, invoice: Invoice) -> tuple[Invoice, TickAction]:
        promise = invoice.promise
        assert promise is not None
        before = settled_before_promise(tx, invoice)
        settled_since = invoice.settled - before if before is not None else None
        kept = settled_since is not None and settled_since >= promise.amount
        kind = "promise_kept" if kept else "promise_broken"
        key = f"promise:{invoice.id}:{promise.due.isoformat()}"
        tx.uow.actions.claim(key, tx.now)
        saved = tx.save("invoice", replace(invoice, promise=None))
        tx.record(
            "invoice",
            invoice.id,
            kind,
            case_id=invoice.customer_id,
            data={
                "amount": promise.amount,
                "due": promise.due,
                "settled_since": settled_since,
                "open_amount": invoice.open_amount,
            },
        )
        detail = f"promised {promise.amount} by {promise.due}"
        return saved, TickAction(key, kind, invoice.id, detail=detail)

    @staticmethod
    def _unapplied_cash(tx: Tx, invoice: Invoice) -> Money:
        payments = tx.uow.repo("payment").query(
            customer_id=invoice.customer_id, status=_UNAPPLIED, currency=invoice.currency
        )
        return sum_money(
            (p.unapplied for p in payments if p.unapplied.is_positive()), invoice.currency
        )

    # -- the letter ----------------------------------------------------------------------

    def _dun(
        self,
        tx: Tx,
        invoice: Invoice,
        customer: Customer,
        plan: DunningPlan,
        due: DueStep,
        key: str,
    ) -> TickAction:
        today = tx.now.date()
        step = due.step
        assert invoice.due_date is not None
        charges = self._charges(tx, invoice, customer, plan, due)
        pre_due = step.offset_days < 0
        channel, recipient = _channel_and_recipient(step.channel, customer)
        tx.save("invoice", replace(invoice, dunning_level=due.level, last_dunned_on=today))
        tx.record(
            "invoice",
            invoice.id,
            "dunned",
            case_id=invoice.customer_id,
            data={
                "key": key,
                "level": due.level,
                "plan": plan.code,
                "offset_days": step.offset_days,
                "channel": channel,
                "template": step.template,
                "pre_due": pre_due,
                "skipped_levels": list(due.skipped),
                "escalated": due.escalated,
                "open_amount": invoice.open_amount,
            },
        )
        currency = invoice.currency
        if charges.any:
            tx.record(
                "invoice",
                invoice.id,
                "late_charges_claimed",
                case_id=invoice.customer_id,
                data={
                    "key": key,
                    "level": due.level,
                    "fee": charges.fee,
                    "statutory_fee": charges.statutory_fee,
                    "statutory_fee_rule": charges.statutory_fee_rule,
                    "interest": charges.interest,
                    "interest_percent": charges.interest_percent,
                    "interest_to": today,
                    "total": charges.total(currency),
                },
            )
        overdue_days = max((today - invoice.due_date).days, 0)
        policy = tx.ctx.policy
        context: dict[str, Any] = {
            "customer": {"id": customer.id, "name": customer.name},
            "company": {
                "name": policy.company.name,
                "iban": policy.company.iban,
                "bic": policy.company.bic,
                "email": policy.company.email,
                "phone": policy.company.phone,
            },
            "invoice": {
                "id": invoice.id,
                "number": invoice.number or "",
                "issue_date": invoice.issue_date,
                "due_date": invoice.due_date,
                "total": invoice.total,
                "open_amount": invoice.open_amount,
                "payment_reference": invoice.payment_reference,
            },
            "currency": currency,
            "level": due.level,
            "levels": len(plan.steps),
            "plan": plan.code,
            "days_overdue": overdue_days,
            "days_to_due": max((invoice.due_date - today).days, 0),
            "pre_due": pre_due,
            "broken_promise": due.escalated,
            "fee": charges.fee,
            "statutory_fee": charges.statutory_fee,
            "statutory_fee_rule": charges.statutory_fee_rule,
            "interest": charges.interest,
            "interest_percent": charges.interest_percent,
            "interest_days": charges.interest_days,
            "charges_total": charges.total(currency),
            "total_claimed": invoice.open_amount + charges.total(currency),
            "notes": list(charges.notes),
        }
        subject = (
            f"Invoice {invoice.number} due on {invoice.due_date}"
            if pre_due
            else f"Reminder {due.level}: invoice {invoice.number} overdue {overdue_days} days"
        )
        tx.notify(
            Notification(
                key=key,
                channel=channel,
                template=step.template,
                language=customer.language,
                recipient=recipient,
                subject=subject,
                context=context,
            )
        )
        kind = "pre_due_reminder" if pre_due else "dunning"
        detail = f"level {due.level} {step.template}"
        if due.escalated:
            detail += " (broken promise)"
        if charges.any:
            detail += f", claims {charges.total(currency)}"
        return TickAction(key, kind, invoice.id, channel, step.template, detail)

    def _charges(
        self, tx: Tx, invoice: Invoice, customer: Customer, plan: DunningPlan, due: DueStep
    ) -> LateCharges:
        step = due.step
        wants_statutory = any(s.jurisdiction_fee for s in plan.steps[: due.level])
        if step.offset_days < 0 or not (step.fee or step.claim_interest or wants_statutory):
            return LateCharges()
        today = tx.now.date()
        assert invoice.due_date is not None
        country = tx.ctx.policy.country
        debtor = DebtorKind.CONSUMER if customer.is_consumer else DebtorKind.BUSINESS
        fees = _fee_policy(country)
        notes: list[str] = []
        conditions = fees.conditions(debtor)
        if conditions.reminder_required and not _reminded_long_enough(
            plan, invoice, today, conditions.grace_days
        ):
            return LateCharges(notes=(f"nothing charged yet: {conditions.rule}",))
        currency = invoice.currency
        open_amount = invoice.open_amount
        fee: Money | None = None
        if step.fee is not None and step.fee.is_positive():
            if step.fee.currency.code == currency:
                fee = step.fee
            else:
                notes.append(f"plan fee in {step.fee.currency.code}, invoice in {currency}")
        statutory: Money | None = None
        rule = ""
        fee_key = f"late-fee:{invoice.id}"
        if wants_statutory and not tx.uow.actions.exists(fee_key):
            try:
                compensation = fees.collection_fee(open_amount, debtor=debtor)
            except S2CError as exc:
                notes.append(f"statutory compensation not computed: {exc}")
            else:
                if compensation.total.is_positive():
                    tx.uow.actions.claim(fee_key, tx.now)
                    statutory = compensation.total
                    rule = compensation.rule
        interest: Money | None = None
        percent = ""
        days = 0
        if step.claim_interest and today > invoice.due_date:
            try:
                breakdown = statutory_interest(
                    open_amount,
                    due=invoice.due_date,
                    paid=today,
                    jurisdiction=_jurisdiction(country),
                )
            except S2CError as exc:
                notes.append(f"statutory interest claimed, amount not computed: {exc}")
            else:
                if breakdown.total.is_positive():
                    interest = breakdown.total
                    percent = str(breakdown.periods[-1].percent) if breakdown.periods else ""
                    days = breakdown.days
        return LateCharges(fee, statutory, rule, interest, percent, days, tuple(notes))


def _reminded_long_enough(plan: DunningPlan, invoice: Invoice, today: date, grace: int) -> bool:
    """True when a reminder after the due date went out at least *grace* days ago."""
    level = invoice.dunning_level
    if level < 1 or level > len(plan.steps) or invoice.last_dunned_on is None:
        return False
    if plan.steps[level - 1].offset_days < 0:
        return False
    return (today - invoice.last_dunned_on).days >= grace


def _address(customer: Customer) -> str:
    a = customer.address
    parts = [customer.name, a.street, f"{a.postal_code} {a.city}".strip(), a.country]
    return ", ".join(p for p in parts if p)


def _channel_and_recipient(channel: str, customer: Customer) -> tuple[str, str]:
    """The channel to use (email falls back to a letter without an address) and recipient."""
    if channel == "email":
        if customer.email:
            return channel, customer.email
        channel = "letter"
    if channel == "letter":
        return channel, _address(customer)
    if channel == "phone_task":
        phones = [c.phone for c in customer.contacts if c.phone]
        return channel, phones[0] if phones else customer.name
    return channel, customer.name
