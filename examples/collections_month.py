"""Two months of collections: six customers, one tick a day, every message on its channel.

Run: ``python examples/collections_month.py [--out DIR]`` (with ``--out``, the day-by-day log
is also written to ``DIR/collections_month.csv``).

A Belgian wholesaler invoices six customers on 2 March 2026 and runs ``app.run_due()`` every
morning for 60 days. Some pay on time, one late after a reminder, one disputes a line (settled
by a partial credit note), one promises to pay and breaks the promise (dunning escalates at
once), one never pays (final notice with fee, compensation and interest, credit hold), one goes
bankrupt (written off), and a prospect lets a quote expire after two reminders. The built-in
logging notifier receives every message, so nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from s2c_core import S2C, Company, FixedClock, LineItem, Money, Policy
from s2c_core.entities import Invoice

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAYS = 60


def _setup(app: S2C) -> dict[str, str]:
    app.catalog.add_product("beer", "Crate of Blonde 24x25cl", Money("24.50", "EUR"))
    app.catalog.add_product("kegs", "Keg of Tripel 20 l", Money("89.00", "EUR"))
    app.catalog.add_product(
        "service", "Tap installation service", Money("95.00", "EUR"), stocked=False
    )
    app.catalog.receive_stock("beer", 1000)
    app.catalog.receive_stock("kegs", 200)
    people = {
        "dupont": ("Brasserie Dupont", "fr", "net30", "compta@dupont.example"),
        "smet": ("Bakkerij Smet", "nl", "net30", "boekhouding@smet.example"),
        "central": ("Café Central", "en", "net14", "accounts@central.example"),
        "ardennes": ("Hôtel des Ardennes", "fr", "net30", "facturation@ardennes.example"),
        "frituur": ("Frituur Jan", "nl", "net14", "jan@frituurjan.example"),
        "verhaeghe": ("Bistro Verhaeghe", "nl", "net14", ""),  # no email: letters
    }
    ids = {}
    for key, (name, language, term, mail) in people.items():
        customer = app.customers.register(
            name, language=language, payment_term=term, email=mail, segment="horeca"
        )
        ids[key] = customer.id
    lambert = app.customers.register(
        "Traiteur Lambert", language="fr", email="devis@lambert.example"
    )
    ids["lambert"] = lambert.id
    return ids


def _sell(app: S2C, customer_id: str, items: list[LineItem]) -> Invoice:
    order = app.orders.create(customer_id, items)
    app.orders.ship(order.id)
    return app.invoices.list(customer_id=customer_id, order_id=order.id)[0]


def main(argv: list[str] | None = None) -> S2C:
    """Simulate the two months and print what went out, day by day."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="folder for a CSV log")
    args = parser.parse_args(argv)

    clock = FixedClock(START)
    policy = Policy.default_eu(
        "BE",
        company=Company(
            "Groothandel Peeters BV", vat_number="BE0123456749", iban="BE71096123456769"
        ),
    )
    app = S2C.open("memory://", clock=clock, policy=policy, load_entry_points=False)
    ids = _setup(app)

    inv = {
        "dupont": _sell(app, ids["dupont"], [LineItem("beer", 20)]),
        "smet": _sell(app, ids["smet"], [LineItem("beer", 12), LineItem("service", 2)]),
        "central": _sell(app, ids["central"], [LineItem("kegs", 6)]),
        "ardennes": _sell(app, ids["ardennes"], [LineItem("kegs", 4), LineItem("beer", 10)]),
        "frituur": _sell(app, ids["frituur"], [LineItem("beer", 8)]),
        "verhaeghe": _sell(app, ids["verhaeghe"], [LineItem("kegs", 3)]),
    }
    quote = app.quotes.draft(ids["lambert"], [LineItem("kegs", 10), LineItem("service", 4)])
    app.quotes.send(quote.id)
    later = app.quotes.draft(ids["dupont"], [LineItem("kegs", 2)])
    app.quotes.send(later.id)

    def pay(key: str) -> Callable[[], str]:
        def do() -> str:
            invoice = app.invoices.get(inv[key].id)
            app.payments.record(
                invoice.open_amount,
                received_on=clock.today(),
                reference=invoice.payment_reference,
            )
            return f"payment of {invoice.open_amount} for {invoice.number}"

        return do

    def accept_dupont() -> str:
        order = app.quotes.accept(later.id)
        app.orders.ship(order.id)
        inv["dupont2"] = app.invoices.list(customer_id=ids["dupont"], order_id=order.id)[0]
        return f"quote accepted and shipped: invoice {inv['dupont2'].number}"

    def dispute() -> str:
        app.receivables.open_dispute(inv["ardennes"].id, reason="2 crates broken", lines=[2])
        return f"dispute opened on {inv['ardennes'].number}, line 2"

    def settle_dispute() -> str:
        (open_dispute,) = app.receivables.disputes(customer_id=ids["ardennes"], status="open")
        resolved = app.receivables.resolve_dispute(
            open_dispute.id, resolution="credit the 2 broken crates", quantities={2: 2}
        )
        note = app.invoices.get(resolved.credit_note_id or "")
        return f"dispute resolved by credit note {note.number} of {note.total}"

    def promise() -> str:
        due = clock.today() + timedelta(days=5)
        app.receivables.promise(inv["frituur"].id, amount=inv["frituur"].total, due=due)
        return f"promise to pay {inv['frituur'].total} by {due}"

    def write_off() -> str:
        app.receivables.write_off(inv["verhaeghe"].id, reason="bankruptcy (Ondernemingsrechtbank)")
        return f"{inv['verhaeghe'].number} written off: bankruptcy"

    script: dict[int, list[Callable[[], str]]] = {
        10: [accept_dupont],
        20: [dispute],
        25: [pay("dupont")],
        27: [promise],
        36: [settle_dispute],
        40: [pay("smet")],
        46: [pay("ardennes")],
        50: [write_off],
        55: [pay("frituur")],
    }

    names = {cid: app.customers.get(cid).name for cid in ids.values()}
    rows: list[tuple[str, str, str, str, str, str]] = []
    seen = 0
    print(f"{'day':<10}  {'channel':<17} {'lang':<4} {'customer':<19} {'what':<20} document")
    for day in range(DAYS + 1):
        today = clock.today().isoformat()
        for action in script.get(day, []):
            done = action()
            rows.append((today, "event", "", "", done, ""))
            print(f"{today:<10}  {'·':<17} {'':<4} {done}")
        report = app.run_due()
        sent = app.sent_notifications[seen:]
        seen += len(sent)
        for n in sorted(sent, key=lambda n: (n.template, str(n.context["customer"]["name"]))):
            customer = str(n.context.get("customer", {}).get("name", ""))
            document = n.context.get("invoice", {}).get("number") or "quote"
            what = n.template
            if n.context.get("broken_promise"):
                what += " (promise broken)"
            rows.append((today, n.channel, n.language, customer, what, document))
            print(
                f"{today:<10}  {n.channel:<17} {n.language:<4} {customer:<19} {what:<20} {document}"
            )
        for action in sorted(report.actions, key=lambda a: (a.kind, names.get(a.subject_id, ""))):
            if action.kind in ("hold", "release", "promise_broken", "promise_kept"):
                who = names.get(action.subject_id, "")
                label = action.kind.replace("_", " ")
                rows.append((today, action.kind, "", who, action.detail, ""))
                print(f"{today:<10}  {label:<17} {'':<4} {who:<19} {action.detail}")
        clock.advance(timedelta(days=1))

    print()
    statement = app.receivables.statement(ids["central"])
    print(
        f"Statement of {statement.customer_name} on {statement.as_of}: open "
        f"{statement.total_open}, overdue {statement.total_overdue}, "
        f"status {app.customers.get(ids['central']).status}"
    )
    for item in statement.items:
        print(
            f"  {item.number}  due {item.due_date}  open {item.open_amount}  "
            f"{item.days_overdue} days overdue, dunning level {item.dunning_level}"
        )
    letters = sum(
        1 for r in rows if r[1] not in ("event", "hold", "release") and "promise" not in r[1]
    )
    print(
        f"{letters} messages in {DAYS} days; running the tick again today sends "
        f"{app.run_due().total} more."
    )

    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        with (args.out / "collections_month.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["day", "channel", "language", "customer", "what", "document"])
            writer.writerows(rows)
    app.close()
    return app


if __name__ == "__main__":
    main()
