"""The time-driven tick: every time-based action, idempotent, in small units of work.

``app.run_due(now=None)`` calls [run_due][s2c_core.services.tick.run_due], which does, in
order:

1. **quote reminders** ``reminder_days_before`` days before ``valid_until`` (key
   ``quote-reminder:{quote_id}:{days}``; a late tick sends only the most urgent reminder, and
   none whose date falls before the quote was sent);
2. **quote expiry** of sent quotes past their validity (``QuoteService.expire_due``, key
   ``quote-expiry:{quote_id}``) with a ``quote_expired`` notification
   (``quote-expired:{quote_id}``);
3. **promises and dunning** per invoice (see [dunning][s2c_core.services.dunning]; keys
   ``promise:{invoice_id}:{date}``, ``dunning:{invoice_id}:{level}``,
   ``late-fee:{invoice_id}``);
4. **credit holds** for customers with an invoice overdue more than
   ``policy.credit.hold_overdue_days`` (key ``hold:{customer_id}:{oldest due date}``) and
   **releases** of those holds once nothing is overdue and nothing was written off
   (``release:{customer_id}:{version}``);
5. **outbox redelivery** of notifications whose retry time has come.

Each action claims its natural key through ``ActionLog.claim`` in the unit of work that does
it, so running the tick twice, late, or from several workers at once does each action once.
Work is read with indexed queries (state, dates) in pages and done one unit of work per
invoice, quote or customer: a conflict on one never undoes the others. Domain refusals and
conflicts that survive the retries are logged and reported, not raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Final, TypeVar

from attrs import frozen

from s2c_core.clock import FixedClock, ensure_aware
from s2c_core.entities import Customer, DocumentKind, Invoice, Quote
from s2c_core.entities.common import replace
from s2c_core.entities.registry import Range
from s2c_core.errors import ConflictError, S2CError
from s2c_core.lifecycle import CUSTOMER_FLOW, CustomerState, InvoiceState, QuoteState
from s2c_core.ports import Notification
from s2c_core.services._base import Context, Tx
from s2c_core.services.dunning import DunningEngine, TickAction, iter_by_date
from s2c_core.services.outbox import DeliveryReport, OutboxDispatcher
from s2c_core.services.receivables import COLLECTIBLE
from s2c_core.services.sales import QuoteService

__all__ = ["HOLD_REASON_PREFIX", "TickAction", "TickReport", "run_due"]

log = logging.getLogger(__name__)

T = TypeVar("T")

HOLD_REASON_PREFIX: Final = "overdue:"
"""Holds placed by the tick start their ``hold_reason`` with this; only those are released."""

_BATCH: Final = 200


@frozen
class TickReport:
    """What one run of the tick did.

    Attributes:
        at: The moment the tick ran as.
        quote_reminders: Quote expiry reminders queued.
        quotes_expired: Quotes expired.
        pre_due_reminders: Friendly reminders before an invoice's due date.
        dunning_notices: Dunning steps after the due date (letters, calls, hand-offs).
        promises_kept: Promises to pay judged kept.
        promises_broken: Promises to pay judged broken (each escalates).
        holds: Customers put on credit hold.
        releases: Credit holds released.
        held_by_unapplied_cash: Dunning steps held because unapplied cash covers the invoice.
        delivery: What the outbox redelivery did.
        actions: Every action, in order, with its natural key.
        errors: Items skipped after a refusal or a persistent conflict (``key: message``).
    """

    at: datetime
    quote_reminders: int
    quotes_expired: int
    pre_due_reminders: int
    dunning_notices: int
    promises_kept: int
    promises_broken: int
    holds: int
    releases: int
    held_by_unapplied_cash: int
    delivery: DeliveryReport
    actions: tuple[TickAction, ...]
    errors: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        """The natural keys of the actions done (``dunning_held`` excluded: not done)."""
        return tuple(a.key for a in self.actions if a.kind != "dunning_held")

    @property
    def total(self) -> int:
        """Number of actions done."""
        return len(self.keys)


class _Run:
    """Collects actions and errors of one tick."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.actions: list[TickAction] = []
        self.errors: list[str] = []

    def attempt(self, label: str, body: Callable[[Tx], list[TickAction]]) -> None:
        try:
            self.actions.extend(self.ctx.run(body, actor="tick"))
        except ConflictError as exc:
            log.warning("tick: %s still conflicting after retries: %s", label, exc)
            self.errors.append(f"{label}: {exc}")
        except S2CError as exc:
            log.warning("tick: %s refused: %s", label, exc)
            self.errors.append(f"{label}: {exc}")

    def count(self, kind: str) -> int:
        return sum(1 for a in self.actions if a.kind == kind)


def run_due(
    ctx: Context,
    quotes: QuoteService,
    *,
    now: datetime | None = None,
    batch_size: int = _BATCH,
    promise_grace_days: int = 2,
) -> TickReport:
    """Do every time-based action due at *now* (the clock by default); see the module docs.

    Args:
        ctx: The application's context.
        quotes: The quote service (its ``expire_due`` is used).
        now: Act as of this moment (timezone-aware); default: the context's clock.
        batch_size: Rows read per query page.
        promise_grace_days: Days after a promise's date before it is judged.

    Returns:
        The [TickReport][s2c_core.services.tick.TickReport].
    """
    if now is not None:
        ctx = replace(ctx, clock=FixedClock(ensure_aware(now, field="now")))
    at = ctx.clock.now()
    today = at.date()
    run = _Run(ctx)
    _quote_reminders(run, today, batch_size)
    _quote_expiry(run, quotes, today)
    engine = DunningEngine(ctx, batch_size=batch_size, promise_grace_days=promise_grace_days)
    for page in engine.candidates(today):
        for invoice in page:
            run.attempt(f"invoice {invoice.id}", _bind(engine.process_in, invoice.id))
    _holds(run, today, batch_size)
    _releases(run, today, batch_size)
    delivery = _deliver(ctx)
    return TickReport(
        at=at,
        quote_reminders=run.count("quote_reminder"),
        quotes_expired=run.count("quote_expired"),
        pre_due_reminders=run.count("pre_due_reminder"),
        dunning_notices=run.count("dunning"),
        promises_kept=run.count("promise_kept"),
        promises_broken=run.count("promise_broken"),
        holds=run.count("hold"),
        releases=run.count("release"),
        held_by_unapplied_cash=run.count("dunning_held"),
        delivery=delivery,
        actions=tuple(run.actions),
        errors=tuple(run.errors),
    )


def _bind(
    fn: Callable[[Tx, str], list[TickAction]], subject: str
) -> Callable[[Tx], list[TickAction]]:
    def body(tx: Tx) -> list[TickAction]:
        return fn(tx, subject)

    return body


# -- quotes ------------------------------------------------------------------------------


def _quote_context(tx: Tx, quote: Quote, customer: Customer) -> dict[str, object]:
    assert quote.valid_until is not None
    return {
        "customer": {"id": customer.id, "name": customer.name},
        "company": {"name": tx.ctx.policy.company.name, "email": tx.ctx.policy.company.email},
        "quote": {
            "id": quote.id,
            "revision": quote.revision,
            "valid_until": quote.valid_until,
            "total": quote.totals.payable,
            "salesperson": quote.salesperson,
        },
        "currency": quote.currency,
        "days_left": max((quote.valid_until - tx.now.date()).days, 0),
    }


def _quote_reminders(run: _Run, today: date, batch: int) -> None:
    days_before = sorted(set(run.ctx.policy.quote.reminder_days_before))
    if not days_before:
        return
    horizon = today + timedelta(days=days_before[-1])

    def remind(tx: Tx, quote_id: str) -> list[TickAction]:
        quote: Quote = tx.get("quote", quote_id)
        if quote.status != QuoteState.SENT or quote.valid_until is None:
            return []
        days_left = (quote.valid_until - today).days
        applicable = [d for d in days_before if d >= days_left]
        if days_left < 0 or not applicable:
            return []
        days = applicable[0]
        sent_on = quote.sent_at.date() if quote.sent_at else None
        if sent_on is not None and quote.valid_until - timedelta(days=days) <= sent_on:
            return []  # the reminder date is not after sending: the quote itself is news enough
        key = f"quote-reminder:{quote.id}:{days}"
        if not tx.uow.actions.claim(key, tx.now):
            return []
        customer: Customer = tx.get("customer", quote.customer_id)
        tx.record(
            "quote",
            quote.id,
            "reminder_sent",
            case_id=quote.lead_id or quote.customer_id,
            data={"key": key, "days_before": days, "valid_until": quote.valid_until},
        )
        channel = "email" if customer.email else "letter"
        tx.notify(
            Notification(
                key=key,
                channel=channel,
                template="quote_reminder",
                language=customer.language,
                recipient=customer.email or customer.name,
                subject=f"Your quote is valid until {quote.valid_until}",
                context=_quote_context(tx, quote, customer),
            )
        )
        return [
            TickAction(key, "quote_reminder", quote.id, channel, "quote_reminder", f"{days} days")
        ]

    for page in iter_by_date(
        run.ctx,
        "quote",
        "valid_until",
        lo=today,
        hi=horizon,
        batch=batch,
        status=QuoteState.SENT,
    ):
        for quote in page:
            run.attempt(f"quote {quote.id}", _bind(remind, quote.id))


def _quote_expiry(run: _Run, quotes: QuoteService, today: date) -> None:
    def expire(tx: Tx) -> list[TickAction]:
        actions = []
        expired = quotes.expire_due(tx, today)
        customers = tx.uow.repo("customer").get_many(sorted({q.customer_id for q in expired}))
        for quote in expired:
            customer: Customer = customers[quote.customer_id]
            key = f"quote-expired:{quote.id}"
            channel = "email" if customer.email else "letter"
            tx.notify(
                Notification(
                    key=key,
                    channel=channel,
                    template="quote_expired",
                    language=customer.language,
                    recipient=customer.email or customer.name,
                    subject=f"Your quote expired on {quote.valid_until}",
                    context=_quote_context(tx, quote, customer),
                )
            )
            actions.append(
                TickAction(
                    f"quote-expiry:{quote.id}", "quote_expired", quote.id, channel, "quote_expired"
                )
            )
        return actions

    run.attempt("quote expiry", expire)


# -- credit holds ------------------------------------------------------------------------


def _oldest_overdue(tx: Tx, customer_id: str, cutoff: date) -> Invoice | None:
    found: list[Invoice] = tx.uow.repo("invoice").query(
        customer_id=customer_id,
        kind=DocumentKind.INVOICE,
        status=COLLECTIBLE,
        due_date=Range(None, cutoff),
        order_by="due_date",
        limit=1,
    )
    return found[0] if found else None


def _holds(run: _Run, today: date, batch: int) -> None:
    threshold = run.ctx.policy.credit.hold_overdue_days
    cutoff = today - timedelta(days=threshold + 1)  # overdue more than the threshold
    seen: set[str] = set()

    def hold(tx: Tx, customer_id: str) -> list[TickAction]:
        customer: Customer = tx.get("customer", customer_id)
        if customer.status != CustomerState.ACTIVE:
            return []
        oldest = _oldest_overdue(tx, customer_id, cutoff)
        if oldest is None or oldest.due_date is None:
            return []
        key = f"hold:{customer_id}:{oldest.due_date.isoformat()}"
        if not tx.uow.actions.claim(key, tx.now):
            return []  # already held once for this overdue spell (a person may have released)
        days = (today - oldest.due_date).days
        reason = (
            f"{HOLD_REASON_PREFIX} invoice {oldest.number} overdue {days} days "
            f"(more than {threshold})"
        )
        tx.move(
            "customer",
            customer,
            CUSTOMER_FLOW,
            "hold",
            case_id=customer_id,
            data={"reason": reason, "key": key, "invoice_id": oldest.id},
            hold_reason=reason,
        )
        return [TickAction(key, "hold", customer_id, detail=reason)]

    for page in iter_by_date(
        run.ctx,
        "invoice",
        "due_date",
        lo=None,
        hi=cutoff,
        batch=batch,
        status=COLLECTIBLE,
        kind=DocumentKind.INVOICE,
    ):
        for invoice in page:
            if invoice.customer_id in seen:
                continue
            seen.add(invoice.customer_id)
            run.attempt(f"customer {invoice.customer_id}", _bind(hold, invoice.customer_id))


def _releases(run: _Run, today: date, batch: int) -> None:
    if not run.ctx.policy.credit.release_when_paid:
        return
    yesterday = today - timedelta(days=1)

    def release(tx: Tx, customer_id: str) -> list[TickAction]:
        customer: Customer = tx.get("customer", customer_id)
        if customer.status != CustomerState.ON_HOLD or not customer.hold_reason.startswith(
            HOLD_REASON_PREFIX
        ):
            return []
        if _oldest_overdue(tx, customer_id, yesterday) is not None:
            return []
        written_off = tx.uow.repo("invoice").count(
            customer_id=customer_id, status=InvoiceState.WRITTEN_OFF
        )
        if written_off:
            return []  # bad debt: a person decides whether to trade again
        key = f"release:{customer_id}:{customer.version}"
        if not tx.uow.actions.claim(key, tx.now):
            return []
        tx.move(
            "customer",
            customer,
            CUSTOMER_FLOW,
            "release",
            case_id=customer_id,
            data={"reason": "nothing overdue any more", "key": key},
            hold_reason="",
        )
        return [TickAction(key, "release", customer_id, detail="nothing overdue any more")]

    with run.ctx.tx() as tx:
        held: list[Customer] = tx.uow.repo("customer").query(
            status=CustomerState.ON_HOLD, limit=batch * 50
        )
    for customer in held:
        if customer.hold_reason.startswith(HOLD_REASON_PREFIX):
            run.attempt(f"customer {customer.id}", _bind(release, customer.id))


# -- outbox ------------------------------------------------------------------------------


def _deliver(ctx: Context, *, limit: int = 100, rounds: int = 100) -> DeliveryReport:
    dispatcher = OutboxDispatcher(ctx)
    delivered = failed = parked = 0
    for _ in range(rounds):
        report = dispatcher.deliver_due(limit=limit)
        delivered += report.delivered
        failed += report.failed
        parked += report.parked
        if report.delivered + report.failed + report.parked < limit:
            break
    return DeliveryReport(delivered, failed, parked)
