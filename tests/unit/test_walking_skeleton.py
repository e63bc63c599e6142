"""One customer walked from quote to cash through the public API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from s2c_core import (
    S2C,
    BusinessRuleError,
    CurrencyMismatchError,
    FixedClock,
    InvalidTransitionError,
    LineItem,
    Money,
    NotFoundError,
    ValidationError,
)
from s2c_core.entities import Invoice


def _walk(app: S2C, clock: FixedClock) -> tuple[str, str]:
    customer = app.customers.register("Brasserie Dupont", language="fr")
    quote = app.quotes.send(app.quotes.draft(customer.id, [LineItem("beer", 10)]).id)
    order = app.quotes.accept(quote.id)
    app.orders.ship(order.id)
    invoice = app.invoices.list(customer_id=customer.id)[0]
    clock.advance(days=5)
    app.payments.record(
        invoice.total, received_on=clock.today(), reference=invoice.payment_reference
    )
    return customer.id, invoice.id


def test_quote_to_cash_walks_every_lifecycle_and_records_events(
    app: S2C, clock: FixedClock
) -> None:
    customer_id, invoice_id = _walk(app, clock)
    invoice = app.invoices.get(invoice_id)
    assert invoice.status == "paid"
    assert invoice.number == "INV-2026-000001"
    assert invoice.total == Money("296.45", "EUR")  # 10 x 24.50 = 245.00 + 21 % VAT
    assert app.customers.get(customer_id).status == "active"
    names = [e.name for e in app.events()]
    for expected in (
        "QuoteSent",
        "QuoteAccepted",
        "OrderConfirmed",
        "StockReserved",
        "ShipmentShipped",
        "InvoiceIssued",
        "PaymentReceived",
        "InvoicePaid",
        "PaymentAllocated",
    ):
        assert expected in names
    sequences = [e.sequence for e in app.events()]
    assert sequences == sorted(sequences)


def test_stock_is_reserved_on_confirmation_and_consumed_on_shipment(app: S2C) -> None:
    customer = app.customers.register("Café Central")
    order = app.orders.create(customer.id, [LineItem("beer", 30)])
    assert app.catalog.stock("beer").reserved == Decimal(30)
    app.orders.ship(order.id, {1: 10})
    level = app.catalog.stock("beer")
    assert (level.on_hand, level.reserved) == (Decimal(90), Decimal(20))
    assert app.orders.get(order.id).status == "partially_shipped"


def test_shipping_more_than_ordered_is_refused_and_changes_nothing(app: S2C) -> None:
    customer = app.customers.register("Café Central")
    order = app.orders.create(customer.id, [LineItem("beer", 5)])
    before = len(app.events())
    with pytest.raises(BusinessRuleError) as info:
        app.orders.ship(order.id, {1: 6})
    assert info.value.rule == "over_shipment"  # type: ignore[attr-defined]
    assert len(app.events()) == before
    assert app.catalog.stock("beer").on_hand == Decimal(100)


def test_not_enough_stock_is_refused_and_nothing_is_reserved(app: S2C) -> None:
    customer = app.customers.register("Café Central")
    with pytest.raises(BusinessRuleError) as info:
        app.orders.create(customer.id, [LineItem("beer", 101)])
    assert info.value.rule == "stock"  # type: ignore[attr-defined]
    assert app.catalog.stock("beer").reserved == 0
    assert app.invoices.list() == []


@pytest.mark.parametrize(
    ("items", "error"),
    [
        ([LineItem("nope", 1)], NotFoundError),
        ([], ValidationError),
        ([LineItem("beer", 1, unit_price=Money("1.00", "USD"))], CurrencyMismatchError),
    ],
)
def test_bad_quote_input_gets_a_typed_error_and_stores_nothing(
    app: S2C, items: list[LineItem], error: type[Exception]
) -> None:
    customer = app.customers.register("Café Central")
    before = len(app.events())
    with pytest.raises(error):
        app.quotes.draft(customer.id, items)
    assert len(app.events()) == before


@pytest.mark.parametrize("qty", ["0", "-1"])
def test_zero_or_negative_quantities_are_refused(qty: str) -> None:
    from s2c_core import Line

    with pytest.raises(ValidationError):
        LineItem("beer", qty)

    with pytest.raises(ValidationError):
        Line("beer", "x", Decimal(qty), Money("1.00", "EUR"))  # type: ignore[arg-type]


def test_negative_price_is_refused() -> None:
    from s2c_core import Line

    with pytest.raises(ValidationError):
        Line("beer", "x", Decimal(1), Money("-1.00", "EUR"))  # type: ignore[arg-type]


def test_unknown_customer_is_not_found(app: S2C) -> None:
    with pytest.raises(NotFoundError) as info:
        app.quotes.draft("cus_missing", [LineItem("beer", 1)])
    assert info.value.entity_id == "cus_missing"  # type: ignore[attr-defined]


def test_invalid_transition_names_entity_state_and_event(app: S2C) -> None:
    customer = app.customers.register("Café Central")
    quote = app.quotes.draft(customer.id, [LineItem("beer", 1)])
    with pytest.raises(InvalidTransitionError) as info:
        app.quotes.accept(quote.id)  # never sent
    err = info.value
    assert (err.entity, err.state, err.event) == ("quote", "draft", "accept")  # type: ignore[attr-defined]
    assert app.quotes.get(quote.id).status == "draft"


def test_expired_or_superseded_quotes_cannot_be_accepted(app: S2C, clock: FixedClock) -> None:
    customer = app.customers.register("Café Central")
    quote = app.quotes.send(app.quotes.draft(customer.id, [LineItem("beer", 1)], valid_days=5).id)
    revised = app.quotes.revise(quote.id, [LineItem("beer", 2)])
    with pytest.raises(InvalidTransitionError):
        app.quotes.accept(quote.id)
    sent = app.quotes.send(revised.id)
    clock.advance(days=6)
    with pytest.raises(InvalidTransitionError):
        app.quotes.accept(sent.id)


def test_discount_beyond_bounds_needs_a_recorded_approval(app: S2C) -> None:
    customer = app.customers.register("Café Central")
    quote = app.quotes.draft(customer.id, [LineItem("beer", 10, discount_percent=25)])
    with pytest.raises(BusinessRuleError) as info:
        app.quotes.send(quote.id)
    assert info.value.rule == "quote_bounds"  # type: ignore[attr-defined]
    approved = app.quotes.approve(quote.id, by="sales-manager", reason="volume deal")
    assert approved.approval is not None
    assert approved.approval.by == "sales-manager"
    assert app.quotes.send(quote.id).status == "sent"


def test_first_time_customer_above_the_review_threshold_is_held(app: S2C) -> None:
    app.catalog.receive_stock("beer", 1000)
    customer = app.customers.register("Big Newcomer")
    order = app.orders.create(customer.id, [LineItem("beer", 300)])  # ~8,893 EUR gross
    assert order.status == "on_hold"
    assert "review" in order.hold_reason
    confirmed = app.orders.override_credit(order.id, by="cfo", reason="bank guarantee")
    assert confirmed.status == "confirmed"
    assert any(e.name == "CreditDecisionMade" and e.data["by"] == "cfo" for e in app.events())


def _shipped_invoice(app: S2C, crates: int) -> Invoice:
    """The invoice of an order of *crates* of beer for a new customer, shipped whole."""
    customer = app.customers.register("Café Central")
    order = app.orders.create(customer.id, [LineItem("beer", crates)])
    app.orders.ship(order.id)
    return app.invoices.list(customer_id=customer.id, kind="invoice")[0]


def test_credit_note_settles_the_invoice_and_references_it(app: S2C) -> None:
    invoice = _shipped_invoice(app, 4)
    note = app.invoices.credit_note(invoice.id, reason="damaged", quantities={1: 1})
    assert note.kind == "credit_note"
    assert note.number == "CN-2026-000001"
    assert note.credited_invoice_id == invoice.id
    assert app.invoices.get(invoice.id).open_amount == invoice.total - note.total
    full = app.invoices.credit_note(invoice.id, reason="all returned")
    assert app.invoices.get(invoice.id).status == "credited"
    # Each credit note computes its own VAT (EN 16931 BR-CO-17), so two partial notes can
    # differ from the invoice's VAT by one cent; the invoice is settled exactly and the cent
    # stays visible as the customer's credit on the last note instead of vanishing.
    settled = app.invoices.get(invoice.id)
    assert settled.open_amount.is_zero()
    excess = (full.total + note.total) - invoice.total
    assert app.invoices.get(full.id).open_amount == excess
    assert abs(excess.minor_units) <= len(invoice.totals.vat)


def test_overpayment_becomes_credit_and_a_return_reopens_the_invoice(
    app: S2C, clock: FixedClock
) -> None:
    invoice = _shipped_invoice(app, 2)
    payment = app.payments.record(
        invoice.total + Money("10.00", "EUR"),
        received_on=clock.today(),
        reference=invoice.payment_reference,
    )
    assert payment.unapplied == Money("10.00", "EUR")
    assert payment.status == "partially_allocated"
    returned = app.payments.return_payment(payment.id, reason="AC04")
    assert returned.status == "returned"
    assert app.invoices.get(invoice.id).status == "issued"


def test_a_returned_payment_reopens_an_invoice_closed_by_a_credit_note(
    app: S2C, clock: FixedClock
) -> None:
    invoice = _shipped_invoice(app, 2)
    half = invoice.total.split(2)[0]
    payment = app.payments.record(
        half, received_on=clock.today(), reference=invoice.payment_reference
    )
    app.invoices.credit_note(invoice.id, reason="one crate returned", quantities={1: 1})
    assert app.invoices.get(invoice.id).status == "credited"
    app.payments.return_payment(payment.id, reason="AC04")
    reopened = app.invoices.get(invoice.id)
    assert reopened.status == "issued"
    assert reopened.open_amount == half
