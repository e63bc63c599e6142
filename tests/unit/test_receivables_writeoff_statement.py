"""Write-offs (and their reversal by a later payment) and the statement of account."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from s2c_core import S2C, BusinessRuleError, FixedClock, Line, Money, ValidationError
from s2c_core.entities import Invoice, ProductId

DUE = date(2026, 4, 1)


def _invoice(app: S2C, customer_id: str, amount: str = "100.00") -> Invoice:
    line = Line(ProductId("consult"), "Consulting", Decimal(1), Money(amount, "EUR"))
    return app.invoices.create(customer_id, [line])


def _customer(app: S2C, name: str = "Bistro Verhaeghe") -> str:
    return app.customers.register(name, email="boekhouding@verhaeghe.example").id


def test_a_write_off_stops_dunning_and_records_the_reason(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    written = app.receivables.write_off(inv.id, reason="bankruptcy of the customer")
    assert written.status == "written_off"
    assert written.written_off == Money("121.00", "EUR")
    assert written.write_off_reason == "bankruptcy of the customer"
    assert written.open_amount == Money("0.00", "EUR")
    event = next(e for e in app.events(aggregate_id=inv.id) if e.name == "InvoiceWrittenOff")
    assert event.data["reason"] == "bankruptcy of the customer"
    clock.set(datetime(2026, 5, 15, 9, tzinfo=UTC))
    assert app.run_due().keys == ()
    assert app.receivables.statement(inv.customer_id).items == ()


def test_a_later_payment_allocated_to_it_reverses_the_write_off(
    app: S2C, clock: FixedClock
) -> None:
    cid = _customer(app)
    inv = _invoice(app, cid)
    app.receivables.write_off(inv.id, reason="customer unreachable")
    clock.advance(days=90)
    payment = app.payments.record(
        inv.total, received_on=clock.today(), customer_id=cid, auto_apply=False
    )
    payment = app.payments.allocate(payment.id, [(inv.id, inv.total)])
    invoice = app.invoices.get(inv.id)
    assert payment.status == "allocated"
    assert invoice.status == "paid"
    assert invoice.written_off is None
    assert invoice.write_off_reason == ""


def test_a_later_payment_by_reference_reverses_the_write_off(app: S2C, clock: FixedClock) -> None:
    inv = _invoice(app, _customer(app))
    app.receivables.write_off(inv.id, reason="customer unreachable")
    clock.advance(days=90)
    payment = app.payments.record(
        inv.total, received_on=clock.today(), reference=inv.payment_reference
    )
    assert payment.status == "allocated"
    assert app.invoices.get(inv.id).status == "paid"


def test_a_partial_later_payment_reopens_the_rest(app: S2C, clock: FixedClock) -> None:
    cid = _customer(app)
    inv = _invoice(app, cid)
    app.receivables.write_off(inv.id, reason="customer unreachable")
    payment = app.payments.record(
        Money("21.00", "EUR"), received_on=clock.today(), customer_id=cid, auto_apply=False
    )
    app.payments.allocate(payment.id, [(inv.id, Money("21.00", "EUR"))])
    invoice = app.invoices.get(inv.id)
    assert invoice.status == "partially_paid"
    assert invoice.open_amount == Money("100.00", "EUR")


def test_writing_off_a_disputed_invoice_closes_the_dispute(app: S2C) -> None:
    inv = _invoice(app, _customer(app))
    dispute = app.receivables.open_dispute(inv.id, reason="quality")
    written = app.receivables.write_off(inv.id, reason="not worth pursuing")
    assert (written.status, written.disputed) == ("written_off", None)
    closed = app.receivables.get_dispute(dispute.id)
    assert closed.status == "resolved"
    assert closed.resolution == "written off: not worth pursuing"


def test_write_off_input_is_checked(app: S2C) -> None:
    inv = _invoice(app, _customer(app))
    with pytest.raises(ValidationError):
        app.receivables.write_off(inv.id, reason="")
    app.payments.record(inv.total, received_on=date(2026, 3, 2), reference=inv.payment_reference)
    with pytest.raises(Exception) as refused:
        app.receivables.write_off(inv.id, reason="paid already")
    assert refused.type.__name__ in ("InvalidTransitionError", "BusinessRuleError")


def test_statement_lists_open_items_aging_payments_and_credit(app: S2C, clock: FixedClock) -> None:
    cid = _customer(app)
    old = _invoice(app, cid, "1000.00")  # 1210.00 due 2026-04-01
    clock.set(datetime(2026, 4, 20, 9, tzinfo=UTC))
    recent = _invoice(app, cid, "200.00")  # 242.00 due 2026-05-20
    app.payments.record(
        Money("210.00", "EUR"), received_on=clock.today(), reference=old.payment_reference
    )
    app.payments.record(
        Money("50.00", "EUR"),
        received_on=clock.today(),
        customer_id=cid,
        auto_apply=False,
        remittance_text="advance",
    )
    paid = _invoice(app, cid, "10.00")
    app.payments.record(paid.total, received_on=clock.today(), reference=paid.payment_reference)
    app.invoices.credit_note(paid.id, reason="goodwill")  # credit left to use: 12.10
    clock.advance(days=1)
    disputed = _invoice(app, cid, "30.00")  # due one day after *recent*
    app.receivables.open_dispute(disputed.id, reason="not ordered")
    app.receivables.promise(recent.id, amount=recent.total, due=date(2026, 5, 25))

    statement = app.receivables.statement(cid, date(2026, 5, 15))
    assert statement.customer_name == "Bistro Verhaeghe"
    assert [i.number for i in statement.items] == [old.number, recent.number, disputed.number]
    first = statement.items[0]
    assert first.open_amount == Money("1000.00", "EUR")
    assert first.days_overdue == 44
    assert first.payment_reference == old.payment_reference
    assert statement.items[1].days_overdue == 0
    assert statement.items[1].promised_on == date(2026, 5, 25)
    assert statement.items[2].disputed == Money("36.30", "EUR")
    assert statement.total_open == Money("1278.30", "EUR")
    assert statement.total_overdue == Money("1000.00", "EUR")
    assert statement.total_disputed == Money("36.30", "EUR")
    buckets = {b.label: b.amount for b in statement.aging.buckets}
    assert buckets["current"] == Money("242.00", "EUR")
    assert buckets["31-60"] == Money("1000.00", "EUR")
    assert statement.aging.total == Money("1242.00", "EUR")
    assert sorted(p.amount.amount for p in statement.payments) == [
        Decimal("12.10"),
        Decimal("50.00"),
        Decimal("210.00"),
    ]
    assert statement.unapplied_payments == Money("50.00", "EUR")
    assert [n.open_amount for n in statement.credit_notes] == [Money("12.10", "EUR")]
    assert statement.unapplied_credit == Money("62.10", "EUR")
    assert statement.balance == Money("1216.20", "EUR")


def test_statement_payment_window_and_as_of_default(app: S2C, clock: FixedClock) -> None:
    cid = _customer(app)
    inv = _invoice(app, cid)
    app.payments.record(
        Money("21.00", "EUR"), received_on=clock.today(), reference=inv.payment_reference
    )
    clock.advance(timedelta(days=100))
    statement = app.receivables.statement(cid)
    assert statement.as_of == clock.today()
    assert statement.payments == ()
    longer = app.receivables.statement(cid, payments_since=date(2026, 1, 1))
    assert len(longer.payments) == 1


def test_a_statement_for_an_unknown_customer_is_refused(app: S2C) -> None:
    with pytest.raises(LookupError):
        app.receivables.statement("cus_nobody")


def test_nothing_left_to_write_off_is_refused(app: S2C) -> None:
    inv = _invoice(app, _customer(app))
    app.payments.record(
        Money("120.96", "EUR"), received_on=date(2026, 3, 2), reference=inv.payment_reference
    )
    with pytest.raises((BusinessRuleError, Exception)):
        app.receivables.write_off(inv.id, reason="rounding")


def test_a_payment_returned_after_the_write_off_joins_the_uncollectible_part(
    app: S2C, clock: FixedClock
) -> None:
    cid = _customer(app)
    inv = _invoice(app, cid)
    payment = app.payments.record(
        Money("50.00", "EUR"), received_on=clock.today(), customer_id=cid, auto_apply=False
    )
    app.payments.allocate(payment.id, [(inv.id, Money("50.00", "EUR"))])
    written = app.receivables.write_off(inv.id, reason="customer bankrupt")
    assert (written.paid, written.written_off) == (Money("50.00", "EUR"), Money("71.00", "EUR"))
    returned = app.payments.return_payment(payment.id, reason="AC04")
    invoice = app.invoices.get(inv.id)
    assert returned.status == "returned"
    assert invoice.status == "written_off"
    assert invoice.paid is None
    assert invoice.written_off == Money("121.00", "EUR")
    assert invoice.open_amount == Money("0.00", "EUR")
    event = [e for e in app.events(aggregate_id=inv.id) if e.name == "InvoicePaymentReturned"][-1]
    assert event.data["written_off"] is True
    assert event.data["amount"] == {"amount": "50.00", "currency": "EUR"}
    # the bad debt grows by the returned cash, for reporting as well as on the document
    grown = [e for e in app.events(aggregate_id=inv.id) if e.name == "InvoiceWrittenOff"][-1]
    assert grown.data["amount"] == {"amount": "121.00", "currency": "EUR"}
    assert grown.data["payment_id"] == payment.id
    (fact,) = [f for f in app.kpi.invoice_facts() if f.invoice_id == inv.id]
    assert fact.written_off == Money("121.00", "EUR")
    assert fact.open_as_of(date(2100, 1, 1)) == Money("0.00", "EUR")
