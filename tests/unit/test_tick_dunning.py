"""The tick's dunning: right moment, right channel, fees and interest, exactly once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from s2c_core import S2C, FixedClock, Line, Money, Policy
from s2c_core.entities import Invoice, ProductId
from s2c_core.policy import DunningPlan, DunningStep
from s2c_core.ports import Notification, Storage
from s2c_core.services.dunning import next_step

DUE = date(2026, 4, 1)  # net30 from 2026-03-02


def _invoice(app: S2C, customer_id: str, amount: str = "100.00", term: str = "net30") -> Invoice:
    line = Line(ProductId("consult"), "Consulting", Decimal(1), Money(amount, "EUR"))
    return app.invoices.create(customer_id, [line], payment_term=term)


def _customer(app: S2C, name: str = "Brasserie Dupont", **kwargs: Any) -> str:
    kwargs.setdefault("email", "compta@dupont.example")
    return app.customers.register(name, **kwargs).id


def _run_until(app: S2C, clock: FixedClock, day: date) -> dict[date, list[str]]:
    """Run the tick every day up to and including *day*; the keys done per day."""
    done: dict[date, list[str]] = {}
    while clock.today() <= day:
        report = app.run_due()
        assert report.errors == ()
        if report.keys:
            done[clock.today()] = list(report.keys)
        clock.advance(days=1)
    return done


def _levels(done: dict[date, list[str]], invoice_id: str) -> dict[date, int]:
    return {
        day: int(key.rsplit(":", 1)[1])
        for day, keys in done.items()
        for key in keys
        if key.startswith(f"dunning:{invoice_id}:")
    }


def _sent(app: S2C, prefix: str = "dunning:") -> list[Notification]:
    return [n for n in app.sent_notifications if n.key.startswith(prefix)]


def test_each_step_goes_out_on_its_day_by_its_channel(app: S2C, clock: FixedClock) -> None:
    cid = _customer(app)
    inv = _invoice(app, cid)
    assert inv.due_date == DUE
    done = _run_until(app, clock, DUE + timedelta(days=61))
    assert _levels(done, inv.id) == {
        DUE - timedelta(days=3): 1,
        DUE + timedelta(days=3): 2,
        DUE + timedelta(days=15): 3,
        DUE + timedelta(days=30): 4,
        DUE + timedelta(days=45): 5,
        DUE + timedelta(days=60): 6,
    }
    sent = _sent(app)
    assert [(n.channel, n.template) for n in sent] == [
        ("email", "pre_due_reminder"),
        ("email", "payment_reminder"),
        ("email", "second_reminder"),
        ("letter", "final_notice"),
        ("phone_task", "call_customer"),
        ("collection_agency", "collection_handoff"),
    ]
    assert sent[0].recipient == "compta@dupont.example"
    assert app.invoices.get(inv.id).dunning_level == 6


def test_running_the_tick_twice_the_same_day_does_nothing_more(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    clock.set(datetime(2026, 4, 4, 9, tzinfo=UTC))
    first = app.run_due()
    second = app.run_due()
    assert first.keys == (f"dunning:{inv.id}:2",)
    assert first.dunning_notices == 1
    assert first.pre_due_reminders == 0
    assert second.keys == ()
    assert len(_sent(app)) == 1
    dunned = [e for e in app.events(aggregate_id=inv.id) if e.name == "InvoiceDunned"]
    assert len(dunned) == 1
    assert dunned[0].data["skipped_levels"] == [1]


def test_a_late_first_tick_sends_one_letter_then_follows_the_plan_pace(
    app: S2C, clock: FixedClock
) -> None:
    inv = _invoice(app, _customer(app))
    clock.set(datetime.combine(DUE + timedelta(days=40), datetime.min.time(), UTC))
    done = _run_until(app, clock, DUE + timedelta(days=90))
    levels = _levels(done, inv.id)
    first = DUE + timedelta(days=40)
    # the first reminder first, then each following step after the plan's gap
    assert levels == {
        first: 2,
        first + timedelta(days=12): 3,
        first + timedelta(days=27): 4,
        first + timedelta(days=42): 5,
    }
    assert all(len(keys) == 1 for keys in done.values() if any("dunning" in k for k in keys))


def test_no_reminder_for_a_paid_invoice(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    clock.set(datetime(2026, 4, 3, 9, tzinfo=UTC))
    app.payments.record(inv.total, received_on=clock.today(), reference=inv.payment_reference)
    _run_until(app, clock, DUE + timedelta(days=70))
    assert _sent(app) == []


def test_a_partly_paid_invoice_is_reminded_of_what_is_left(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    app.payments.record(
        Money("21.00", "EUR"), received_on=clock.today(), reference=inv.payment_reference
    )
    clock.set(datetime(2026, 4, 4, 9, tzinfo=UTC))
    app.run_due()
    (letter,) = _sent(app)
    assert letter.context["invoice"]["open_amount"] == {"amount": "100.00", "currency": "EUR"}


class _HookedStorage:
    """Wraps a storage to interleave a "concurrent" change at a chosen point of the tick.

    ``after_candidates`` runs right before the next unit of work once the dunning candidates
    were read; ``inside_dunning`` runs right after the tick re-reads an invoice in the unit of
    work that processes it (so its save must conflict).
    """

    def __init__(self, inner: Storage) -> None:
        self.inner = inner
        self.name = inner.name
        self.after_candidates: Callable[[], None] | None = None
        self.inside_dunning: Callable[[], None] | None = None
        self.armed_next_uow: Callable[[], None] | None = None
        self.armed_next_get: Callable[[], None] | None = None
        self.invoice_reads = 0

    @contextmanager
    def unit_of_work(self) -> Iterator[Any]:
        hook, self.armed_next_uow = self.armed_next_uow, None
        if hook is not None:
            hook()
        with self.inner.unit_of_work() as uow:
            yield _HookedUow(uow, self)

    def close(self) -> None:
        self.inner.close()


class _HookedUow:
    def __init__(self, uow: Any, owner: _HookedStorage) -> None:
        self._uow = uow
        self._owner = owner
        self.events = uow.events
        self.outbox = uow.outbox
        self.counters = uow.counters
        self.actions = uow.actions

    def repo(self, aggregate: str) -> Any:
        repo = self._uow.repo(aggregate)
        return _HookedRepo(repo, self._owner) if aggregate == "invoice" else repo

    def commit(self) -> None:
        self._uow.commit()

    def rollback(self) -> None:
        self._uow.rollback()


class _HookedRepo:
    def __init__(self, repo: Any, owner: _HookedStorage) -> None:
        self._repo = repo
        self._owner = owner

    def query(self, **criteria: Any) -> Any:
        found = self._repo.query(**criteria)
        owner = self._owner
        if "dunning_level" in criteria:  # the dunning candidates page
            owner.armed_next_uow, owner.after_candidates = owner.after_candidates, None
            owner.armed_next_get, owner.inside_dunning = owner.inside_dunning, None
        return found

    def get(self, entity_id: str) -> Any:
        found = self._repo.get(entity_id)
        self._owner.invoice_reads += 1
        hook, self._owner.armed_next_get = self._owner.armed_next_get, None
        if hook is not None:
            hook()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._repo, name)


@pytest.fixture
def hooked(clock: FixedClock, policy: Policy) -> Iterator[tuple[S2C, _HookedStorage]]:
    inner = S2C.open("memory://", clock=clock, policy=policy, load_entry_points=False).storage
    storage = _HookedStorage(inner)
    app = S2C.open(storage, clock=clock, policy=policy, load_entry_points=False)
    app.catalog.add_product("consult", "Consulting", Money("95.00", "EUR"), stocked=False)
    yield app, storage
    app.close()


def test_a_payment_recorded_after_the_candidates_were_read_wins(
    hooked: tuple[S2C, _HookedStorage], clock: FixedClock
) -> None:
    app, storage = hooked
    inv = _invoice(app, _customer(app))
    clock.set(datetime(2026, 4, 4, 9, tzinfo=UTC))
    paid: list[str] = []

    def pay() -> None:
        payment = app.payments.record(
            inv.total, received_on=clock.today(), reference=inv.payment_reference
        )
        paid.append(payment.status)

    storage.after_candidates = pay
    report = app.run_due()
    assert paid == ["allocated"]
    assert app.invoices.get(inv.id).status == "paid"
    assert report.keys == ()
    assert _sent(app) == []


def test_a_payment_committed_inside_the_dunning_unit_of_work_conflicts_and_wins(
    hooked: tuple[S2C, _HookedStorage], clock: FixedClock
) -> None:
    app, storage = hooked
    inv = _invoice(app, _customer(app))
    clock.set(datetime(2026, 4, 4, 9, tzinfo=UTC))
    paid: list[str] = []

    def pay() -> None:
        # commits between the tick's re-read of the invoice and its save of the new level
        payment = app.payments.record(
            inv.total, received_on=clock.today(), reference=inv.payment_reference
        )
        paid.append(payment.status)

    storage.inside_dunning = pay
    reads_before = storage.invoice_reads
    report = app.run_due()
    assert paid == ["allocated"]
    assert app.invoices.get(inv.id).status == "paid"
    assert report.keys == ()
    assert report.errors == ()
    assert _sent(app) == []
    # the tick read the invoice, conflicted on save, retried and read it (paid) again
    assert storage.invoice_reads - reads_before >= 2
    assert not [e for e in app.events(aggregate_id=inv.id) if e.name == "InvoiceDunned"]


def test_unapplied_cash_covering_the_invoice_holds_the_letter(app: S2C, clock: FixedClock) -> None:
    cid = _customer(app)
    inv = _invoice(app, cid)
    app.payments.record(inv.total, received_on=clock.today(), customer_id=cid, auto_apply=False)
    clock.set(datetime(2026, 4, 4, 9, tzinfo=UTC))
    report = app.run_due()
    assert report.dunning_notices == 0
    assert report.held_by_unapplied_cash == 1
    assert report.keys == ()
    assert _sent(app) == []


def test_final_notice_claims_fee_compensation_and_interest(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app), amount="1000.00")
    _run_until(app, clock, DUE + timedelta(days=30))
    final = _sent(app)[-1]
    assert final.template == "final_notice"
    ctx = final.context
    assert ctx["fee"] == {"amount": "15.00", "currency": "EUR"}
    assert ctx["statutory_fee"] == {"amount": "40.00", "currency": "EUR"}
    assert "2 Aug 2002" in ctx["statutory_fee_rule"]
    # 1210.00 x 10.5 % x 30 / 365 (Belgian statutory rate, first half of 2026)
    assert ctx["interest"] == {"amount": "10.44", "currency": "EUR"}
    assert ctx["interest_days"] == 30
    assert ctx["total_claimed"] == {"amount": "1275.44", "currency": "EUR"}
    claimed = [e for e in app.events(aggregate_id=inv.id) if e.name == "InvoiceLateChargesClaimed"]
    assert [e.data["level"] for e in claimed] == [3, 4]
    assert claimed[-1].data["total"] == {"amount": "65.44", "currency": "EUR"}
    # the invoice itself is unchanged: charges are claimed in the letter
    assert app.invoices.get(inv.id).open_amount == Money("1210.00", "EUR")


def test_statutory_compensation_is_claimed_once_per_invoice(app: S2C, clock: FixedClock) -> None:
    _invoice(app, _customer(app))
    _run_until(app, clock, DUE + timedelta(days=61))
    fees = [n.context["statutory_fee"] for n in _sent(app)]
    assert fees.count({"amount": "40.00", "currency": "EUR"}) == 1


def test_consumer_charges_wait_for_a_reminder_and_the_grace_period(
    app: S2C, clock: FixedClock
) -> None:
    cid = _customer(app, "Jan Peeters", is_consumer=True)
    _invoice(app, cid)
    _run_until(app, clock, DUE + timedelta(days=30))
    by_template = {n.template: n.context for n in _sent(app)}
    # second reminder comes 12 days after the first: within the 14 days' grace, nothing charged
    assert by_template["second_reminder"]["interest"] is None
    assert by_template["second_reminder"]["notes"]
    # final notice 15 days after the second: the book XIX cap applies (balance 121 -> EUR 20)
    assert by_template["final_notice"]["statutory_fee"] == {"amount": "20.00", "currency": "EUR"}


def test_language_and_channel_follow_the_customer(app: S2C, clock: FixedClock) -> None:
    with_mail = _customer(app, "Café Liégeois", language="fr")
    without_mail = _customer(app, "Bakkerij Smet", language="nl", email="")
    _invoice(app, with_mail)
    _invoice(app, without_mail)
    clock.set(datetime(2026, 4, 4, 9, tzinfo=UTC))
    app.run_due()
    sent = {n.language: n for n in _sent(app)}
    assert sent["fr"].channel == "email"
    assert sent["nl"].channel == "letter"
    assert sent["nl"].recipient.startswith("Bakkerij Smet")


def test_the_segment_or_customer_plan_is_used(clock: FixedClock) -> None:
    policy = Policy.default_eu(
        "BE",
        dunning_plan_by_segment={"retail": "gentle"},
        dunning_plans={
            **Policy().dunning_plans,
            "vip": DunningPlan("vip", (DunningStep(10, "phone_task", "call_customer"),)),
        },
    )
    app = S2C.open("memory://", clock=clock, policy=policy, load_entry_points=False)
    app.catalog.add_product("consult", "Consulting", Money("95.00", "EUR"), stocked=False)
    retail = _invoice(app, _customer(app, "Retail shop", segment="retail"))
    vip = _invoice(app, _customer(app, "VIP", dunning_plan="vip"))
    done = _run_until(app, clock, DUE + timedelta(days=21))
    assert _levels(done, retail.id) == {
        DUE - timedelta(days=5): 1,
        DUE + timedelta(days=7): 2,
        DUE + timedelta(days=21): 3,
    }
    assert _levels(done, vip.id) == {DUE + timedelta(days=10): 1}


def test_run_due_acts_as_of_the_given_moment(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    report = app.run_due(now=datetime(2026, 4, 4, 9, tzinfo=UTC))
    assert report.at == datetime(2026, 4, 4, 9, tzinfo=UTC)
    assert report.keys == (f"dunning:{inv.id}:2",)
    assert clock.today() == date(2026, 3, 2)


def test_a_pre_due_reminder_is_never_sent_after_the_due_date_or_before_the_invoice() -> None:
    plan = Policy().dunning_plans["standard"]
    issue = date(2026, 3, 30)  # issued two days before the due date: no pre-due reminder
    assert (
        next_step(
            plan,
            level=0,
            last_dunned_on=None,
            due_date=DUE,
            issue_date=issue,
            today=date(2026, 3, 31),
        )
        is None
    )
    step = next_step(
        plan, level=0, last_dunned_on=None, due_date=DUE, issue_date=issue, today=date(2026, 4, 4)
    )
    assert step is not None
    assert (step.level, step.skipped) == (2, (1,))


def test_a_broken_promise_makes_the_next_step_due_at_once() -> None:
    plan = Policy().dunning_plans["standard"]
    step = next_step(
        plan,
        level=2,
        last_dunned_on=date(2026, 4, 4),
        due_date=DUE,
        issue_date=date(2026, 3, 2),
        today=date(2026, 4, 6),
        escalate=True,
    )
    assert step is not None
    assert (step.level, step.escalated) == (3, True)


def test_an_invoice_past_the_last_step_is_not_read_again(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    _run_until(app, clock, DUE + timedelta(days=61))
    assert app.invoices.get(inv.id).dunning_level == 6
    clock.advance(days=30)
    assert app.run_due().keys == ()
