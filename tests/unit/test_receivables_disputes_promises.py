"""Disputes and promises to pay pause dunning; their outcome decides how it resumes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from s2c_core import (
    S2C,
    BusinessRuleError,
    FixedClock,
    InvalidTransitionError,
    Line,
    Money,
    ValidationError,
)
from s2c_core.entities import Invoice, ProductId

DUE = date(2026, 4, 1)


def _invoice(app: S2C, customer_id: str) -> Invoice:
    lines = [
        Line(ProductId("consult"), "Consulting", Decimal(2), Money("100.00", "EUR")),
        Line(ProductId("beer"), "Crate of Blonde", Decimal(4), Money("25.00", "EUR")),
    ]
    return app.invoices.create(customer_id, lines)  # 363.00 incl. 21 % VAT, due 2026-04-01


def _customer(app: S2C) -> str:
    return app.customers.register("Brasserie Dupont", email="compta@dupont.example").id


def _at(clock: FixedClock, day: date) -> None:
    clock.set(datetime.combine(day, datetime.min.time(), UTC).replace(hour=9))


def _dunning_keys(app: S2C, invoice_id: str) -> list[str]:
    return [n.key for n in app.sent_notifications if n.key.startswith(f"dunning:{invoice_id}:")]


def _tick_days(app: S2C, clock: FixedClock, first: date, last: date) -> dict[date, list[str]]:
    _at(clock, first)
    done: dict[date, list[str]] = {}
    while clock.today() <= last:
        report = app.run_due()
        assert report.errors == ()
        if report.keys:
            done[clock.today()] = list(report.keys)
        clock.advance(days=1)
    return done


def test_a_dispute_on_the_whole_invoice_pauses_dunning_and_keeps_the_amount_apart(
    app: S2C, clock: FixedClock
) -> None:
    inv = _invoice(app, _customer(app))
    dispute = app.receivables.open_dispute(inv.id, reason="goods damaged")
    invoice = app.invoices.get(inv.id)
    assert invoice.status == "disputed"
    assert invoice.disputed == dispute.amount == Money("363.00", "EUR")
    assert invoice.dispute_id == dispute.id
    done = _tick_days(app, clock, DUE - timedelta(days=5), DUE + timedelta(days=40))
    assert not [k for keys in done.values() for k in keys if k.startswith("dunning")]
    statement = app.receivables.statement(invoice.customer_id)
    assert statement.total_disputed == Money("363.00", "EUR")
    assert statement.aging.total == Money("0.00", "EUR")
    assert statement.items[0].disputed == Money("363.00", "EUR")


def test_a_rejected_dispute_resumes_dunning_at_the_next_step_not_done(
    app: S2C, clock: FixedClock
) -> None:
    inv = _invoice(app, _customer(app))
    _tick_days(app, clock, DUE + timedelta(days=3), DUE + timedelta(days=3))
    assert _dunning_keys(app, inv.id) == [f"dunning:{inv.id}:2"]
    dispute = app.receivables.open_dispute(inv.id, reason="price not as agreed")
    app.receivables.investigate(dispute.id, note="checking the price list")
    _tick_days(app, clock, DUE + timedelta(days=4), DUE + timedelta(days=39))
    assert _dunning_keys(app, inv.id) == [f"dunning:{inv.id}:2"]
    rejected = app.receivables.reject_dispute(dispute.id, reason="price list of 2026 applies")
    assert rejected.status == "rejected"
    invoice = app.invoices.get(inv.id)
    assert (invoice.status, invoice.disputed) == ("issued", None)
    done = _tick_days(app, clock, DUE + timedelta(days=40), DUE + timedelta(days=40))
    assert done == {DUE + timedelta(days=40): [f"dunning:{inv.id}:3"]}


def test_a_dispute_on_some_lines_ends_in_a_partial_credit_note(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    dispute = app.receivables.open_dispute(inv.id, reason="two crates broken", lines=[2])
    assert dispute.amount == Money("121.00", "EUR")  # 4 x 25.00 + 21 % VAT
    assert dispute.line_numbers == (2,)
    resolved = app.receivables.resolve_dispute(
        dispute.id, resolution="credit the two broken crates", quantities={2: 2}
    )
    assert resolved.status == "resolved"
    assert resolved.credit_note_id is not None
    note = app.invoices.get(resolved.credit_note_id)
    assert (note.kind, note.total) == ("credit_note", Money("60.50", "EUR"))
    invoice = app.invoices.get(inv.id)
    assert invoice.status == "issued"
    assert invoice.disputed is None
    assert invoice.open_amount == Money("302.50", "EUR")
    _tick_days(app, clock, DUE + timedelta(days=3), DUE + timedelta(days=3))
    (letter,) = [n for n in app.sent_notifications if n.key.startswith("dunning:")]
    assert letter.context["invoice"]["open_amount"] == {"amount": "302.50", "currency": "EUR"}


def test_resolving_a_line_dispute_without_quantities_credits_the_disputed_lines(
    app: S2C,
) -> None:
    inv = _invoice(app, _customer(app))
    dispute = app.receivables.open_dispute(inv.id, reason="crates never delivered", lines=[2])
    resolved = app.receivables.resolve_dispute(dispute.id, resolution="not delivered")
    assert app.invoices.get(resolved.credit_note_id or "").total == Money("121.00", "EUR")
    assert app.invoices.get(inv.id).open_amount == Money("242.00", "EUR")


def test_a_full_credit_settles_a_disputed_invoice_for_good(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    dispute = app.receivables.open_dispute(inv.id, reason="wrong customer")
    app.receivables.resolve_dispute(dispute.id, resolution="invoiced to the wrong customer")
    invoice = app.invoices.get(inv.id)
    assert (invoice.status, invoice.disputed) == ("credited", None)
    done = _tick_days(app, clock, DUE, DUE + timedelta(days=20))
    assert not [k for keys in done.values() for k in keys if k.startswith("dunning")]


def test_a_partly_paid_invoice_goes_back_to_partly_paid_after_a_rejection(app: S2C) -> None:
    inv = _invoice(app, _customer(app))
    app.payments.record(
        Money("100.00", "EUR"), received_on=date(2026, 3, 2), reference=inv.payment_reference
    )
    dispute = app.receivables.open_dispute(inv.id, reason="rest is disputed")
    assert dispute.amount == Money("263.00", "EUR")
    app.receivables.reject_dispute(dispute.id, reason="delivered as ordered")
    assert app.invoices.get(inv.id).status == "partially_paid"


def test_dispute_input_is_checked_before_anything_changes(app: S2C) -> None:
    inv = _invoice(app, _customer(app))
    with pytest.raises(ValidationError):
        app.receivables.open_dispute(inv.id, reason=" ")
    with pytest.raises(ValidationError):
        app.receivables.open_dispute(inv.id, reason="bad line", lines=[3])
    assert app.invoices.get(inv.id).status == "issued"
    assert app.receivables.disputes() == []
    dispute = app.receivables.open_dispute(inv.id, reason="late delivery")
    with pytest.raises(InvalidTransitionError):
        app.receivables.open_dispute(inv.id, reason="twice")
    app.receivables.reject_dispute(dispute.id, reason="on time")
    with pytest.raises(InvalidTransitionError):
        app.receivables.reject_dispute(dispute.id, reason="again")
    assert [d.status for d in app.receivables.disputes(customer_id=inv.customer_id)] == ["rejected"]


def test_a_paid_invoice_cannot_be_disputed(app: S2C) -> None:
    inv = _invoice(app, _customer(app))
    app.payments.record(inv.total, received_on=date(2026, 3, 2), reference=inv.payment_reference)
    with pytest.raises(InvalidTransitionError):
        app.receivables.open_dispute(inv.id, reason="too late")


def test_a_promise_pauses_dunning_until_its_date_and_a_kept_one_resumes_normally(
    app: S2C, clock: FixedClock
) -> None:
    inv = _invoice(app, _customer(app))
    _tick_days(app, clock, DUE + timedelta(days=3), DUE + timedelta(days=3))
    app.receivables.promise(inv.id, amount=inv.total, due=DUE + timedelta(days=20))
    assert app.invoices.get(inv.id).promise is not None
    done = _tick_days(app, clock, DUE + timedelta(days=4), DUE + timedelta(days=22))
    assert not [k for keys in done.values() for k in keys if k.startswith("dunning")]
    app.payments.record(inv.total, received_on=clock.today(), reference=inv.payment_reference)
    done = _tick_days(app, clock, DUE + timedelta(days=23), DUE + timedelta(days=60))
    assert [k for keys in done.values() for k in keys] == []
    assert app.invoices.get(inv.id).status == "paid"


def test_a_partial_promise_kept_resumes_dunning_at_the_plan_pace(
    app: S2C, clock: FixedClock
) -> None:
    inv = _invoice(app, _customer(app))
    _tick_days(app, clock, DUE + timedelta(days=3), DUE + timedelta(days=3))
    app.receivables.promise(inv.id, amount=Money("100.00", "EUR"), due=DUE + timedelta(days=10))
    _at(clock, DUE + timedelta(days=9))
    app.payments.record(
        Money("100.00", "EUR"), received_on=clock.today(), reference=inv.payment_reference
    )
    done = _tick_days(app, clock, DUE + timedelta(days=12), DUE + timedelta(days=16))
    assert done == {
        DUE + timedelta(days=13): [f"promise:{inv.id}:{(DUE + timedelta(days=10)).isoformat()}"],
        DUE + timedelta(days=15): [f"dunning:{inv.id}:3"],
    }
    kept = [e for e in app.events(aggregate_id=inv.id) if e.name == "InvoicePromiseKept"]
    assert len(kept) == 1
    assert app.invoices.get(inv.id).promise is None


def test_a_broken_promise_escalates_at_once(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    _tick_days(app, clock, DUE + timedelta(days=3), DUE + timedelta(days=3))
    promised = DUE + timedelta(days=5)
    app.receivables.promise(inv.id, amount=inv.total, due=promised, note="phone call")
    done = _tick_days(app, clock, DUE + timedelta(days=4), DUE + timedelta(days=9))
    assert done == {
        promised + timedelta(days=3): [
            f"promise:{inv.id}:{promised.isoformat()}",
            f"dunning:{inv.id}:3",
        ]
    }
    letter = next(n for n in app.sent_notifications if n.key == f"dunning:{inv.id}:3")
    assert letter.context["broken_promise"] is True
    names = [e.name for e in app.events(aggregate_id=inv.id)]
    assert "InvoicePromiseBroken" in names


def test_promise_input_is_checked(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    with pytest.raises(ValidationError):
        app.receivables.promise(inv.id, amount=Money("10.00", "EUR"), due=date(2026, 3, 1))
    with pytest.raises(BusinessRuleError):
        app.receivables.promise(inv.id, amount=Money("400.00", "EUR"), due=DUE)
    with pytest.raises(ValidationError):
        app.receivables.promise(inv.id, amount=Money("0.00", "EUR"), due=DUE)
    app.receivables.open_dispute(inv.id, reason="quality")
    with pytest.raises(BusinessRuleError):
        app.receivables.promise(inv.id, amount=Money("10.00", "EUR"), due=DUE)
