"""Benchmark: bank statement import and cash application, entries per second.

Workload: N open invoices of N/5 customers (each with an IBAN), and a camt.053 statement of
N credits paying them, half by structured reference, 30 % by the invoice number in the free
text, 20 % by amount from the customer's IBAN (cash application picks the fitting invoice among
the customer's five), plus one return per 1000 credits. It is imported with
``app.bank.import_statement(path)``: sniffing, parsing the whole file, matching, payments,
allocations, events and the exactly-once claims, in units of work of 200 entries.

Seeding is not measured: customers and invoices are written in bulk through one unit of work
(the issuing service path costs more than the import itself at these sizes). The statement file
is generated beforehand. Each size runs in a fresh child process so its peak memory is its
own: ``peak_mb`` is the growth of the resident set's high-water mark during the import (the
storage's growth included: the in-memory backend keeps every payment and event).

Reported per backend (``memory``, and ``sqlite`` when s2c-sqlalchemy is installed) and size:
entries per second, import seconds, the parser's own seconds for the same file (the floor:
reading the file is the part of the import that is not core's), peak memory, and the scaling
ratio ``time(2N) / time(N)`` on CPU time (target <= 2.2: the import is linear; CPU time
because neighbours on a shared machine disturb wall-clock time far more). Target: peak < 300 MB
at 100k entries for the import's own memory; with the in-memory backend the peak also holds
what the storage keeps (every payment and about four events per entry, as Python objects).

**The floor** (SQLite, at the first size, in its own child): the installed parser reading the
file, plus every SQL statement the import sent (reads, ``BEGIN IMMEDIATE``, the writes of
payments, invoices, events and claims, the commits) replayed with the raw ``sqlite3`` module
on a copy of the database taken just before the import. ``sqlite_<n>_ratio_vs_floor`` is the
import's wall time over that floor's, both measured in the same run: what s2c's Python work
(matching, entities, events, documents) adds on top of reading the file and writing the rows.
``sqlite_<n>_floor_entries_per_s`` is the most any import writing these rows to this schema
on this machine can reach.

Figures of each run are in ``docs/_benchmarks.txt``; the in-memory backend's scaling ratio
includes Python's cyclic GC walking the ever larger store (``--no-gc`` shows it).

Usage: ``python benchmarks/bench_bank.py [--quick] [--sizes 10000 20000] [--backends memory]``
(or through ``benchmarks/run.py``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

TARGET_RATIO = 2.2
TARGET_PEAK_MB_AT_100K = 300.0
PAID_ON = date(2026, 3, 10)
_OGM_BASE = 2_026_000_000


def _iban(n: int) -> str:
    from stdnum import iban

    base = f"{n:010d}"
    bban = base + f"{int(base) % 97 or 97:02d}"
    return "BE" + str(iban.calc_check_digits("BE00" + bban)) + bban


def _cents(i: int) -> int:
    return 1000 + (i * 7919) % 100_000


def _customers(n: int) -> int:
    return max(1, n // 5)


def _reference(i: int) -> str:
    from s2c_core.references import generate_reference, ogm_vcs

    return ogm_vcs.format(generate_reference("ogm_vcs", _OGM_BASE + i + 1))


def write_statement(n: int, path: Path) -> None:
    """The camt.053 paying the N seeded invoices (see the module docstring), written to *path*."""
    from s2c_bank.testing import make_camt053

    from s2c_core.money import Money

    customers = _customers(n)
    payments = []
    for i in range(n):
        kind = i % 10
        if kind < 5:
            text = _reference(i)
        elif kind < 8:
            text = f"Invoice INV2026{i + 1:06d} thank you"
        else:
            text = "payment"
        payments.append(
            (
                Money.from_minor(_cents(i), "EUR"),
                text,
                f"Customer {i % customers:07d}",
                _iban(1000 + i % customers),
                PAID_ON,
            )
        )
    returns = [(i, "AC04") for i in range(0, n, 1000)]
    path.write_bytes(make_camt053(payments=payments, returns=returns, statement_id=f"BENCH-{n}"))


def _open(backend: str, folder: Path) -> Any:
    import s2c_bank.plugin

    from s2c_core import S2C, FixedClock, Policy

    plugins: list[object] = [s2c_bank.plugin]
    url = "memory://"
    if backend == "sqlite":
        import s2c_sqlalchemy.plugin

        plugins.append(s2c_sqlalchemy.plugin)
        url = f"sqlite:///{folder / 'bench.db'}"
    return S2C.open(
        url,
        clock=FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC)),
        policy=Policy.default_eu("BE"),
        plugins=plugins,
        load_entry_points=False,
    )


def seed(app: Any, n: int) -> None:
    """N issued invoices of N/5 customers, written in bulk through one unit of work."""
    from s2c_core import Customer, Invoice, Line, Money, VatCategory
    from s2c_core.entities.common import CustomerId, InvoiceId, ProductId
    from s2c_core.lifecycle.flows import InvoiceState

    customers = _customers(n)
    with app.storage.unit_of_work() as uow:
        repo = uow.repo("customer")
        for c in range(customers):
            repo.add(
                Customer(CustomerId(f"cus_{c:07d}"), f"Customer {c:07d} BV", iban=_iban(1000 + c))
            )
        repo = uow.repo("invoice")
        for i in range(n):
            line = Line(
                ProductId("svc"),
                "Service",
                1,
                Money.from_minor(_cents(i), "EUR"),
                vat_category=VatCategory.ZERO,
                vat_rate=0,
            )
            repo.add(
                Invoice(
                    InvoiceId(f"inv_{i:08d}"),
                    CustomerId(f"cus_{i % customers:07d}"),
                    "EUR",
                    (line,),
                    status=InvoiceState.ISSUED,
                    number=f"INV-2026-{i + 1:06d}",
                    issue_date=date(2026, 2, 1),
                    due_date=date(2026, 3, 3),
                    payment_reference=_reference(i),
                )
            )
        uow.commit()


def _rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _rss_now_mb() -> float:
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return _rss_peak_mb()


def child(backend: str, n: int, statement: Path) -> dict[str, float]:
    """Seed, import once (timed, memory watched), then parse alone (the floor)."""
    from s2c_bank import parse_statement_file

    with tempfile.TemporaryDirectory(prefix="s2c-bench-bank-") as folder:
        app = _open(backend, Path(folder))
        started = time.perf_counter()
        seed(app, n)
        seeded = time.perf_counter() - started
        gc.collect()
        base_now, base_peak = _rss_now_mb(), _rss_peak_mb()
        started, cpu = time.perf_counter(), time.process_time()
        result = app.bank.import_statement(statement)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        growth = _rss_now_mb() - base_now
        # the high-water mark may still be the seeding's; what stays is a lower bound
        peak = max(0.0, _rss_peak_mb() - max(base_now, base_peak), growth)
        counts = result.counts
        entries = len(result.outcomes)
        del result
        started = time.perf_counter()
        parse_statement_file(statement)
        parsed = time.perf_counter() - started
        app.close()
    return {
        "entries": float(entries),
        "matched": float(counts.get("matched", 0)),
        "returned": float(counts.get("returned", 0)),
        "unmatched": float(counts.get("unmatched", 0)),
        "seed_s": round(seeded, 2),
        "import_s": round(elapsed, 2),
        "import_cpu_s": round(cpu, 2),
        "parse_s": round(parsed, 2),
        "entries_per_s": round(entries / elapsed, 1),
        "core_share_s": round(elapsed - parsed, 2),
        "peak_mb": round(peak, 1),
        "retained_mb": round(growth, 1),
    }


def floor_child(n: int, statement: Path) -> dict[str, float]:
    """The SQLite floor of an import: the parser, plus the very SQL the import sent, replayed.

    Seeds as ``child`` does, copies the database file, imports with every statement and
    transaction boundary captured through the storage's ``statement_hook`` (reads included,
    ``BEGIN IMMEDIATE`` and the commits too), then replays them with the raw ``sqlite3``
    module on the copy (``bench_cycle.replay``). Parsing the file with the installed parser
    plus that replay is what any import of this file into this schema costs without s2c's
    Python work: matching, entities, events and documents. Run in its own child because the
    captured parameters (every document written) would distort ``child``'s memory figures.
    """
    import shutil
    import sqlite3

    from bench_cycle import replay
    from s2c_bank import parse_statement_file

    with tempfile.TemporaryDirectory(prefix="s2c-bench-bank-floor-") as folder:
        app = _open("sqlite", Path(folder))
        seed(app, n)
        app.storage.engine.dispose()
        database, copy = Path(folder) / "bench.db", Path(folder) / "floor.db"
        with sqlite3.connect(database) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(database, copy)
        ops: list[tuple[str, str, Any]] = []

        def hook(kind: str, sql: str, parameters: Any) -> None:
            ops.append((kind, sql, list(parameters) if kind == "many" else parameters))

        app.storage.statement_hook = hook
        app.bank.import_statement(statement)  # not timed: capturing slows it down
        app.close()
        sql_s, sql_cpu_s = replay(copy, ops)
    started = time.perf_counter()
    parse_statement_file(statement)
    parse_s = time.perf_counter() - started
    rows = sum(len(p) if kind == "many" else 1 for kind, _sql, p in ops if kind in ("one", "many"))
    return {
        "sql_replay_s": round(sql_s, 2),
        "sql_replay_cpu_s": round(sql_cpu_s, 2),
        "parse_s": round(parse_s, 2),
        "floor_s": round(parse_s + sql_s, 2),
        "entries_per_s": round(n / (parse_s + sql_s), 1),
        "statements": float(sum(1 for kind, *_ in ops if kind in ("one", "many"))),
        "rows_per_entry": round(rows / n, 2),
    }


def _run_child(
    backend: str, n: int, statement: Path, *, no_gc: bool = False, floor: bool = False
) -> dict[str, float]:
    command = [sys.executable, __file__, "--child", backend, str(n), str(statement)]
    if floor:
        command.append("--floor")
    if no_gc:
        command.append("--no-gc")
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{backend} {n}: {done.stderr.strip()[-2000:]}")
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _backends() -> list[str]:
    found = ["memory"]
    try:
        import s2c_sqlalchemy.plugin  # noqa: F401
    except ImportError:
        return found
    return [*found, "sqlite"]


def run(
    quick: bool = False,
    *,
    sizes: list[int] | None = None,
    backends: list[str] | None = None,
    no_gc: bool = False,
    floor: bool = True,
) -> dict[str, float]:
    """Import + match N entries against N open invoices; quick: 10k (and 20k for the ratio)."""
    chosen = sizes or ([10_000, 20_000] if quick else [100_000, 200_000])
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="s2c-bench-bank-files-") as folder:
        files = {}
        for n in chosen:
            files[n] = Path(folder) / f"statement-{n}.xml"
            write_statement(n, files[n])
        for backend in backends or _backends():
            times = {}
            for n in chosen:
                figures = _run_child(backend, n, files[n], no_gc=no_gc)
                times[n] = figures["import_cpu_s"]
                for key, value in figures.items():
                    out[f"{backend}_{n}_{key}"] = value
            pairs = [(a, b) for a in chosen for b in chosen if b == 2 * a]
            for a, b in pairs:
                out[f"{backend}_ratio_{b}_over_{a}"] = round(times[b] / times[a], 2)
            if backend == "sqlite" and floor:
                n = chosen[0]
                figures = _run_child(backend, n, files[n], floor=True)
                for key, value in figures.items():
                    out[f"sqlite_{n}_floor_{key}"] = value
                # wall time against wall time, both measured in this run
                out[f"sqlite_{n}_ratio_vs_floor"] = round(
                    out[f"sqlite_{n}_import_s"] / figures["floor_s"], 2
                )
    out["target_ratio"] = TARGET_RATIO
    out["target_peak_mb_at_100k"] = TARGET_PEAK_MB_AT_100K
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*")
    parser.add_argument("--backends", nargs="*")
    parser.add_argument("--child", nargs=3, metavar=("BACKEND", "N", "FILE"))
    parser.add_argument(
        "--no-gc", action="store_true", help="disable the cyclic GC in the children (diagnosis)"
    )
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the SQLite floor (parser + SQL replay)"
    )
    args = parser.parse_args(argv)
    if args.no_gc:
        gc.disable()
    if args.child:
        backend, n, statement = args.child
        if args.floor:
            print(json.dumps(floor_child(int(n), Path(statement))))
        else:
            print(json.dumps(child(backend, int(n), Path(statement))))
        return 0
    figures = run(
        args.quick,
        sizes=args.sizes,
        backends=args.backends,
        no_gc=args.no_gc,
        floor=not args.no_floor,
    )
    for key, value in figures.items():
        print(f"{key:<40} {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
