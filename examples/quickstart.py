"""Quickstart: one customer walked from quote to cash, every step an event.

Run: ``python examples/quickstart.py`` (uses SQLite when the s2c-sqlalchemy plugin is
installed, else the built-in in-memory storage).
"""

from __future__ import annotations

import argparse
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from s2c_core import S2C, BackendNotFoundError, Company, FixedClock, LineItem, Money, Policy


def open_app(out: Path, clock: FixedClock, policy: Policy) -> S2C:
    """SQLite file in *out* when the SQLAlchemy plugin is installed, else in memory."""
    try:
        return S2C.open(f"sqlite:///{out / 'quickstart.db'}", clock=clock, policy=policy)
    except BackendNotFoundError:
        return S2C.open("memory://", clock=clock, policy=policy)


def main(argv: list[str] | None = None) -> S2C:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="output folder")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="s2c-quickstart-"))
    out.mkdir(parents=True, exist_ok=True)
    db = out / "quickstart.db"
    if db.exists():
        db.unlink()

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    policy = Policy.default_eu(
        "BE",
        company=Company(
            "Groothandel Peeters BV", vat_number="BE0123456749", iban="BE71096123456769"
        ),
    )
    app = open_app(out, clock, policy)
    print(f"Storage: {app.storage.name}")

    customer = app.customers.register(
        "Brasserie Dupont",
        language="fr",
        segment="horeca",
        email="compta@dupont.example",
        payment_term="net30",
    )
    app.catalog.add_product(
        "beer-crate", "Crate of Blonde 24x25cl", Money("24.50", "EUR"), cost=Money("15.20", "EUR")
    )
    app.catalog.receive_stock("beer-crate", 200)
    print(f"Registered {customer.name} ({customer.status}) and stocked 200 crates.")

    quote = app.quotes.draft(customer.id, [LineItem("beer-crate", 40, discount_percent=5)])
    quote = app.quotes.send(quote.id)
    print(
        f"Quote {quote.id[:12]}… sent: {quote.totals.payable} incl. VAT, "
        f"valid until {quote.valid_until}."
    )

    clock.advance(days=2)
    order = app.quotes.accept(quote.id)
    stock = app.catalog.stock("beer-crate")
    print(
        f"Quote accepted -> order {order.status}; stock reserved {stock.reserved} "
        f"of {stock.on_hand}."
    )

    clock.advance(days=1)
    shipment = app.orders.ship(order.id, carrier="bpost", tracking="323299001234")
    invoice = app.invoices.list(customer_id=customer.id)[0]
    print(
        f"Shipped ({shipment.status}); invoice {invoice.number} issued for {invoice.total}, "
        f"due {invoice.due_date}, pay with {invoice.payment_reference}."
    )

    clock.advance(days=20)
    payment = app.payments.record(
        invoice.total,
        received_on=clock.today(),
        payer_name="Brasserie Dupont SRL",
        reference=invoice.payment_reference,
    )
    invoice = app.invoices.get(invoice.id)
    print(
        f"Payment of {payment.amount} matched by reference: payment {payment.status}, "
        f"invoice {invoice.status}."
    )

    print("\nEvent log:")
    for event in app.events():
        move = f" ({event.from_state or 'new'} -> {event.to_state})" if event.to_state else ""
        print(f"  {event.sequence:>3} {event.at:%Y-%m-%d} {event.name}{move}")
    app.close()
    return app


if __name__ == "__main__":
    main()
