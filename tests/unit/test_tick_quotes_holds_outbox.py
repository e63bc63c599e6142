"""The tick's other work: quote reminders and expiry, credit holds and releases, redelivery."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from s2c_core import S2C, FixedClock, LineItem, Money, Policy, hookimpl
from s2c_core.entities import Invoice
from s2c_core.ports import Notification

SENT_ON = date(2026, 3, 2)
VALID_UNTIL = date(2026, 4, 1)  # 30 days


def _quote(app: S2C, customer_id: str) -> str:
    quote = app.quotes.draft(customer_id, [LineItem("consult", 2)])
    return app.quotes.send(quote.id).id


def _customer(app: S2C, name: str = "Atelier Martin", **kwargs: object) -> str:
    return app.customers.register(name, email="info@martin.example", **kwargs).id  # type: ignore[arg-type]


def _daily(app: S2C, clock: FixedClock, until: date) -> dict[date, list[str]]:
    done: dict[date, list[str]] = {}
    while clock.today() <= until:
        report = app.run_due()
        assert report.errors == ()
        if report.keys:
            done[clock.today()] = list(report.keys)
        clock.advance(days=1)
    return done


def test_quote_reminders_before_expiry_then_expiry(app: S2C, clock: FixedClock) -> None:
    qid = _quote(app, _customer(app, language="nl"))
    done = _daily(app, clock, VALID_UNTIL + timedelta(days=3))
    assert done == {
        VALID_UNTIL - timedelta(days=7): [f"quote-reminder:{qid}:7"],
        VALID_UNTIL - timedelta(days=2): [f"quote-reminder:{qid}:2"],
        VALID_UNTIL + timedelta(days=1): [f"quote-expiry:{qid}"],
    }
    assert app.quotes.get(qid).status == "expired"
    sent = [n for n in app.sent_notifications if qid in n.key]
    assert [(n.template, n.language, n.channel) for n in sent] == [
        ("quote_reminder", "nl", "email"),
        ("quote_reminder", "nl", "email"),
        ("quote_expired", "nl", "email"),
    ]
    assert sent[0].context["days_left"] == 7
    assert [e.name for e in app.events(aggregate_id=qid)][-3:] == [
        "QuoteReminderSent",
        "QuoteReminderSent",
        "QuoteExpired",
    ]


def test_a_late_tick_sends_only_the_most_urgent_quote_reminder(app: S2C, clock: FixedClock) -> None:
    qid = _quote(app, _customer(app))
    clock.set(datetime.combine(VALID_UNTIL - timedelta(days=1), datetime.min.time(), UTC))
    first = app.run_due()
    again = app.run_due()
    assert first.keys == (f"quote-reminder:{qid}:2",)
    assert first.quote_reminders == 1
    assert again.keys == ()


def test_no_reminder_dated_before_the_quote_was_sent(app: S2C, clock: FixedClock) -> None:
    quote = app.quotes.draft(_customer(app), [LineItem("consult", 1)], valid_days=5)
    app.quotes.send(quote.id)
    done = _daily(app, clock, SENT_ON + timedelta(days=5))
    assert done == {SENT_ON + timedelta(days=3): [f"quote-reminder:{quote.id}:2"]}


def test_an_accepted_quote_gets_no_reminder(app: S2C, clock: FixedClock) -> None:
    qid = _quote(app, _customer(app))
    app.quotes.accept(qid)
    done = _daily(app, clock, VALID_UNTIL + timedelta(days=2))
    assert not [k for keys in done.values() for k in keys if k.startswith("quote")]


def _active_with_invoice(app: S2C, name: str = "Brasserie Dupont") -> tuple[str, Invoice]:
    cid = _customer(app, name)
    order = app.orders.create(cid, [LineItem("consult", Decimal(1))])
    app.orders.ship(order.id)
    (invoice,) = app.invoices.list(customer_id=cid)
    return cid, invoice


def test_credit_hold_past_the_threshold_and_release_once_paid(app: S2C, clock: FixedClock) -> None:
    cid, inv = _active_with_invoice(app)
    assert inv.due_date == VALID_UNTIL
    hold_day = VALID_UNTIL + timedelta(days=31)
    done = _daily(app, clock, hold_day)
    assert f"hold:{cid}:{VALID_UNTIL.isoformat()}" in done[hold_day]
    customer = app.customers.get(cid)
    assert customer.status == "on_hold"
    assert inv.number
    assert inv.number in customer.hold_reason
    assert app.run_due().holds == 0
    app.payments.record(inv.total, received_on=clock.today(), reference=inv.payment_reference)
    report = app.run_due()
    assert report.releases == 1
    assert app.customers.get(cid).status == "active"
    assert app.run_due().releases == 0


def test_a_customer_with_a_write_off_stays_on_hold(app: S2C, clock: FixedClock) -> None:
    cid, inv = _active_with_invoice(app)
    clock.set(datetime.combine(VALID_UNTIL + timedelta(days=31), datetime.min.time(), UTC))
    assert app.run_due().holds == 1
    app.receivables.write_off(inv.id, reason="bankruptcy")
    clock.advance(days=1)
    assert app.run_due().releases == 0
    assert app.customers.get(cid).status == "on_hold"


def test_a_manual_hold_is_not_released_by_the_tick(app: S2C, clock: FixedClock) -> None:
    cid, _ = _active_with_invoice(app)
    app.customers.hold(cid, "fraud check")
    report = app.run_due()
    assert report.releases == 0
    assert app.customers.get(cid).status == "on_hold"


def test_a_manual_release_is_respected_for_the_same_overdue_spell(
    app: S2C, clock: FixedClock
) -> None:
    cid, _ = _active_with_invoice(app)
    clock.set(datetime.combine(VALID_UNTIL + timedelta(days=31), datetime.min.time(), UTC))
    assert app.run_due().holds == 1
    app.customers.release(cid, actor="credit manager")
    clock.advance(days=1)
    assert app.run_due().holds == 0
    assert app.customers.get(cid).status == "active"


def test_a_disputed_invoice_does_not_put_the_customer_on_hold(app: S2C, clock: FixedClock) -> None:
    _cid, inv = _active_with_invoice(app)
    app.receivables.open_dispute(inv.id, reason="never delivered")
    clock.set(datetime.combine(VALID_UNTIL + timedelta(days=40), datetime.min.time(), UTC))
    assert app.run_due().holds == 0


class _FlakyMail:
    """An email notifier that fails its first *failures* sends."""

    channels = ("email",)

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[Notification] = []

    def send(self, notification: Notification) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("mail server down")
        self.sent.append(notification)

    @hookimpl
    def s2c_notifiers(self) -> list[_FlakyMail]:
        return [self]


def test_the_tick_redelivers_what_failed(clock: FixedClock, policy: Policy) -> None:
    mail = _FlakyMail(failures=1)
    app = S2C.open("memory://", clock=clock, policy=policy, plugins=[mail], load_entry_points=False)
    app.catalog.add_product("consult", "Consulting", Money("95.00", "EUR"), stocked=False)
    _quote(app, _customer(app))
    clock.set(datetime.combine(VALID_UNTIL - timedelta(days=7), datetime.min.time(), UTC))
    first = app.run_due()
    assert first.quote_reminders == 1
    assert mail.sent == []
    (pending,) = app.outbox_messages(status="pending")
    assert pending.attempts == 1
    clock.advance(days=1)
    second = app.run_due()
    assert second.delivery.delivered == 1
    assert len(mail.sent) == 1
    assert app.outbox_messages(status="pending") == []
    assert app.run_due().delivery.delivered == 0
    assert len(mail.sent) == 1
