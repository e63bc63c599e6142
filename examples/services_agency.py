"""Services agency: no stock, installments, invoice on acceptance.

A Brussels design agency sells hours and fixed-price packages. Its policy issues the invoice
as soon as a quote is accepted, on a 30 % now / 70 % at 60 days installment term, so the
customer knows the schedule before the sale closes.

Run: ``python examples/services_agency.py``
"""

from __future__ import annotations

from datetime import UTC, datetime

from _common import open_app, output_folder

from s2c_core import Company, CreditPolicy, FixedClock, InvoiceTrigger, LineItem, Money, Policy
from s2c_core.terms import installments


def main(argv: list[str] | None = None) -> None:
    out = output_folder(__doc__, argv)
    clock = FixedClock(datetime(2026, 5, 4, 9, 0, tzinfo=UTC))
    policy = Policy.default_eu(
        "BE",
        company=Company(
            "Atelier Graphique SRL", vat_number="BE0123456749", iban="BE71096123456769"
        ),
        invoice_trigger=InvoiceTrigger.ON_ACCEPTANCE,
        terms={"30-70": installments((30, 0), (70, 60))},
        credit=CreditPolicy(first_order_approve_up_to=Money("10000.00", "EUR")),
    )
    app = open_app(out, "agency", clock, policy)
    app.catalog.add_product(
        "design-hour", "Design hour", Money("95.00", "EUR"), stocked=False, unit_code="HUR"
    )
    app.catalog.add_product(
        "brand-kit", "Brand identity package", Money("4800.00", "EUR"), stocked=False
    )
    client = app.customers.register(
        "Chocolaterie Leroy",
        language="fr",
        segment="sme",
        payment_term="30-70",
        credit_limit=Money("20000.00", "EUR"),
    )
    quote = app.quotes.draft(
        client.id, [LineItem("brand-kit", 1), LineItem("design-hour", "12.5", discount_percent=5)]
    )
    quote = app.quotes.send(quote.id)
    print(
        f"Quote for {client.name}: {quote.totals.tax_exclusive} excl. VAT, "
        f"{quote.totals.payable} incl. VAT; term {quote.payment_term}."
    )
    clock.advance(days=3)
    order = app.quotes.accept(quote.id)
    invoice = app.invoices.list(customer_id=client.id)[0]
    print(f"Accepted -> order {order.status}; invoice {invoice.number} issued at once.")
    for n, installment in enumerate(invoice.installments, start=1):
        print(f"  installment {n}: {installment.amount} due {installment.due_date}")
    clock.advance(days=5)
    first = invoice.installments[0].amount
    app.payments.record(first, received_on=clock.today(), reference=invoice.payment_reference)
    invoice = app.invoices.get(invoice.id)
    print(f"First installment paid: invoice {invoice.status}, open {invoice.open_amount}.")
    app.close()


if __name__ == "__main__":
    main()
