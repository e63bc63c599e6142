"""Leads, quotes, credit decisions, stock and invoicing triggers through the public API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

from s2c_core import (
    S2C,
    BusinessRuleError,
    CreditPolicy,
    FixedClock,
    InvalidTransitionError,
    InvoiceTrigger,
    LineItem,
    Money,
    Policy,
    ShortagePolicy,
    ValidationError,
)


def test_lead_steps_are_events_and_conversion_creates_customer_and_quote(app: S2C) -> None:
    lead = app.leads.capture("Sofie", company="Café De Hoek", source="fair", campaign="expo")
    app.leads.contact(lead.id)
    app.leads.qualify(lead.id)
    customer, quote = app.leads.convert(lead.id, [LineItem("beer", 3)])
    assert customer.name == "Café De Hoek"
    assert quote.lead_id == lead.id
    assert quote.status == "draft"
    names = [e.name for e in app.events(aggregate_id=lead.id)]
    assert names == ["LeadCaptured", "LeadContacted", "LeadQualified", "LeadConverted"]
    captured = app.events(aggregate_id=lead.id)[0]
    assert captured.data == {"source": "fair", "campaign": "expo"}


def test_disqualification_needs_a_reason_and_ends_the_lead(app: S2C) -> None:
    lead = app.leads.capture("Tire-kicker")
    with pytest.raises(ValidationError):
        app.leads.disqualify(lead.id, " ")
    done = app.leads.disqualify(lead.id, "no budget")
    assert done.status == "disqualified"
    assert done.disqualify_reason == "no budget"
    with pytest.raises(InvalidTransitionError):
        app.leads.qualify(lead.id)


def test_declined_quote_records_the_reason(app: S2C) -> None:
    customer = app.customers.register("Café")
    quote = app.quotes.send(app.quotes.draft(customer.id, [LineItem("beer", 1)]).id)
    declined = app.quotes.decline(quote.id, "too expensive")
    assert declined.status == "declined"
    assert declined.decline_reason == "too expensive"
    with pytest.raises(InvalidTransitionError):
        app.quotes.accept(quote.id)


def test_validity_longer_than_the_policy_maximum_is_refused(app: S2C) -> None:
    customer = app.customers.register("Café")
    with pytest.raises(ValidationError) as info:
        app.quotes.draft(customer.id, [LineItem("beer", 1)], valid_days=90)
    assert info.value.field == "valid_days"  # type: ignore[attr-defined]


def test_cancelling_an_order_releases_reserved_stock(app: S2C) -> None:
    customer = app.customers.register("Café")
    order = app.orders.create(customer.id, [LineItem("beer", 12)])
    assert app.catalog.stock("beer").reserved == 12
    cancelled = app.orders.cancel(order.id, "customer changed mind")
    assert cancelled.status == "cancelled"
    assert app.catalog.stock("beer").reserved == 0
    with pytest.raises(InvalidTransitionError):
        app.orders.ship(order.id)


def test_backorder_policy_reserves_what_exists_and_ships_the_rest_later(clock: FixedClock) -> None:
    policy = Policy.default_eu("BE", shortage=ShortagePolicy.BACKORDER)
    app = S2C.open("memory://", clock=clock, policy=policy, load_entry_points=False)
    app.catalog.add_product("beer", "Crate", Money("10.00", "EUR"))
    app.catalog.receive_stock("beer", 5)
    customer = app.customers.register("Café")
    order = app.orders.create(customer.id, [LineItem("beer", 8)])
    line = order.lines[0]
    assert (line.reserved_quantity, line.backordered_quantity) == (5, 3)
    app.orders.ship(order.id, {1: 5})
    with pytest.raises(BusinessRuleError):
        app.orders.ship(order.id, {1: 3})
    app.catalog.receive_stock("beer", 10)
    app.orders.ship(order.id, {1: 3})
    assert app.orders.get(order.id).status == "fulfilled"
    assert app.catalog.stock("beer").on_hand == 7


def test_invoice_on_fulfilment_waits_for_the_last_shipment(clock: FixedClock) -> None:
    policy = Policy.default_eu("BE", invoice_trigger=InvoiceTrigger.ON_FULFILMENT)
    app = S2C.open("memory://", clock=clock, policy=policy, load_entry_points=False)
    app.catalog.add_product("beer", "Crate", Money("10.00", "EUR"))
    app.catalog.receive_stock("beer", 10)
    customer = app.customers.register("Café")
    order = app.orders.create(customer.id, [LineItem("beer", 4)])
    app.orders.ship(order.id, {1: 1})
    assert app.invoices.list() == []
    app.orders.ship(order.id)
    (invoice,) = app.invoices.list()
    assert invoice.lines[0].quantity == 4


def test_returning_customer_in_good_standing_goes_straight_through(app: S2C) -> None:
    app.catalog.receive_stock("beer", 1000)
    customer = app.customers.register("Regular", credit_limit=Money("50000.00", "EUR"))
    app.orders.ship(app.orders.create(customer.id, [LineItem("beer", 10)]).id)
    second = app.orders.create(customer.id, [LineItem("beer", 400)])
    assert second.status == "confirmed"


def test_exposure_counts_open_receivables_and_uninvoiced_orders(app: S2C) -> None:
    app.catalog.receive_stock("beer", 1000)
    customer = app.customers.register("Regular", credit_limit=Money("1000.00", "EUR"))
    first = app.orders.create(customer.id, [LineItem("beer", 10)])  # 296.45
    app.orders.ship(first.id)
    app.orders.create(customer.id, [LineItem("beer", 10)])  # confirmed, not invoiced
    third = app.orders.create(customer.id, [LineItem("beer", 20)])  # 592.90
    assert third.status == "on_hold"
    decision = [e for e in app.events() if e.name == "CreditDecisionMade"][-1]
    assert decision.data["exposure"] == {"amount": "1185.80", "currency": "EUR"}
    assert decision.data["outcome"] == "review"


def test_exposure_counts_the_open_part_of_a_partly_paid_invoice(
    app: S2C, clock: FixedClock
) -> None:
    app.catalog.receive_stock("beer", 1000)
    customer = app.customers.register("Regular", credit_limit=Money("1000.00", "EUR"))
    first = app.orders.create(customer.id, [LineItem("beer", 10)])  # 296.45
    app.orders.ship(first.id)
    (invoice,) = app.invoices.list(order_id=first.id)
    app.payments.record(
        Money("100.00", "EUR"), received_on=clock.today(), reference=invoice.payment_reference
    )
    app.orders.create(customer.id, [LineItem("beer", 10)])  # 296.45, confirmed
    decision = [e for e in app.events() if e.name == "CreditDecisionMade"][-1]
    # 196.45 still open + this order's 296.45
    assert decision.data["exposure"] == {"amount": "492.90", "currency": "EUR"}
    assert decision.data["outcome"] == "approved"


def test_an_overdue_invoice_in_dispute_does_not_hold_new_orders(
    app: S2C, clock: FixedClock
) -> None:
    app.catalog.receive_stock("beer", 1000)
    customer = app.customers.register("Arguing", credit_limit=Money("5000.00", "EUR"))
    first = app.orders.create(customer.id, [LineItem("beer", 1)])
    app.orders.ship(first.id)
    (invoice,) = app.invoices.list(order_id=first.id)
    app.receivables.open_dispute(invoice.id, reason="crate arrived broken")
    clock.advance(days=75)
    assert app.orders.create(customer.id, [LineItem("beer", 1)]).status == "confirmed"


def test_customers_on_hold_or_overdue_are_held(app: S2C, clock: FixedClock) -> None:
    app.catalog.receive_stock("beer", 1000)
    customer = app.customers.register("Late payer")
    app.orders.ship(app.orders.create(customer.id, [LineItem("beer", 1)]).id)
    clock.advance(days=75)  # net 30 + 45 days overdue > 30-day threshold
    order = app.orders.create(customer.id, [LineItem("beer", 1)])
    assert order.status == "on_hold"
    assert "overdue" in order.hold_reason
    other = app.customers.register("Blocked")
    app.customers.hold(other.id, "fraud check")
    assert app.orders.create(other.id, [LineItem("beer", 1)]).status == "on_hold"


def test_first_time_customer_above_the_deny_threshold_is_denied(clock: FixedClock) -> None:
    policy = Policy.default_eu(
        "BE",
        credit=CreditPolicy(
            first_order_approve_up_to=Money("100.00", "EUR"),
            first_order_deny_above=Money("1000.00", "EUR"),
        ),
    )
    app = S2C.open("memory://", clock=clock, policy=policy, load_entry_points=False)
    app.catalog.add_product("x", "X", Money("500.00", "EUR"), stocked=False)
    customer = app.customers.register("New")
    order = app.orders.create(customer.id, [LineItem("x", 3)])
    assert order.status == "on_hold"
    assert "denied" in order.hold_reason


def test_gapless_numbers_per_series_and_year(app: S2C, clock: FixedClock) -> None:
    customer = app.customers.register("Café")
    numbers = []
    for _ in range(3):
        invoice = app.invoices.create(customer.id, [_line("9.99")])
        numbers.append(invoice.number)
    clock.set(datetime(2027, 1, 2, 9, tzinfo=UTC))
    numbers.append(app.invoices.create(customer.id, [_line("1.00")]).number)
    assert numbers == ["INV-2026-000001", "INV-2026-000002", "INV-2026-000003", "INV-2027-000001"]


def _line(price: str) -> object:
    from s2c_core import Line

    return Line("consult", "Advice", Decimal(1), Money(price, "EUR"))


def test_issued_invoices_carry_schedule_reference_and_discount(clock: FixedClock) -> None:
    app = S2C.open("memory://", clock=clock, load_entry_points=False)
    customer = app.customers.register("Café", payment_term="2/10net30")
    invoice = app.invoices.create(customer.id, [_line("100.00")])  # type: ignore[list-item]
    assert invoice.discount_percent == "2"
    assert invoice.discount_until == clock.today().replace(day=12)
    assert invoice.payment_reference.startswith("+++")
    clock.advance(days=5)
    payment = app.payments.record(
        Money("118.58", "EUR"), received_on=clock.today(), reference=invoice.payment_reference
    )
    paid = app.invoices.get(invoice.id)
    assert paid.status == "paid"
    assert payment.allocations[0].discount == Money("2.42", "EUR")


def test_small_underpayment_is_written_off_within_tolerance(app: S2C, clock: FixedClock) -> None:
    customer = app.customers.register("Café")
    invoice = app.invoices.create(customer.id, [_line("10.00")])  # type: ignore[list-item]
    app.payments.record(
        Money("12.07", "EUR"), received_on=clock.today(), reference=invoice.payment_reference
    )
    paid = app.invoices.get(invoice.id)
    assert paid.status == "paid"
    assert paid.written_off == Money("0.03", "EUR")


def test_unknown_payment_term_is_a_configuration_error(app: S2C) -> None:
    from s2c_core import ConfigurationError

    with pytest.raises(ConfigurationError):
        app.customers.register("Café", payment_term="whenever")


def test_frozen_entities_cannot_be_mutated(app: S2C) -> None:
    customer = app.customers.register("Café")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        customer.name = "x"  # type: ignore[misc]


def test_an_order_line_keeps_every_field_of_the_line_it_comes_from() -> None:
    from s2c_core.entities.common import ProductId, VatCategory
    from s2c_core.entities.lines import Line
    from s2c_core.entities.sales import OrderLine

    line = Line(
        ProductId("svc"),
        "Consulting",
        Decimal("2.5"),
        Money("80.00", "EUR"),
        discount_percent=Decimal("5"),
        vat_category=VatCategory.REVERSE_CHARGE,
        vat_rate=Decimal(0),
        exemption_reason="Reverse charge",
        unit_code="HUR",
        cost=Money("40.00", "EUR"),
    )
    ordered = OrderLine.of(line)
    for field in attrs.fields(Line):
        assert getattr(ordered, field.name) == getattr(line, field.name), field.name
    assert ordered.reserved_quantity == ordered.shipped_quantity == 0
