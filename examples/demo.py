"""The main job: a quarter of a small Belgian wholesaler, from first contact to cash.

Simulates 13 weeks of "Groothandel Peeters BV", a drinks wholesaler in Antwerp, on the
embedded SQLite default (``--postgres URL`` runs the same on PostgreSQL):

* leads arrive from a trade fair, the website and referrals; they are contacted, qualified or
  dropped, and converted into customers with a first quote;
* customers in three segments (horeca, retail, wholesale) reorder on their own rhythm; quotes
  expire, are declined or accepted; orders pass the credit rules and reserve stock;
* goods ship the next working day and every shipment is invoiced (gapless numbers, OGM/VCS
  structured references, payment terms from each customer's contract);
* customers pay on their own habits — on time, a bit late, very late, by reference, by free
  text or by IBAN only; one disputes a delivery, one promises to pay, one goes bad — and the
  money arrives as daily camt.053 bank statements that are imported and matched;
* the tick runs every day: quote reminders and expiry, pre-due reminders, dunning with fees
  and statutory interest, promise follow-up, credit holds and releases, outbox delivery.

At the end it writes the output folder (KPI report HTML and JSON, Peppol UBL invoices, PDF
documents, the event log as OCEL 2.0 and XES) and prints a short summary.

Run: ``nox -s demo`` or ``python examples/demo.py --out demo-output [--days 91]``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from s2c_core import (
    S2C,
    Address,
    BusinessRuleError,
    Company,
    CreditPolicy,
    Customer,
    FixedClock,
    Invoice,
    InvoiceTrigger,
    LineItem,
    Money,
    Policy,
    QuotePolicy,
    S2CError,
)

START = datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
ACCOUNT = "BE71096123456769"
SELLER = Company(
    "Groothandel Peeters BV",
    vat_number="BE0123456749",
    enterprise_number="0123456749",
    electronic_address="0208:0123456749",
    iban=ACCOUNT,
    bic="GKCCBEBB",
    creditor_id="BE68ZZZ0123456749",
    email="boekhouding@peeters.example",
    phone="+32 3 555 01 23",
    address=Address("Noorderlaan 112", "Antwerpen", "2030", "BE"),
)
PRODUCTS = [
    ("blonde-24", "Blonde 24x25cl", "21.90", "14.10", 2000),
    ("tripel-24", "Tripel 24x33cl", "32.40", "21.60", 800),
    ("kriek-24", "Kriek 24x25cl", "26.40", "17.30", 600),
    ("cola-24", "Cola 24x33cl", "16.80", "10.90", 1500),
    ("water-6", "Sparkling water 6x1l", "4.80", "2.70", 3000),
    ("wine-6", "Côtes du Rhône 6x75cl", "47.70", "31.20", 400),
    ("cider-12", "Cider 12x33cl", "13.20", "8.40", 700),
    ("juice-6", "Apple juice 6x1l", "9.60", "5.90", 900),
]
SEGMENT_TERMS = {"horeca": "net30", "retail": "30eom", "wholesale": "net45"}


@dataclass
class Habit:
    """How a customer behaves: how often it orders and how (late) it pays."""

    every_days: int
    lateness: tuple[int, int]
    pays_by: str = "reference"  # reference | text | iban
    disputes: bool = False
    promises: bool = False
    goes_bad: bool = False


@dataclass
class World:
    """Everything the simulation tracks beside the library."""

    app: S2C
    clock: FixedClock
    rng: random.Random
    habits: dict[str, Habit] = field(default_factory=dict)
    customers: dict[str, Customer] = field(default_factory=dict)
    next_order: dict[str, date] = field(default_factory=dict)
    to_ship: list[tuple[date, str]] = field(default_factory=list)
    planned_payments: list[tuple[date, str, str]] = field(default_factory=list)  # day, inv, how
    statements: int = 0
    stats: Counter[str] = field(default_factory=Counter)
    tick: Counter[str] = field(default_factory=Counter)
    channels: Counter[str] = field(default_factory=Counter)


CUSTOMERS = [
    # name, segment, language, habit
    ("Café De Hoek", "horeca", "nl", Habit(6, (-2, 3))),
    ("Brasserie Dupont", "horeca", "fr", Habit(7, (0, 8))),
    ("Frituur Jan", "horeca", "nl", Habit(9, (5, 20), pays_by="text", promises=True)),
    ("Bistro Luna", "horeca", "fr", Habit(8, (-5, 0), pays_by="iban")),
    ("Taverne 't Pleintje", "horeca", "nl", Habit(10, (10, 35))),
    ("Le Petit Zinc", "horeca", "fr", Habit(7, (2, 12), disputes=True)),
    ("Eetcafé Mertens", "horeca", "nl", Habit(11, (0, 4), pays_by="text")),
    ("Buurtwinkel Claes", "retail", "nl", Habit(12, (-3, 2))),
    ("Épicerie Renard", "retail", "fr", Habit(14, (15, 40))),
    ("Supermarkt Verbeke", "retail", "nl", Habit(9, (0, 6))),
    ("Delhaize-franchise Wouters", "retail", "nl", Habit(13, (3, 10), pays_by="iban")),
    ("Drinkcenter Van Dam", "wholesale", "nl", Habit(10, (0, 5))),
    ("Boissons Lejeune SA", "wholesale", "fr", Habit(12, (20, 45))),
    ("Feestzaal Horizon", "wholesale", "nl", Habit(15, (999, 999), goes_bad=True)),
]
LEAD_SOURCES = [
    ("trade fair", "Horeca Expo 2026"),
    ("website", ""),
    ("referral", ""),
    ("cold call", "Q3 outbound"),
]


def build_app(args: argparse.Namespace, out: Path) -> tuple[S2C, FixedClock]:
    clock = FixedClock(START)
    policy = Policy.default_eu(
        "BE",
        company=SELLER,
        invoice_trigger=InvoiceTrigger.ON_SHIPMENT,
        credit=CreditPolicy(
            first_order_approve_up_to=Money("3000.00", "EUR"),
            first_order_deny_above=Money("25000.00", "EUR"),
            hold_overdue_days=30,
        ),
        quote=QuotePolicy(
            valid_days=21,
            reminder_days_before=(5,),
            max_discount=Decimal(8),
            max_discount_by_segment={"wholesale": 12},
        ),
        dunning_plan_by_segment={
            "wholesale": "standard",
            "retail": "standard",
            "horeca": "standard",
        },
    )
    if args.postgres:
        url = args.postgres
        from s2c_sqlalchemy import migrate  # the PostgreSQL path needs the schema first

        migrate(url)
    else:
        db = out / "demo.db"
        for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            if stale.exists():
                stale.unlink()
        url = f"sqlite:///{db}"
    return S2C.open(url, clock=clock, policy=policy), clock


def setup(world: World) -> None:
    app = world.app
    for sku, name, price, cost, stock in PRODUCTS:
        app.catalog.add_product(sku, name, Money(price, "EUR"), cost=Money(cost, "EUR"))
        app.catalog.receive_stock(sku, stock)
    for n, (name, segment, language, habit) in enumerate(CUSTOMERS):
        customer = app.customers.register(
            name,
            segment=segment,
            language=language,
            email=f"facturen{n}@{segment}.example",
            iban=_iban(n),
            payment_term=SEGMENT_TERMS[segment],
            credit_limit=Money("15000.00", "EUR") if segment != "horeca" else None,
            address=Address(
                f"Marktplein {n + 1}",
                "Antwerpen" if language == "nl" else "Liège",
                "2000" if language == "nl" else "4000",
                "BE",
            ),
        )
        world.customers[customer.id] = customer
        world.habits[customer.id] = habit
        world.next_order[customer.id] = START.date() + timedelta(days=world.rng.randint(0, 6))


def _iban(n: int) -> str:
    """A valid Belgian test IBAN per customer (check digits by python-stdnum)."""
    from stdnum import iban

    bban = f"{539007547034 + n * 1111:012d}"
    return f"BE{iban.calc_check_digits(f'BE00{bban}')}{bban}"


def basket(world: World, segment: str) -> list[LineItem]:
    rng = world.rng
    size = {"horeca": (2, 4), "retail": (3, 6), "wholesale": (4, 8)}[segment]
    scale = {"horeca": (2, 8), "retail": (5, 20), "wholesale": (20, 60)}[segment]
    chosen = rng.sample(PRODUCTS, rng.randint(*size))
    return [
        LineItem(
            sku,
            rng.randint(*scale),
            discount_percent=rng.choice([0, 0, 0, 3, 5]) if segment != "horeca" else 0,
        )
        for sku, *_ in chosen
    ]


def daily_leads(world: World, today: date) -> None:
    app, rng = world.app, world.rng
    for _ in range(rng.choice([0, 0, 1, 1, 2])):
        source, campaign = rng.choice(LEAD_SOURCES)
        n = world.stats["leads"]
        lead = app.leads.capture(
            f"Contact {n + 1}",
            company=f"Prospect {n + 1} BV",
            email=f"info@prospect{n + 1}.example",
            source=source,
            campaign=campaign,
            segment=rng.choice(["horeca", "retail"]),
            language=rng.choice(["nl", "fr"]),
        )
        world.stats["leads"] += 1
        app.leads.contact(lead.id)
        roll = rng.random()
        if roll < 0.35:
            app.leads.disqualify(lead.id, rng.choice(["no budget", "wrong region", "competitor"]))
            world.stats["leads disqualified"] += 1
            continue
        app.leads.qualify(lead.id)
        if roll < 0.75:
            customer, quote = app.leads.convert(lead.id, basket(world, lead.segment))
            world.customers[customer.id] = customer
            world.habits[customer.id] = Habit(rng.randint(8, 14), (rng.randint(-3, 5), 15))
            app.quotes.send(quote.id)
            world.stats["leads converted"] += 1
            if rng.random() < 0.6:
                world.to_ship.append(
                    (today + timedelta(days=rng.randint(1, 10)), f"accept:{quote.id}")
                )


def daily_orders(world: World, today: date) -> None:
    app, rng = world.app, world.rng
    for customer_id, due in list(world.next_order.items()):
        if due > today:
            continue
        habit = world.habits[customer_id]
        world.next_order[customer_id] = today + timedelta(
            days=habit.every_days + rng.randint(-2, 2)
        )
        customer = world.customers[customer_id]
        try:
            if rng.random() < 0.3:  # some orders go through a quote first
                quote = app.quotes.draft(customer_id, basket(world, customer.segment))
                if quote.bounds_violations:
                    app.quotes.approve(quote.id, by="sales-manager", reason="loyal customer")
                app.quotes.send(quote.id)
                fate = rng.random()
                if fate < 0.7:
                    world.to_ship.append(
                        (today + timedelta(days=rng.randint(1, 5)), f"accept:{quote.id}")
                    )
                elif fate < 0.85:
                    app.quotes.decline(quote.id, rng.choice(["price", "timing"]))
                continue
            order = app.orders.create(customer_id, basket(world, customer.segment))
        except BusinessRuleError as err:
            world.stats[f"refused: {err.rule}"] += 1  # type: ignore[attr-defined]
            continue
        note_order(world, order.id, order.status, today)


def note_order(world: World, order_id: str, status: str, today: date) -> None:
    world.stats["orders"] += 1
    if status == "on_hold":
        world.stats["orders held"] += 1
        # the credit controller reviews held orders of good customers the next morning
        world.to_ship.append((today + timedelta(days=1), f"review:{order_id}"))
    else:
        world.to_ship.append((_next_working_day(today), f"ship:{order_id}"))


def _next_working_day(day: date) -> date:
    nxt = day + timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += timedelta(days=1)
    return nxt


def daily_warehouse(world: World, today: date) -> None:
    app = world.app
    kinds = ("accept:", "review:", "ship:")
    due = [(d, job) for d, job in world.to_ship if d <= today and job.startswith(kinds)]
    world.to_ship = [item for item in world.to_ship if item not in due]
    for _, job in due:
        kind, ref = job.split(":", 1)
        try:
            if kind == "accept":
                order = app.quotes.accept(ref)
                note_order(world, order.id, order.status, today)
            elif kind == "review":
                order = app.orders.get(ref)
                if order.status == "on_hold" and "held" not in order.hold_reason:
                    order = app.orders.override_credit(
                        ref, by="credit-controller", reason="known customer, reviewed"
                    )
                    world.to_ship.append((_next_working_day(today), f"ship:{ref}"))
            elif kind == "ship":
                ship(world, ref, today)
        except S2CError as err:
            world.stats[f"skipped {kind}: {type(err).__name__}"] += 1


def ship(world: World, order_id: str, today: date) -> None:
    app = world.app
    order = app.orders.get(order_id)
    if order.status not in ("confirmed", "partially_shipped"):
        return
    shipment = app.orders.ship(order_id, carrier=world.rng.choice(["bpost", "DPD", "own van"]))
    world.stats["shipments"] += 1
    if world.rng.random() < 0.9:
        app.orders.deliver(shipment.id)
    else:
        app.orders.deliver(shipment.id, error=world.rng.choice(["damaged", "late"]))
    for invoice in app.invoices.list(order_id=order_id, kind="invoice"):
        if invoice.shipment_id == shipment.id:
            plan_payment(world, invoice, today)


def plan_payment(world: World, invoice: Invoice, today: date) -> None:
    world.stats["invoices"] += 1
    habit = world.habits[invoice.customer_id]
    rng = world.rng
    if habit.disputes and world.stats["disputes"] == 0 and len(invoice.lines) > 1:
        world.app.receivables.open_dispute(
            invoice.id, reason="two crates broken on delivery", lines=(2,)
        )
        world.stats["disputes"] += 1
        world.to_ship.append((today + timedelta(days=12), f"resolve:{invoice.id}"))
    if habit.goes_bad:
        world.stats["invoices never paid"] += 1
        return
    late = rng.randint(*habit.lateness)
    assert invoice.due_date is not None
    pay_day = max(invoice.due_date + timedelta(days=late), today + timedelta(days=1))
    how = habit.pays_by if rng.random() < 0.85 else rng.choice(["reference", "text", "iban"])
    if habit.promises and late > 10 and world.stats["promises"] == 0:
        world.to_ship.append((invoice.due_date + timedelta(days=8), f"promise:{invoice.id}"))
        world.stats["promises"] += 1
    world.planned_payments.append((pay_day, invoice.id, how))


def daily_disputes(world: World, today: date) -> None:
    due = [
        (d, job)
        for d, job in world.to_ship
        if d <= today and job.split(":")[0] in ("resolve", "promise")
    ]
    world.to_ship = [item for item in world.to_ship if item not in due]
    for _, job in due:
        kind, invoice_id = job.split(":", 1)
        invoice = world.app.invoices.get(invoice_id)
        if kind == "resolve" and invoice.dispute_id:
            line = invoice.lines[1]
            world.app.receivables.resolve_dispute(
                invoice.dispute_id,
                resolution="two broken crates credited",
                quantities={2: min(Decimal(2), line.quantity)},
                actor="customer-service",
            )
            world.stats["disputes resolved by credit note"] += 1
        elif kind == "promise" and invoice.status in ("issued", "partially_paid"):
            world.app.receivables.promise(
                invoice_id,
                amount=invoice.open_amount,
                due=today + timedelta(days=7),
                note="promised on the phone",
                actor="collector",
            )


def daily_bank(world: World, today: date, out: Path) -> None:
    """Today's payments arrive as one camt.053 statement, imported and matched."""
    from s2c_bank.testing import make_camt053

    due = [p for p in world.planned_payments if p[0] <= today]
    world.planned_payments = [p for p in world.planned_payments if p[0] > today]
    if not due:
        return
    app = world.app
    payments = []
    for _, invoice_id, how in due:
        invoice = app.invoices.get(invoice_id)
        if invoice.status not in ("issued", "partially_paid", "disputed"):
            continue
        customer = world.customers[invoice.customer_id]
        amount = invoice.open_amount if invoice.status != "disputed" else invoice.total
        if how == "reference":
            remit = invoice.payment_reference
        elif how == "text":
            remit = f"factuur {invoice.number} dank u"
        else:
            remit = "betaling leveringen"
        payments.append((amount, remit, customer.name.upper(), customer.iban, today))
    if not payments:
        return
    world.statements += 1
    returns = [(0, "AC04")] if world.statements == 9 else []
    xml = make_camt053(
        payments=payments,
        returns=returns,
        account_iban=ACCOUNT,
        statement_id=f"PEETERS-{today:%Y%m%d}",
    )
    folder = out / "bank"
    folder.mkdir(exist_ok=True)
    path = folder / f"camt053-{today:%Y%m%d}.xml"
    path.write_bytes(xml)
    result = app.bank.import_statement(path)
    for key, count in result.counts.items():
        world.stats[f"bank entries {key}"] += count


def weekly_restock(world: World, today: date) -> None:
    """Mondays: the warehouse tops every product up to its starting level."""
    if today.weekday() != 0:
        return
    for sku, _, _, _, level in PRODUCTS:
        stock = world.app.catalog.stock(sku)
        if stock.on_hand < level:
            world.app.catalog.receive_stock(sku, level - stock.on_hand)


def bad_debts(world: World, today: date) -> None:
    """The customer that goes bad is declared bankrupt: its invoices over 30 days overdue are
    written off as uncollectible (a later payment would reverse it)."""
    app = world.app
    for customer_id, habit in world.habits.items():
        if not habit.goes_bad:
            continue
        for invoice in app.invoices.open_for(customer_id):
            if invoice.due_date and (today - invoice.due_date).days > 30:
                app.receivables.write_off(invoice.id, reason="customer declared bankrupt")
                world.stats["invoices written off"] += 1


def daily_tick(world: World) -> None:
    report = world.app.run_due()
    for action in report.actions:
        world.tick[action.kind] += 1
        if action.channel:
            world.channels[action.channel] += 1


def write_outputs(world: World, out: Path) -> dict[str, Path]:
    app = world.app
    written: dict[str, Path] = {}
    report = quarter_report(world)
    (out / "kpi-report.json").write_text(json.dumps(report.to_dict(), indent=2))
    written["KPI report (JSON)"] = out / "kpi-report.json"
    try:
        from s2c_reports import export_ocel, export_xes, render_html
    except ImportError:
        print("  (s2c-reports not installed: no HTML report or event-log export)")
    else:
        (out / "kpi-report.html").write_text(render_html(report), encoding="utf-8")
        events = list(app.kpi.event_log())
        (out / "events.ocel.json").write_text(json.dumps(export_ocel(events)))
        (out / "events.xes").write_bytes(export_xes(events, name="Groothandel Peeters Q3"))
        written["KPI report (HTML)"] = out / "kpi-report.html"
        written["event log (OCEL 2.0)"] = out / "events.ocel.json"
        written["event log (XES)"] = out / "events.xes"
    invoices = app.invoices.list(order_by="number")
    sample = [i for i in invoices if i.kind == "invoice"][-5:] + [
        i for i in invoices if i.kind == "credit_note"
    ][:2]
    try:
        from s2c_peppol import render_invoice
    except ImportError:
        print("  (s2c-peppol not installed: no UBL)")
    else:
        folder = out / "peppol"
        folder.mkdir(exist_ok=True)
        for doc in sample:
            customer = world.customers[doc.customer_id]
            credited = (
                app.invoices.get(doc.credited_invoice_id) if doc.credited_invoice_id else None
            )
            (folder / f"{doc.number}.xml").write_bytes(
                render_invoice(doc, _peppol_buyer(customer), SELLER, credited_invoice=credited)
            )
        written["Peppol UBL"] = folder
    try:
        from s2c_pdf import render_pdf
    except ImportError:
        print("  (s2c-pdf not installed: no PDF)")
    else:
        folder = out / "pdf"
        folder.mkdir(exist_ok=True)
        doc = sample[-3] if len(sample) >= 3 else sample[0]
        customer = world.customers[doc.customer_id]
        (folder / f"{doc.number}.pdf").write_bytes(
            render_pdf("invoice", seller=SELLER, customer=customer, invoice=doc)
        )
        overdue = [
            i
            for i in invoices
            if i.kind == "invoice"
            and i.status in ("issued", "partially_paid")
            and i.due_date
            and i.due_date < world.clock.today()
        ]
        if overdue:
            late = overdue[0]
            (folder / f"reminder-{late.number}.pdf").write_bytes(
                render_pdf(
                    "payment_reminder",
                    seller=SELLER,
                    customer=world.customers[late.customer_id],
                    invoices=(late,),
                    level=max(late.dunning_level, 1),
                    as_of=world.clock.today(),
                )
            )
            stmt_customer = world.customers[late.customer_id]
            (folder / f"statement-{stmt_customer.name.replace(' ', '_')}.pdf").write_bytes(
                render_pdf(
                    "statement",
                    seller=SELLER,
                    customer=stmt_customer,
                    invoices=app.invoices.open_for(stmt_customer.id),
                    as_of=world.clock.today(),
                )
            )
        written["PDF documents"] = folder
    return written


def _peppol_buyer(customer: Customer) -> Customer:
    """Buyers need a Peppol id and VAT number; the demo derives test ones from the name."""
    if customer.electronic_address:
        return customer
    import attrs

    from s2c_core.references import enterprise

    base = 2_000_000 + zlib.crc32(customer.name.encode()) % 7_000_000
    kbo = f"0{base:07d}{97 - (base % 97):02d}"
    if not enterprise.is_valid(kbo):
        kbo = "0123456749"
    return attrs.evolve(
        customer, electronic_address=f"0208:{kbo}", vat_number=f"BE{kbo}", enterprise_number=kbo
    )


def quarter_report(world: World) -> Any:
    """The KPI report of the simulated quarter; DSO drivers compare the last month with the
    month before (the quarter before the simulation has no sales to compare with)."""
    from s2c_core.kpi import Period

    today = world.clock.today()
    last_month = Period(today.replace(day=1), today)
    month_before_end = last_month.start - timedelta(days=1)
    previous = Period(month_before_end.replace(day=1), month_before_end)
    return world.app.kpi.report(today, period=last_month, previous_period=previous)


def progress(day: int, days: int, started: float, world: World) -> None:
    """A progress bar on a terminal; one line a week in logs."""
    width = 40
    done = int(width * day / days)
    elapsed = time.perf_counter() - started
    line = (
        f"  [{'#' * done}{'.' * (width - done)}] day {day:>3}/{days}  {elapsed:5.1f}s  "
        f"invoices {world.stats['invoices']:>4}  statements {world.statements:>3}"
    )
    if sys.stdout.isatty():
        sys.stdout.write("\r" + line)
        sys.stdout.flush()
    elif day % 7 == 0 or day == days:
        print(line, flush=True)


def summary(world: World, written: dict[str, Path]) -> None:
    report = quarter_report(world)
    print("\n== Summary ==")
    s = world.stats
    print(
        f"Leads {s['leads']} (converted {s['leads converted']}, disqualified "
        f"{s['leads disqualified']}); orders {s['orders']} (held for credit "
        f"{s['orders held']}); shipments {s['shipments']}; invoices {s['invoices']}."
    )
    print(
        f"Disputes {s['disputes']} (resolved by credit note "
        f"{s['disputes resolved by credit note']}); promises {s['promises']}; invoices "
        f"written off {s['invoices written off']}."
    )
    print(
        f"Bank: {world.statements} camt.053 statements; entries "
        + ", ".join(
            f"{k.removeprefix('bank entries ')} {v}"
            for k, v in sorted(s.items())
            if k.startswith("bank entries")
        )
    )
    if report.dso is not None:
        d = report.dso
        print(
            f"DSO {d.dso} days (best possible {d.best_possible_dso}, average days "
            f"delinquent {d.average_days_delinquent}) on receivables {d.receivables}."
        )
    if report.cei is not None:
        print(f"Collection effectiveness index {report.cei.cei} %.")
    print("Aging: " + "; ".join(f"{b.label} {b.amount} ({b.count})" for b in report.aging.buckets))
    if report.drivers is not None and report.drivers.customers:
        top = report.drivers.customers[0]
        name = (
            world.customers[top.customer_id].name
            if top.customer_id in world.customers
            else top.customer_id
        )
        print(
            f"DSO moved {report.drivers.change:+} days; biggest driver: {name} "
            f"({top.contribution:+} days)."
        )
    print(
        "The tick did: "
        + ", ".join(f"{k} {v}" for k, v in sorted(world.tick.items()))
        + "; channels: "
        + ", ".join(f"{k} {v}" for k, v in sorted(world.channels.items()))
    )
    refused = {k: v for k, v in s.items() if k.startswith(("refused", "skipped"))}
    if refused:
        print("Refused along the way: " + ", ".join(f"{k} {v}" for k, v in refused.items()))
    print("Written:")
    for label, path in written.items():
        print(f"  {label:<22} {path}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("demo-output"))
    parser.add_argument("--days", type=int, default=91, help="days to simulate (a quarter)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=None,
        help="run on this PostgreSQL URL instead of a SQLite file",
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    app, clock = build_app(args, out)
    world = World(app, clock, random.Random(args.seed))
    print(f"Groothandel Peeters BV — {args.days} days from {START:%Y-%m-%d} on {app.storage.name}")
    setup(world)
    started = time.perf_counter()
    for day in range(args.days):
        today = clock.today()
        if today.weekday() < 5:
            weekly_restock(world, today)
            daily_leads(world, today)
            daily_orders(world, today)
            daily_warehouse(world, today)
            daily_disputes(world, today)
            daily_bank(world, today, out)
            bad_debts(world, today)
        daily_tick(world)
        progress(day + 1, args.days, started, world)
        clock.advance(days=1)
    print()
    print("Writing the output folder…")
    written = write_outputs(world, out)
    summary(world, written)
    app.close()


if __name__ == "__main__":
    main()
