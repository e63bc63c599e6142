"""Wholesale goods: stock, credit rules, partial shipments and one invoice per shipment.

A Belgian drinks wholesaler sells to cafés and retailers. The script shows: a lead converted
into a customer and a quote; stock reserved on acceptance; a first-time customer whose large
order is held for credit review and released by a recorded override; a shortage refused; a
partial shipment followed by the rest, each with its own invoice.

Run: ``python examples/wholesale_goods.py``
"""

from __future__ import annotations

from datetime import UTC, datetime

from _common import open_app, output_folder

from s2c_core import (
    BusinessRuleError,
    Company,
    CreditPolicy,
    FixedClock,
    InvoiceTrigger,
    LineItem,
    Money,
    Policy,
)


def main(argv: list[str] | None = None) -> None:
    out = output_folder(__doc__, argv)
    clock = FixedClock(datetime(2026, 4, 1, 8, 0, tzinfo=UTC))
    policy = Policy.default_eu(
        "BE",
        company=Company(
            "Drankenhandel Janssens NV", vat_number="BE0123456749", iban="BE71096123456769"
        ),
        invoice_trigger=InvoiceTrigger.ON_SHIPMENT,
        credit=CreditPolicy(
            first_order_approve_up_to=Money("2500.00", "EUR"),
            first_order_deny_above=Money("20000.00", "EUR"),
        ),
    )
    app = open_app(out, "wholesale", clock, policy)
    for sku, name, price, cost in [
        ("blonde-24", "Blonde 24x25cl", "21.90", "14.10"),
        ("kriek-24", "Kriek 24x25cl", "26.40", "17.30"),
        ("water-6", "Sparkling water 6x1l", "4.80", "2.70"),
    ]:
        app.catalog.add_product(sku, name, Money(price, "EUR"), cost=Money(cost, "EUR"))
    app.catalog.receive_stock("blonde-24", 400)
    app.catalog.receive_stock("kriek-24", 60)
    app.catalog.receive_stock("water-6", 1000)
    print("Stock: 400 Blonde, 60 Kriek, 1000 water.")

    lead = app.leads.capture(
        "Sofie Peeters",
        company="Café De Hoek",
        email="sofie@dehoek.example",
        source="trade fair",
        campaign="Horeca Expo 2026",
        segment="horeca",
        language="nl",
    )
    app.leads.contact(lead.id)
    app.leads.qualify(lead.id)
    customer, quote = app.leads.convert(
        lead.id, [LineItem("blonde-24", 40), LineItem("water-6", 50)]
    )
    quote = app.quotes.send(quote.id)
    print(
        f"Lead {lead.company} converted: quote {quote.totals.payable} sent, "
        f"valid until {quote.valid_until}."
    )
    order = app.quotes.accept(quote.id)
    print(
        f"Accepted -> order {order.status}; Blonde reserved "
        f"{app.catalog.stock('blonde-24').reserved}."
    )

    big = app.customers.register("Supermarkt Verbeke", segment="retail", language="nl")
    held = app.orders.create(big.id, [LineItem("blonde-24", 300)])
    print(
        f"First order of {big.name} for {held.totals.payable}: {held.status} ({held.hold_reason})."
    )
    released = app.orders.override_credit(
        held.id, by="credit-controller", reason="bank guarantee received"
    )
    print(f"Override recorded by credit-controller -> {released.status}.")

    try:
        app.orders.create(customer.id, [LineItem("kriek-24", 80)])
    except BusinessRuleError as err:
        print(f"Order for 80 Kriek refused: {err.message}")

    clock.advance(days=1)
    first = app.orders.ship(released.id, {1: 120}, carrier="DPD", tracking="0592 4411 01")
    clock.advance(days=3)
    second = app.orders.ship(released.id)
    invoices = app.invoices.list(customer_id=big.id, order_by="number")
    for shipment, invoice in zip((first, second), invoices, strict=True):
        print(
            f"Shipment {shipment.status} ({sum(ln.quantity for ln in shipment.lines)} crates) "
            f"-> invoice {invoice.number} {invoice.total} due {invoice.due_date}"
        )
    print(
        f"Order now {app.orders.get(released.id).status}; Blonde left "
        f"{app.catalog.stock('blonde-24').on_hand} (reserved "
        f"{app.catalog.stock('blonde-24').reserved})."
    )
    app.close()


if __name__ == "__main__":
    main()
