"""The tick on PostgreSQL: twice, late, and from several workers at once, each action once."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from s2c_core import S2C, Company, FixedClock, LineItem, Money, Policy, hookimpl
from s2c_core.ports import Notification

pytest.importorskip("s2c_sqlalchemy")

from s2c_sqlalchemy import migrate
from s2c_sqlalchemy import plugin as sql_plugin
from s2c_sqlalchemy.testing import fresh_database

pytestmark = pytest.mark.postgres

START = datetime(2026, 3, 2, 9, tzinfo=UTC)
DUE = date(2026, 4, 1)  # net30 from START
POLICY = Policy.default_eu("BE", company=Company("Groothandel Peeters BV"))


class _Recorder:
    """A notifier shared by every worker of a test: records each send, thread-safe."""

    channels = ("email", "letter", "phone_task", "collection_agency")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[str] = []

    def send(self, notification: Notification) -> None:
        with self.lock:
            self.sent.append(notification.key)

    @hookimpl(tryfirst=True)
    def s2c_notifiers(self) -> list[_Recorder]:
        return [self]


@pytest.fixture
def pg_books(postgres_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database with the s2c schema, dropped after the test."""
    with fresh_database(postgres_url, prefix="s2c_tick") as url:
        migrate(url)
        yield url


def _open(url: str, clock: FixedClock, recorder: _Recorder) -> S2C:
    # the SQL backend registered explicitly: other installed plugins play no part here
    return S2C.open(
        url,
        clock=clock,
        policy=POLICY,
        plugins=[sql_plugin, recorder],
        load_entry_points=False,
    )


def _books(app: S2C, customers: int) -> list[str]:
    app.catalog.add_product("consult", "Consulting", Money("95.00", "EUR"), stocked=False)
    invoices = []
    for n in range(customers):
        cid = app.customers.register(f"Customer {n}", email=f"c{n}@example.com").id
        order = app.orders.create(cid, [LineItem("consult", Decimal(1))])  # activates them
        app.orders.ship(order.id)
        invoices.append(app.invoices.list(customer_id=cid, order_id=order.id)[0].id)
        quote = app.quotes.draft(cid, [LineItem("consult", 1)])
        app.quotes.send(quote.id)
    return invoices


def _at(day: date) -> datetime:
    return datetime.combine(day, START.timetz())


def test_twice_and_late_on_postgres(pg_books: str) -> None:
    clock = FixedClock(START)
    recorder = _Recorder()
    app = _open(pg_books, clock, recorder)
    assert app.storage.name != "memory"
    (invoice_id,) = _books(app, 1)
    clock.set(_at(DUE + timedelta(days=40)))  # the first tick ever runs 40 days late
    first = app.run_due()
    second = app.run_due()
    assert f"dunning:{invoice_id}:2" in first.keys
    assert [k for k in first.keys if k.startswith("dunning:")] == [f"dunning:{invoice_id}:2"]
    assert second.keys == ()
    assert recorder.sent.count(f"dunning:{invoice_id}:2") == 1
    clock.set(_at(DUE + timedelta(days=52)))  # the plan's gap (15 - 3 days) later
    assert [k for k in app.run_due().keys if k.startswith("dunning")] == [f"dunning:{invoice_id}:3"]
    app.close()


def test_four_workers_at_once_on_postgres_act_exactly_once(pg_books: str) -> None:
    clock = FixedClock(START)
    recorder = _Recorder()
    setup = _open(pg_books, clock, recorder)
    invoices = _books(setup, 6)
    setup.close()
    workers = [_open(pg_books, clock, recorder) for _ in range(4)]
    errors: list[str] = []
    lock = threading.Lock()

    def tick(app: S2C, barrier: threading.Barrier) -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(2):  # and each worker twice
                report = app.run_due()
                with lock:
                    errors.extend(report.errors)
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            with lock:
                errors.append(repr(exc))

    offsets = (-3, 0, 3, 15, 30, 31, 45)  # pre-due, steps, quote expiry, credit holds
    for offset in offsets:
        clock.set(_at(DUE + timedelta(days=offset)))
        barrier = threading.Barrier(len(workers))
        threads = [threading.Thread(target=tick, args=(w, barrier)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    assert errors == []
    counts = Counter(recorder.sent)
    assert max(counts.values()) == 1
    assert len([k for k in counts if k.startswith("dunning:")]) == 6 * 5
    assert len([k for k in counts if k.startswith("quote-expired:")]) == 6
    check = workers[0]
    for invoice_id in invoices:
        names = [e.name for e in check.events(aggregate_id=invoice_id, limit=10_000)]
        assert names.count("InvoiceDunned") == 5
        assert check.invoices.get(invoice_id).dunning_level == 5
    held = check.customers.list(status="on_hold")
    assert len(held) == 6
    for worker in workers:
        worker.close()
