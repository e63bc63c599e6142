"""Benchmark: aging + DSO + CEI over N invoices on a SQLite file, against hand-written SQL.

Workload: N invoices and credit notes of N/100 customers issued over the twelve months up to
the as-of date (31 March 2026), due 30 days later; most are paid (one payment each, some of
them after the as-of date, some partially), the rest open. The database "today" is 20 April
2026, so the balances at 31 March must add back the payments received since: the as-of path
of ``s2c_sqlalchemy.reporting``, not just the current ``open_amount`` column.

Measured, best of three:

* ``kpi``: through the reporting port (``app.kpi.reporting``, SQL inside SQLite): the aging
  statement and the DSO/CEI statement, then core's pure ``dso`` and ``cei`` formulas;
* ``app_kpi_calls``: the three public calls ``app.kpi.aging(as_of)``, ``app.kpi.dso(q1)``
  and ``app.kpi.cei(q1).cei`` (simple DSO reads the closing balance, CEI the opening one as
  well, so the open documents are read three times instead of twice);
* ``floor``: the same three answers from hand-written SQL on a bare ``sqlite3`` connection
  (one aging query, one query for the four DSO/CEI sums, same indexes) and the two divisions
  in Python.

Reported: seconds of each, the ratios to the floor (target <= 1.5), and the tracemalloc peak
of the ``kpi`` calls at two sizes (target: flat, the database does the work; the peak should
not grow while N grows fourfold). Seeding (``executemany`` into the plugin's tables, in
chunks) is not timed.

Usage: ``python benchmarks/bench_kpi.py [--quick]`` (or through ``benchmarks/run.py``).
"""

from __future__ import annotations

import argparse
import gc
import json
import sqlite3
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

TARGET_RATIO = 1.5
AS_OF = date(2026, 3, 31)
TODAY = date(2026, 4, 20)
Q1 = (date(2026, 1, 1), AS_OF)
FIRST_ISSUE = AS_OF - timedelta(days=364)


def _cents(i: int) -> int:
    return 2_000 + (i * 7919) % 250_000


def _money(minor: int) -> str:
    return str(Decimal(minor).scaleb(-2))


def _rows(i: int, n: int, customers: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The invoice row of document *i* and its payment row (None when unpaid)."""
    issue = FIRST_ISSUE + timedelta(days=i * 365 // n)
    due = issue + timedelta(days=30)
    total = _cents(i)
    credit_note = i % 97 == 0
    if credit_note:
        total //= 10
        due = issue
    paid_on = due + timedelta(days=(i * 31) % 45 - 5)
    status, open_amount, paid = "issued", total, 0
    if not credit_note and paid_on <= TODAY:
        paid = total if i % 13 else total // 2
        open_amount = total - paid
        status = "paid" if open_amount == 0 else "partially_paid"
    invoice = {
        "id": f"inv_{i:08d}",
        "version": 1,
        "customer_id": f"cus_{i % customers:06d}",
        "status": status,
        "kind": "credit_note" if credit_note else "invoice",
        "number": f"INV-{i:08d}",
        "payment_reference": "",
        "currency": "EUR",
        "order_id": None,
        "issue_date": issue,
        "due_date": due,
        "total": total,
        "open_amount": open_amount,
        "paid_on": paid_on if status == "paid" else None,
        "dunning_level": 0,
        "data": "{}",
    }
    if not paid:
        return invoice, None
    allocation = {
        "invoice_id": f"inv_{i:08d}",
        "amount": {"amount": _money(paid), "currency": "EUR"},
        "discount": None,
        "write_off": None,
    }
    payment = {
        "id": f"pay_{i:08d}",
        "version": 1,
        "customer_id": f"cus_{i % customers:06d}",
        "status": "allocated",
        "entry_key": None,
        "currency": "EUR",
        "received_on": paid_on,
        "amount": paid,
        "unapplied": 0,
        "data": json.dumps({"allocations": [allocation]}),
    }
    return invoice, payment


def seed(url: str, n: int, *, chunk: int = 50_000) -> None:
    """Create the schema and insert N invoices, their payments and customers in bulk."""
    from s2c_sqlalchemy import make_engine, migrate
    from s2c_sqlalchemy.tables import AGGREGATE_TABLES

    migrate(url)
    engine = make_engine(url)
    customers = max(10, n // 100)
    segments = ("retail", "horeca", "wholesale")
    with engine.begin() as conn:
        conn.execute(
            AGGREGATE_TABLES["customer"].insert(),
            [
                {
                    "id": f"cus_{c:06d}",
                    "version": 1,
                    "status": "active",
                    "segment": segments[c % 3],
                    "data": "{}",
                }
                for c in range(customers)
            ],
        )
        for start in range(0, n, chunk):
            pairs = [_rows(i, n, customers) for i in range(start, min(start + chunk, n))]
            conn.execute(AGGREGATE_TABLES["invoice"].insert(), [inv for inv, _ in pairs])
            payments = [pay for _, pay in pairs if pay is not None]
            if payments:
                conn.execute(AGGREGATE_TABLES["payment"].insert(), payments)
    engine.dispose()


_FLOOR_OPEN = """
SELECT i.id, i.due_date,
       CASE WHEN i.kind = 'credit_note' THEN -i.open_amount ELSE i.open_amount END AS amount
  FROM s2c_invoice i INDEXED BY ix_s2c_invoice_status
 WHERE i.status IN ('issued', 'partially_paid', 'disputed', 'written_off', 'credited')
   AND i.open_amount <> 0 AND i.issue_date <= :d AND i.currency = 'EUR'
UNION ALL
SELECT i.id, i.due_date, b.amount FROM (
  SELECT json_extract(a.value, '$.invoice_id') AS invoice_id,
         CAST(REPLACE(json_extract(a.value, '$.amount.amount'), '.', '') AS INTEGER) AS amount
    FROM s2c_payment p INDEXED BY ix_s2c_payment_received_on
   CROSS JOIN json_each(p.data, '$.allocations') a
   WHERE p.received_on > :d AND p.status <> 'returned') b
 CROSS JOIN s2c_invoice i
 WHERE i.id = b.invoice_id AND i.issue_date <= :d AND i.currency = 'EUR'
"""
# (The benchmark's books have no credit notes applied and no write-offs: the floor leaves
# those add-backs out, which only makes it faster.)

FLOOR_AGING = f"""
SELECT bucket, SUM(amount), SUM(amount <> 0) FROM (
  SELECT CASE WHEN due_date >= :e0 THEN 0 WHEN due_date >= :e1 THEN 1
              WHEN due_date >= :e2 THEN 2 WHEN due_date >= :e3 THEN 3 ELSE 4 END AS bucket,
         SUM(amount) AS amount
    FROM ({_FLOOR_OPEN}) GROUP BY id, due_date)
GROUP BY bucket
"""

FLOOR_PERIOD = f"""
WITH b AS (SELECT COALESCE(SUM(amount), 0) AS total
             FROM ({_FLOOR_OPEN.replace(":d", ":b")})),
     e AS (SELECT COALESCE(SUM(amount), 0) AS total,
                  COALESCE(SUM(CASE WHEN due_date >= :d THEN amount ELSE 0 END), 0) AS cur
             FROM ({_FLOOR_OPEN})),
     s AS (SELECT COALESCE(SUM(CASE WHEN kind = 'credit_note' THEN -total ELSE total END), 0)
                  AS sales
             FROM s2c_invoice INDEXED BY ix_s2c_invoice_issue_date
            WHERE issue_date BETWEEN :s AND :d AND currency = 'EUR')
SELECT b.total, e.total, e.cur, s.sales FROM b, e, s
"""


def floor(conn: sqlite3.Connection) -> tuple[list[tuple[int, int, int]], float, float]:
    """Aging buckets, DSO and CEI of Q1 with hand-written SQL on a bare connection."""
    edges = {
        f"e{k}": (AS_OF - timedelta(days=e)).isoformat() for k, e in enumerate((0, 30, 60, 90))
    }
    aging = conn.execute(FLOOR_AGING, {"d": AS_OF.isoformat(), **edges}).fetchall()
    begin, end, current, sales = conn.execute(
        FLOOR_PERIOD,
        {
            "b": (Q1[0] - timedelta(days=1)).isoformat(),
            "d": AS_OF.isoformat(),
            "s": Q1[0].isoformat(),
        },
    ).fetchone()
    days = (Q1[1] - Q1[0]).days + 1
    dso = end / sales * days
    cei = (begin + sales - end) / (begin + sales - current) * 100
    return aging, dso, cei


def open_app(url: str) -> Any:
    """An application on the seeded database (opening it is not timed)."""
    from s2c_sqlalchemy import open_sql_storage

    from s2c_core import S2C, FixedClock

    clock = FixedClock(datetime.combine(TODAY, datetime.min.time(), UTC))
    return S2C.open(open_sql_storage(url, clock), clock=clock, load_entry_points=False)


def kpi(app: Any) -> tuple[Any, Any, Any]:
    """The three answers through the reporting port: one aging, one DSO/CEI statement.

    ``app.kpi.reporting`` is the storage's SQL port; DSO and CEI come from the same
    [DsoInputs][s2c_core.kpi.port.DsoInputs] through core's pure formulas.
    """
    from s2c_core.kpi import Period, cei, dso

    quarter = Period(*Q1)
    port = app.kpi.reporting
    aging = port.aging(AS_OF, currency="EUR")
    inputs = port.dso_inputs(quarter, currency="EUR")
    days = dso(inputs.receivables_end, inputs.credit_sales, days=quarter.days)
    index = cei(
        inputs.receivables_begin, inputs.credit_sales, inputs.receivables_end, inputs.current_end
    )
    return aging, days, index


def kpi_calls(app: Any) -> tuple[Any, Any, Any]:
    """The same through three ``app.kpi`` calls (DSO and CEI each run the period statement)."""
    from s2c_core.kpi import Period

    quarter = Period(*Q1)
    return app.kpi.aging(AS_OF), app.kpi.dso(quarter), app.kpi.cei(quarter).cei


def _best(fn: Any, *args: Any, rounds: int = 3) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, result


def _peak(app: Any) -> float:
    gc.collect()
    tracemalloc.start()
    try:
        kpi(app)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 1_000_000


def measure(n: int, folder: Path) -> dict[str, float]:
    """Seed a database of *n* invoices and time both paths on it."""
    path = folder / f"kpi-{n}.db"
    url = f"sqlite:///{path}"
    t0 = time.perf_counter()
    seed(url, n)
    seeded = time.perf_counter() - t0
    app = open_app(url)
    conn = sqlite3.connect(path)
    try:
        kpi(app)  # warm the file cache and the statement caches
        floor(conn)
        kpi_s, (aging, dso, cei) = _best(kpi, app)
        calls_s, _ = _best(kpi_calls, app)
        floor_s, (f_aging, f_dso, f_cei) = _best(floor, conn)
        peak = _peak(app)
    finally:
        conn.close()
        app.close()
    buckets = [b.amount.minor_units for b in aging.buckets]
    assert buckets == [row[1] for row in sorted(f_aging)], (buckets, f_aging)
    assert abs(float(dso) - f_dso) < 0.06
    assert abs(float(cei) - f_cei) < 0.006
    return {
        "seed_s": round(seeded, 2),
        "kpi_s": round(kpi_s, 4),
        "floor_s": round(floor_s, 4),
        "ratio": round(kpi_s / floor_s, 3),
        "calls_s": round(calls_s, 4),
        "calls_ratio": round(calls_s / floor_s, 3),
        "peak_mb": round(peak, 3),
        "dso": float(dso),
        "cei": float(cei),
    }


def run(quick: bool = False) -> dict[str, float]:
    """Both sizes: the ratio at the larger, peaks at both (flat memory)."""
    small, large = (12_500, 50_000) if quick else (250_000, 1_000_000)
    with tempfile.TemporaryDirectory(prefix="s2c-bench-kpi-") as tmp:
        low = measure(small, Path(tmp))
        high = measure(large, Path(tmp))
    return {
        "n": large,
        "kpi_s": high["kpi_s"],
        "floor_s": high["floor_s"],
        "ratio": high["ratio"],
        "target_ratio": TARGET_RATIO,
        "app_kpi_calls_s": high["calls_s"],
        "app_kpi_calls_ratio": high["calls_ratio"],
        f"ratio_at_{small}": low["ratio"],
        f"peak_mb_at_{small}": low["peak_mb"],
        f"peak_mb_at_{large}": high["peak_mb"],
        "peak_growth": round(high["peak_mb"] / low["peak_mb"], 3),
        "seed_s": high["seed_s"],
        "dso": high["dso"],
        "cei": high["cei"],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50 000 invoices instead of 1M")
    args = parser.parse_args()
    for key, value in run(quick=args.quick).items():
        print(f"{key:<24} {value}")
