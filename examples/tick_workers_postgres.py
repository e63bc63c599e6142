"""Several tick workers on PostgreSQL: every reminder goes out exactly once.

Four worker processes run ``app.run_due()`` for the same days at the same time against one
PostgreSQL database. Each action has a natural key claimed in the same transaction as the
action, and the outbox is claimed with ``FOR UPDATE SKIP LOCKED``, so however the workers
interleave, each reminder is queued once and sent once.

Run: ``python examples/tick_workers_postgres.py [--postgres URL]`` (without a URL a throwaway
server is started from the local PostgreSQL binaries).
"""

from __future__ import annotations

import argparse
import multiprocessing
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from s2c_core import S2C, FixedClock, Line, Money, Policy

START = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
WORKERS = 4
DAYS = 50


def seed(url: str) -> None:
    app = S2C.open(url, clock=FixedClock(START), policy=Policy.default_eu("BE"))
    app.catalog.add_product("svc", "Service", Money("100.00", "EUR"), stocked=False)
    for n in range(12):
        customer = app.customers.register(
            f"Customer {n:02d}", payment_term="net14", language=("nl", "fr", "en")[n % 3]
        )
        app.invoices.create(
            customer.id,
            [
                Line(
                    "svc",
                    "Service",
                    Decimal(n + 1),  # type: ignore[arg-type]
                    Money("100.00", "EUR"),
                )
            ],
        )
    app.close()


def worker(url: str, name: str, days: list[date]) -> list[tuple[str, str]]:
    """One worker: runs the tick for each day (all workers run the same days at once).

    Returns the (kind, natural key) of every action this worker performed.
    """
    clock = FixedClock(START)
    app = S2C.open(url, clock=clock, policy=Policy.default_eu("BE"))
    done: list[tuple[str, str]] = []
    for day in days:
        clock.set(datetime.combine(day, START.timetz()))
        report = app.run_due()
        done.extend((action.kind, action.key) for action in report.actions)
    app.close()
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", metavar="URL", default=None)
    parser.add_argument("--out", default=None, help="ignored (uniform example interface)")
    args = parser.parse_args(argv)
    if args.postgres:
        run(args.postgres)
        return
    from s2c_sqlalchemy.testing import PostgresNotFoundError, throwaway_postgres

    try:
        with throwaway_postgres() as server:
            run(server)
    except PostgresNotFoundError as exc:
        raise SystemExit(f"PostgreSQL binaries not found ({exc}); pass --postgres URL") from exc


def run(server_url: str) -> None:
    from s2c_sqlalchemy import migrate
    from s2c_sqlalchemy.testing import fresh_database

    with fresh_database(server_url) as url:
        migrate(url)
        seed(url)
        days = [START.date() + timedelta(days=d) for d in range(DAYS)]
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(WORKERS) as pool:
            results = pool.starmap(worker, [(url, f"w{i}", days) for i in range(WORKERS)])
        total: Counter[str] = Counter(kind for actions in results for kind, _ in actions)
        for i, actions in enumerate(results):
            counts = Counter(kind for kind, _ in actions)
            print(f"worker {i}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        action_keys = [key for actions in results for _, key in actions]
        app = S2C.open(
            url, clock=FixedClock(START + timedelta(days=DAYS)), policy=Policy.default_eu("BE")
        )
        sent = app.outbox_messages()
        keys = [m.key for m in sent]
        print("all workers together: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))
        print(
            f"outbox: {len(sent)} messages, {len(set(keys))} distinct keys, "
            f"{sum(1 for m in sent if m.status == 'delivered')} delivered"
        )
        assert len(keys) == len(set(keys)), "a notification was queued twice"
        assert len(action_keys) == len(set(action_keys)), "an action was done twice"
        print(f"{len(action_keys)} actions by {WORKERS} workers, each natural key exactly once")
        app.close()


if __name__ == "__main__":
    main()
