"""KPI report: seven months of a brewery's sales, then DSO, aging, CEI, drivers and exports.

Twenty-two customers in three segments pay differently: retail shops about on time, cafés
(horeca) two to three weeks late, wholesale accounts a month late, and one large wholesale
account drifts later every month (the DSO drivers name it). Leads are captured and converted,
quotes sent, accepted or declined, orders shipped (the invoice is issued on shipment) and
delivered, payments arrive with their structured reference; a few deliveries are disputed and
settled by a credit note, a few invoices are written off. Everything goes through the public
API on a ``FixedClock``, into a SQLite file when s2c-sqlalchemy is installed (so the KPIs run
as SQL inside the database), else in memory.

Writes into ``--out DIR``: ``kpi-report.html`` (s2c-reports), ``kpi-report.json``,
``events.ocel.json`` (OCEL 2.0) and ``events.xes`` (IEEE 1849-2016).

Run: ``python examples/kpi_report.py --out /tmp/kpi``
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import output_folder

from s2c_core import S2C, Company, FixedClock, LineItem, Money, Policy
from s2c_core.errors import S2CError
from s2c_core.kpi import Period

START = date(2025, 9, 1)
END = date(2026, 3, 31)
SEGMENTS = {
    # segment: (customers, mean days late, spread, crates per order, days between orders)
    "retail": (8, 1.0, 4.0, (8, 30), 24),
    "horeca": (8, 17.0, 7.0, (15, 50), 20),
    "wholesale": (6, 30.0, 8.0, (90, 200), 10),
}
NAMES = {
    "retail": [
        "Delhaize Ixelles",
        "Carrefour Market Gent",
        "Spar Leuven",
        "Okay Mechelen",
        "Proxy Namur",
        "Drinks&Co Brugge",
        "Bierhandel Vos",
        "Drankencentrale Lier",
        "Cash & Drink Hasselt",
        "Slijterij Aalst",
        "Au Bon Verre Liège",
        "Drankhal Mol",
    ],
    "horeca": [
        "Café De Hoek",
        "Brasserie Dupont",
        "Bistro Le Coin",
        "Taverne Het Anker",
        "Café Central",
        "Restaurant De Kroon",
        "Bar Mistral",
        "Herberg De Zwaan",
        "Grand Café Leopold",
        "Estaminet Chez Nous",
    ],
    "wholesale": [
        "Metro Brussel",
        "Horeca Depot Antwerpen",
        "Drinkx Wholesale",
        "Dranken Geers",
        "Bevco Distribution",
        "Horeca Totaal Gent",
        "Wallonie Boissons",
        "Makro Machelen",
    ],
}
DRIFTER = "Metro Brussel"  # pays later every month from the new year
DRIFT_FROM = date(2025, 12, 15)


def _policy() -> Policy:
    company = Company("Brouwerij De Kroon NV", vat_number="BE0123456749", iban="BE71096123456769")
    return Policy.default_eu("BE", company=company)


def _open(out: Path, clock: FixedClock) -> S2C:
    db = out / "kpi-books.db"
    for stale in out.glob("kpi-books.db*"):
        stale.unlink()
    try:
        from s2c_sqlalchemy import make_engine, open_sql_storage
        from sqlalchemy import event
    except ImportError:
        return S2C.open("memory://", clock=clock, policy=_policy(), load_entry_points=False)
    engine = make_engine(f"sqlite:///{db}")

    @event.listens_for(engine, "connect")
    def _wal_normal(dbapi_connection: Any, _record: Any) -> None:
        # WAL with synchronous=NORMAL: a commit survives an application crash (not a power
        # cut before the next checkpoint) and costs no fsync; fine for a simulation.
        dbapi_connection.execute("PRAGMA synchronous = NORMAL")

    storage = open_sql_storage(engine, clock, create_schema=True)
    return S2C.open(storage, clock=clock, policy=_policy(), load_entry_points=False)


class Simulation:
    """Drives the books day by day from an agenda, so the clock only moves forward."""

    def __init__(self, app: S2C, clock: FixedClock, rng: random.Random) -> None:
        self.app = app
        self.clock = clock
        self.rng = rng
        self.today = START
        self.minute = 0
        self.segment: dict[str, str] = {}
        self.name: dict[str, str] = {}
        self.next_order: dict[str, date] = {}
        self.agenda: dict[date, list[Callable[[], None]]] = {}

    def later(self, days: int, action: Callable[[], None]) -> None:
        """Do *action* *days* days from today (dropped when after the simulated months)."""
        when = self.today + timedelta(days=days)
        if when <= END:
            self.agenda.setdefault(when, []).append(action)

    def tick(self) -> None:
        """Advance the clock a few minutes within today."""
        self.minute += 5
        self.clock.set(
            datetime.combine(self.today, datetime.min.time(), UTC)
            + timedelta(hours=8, minutes=self.minute)
        )

    def setup(self) -> None:
        self.tick()
        catalog = self.app.catalog
        eur = "EUR"
        catalog.add_product(
            "blonde", "Kroon Blonde, crate 24x25cl", Money("21.60", eur), cost=Money("12.90", eur)
        )
        catalog.add_product(
            "tripel", "Kroon Tripel, crate 24x33cl", Money("34.80", eur), cost=Money("19.40", eur)
        )
        catalog.add_product(
            "keg", "Kroon Pils, keg 30 l", Money("96.00", eur), cost=Money("61.50", eur)
        )
        for product in ("blonde", "tripel", "keg"):
            catalog.receive_stock(product, 1_000_000)
        for segment, (count, _, _, _, cadence) in SEGMENTS.items():
            for name in NAMES[segment][:count]:
                customer = self.app.customers.register(
                    name,
                    segment=segment,
                    credit_limit=Money("500000.00", eur),
                    payment_term="net14" if segment == "retail" else "net30",
                )
                self.segment[customer.id] = segment
                self.name[customer.id] = name
                self.next_order[customer.id] = START + timedelta(days=self.rng.randint(0, cadence))

    def lateness(self, customer_id: str) -> int:
        _, mean, spread, _, _ = SEGMENTS[self.segment[customer_id]]
        if self.name[customer_id] == DRIFTER:  # on time until the new year, then ever later
            slip = (self.today - DRIFT_FROM).days
            return round(mean + max(0, slip) * 0.9 + self.rng.gauss(0, 2))
        return round(self.rng.gauss(mean, spread))

    # -- the chain ---------------------------------------------------------------------------

    def order(self, customer_id: str) -> None:
        segment = self.segment[customer_id]
        low, high = SEGMENTS[segment][3]
        if self.name[customer_id] == DRIFTER:  # the largest account, steady orders
            low = high = 2 * high
        items = [LineItem("blonde", self.rng.randint(low, high))]
        if self.rng.random() < 0.5:
            items.append(LineItem("tripel", self.rng.randint(low, high) // 2 + 1))
        if segment != "retail" and self.rng.random() < 0.3:
            items.append(LineItem("keg", self.rng.randint(2, 12)))
        quote = self.app.quotes.draft(customer_id, items)
        self.tick()
        self.app.quotes.send(quote.id)
        if self.rng.random() < 0.12:
            self.later(2, lambda: self.decline(quote.id))
        else:
            self.later(self.rng.randint(1, 4), lambda: self.accept(quote.id))

    def decline(self, quote_id: str) -> None:
        self.app.quotes.decline(quote_id, "found it cheaper")

    def accept(self, quote_id: str) -> None:
        order = self.app.quotes.accept(quote_id)
        if order.status == "on_hold":  # a large first order waits for the credit manager
            self.tick()
            order = self.app.orders.override_credit(
                order.id, by="credit manager", reason="known account, references checked"
            )
        self.later(self.rng.randint(1, 3), lambda: self.ship(order.id))

    def ship(self, order_id: str) -> None:
        shipment = self.app.orders.ship(order_id, promised_date=self.today + timedelta(days=2))
        error = "damaged" if self.rng.random() < 0.04 else ""
        self.later(self.rng.choice((1, 1, 2, 3)), lambda: self.deliver(shipment.id, error))
        invoice = next(
            i for i in self.app.invoices.list(order_id=order_id) if i.shipment_id == shipment.id
        )
        assert invoice.due_date is not None
        roll = self.rng.random() if self.name[invoice.customer_id] != DRIFTER else 1.0
        if roll < 0.04:
            self.later(5, lambda: self.dispute(invoice.id))
        elif roll < 0.055:  # never paid: written off 75 days after the due date
            days = (invoice.due_date - self.today).days + 75
            self.later(days, lambda: self.write_off(invoice.id))
        elif roll < 0.1:  # paid three to four months late, after dunning
            late = (invoice.due_date - self.today).days + self.rng.randint(80, 120)
            self.later(late, lambda: self.pay(invoice.id))
        else:
            pay_on = invoice.due_date + timedelta(days=self.lateness(invoice.customer_id))
            self.later(max((pay_on - self.today).days, 1), lambda: self.pay(invoice.id))

    def deliver(self, shipment_id: str, error: str) -> None:
        self.app.orders.deliver(shipment_id, error=error)

    def dispute(self, invoice_id: str) -> None:
        dispute = self.app.receivables.open_dispute(invoice_id, reason="short delivery", lines=[1])
        self.later(9, lambda: self.resolve(dispute.id, invoice_id))

    def resolve(self, dispute_id: str, invoice_id: str) -> None:
        self.app.receivables.resolve_dispute(
            dispute_id, resolution="two crates credited", quantities={1: 2}
        )
        self.later(11, lambda: self.pay(invoice_id))

    def pay(self, invoice_id: str) -> None:
        invoice = self.app.invoices.get(invoice_id)
        if invoice.open_amount.is_positive():
            self.app.payments.record(
                invoice.open_amount,
                received_on=self.today,
                reference=invoice.payment_reference,
                payer_name=self.name[invoice.customer_id],
            )

    def write_off(self, invoice_id: str) -> None:
        self.app.receivables.write_off(invoice_id, reason="customer insolvent")

    def lead(self) -> None:
        lead = self.app.leads.capture(
            f"Prospect {self.today:%m%d}",
            company=f"Café {self.today:%b %d}",
            source="trade fair",
            segment="horeca",
        )
        roll = self.rng.random()
        if roll < 0.4:
            self.later(1, lambda: self.app.leads.qualify(lead.id))
            self.later(2, lambda: self.convert(lead.id))
        elif roll < 0.7:
            self.later(4, lambda: self.app.leads.disqualify(lead.id, "no budget"))

    def convert(self, lead_id: str) -> None:
        customer, quote = self.app.leads.convert(
            lead_id, [LineItem("blonde", 8)], credit_limit=Money("5000.00", "EUR")
        )
        self.segment[customer.id] = "horeca"
        self.name[customer.id] = customer.name
        self.later(1, lambda: self.app.quotes.send(quote.id))
        if self.rng.random() < 0.7:
            self.later(self.rng.randint(3, 6), lambda: self.accept(quote.id))

    # -- the calendar ------------------------------------------------------------------------

    def run(self) -> None:
        self.setup()
        customers = list(self.segment)  # registration order: the same run every time
        while self.today <= END:
            self.minute = 0
            if self.today.weekday() < 5:
                if self.rng.random() < 0.25:
                    self.tick()
                    self.lead()
                for customer_id in customers:
                    if self.next_order[customer_id] > self.today:
                        continue
                    cadence = SEGMENTS[self.segment[customer_id]][4]
                    self.next_order[customer_id] = self.today + timedelta(
                        days=cadence + self.rng.randint(-2, 2)
                    )
                    self.tick()
                    self.order(customer_id)
            for action in self.agenda.pop(self.today, []):
                self.tick()
                try:
                    action()
                except S2CError as exc:  # e.g. a payment for an invoice credited meanwhile
                    print(f"{self.today}: skipped, {exc}")
            self.today += timedelta(days=1)
        self.today = END
        self.minute = 0
        self.tick()


def main(argv: list[str] | None = None) -> None:
    out = output_folder(__doc__, argv)
    clock = FixedClock(datetime.combine(START, datetime.min.time(), UTC))
    app = _open(out, clock)
    try:
        Simulation(app, clock, random.Random(2026)).run()
        # --8<-- [start:report]
        quarter = Period(date(2026, 1, 1), END)
        previous = Period(date(2025, 10, 1), date(2025, 12, 31))
        report = app.kpi.report(END, quarter, previous, trend_months=6)
        (out / "kpi-report.json").write_text(report.to_json(), encoding="utf-8")
        events = list(app.kpi.event_log())
        try:
            from s2c_reports import export_ocel, export_xes, render_html
        except ImportError:
            print("s2c-reports is not installed: no HTML, OCEL or XES written")
        else:
            (out / "kpi-report.html").write_text(render_html(report), encoding="utf-8")
            (out / "events.ocel.json").write_text(json.dumps(export_ocel(events)), encoding="utf-8")
            (out / "events.xes").write_bytes(export_xes(events))
        # --8<-- [end:report]
        backend = type(app.kpi.reporting).__name__
        print(f"{len(events)} events; KPIs computed by {backend}")
        if report.dso is not None:
            print(
                f"DSO {quarter.start}..{quarter.end}: {report.dso.dso} days "
                f"(best possible {report.dso.best_possible_dso}, "
                f"ADD {report.dso.average_days_delinquent})"
            )
        if report.cei is not None:
            print(f"CEI: {report.cei.cei} %")
        print(f"Aging at {END}:")
        for bucket in report.aging.buckets:
            print(f"  {bucket.label:>8}: {bucket.amount.amount:>12,.2f} ({bucket.count} documents)")
        print(f"  {'total':>8}: {report.aging.total.amount:>12,.2f}")
        if report.drivers is not None:
            print(f"DSO drivers, previous quarter -> this quarter ({report.drivers.change:+} d):")
            for row in report.drivers.customers[:5]:
                who = report.customer_names.get(row.customer_id, row.customer_id)
                print(f"  {who:<26} {row.contribution:+6.1f} d  ({row.segment})")
        print(
            f"Wrote {', '.join(sorted(p.name for p in out.iterdir() if p.suffix != '.db'))}"
            f" to {out}"
        )
    finally:
        app.close()


if __name__ == "__main__":
    main()
