"""Several workers running the tick at once on one storage act exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from s2c_core import S2C, FixedClock, Line, LineItem, Money, Policy, hookimpl
from s2c_core.entities import ProductId
from s2c_core.ports import Notification


class _Recorder:
    """A notifier shared by every worker: records each send, thread-safe."""

    channels = ("email", "letter", "phone_task", "collection_agency")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[str] = []

    def send(self, notification: Notification) -> None:
        with self.lock:
            self.sent.append(notification.key)

    @hookimpl
    def s2c_notifiers(self) -> list[_Recorder]:
        return [self]


def test_four_workers_ticking_every_day_send_each_letter_once(policy: Policy) -> None:
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    recorder = _Recorder()
    main = S2C.open(
        "memory://", clock=clock, policy=policy, plugins=[recorder], load_entry_points=False
    )
    main.catalog.add_product("consult", "Consulting", Money("95.00", "EUR"), stocked=False)
    invoices = []
    for n in range(12):
        cid = main.customers.register(f"Customer {n}", email=f"c{n}@example.com").id
        line = Line(ProductId("consult"), "Consulting", Decimal(1), Money("100.00", "EUR"))
        invoices.append(main.invoices.create(cid, [line]))
        quote = main.quotes.draft(cid, [LineItem("consult", 1)])
        main.quotes.send(quote.id)
    workers = [
        S2C.open(
            main.storage, clock=clock, policy=policy, plugins=[recorder], load_entry_points=False
        )
        for _ in range(4)
    ]
    errors: list[BaseException] = []

    def tick(app: S2C, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            app.run_due()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    for _ in range(76):  # up to 45 days past the due date (2026-04-01)
        barrier = threading.Barrier(len(workers))
        threads = [threading.Thread(target=tick, args=(w, barrier)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        clock.advance(timedelta(days=1))
    assert errors == []
    counts = Counter(recorder.sent)
    assert counts
    assert max(counts.values()) == 1
    dunning = [k for k in counts if k.startswith("dunning:")]
    assert len(dunning) == 12 * 5  # pre-due, reminder, second, final notice, call (day 45)
    assert len([k for k in counts if k.startswith("quote-reminder:")]) == 12 * 2
    assert len([k for k in counts if k.startswith("quote-expired:")]) == 12
    for inv in invoices:
        events = [e.name for e in main.events(aggregate_id=inv.id, limit=10_000)]
        assert events.count("InvoiceDunned") == 5
