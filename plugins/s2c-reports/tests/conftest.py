"""Small books for the report tests: two customers, a lead converted to cash, a write-off."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest

from s2c_core import S2C, FixedClock, LineItem, Money
from s2c_core.kpi import Period


def _at(clock: FixedClock, day: date, hour: int = 9) -> None:
    clock.set(datetime.combine(day, datetime.min.time(), UTC).replace(hour=hour))


@pytest.fixture
def books() -> Iterator[S2C]:
    """An in-memory application with three months of a few sales."""
    clock = FixedClock(datetime(2026, 1, 5, 9, tzinfo=UTC))
    app = S2C.open("memory://", clock=clock, load_entry_points=False)
    app.catalog.add_product(
        "beer", "Crate of Blonde", Money("24.50", "EUR"), cost=Money("15.20", "EUR")
    )
    app.catalog.receive_stock("beer", 10_000)
    alpha = app.customers.register("Alpha <b>&</b> Co", segment="retail").id
    bravo = app.customers.register("Bravo", segment="horeca").id
    day = date(2026, 1, 5)
    for week in range(10):
        for n, customer in enumerate((alpha, bravo)):
            _at(clock, day + timedelta(days=7 * week), 9 + n)
            order = app.orders.create(customer, [LineItem("beer", 10 + week)])
            if order.status == "on_hold":  # overdue invoices: the credit manager lets it go
                app.orders.override_credit(order.id, by="cfo", reason="long-standing customer")
            app.orders.ship(order.id)
    lead = app.leads.capture("Sofie", company="Café De Hoek", source="fair")
    app.leads.qualify(lead.id)
    _, quote = app.leads.convert(lead.id, [LineItem("beer", 4)])
    _at(clock, date(2026, 2, 2))
    app.quotes.send(quote.id)
    _at(clock, date(2026, 2, 4))
    order = app.quotes.accept(quote.id)
    app.orders.ship(order.id)
    for invoice in app.invoices.list(kind="invoice"):
        assert invoice.due_date is not None
        assert invoice.issue_date is not None
        late = 3 if invoice.customer_id == alpha else 25
        paid_on = invoice.due_date + timedelta(days=late)
        if paid_on <= date(2026, 3, 20):
            _at(clock, paid_on)
            app.payments.record(
                invoice.total, received_on=paid_on, reference=invoice.payment_reference
            )
    _at(clock, date(2026, 3, 25))
    unpaid = app.invoices.list(customer_id=bravo, status="issued")
    app.receivables.write_off(unpaid[0].id, reason="bankrupt")
    _at(clock, date(2026, 3, 31), 18)
    yield app
    app.close()


@pytest.fixture
def quarter() -> Period:
    return Period(date(2026, 1, 1), date(2026, 3, 31))
