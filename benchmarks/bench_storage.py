"""Storage use cases on a SQLite file, each against a raw SQLAlchemy Core floor in the same run.

Use cases (one unit of work each, committed):

* ``issue``: take the next invoice number, add the invoice, append its event;
* ``update``: load an invoice and store it changed (optimistic version check);
* ``query``: the open invoices of one customer (about ten), as entities.

The floor runs the same statements on an identical database through plain SQLAlchemy Core
(same engine settings: WAL, ``BEGIN IMMEDIATE``), with the rows and JSON documents prepared
before the clock starts, and for reads fetches the rows and decodes their JSON. The ratio
``library / floor`` is what s2c adds: building rows from entities (codec, index values),
rebuilding entities from rows, and its own bookkeeping. Target: at most 2x.

The library runs its SQL on the DBAPI cursor, without SQLAlchemy's per-statement machinery,
so it can beat that floor. A stricter one is reported beside it (``*_ratio_vs_dbapi``): the
same SQL text (``BEGIN IMMEDIATE`` ... ``COMMIT``, reads rolled back as the library does) on
a bare ``sqlite3`` connection, parameters prepared in advance, JSON decoded on reads: what
the driver and the database cost with no Python layer at all.

Reads return entities, so ``query`` is also reported against a second floor that rebuilds
them with core's codec (``query_ratio_vs_codec_floor``): that ratio is what the SQL backend
itself adds; the gap between the two floors is the cost of ``codec.load`` (core).

Usage: ``python benchmarks/bench_storage.py [--quick]`` or through ``benchmarks/run.py``.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
from s2c_sqlalchemy import SqlStorage, make_engine, migrate, open_sql_storage
from s2c_sqlalchemy.mapping import EntityMapper, event_to_row
from s2c_sqlalchemy.session import Rendered
from s2c_sqlalchemy.tables import AGGREGATE_TABLES, COUNTERS, EVENTS
from sqlalchemy import Engine, bindparam, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from s2c_core.codec import load
from s2c_core.entities.receivables import Invoice
from s2c_core.entities.registry import AGGREGATES
from s2c_core.events import DomainEvent
from s2c_core.testing.conformance.storage import make_invoice

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
INVOICES = AGGREGATE_TABLES["invoice"]
OPEN = ("issued", "partially_paid")
PER_CUSTOMER = 10


def _invoice(n: int) -> Any:
    inv = make_invoice(n, customer=f"cus_{n % max(1, _CUSTOMERS[0])}")
    return attrs.evolve(inv, number=f"INV-2026-{n + 1:06d}")


_CUSTOMERS = [1]


def _event(n: int) -> DomainEvent:
    return DomainEvent(
        id=f"evt_{n}",
        name="InvoiceIssued",
        aggregate="invoice",
        aggregate_id=f"inv_{n}",
        at=T0,
        data={"number": f"INV-2026-{n:06d}"},
        from_state="draft",
        to_state="issued",
        actor="bench",
        case_id="cus_1",
    )


# -- library -----------------------------------------------------------------------------------


def lib_issue(storage: SqlStorage, n: int) -> None:
    with storage.unit_of_work() as uow:
        number = uow.counters.next("INV", 2026)
        invoice = attrs.evolve(
            make_invoice(n, customer=f"cus_{n % _CUSTOMERS[0]}"), number=f"INV-2026-{number:06d}"
        )
        uow.repo("invoice").add(invoice)
        uow.events.append([_event(n)])
        uow.commit()


def lib_update(storage: SqlStorage, n: int) -> None:
    with storage.unit_of_work() as uow:
        repo = uow.repo("invoice")
        invoice = repo.get(f"inv_{n}")
        repo.update(attrs.evolve(invoice, dunning_level=invoice.dunning_level + 1))
        uow.commit()


def lib_query(storage: SqlStorage, n: int) -> int:
    with storage.unit_of_work() as uow:
        return len(uow.repo("invoice").query(customer_id=f"cus_{n % _CUSTOMERS[0]}", status=OPEN))


# -- floor -------------------------------------------------------------------------------------


class Floor:
    """The same writes and reads in plain SQLAlchemy Core, rows prepared in advance."""

    def __init__(self, engine: Engine, count: int) -> None:
        self.engine = engine
        mapper = EntityMapper(AGGREGATES["invoice"])
        self.rows = {n: mapper.values(_invoice(n), 1) for n in range(count)}
        self.updated = {
            n: mapper.values(attrs.evolve(_invoice(n), dunning_level=1), 2) for n in range(count)
        }
        self.events = {n: event_to_row(_event(n)) for n in range(count)}
        self.counter = (
            sqlite_insert(COUNTERS)
            .values(series=bindparam("series"), year=bindparam("year"), value=1)
            .on_conflict_do_update(
                index_elements=["series", "year"], set_={"value": COUNTERS.c.value + 1}
            )
            .returning(COUNTERS.c.value)
        )
        self.add = sqlite_insert(INVOICES).on_conflict_do_nothing(index_elements=["id"])
        self.event = insert(EVENTS)
        self.get = select(INVOICES.c.data, INVOICES.c.version).where(
            INVOICES.c.id == bindparam("id")
        )
        self.update = update(INVOICES).where(
            INVOICES.c.id == bindparam("w_id"), INVOICES.c.version == bindparam("w_version")
        )
        self.query = (
            select(INVOICES.c.data, INVOICES.c.version)
            .where(INVOICES.c.customer_id == bindparam("customer"), INVOICES.c.status.in_(OPEN))
            .order_by(INVOICES.c.id)
        )

    def issue(self, n: int) -> None:
        with self.engine.connect() as conn:
            conn.execute(self.counter, {"series": "INV", "year": 2026}).scalar_one()
            conn.execute(self.add, self.rows[n])
            conn.execute(self.event, self.events[n])
            conn.commit()

    def update_one(self, n: int) -> None:
        with self.engine.connect() as conn:
            data, version = conn.execute(self.get, {"id": f"inv_{n}"}).one()
            json.loads(data)
            values = dict(self.updated[n])
            values["w_id"] = values.pop("id")
            values["w_version"] = version
            values["version"] = version + 1
            conn.execute(self.update, values)
            conn.commit()

    def query_one(self, n: int) -> int:
        with self.engine.connect() as conn:
            rows = conn.execute(self.query, {"customer": f"cus_{n % _CUSTOMERS[0]}"}).all()
            conn.commit()
        return len([json.loads(row.data) for row in rows])

    def query_entities(self, n: int) -> int:
        """The query floor plus core's codec rebuilding the entities (what s2c cannot skip)."""
        with self.engine.connect() as conn:
            rows = conn.execute(self.query, {"customer": f"cus_{n % _CUSTOMERS[0]}"}).all()
            conn.commit()
        return len(
            [load(Invoice, {**json.loads(row.data), "version": row.version}) for row in rows]
        )


class DbapiFloor:
    """The floor's statements as SQL text on a bare ``sqlite3`` connection, params prepared."""

    def __init__(self, path: Path, floor: Floor) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.cur = self.conn.cursor()
        dialect = floor.engine.dialect
        counter = Rendered(floor.counter, dialect)
        add = Rendered(floor.add, dialect)
        event = Rendered(floor.event, dialect, column_keys=list(EVENTS.c.keys())[1:])
        get = Rendered(floor.get, dialect)
        upd = Rendered(
            floor.update, dialect, column_keys=[c.name for c in INVOICES.c if c.name != "id"]
        )
        statuses = [bindparam(f"s{i}", type_=INVOICES.c.status.type) for i in range(len(OPEN))]
        query = Rendered(
            select(INVOICES.c.data, INVOICES.c.version)
            .where(INVOICES.c.customer_id == bindparam("customer"), INVOICES.c.status.in_(statuses))
            .order_by(INVOICES.c.id),
            dialect,
        )
        self.sql = {
            "counter": counter.sql,
            "add": add.sql,
            "event": event.sql,
            "get": get.sql,
            "update": upd.sql,
            "query": query.sql,
        }
        self.counter = counter.params({"series": "INV", "year": 2026})
        self.rows = {n: add.params(values) for n, values in floor.rows.items()}
        self.events = {n: event.params(values) for n, values in floor.events.items()}
        self.gets = {n: get.params({"id": f"inv_{n}"}) for n in floor.rows}
        self.updated = {}
        for n, values in floor.updated.items():
            bound = dict(values, w_id=values["id"], w_version=1, version=2)
            self.updated[n] = upd.params(bound)
        self.queries = {
            c: query.params({"customer": f"cus_{c}", "s0": OPEN[0], "s1": OPEN[1]})
            for c in range(_CUSTOMERS[0])
        }

    def issue(self, n: int) -> None:
        cur, sql = self.cur, self.sql
        cur.execute("BEGIN IMMEDIATE")
        cur.execute(sql["counter"], self.counter).fetchall()
        cur.execute(sql["add"], self.rows[n])
        cur.execute(sql["event"], self.events[n])
        self.conn.commit()

    def update_one(self, n: int) -> None:
        cur, sql = self.cur, self.sql
        cur.execute("BEGIN IMMEDIATE")
        data, _version = cur.execute(sql["get"], self.gets[n]).fetchall()[0]
        json.loads(data)
        cur.execute(sql["update"], self.updated[n])
        self.conn.commit()

    def query_one(self, n: int) -> int:
        cur = self.cur
        cur.execute("BEGIN IMMEDIATE")
        rows = cur.execute(self.sql["query"], self.queries[n % _CUSTOMERS[0]]).fetchall()
        self.conn.rollback()
        return len([json.loads(data) for data, _version in rows])

    def close(self) -> None:
        self.conn.close()


# -- measurement -------------------------------------------------------------------------------


def _per_op(fn: Callable[[int], object], ops: range, rounds: int) -> float:
    """Median over *rounds* slices of the best per-operation time, in microseconds."""
    chunk = max(1, len(ops) // rounds)
    times = []
    for start in range(0, len(ops), chunk):
        part = ops[start : start + chunk]
        t0 = time.perf_counter()
        for n in part:
            fn(n)
        times.append((time.perf_counter() - t0) / len(part))
    return statistics.median(times) * 1e6


def run(quick: bool = False) -> dict[str, float]:
    """Measure the three use cases and their floors; return microseconds and ratios."""
    count = 200 if quick else 2000
    _CUSTOMERS[0] = max(1, count // PER_CUSTOMER)
    rounds = 5 if quick else 10
    out: dict[str, float] = {"invoices": count}
    with tempfile.TemporaryDirectory(prefix="s2c-bench-") as tmp:
        lib_url = f"sqlite:///{Path(tmp) / 'lib.db'}"
        floor_url = f"sqlite:///{Path(tmp) / 'floor.db'}"
        dbapi_path = Path(tmp) / "dbapi.db"
        migrate(floor_url)
        migrate(f"sqlite:///{dbapi_path}")
        floor_engine = make_engine(floor_url)
        with open_sql_storage(lib_url, create_schema=True) as storage:
            floor = Floor(floor_engine, count)
            dbapi = DbapiFloor(dbapi_path, floor)
            # interleave halves so drift on a noisy machine hits every side alike
            half = range(0, count // 2), range(count // 2, count)
            sides: dict[str, tuple[Callable[[int], object], ...]] = {
                "issue": (lambda n: lib_issue(storage, n), floor.issue, dbapi.issue),
                "update": (lambda n: lib_update(storage, n), floor.update_one, dbapi.update_one),
                "query": (lambda n: lib_query(storage, n), floor.query_one, dbapi.query_one),
            }
            for name, (lib_op, floor_op, dbapi_op) in sides.items():
                if name == "query":
                    assert lib_query(storage, 1) == floor.query_one(1) == PER_CUSTOMER
                    assert dbapi.query_one(1) == PER_CUSTOMER
                lib_t, floor_t, dbapi_t = [], [], []
                for part in half:
                    lib_t.append(_per_op(lib_op, part, rounds))
                    floor_t.append(_per_op(floor_op, part, rounds))
                    dbapi_t.append(_per_op(dbapi_op, part, rounds))
                out[f"{name}_us"] = round(statistics.mean(lib_t), 1)
                out[f"{name}_floor_us"] = round(statistics.mean(floor_t), 1)
                out[f"{name}_dbapi_floor_us"] = round(statistics.mean(dbapi_t), 1)
            codec_t = [_per_op(floor.query_entities, part, rounds) for part in half]
            out["query_codec_floor_us"] = round(statistics.mean(codec_t), 1)
            dbapi.close()
        floor_engine.dispose()
    for name in ("issue", "update", "query"):
        out[f"{name}_ratio"] = round(out[f"{name}_us"] / out[f"{name}_floor_us"], 2)
    for name in ("issue", "update", "query"):
        out[f"{name}_ratio_vs_dbapi"] = round(out[f"{name}_us"] / out[f"{name}_dbapi_floor_us"], 2)
    out["query_ratio_vs_codec_floor"] = round(out["query_us"] / out["query_codec_floor_us"], 2)
    return out


if __name__ == "__main__":
    for key, value in run(quick="--quick" in sys.argv).items():
        print(f"{key:<26} {value}")
