"""The SQL backend answers queries exactly as core's in-memory reference backend does.

Beyond the conformance suite: NULL ordering, descending ties, mixed criteria, wrong-typed
values, ranges on every column kind, and what a unit of work sees of its own writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import attrs
import pytest
from s2c_sqlalchemy import open_sql_storage
from s2c_sqlalchemy.engine import make_engine

from s2c_core._builtin.memory import MemoryStorage
from s2c_core.entities.registry import Range
from s2c_core.errors import BackendError, ConfigurationError, ConflictError, ValidationError
from s2c_core.events import OutboxMessage
from s2c_core.lifecycle import InvoiceState
from s2c_core.money import Money
from s2c_core.ports import Storage
from s2c_core.testing.conformance.storage import make_invoice


def _dataset() -> list[Any]:
    out = []
    for n in range(1, 13):
        inv = make_invoice(
            n,
            customer=f"cus_{n % 3}",
            amount=f"{(n % 4 + 1) * 10}.00",
            due=date(2026, 2, 1 + n % 5),
            status=(InvoiceState.ISSUED, InvoiceState.PAID, InvoiceState.DRAFT)[n % 3],
        )
        if n % 4 == 0:
            inv = attrs.evolve(inv, due_date=None, number=None)
        out.append(attrs.evolve(inv, dunning_level=n % 3))
    out.append(make_invoice(20, customer="cus_é", amount="7", currency="JPY"))
    out.append(make_invoice(21, customer="Cus_Z", amount="1.5"))
    return out


QUERIES: list[dict[str, Any]] = [
    {},
    {"order_by": "due_date"},
    {"order_by": "-due_date"},
    {"order_by": "number", "limit": 5},
    {"order_by": "-number"},
    {"order_by": "customer_id"},
    {"order_by": "-total"},
    {"order_by": "-dunning_level", "limit": 4},
    {"customer_id": "cus_1"},
    {"customer_id": ["cus_1", "cus_é"]},
    {"customer_id": ("cus_2",), "status": InvoiceState.ISSUED},
    {"due_date": None},
    {"number": [None, "INV-2026-000001"]},
    {"due_date": Range(date(2026, 2, 2), date(2026, 2, 4)), "order_by": "-due_date"},
    {"due_date": Range()},
    {"due_date": Range(hi=date(2026, 2, 3))},
    {"total": Range(Money("20.00", "EUR"), Money("40.00", "EUR"))},
    {"open_amount": Range(lo=3000)},
    {"dunning_level": 2},
    {"dunning_level": Range(1, 2), "order_by": "dunning_level"},
    {"dunning_level": "2"},  # wrong type: matches nothing, in memory as in SQL
    {"customer_id": 1},
    {"currency": "JPY"},
    {"status": []},
    {"kind": "invoice", "order_by": "-issue_date", "limit": 3},
]


@pytest.fixture(
    params=["sqlite", "memory-sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def sql_storage(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[Storage]:
    if request.param == "postgres":
        url = request.getfixturevalue("pg_url")
        with open_sql_storage(url) as storage:
            yield storage
    else:
        url = sqlite_url if request.param == "sqlite" else "sqlite://"
        with open_sql_storage(url, create_schema=True) as storage:
            yield storage


def _fill(storage: Storage) -> None:
    with storage.unit_of_work() as uow:
        for invoice in _dataset():
            uow.repo("invoice").add(invoice)
        uow.commit()


def test_queries_match_the_memory_backend(sql_storage: Storage) -> None:
    memory = MemoryStorage()
    _fill(memory)
    _fill(sql_storage)
    with memory.unit_of_work() as mem, sql_storage.unit_of_work() as sql:
        for criteria in QUERIES:
            expected = [i.id for i in mem.repo("invoice").query(**criteria)]
            got = [i.id for i in sql.repo("invoice").query(**criteria)]
            assert got == expected, criteria
            fields = ["id", "number", "due_date", "total", "dunning_level", "currency"]
            assert sql.repo("invoice").index_values(fields, **criteria) == mem.repo(
                "invoice"
            ).index_values(fields, **criteria), criteria
            counted = {k: v for k, v in criteria.items() if k not in ("order_by", "limit")}
            assert sql.repo("invoice").count(**counted) == mem.repo("invoice").count(**counted)
        ids = ["inv_3", "nope", "inv_1", "inv_3"]
        assert list(sql.repo("invoice").get_many(ids)) == list(mem.repo("invoice").get_many(ids))
        assert sql.repo("invoice").get("inv_20") == mem.repo("invoice").get("inv_20")


def test_unknown_fields_and_aggregates_are_refused_like_in_memory(sql_storage: Storage) -> None:
    with sql_storage.unit_of_work() as uow:
        with pytest.raises(ConfigurationError):
            uow.repo("invoice").query(colour="red")
        with pytest.raises(ConfigurationError):
            uow.repo("invoice").query(order_by="-colour")
        with pytest.raises(ValidationError):
            uow.repo("spaceship")
        with pytest.raises(ValidationError):
            uow.repo("customer").add(make_invoice(1))


def test_a_unit_of_work_sees_its_own_writes_everywhere(sql_storage: Storage) -> None:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    with sql_storage.unit_of_work() as uow:
        v1 = uow.repo("invoice").add(make_invoice(1))
        v2 = uow.repo("invoice").update(attrs.evolve(v1, dunning_level=2))
        assert uow.repo("invoice").get("inv_1") == v2
        assert uow.repo("invoice").count(dunning_level=2) == 1
        assert uow.actions.claim("k", at) is True
        assert uow.actions.exists("k") is True
        message = OutboxMessage(id="m1", key="k1", topic="event", created_at=at, next_attempt_at=at)
        assert uow.outbox.put([message, attrs.evolve(message, id="m2")]) == 1
        assert [m.id for m in uow.outbox.list()] == ["m1"]
        uow.commit()
        # after commit the unit of work goes on in a new transaction
        assert uow.counters.next("INV", 2026) == 1
    with sql_storage.unit_of_work() as uow:
        assert uow.repo("invoice").get("inv_1").version == 2
        assert uow.counters.next("INV", 2026) == 1


def test_naive_timestamps_are_refused_before_writing(sql_storage: Storage) -> None:
    with sql_storage.unit_of_work() as uow, pytest.raises(ValidationError):
        uow.actions.claim("k", datetime(2026, 1, 5))


def test_driver_errors_become_backend_errors_with_their_cause(sqlite_url: str) -> None:
    with open_sql_storage(sqlite_url, create_schema=True) as storage:
        engine = make_engine(sqlite_url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE s2c_invoice")
        engine.dispose()
        with storage.unit_of_work() as uow, pytest.raises(BackendError) as info:
            uow.repo("invoice").get("inv_1")
    assert info.value.__cause__ is not None
    assert "no such table" in str(info.value)


@pytest.mark.postgres
def test_an_unreachable_server_is_a_backend_error(pg_url: str) -> None:
    from sqlalchemy.engine import make_url

    dead = make_url(pg_url).set(port=1).render_as_string(hide_password=False)
    with pytest.raises(BackendError) as info:
        open_sql_storage(dead)
    assert info.value.__cause__ is not None


# -- bulk writes (used by core's unit of work when it flushes many aggregates at once) -------


def test_bulk_writes_store_what_single_writes_store(sql_storage: Storage) -> None:
    from s2c_core.entities.common import replace

    with sql_storage.unit_of_work() as uow:
        repo: Any = uow.repo("invoice")
        added = repo.add_many([make_invoice(n) for n in range(1, 6)])
        assert [i.version for i in added] == [1] * 5
        uow.commit()
    with sql_storage.unit_of_work() as uow:
        repo = uow.repo("invoice")
        changed = repo.update_many([replace(i, dunning_level=i.version + 1) for i in added])
        assert [i.version for i in changed] == [2] * 5
        uow.commit()
    with sql_storage.unit_of_work() as uow:
        stored = uow.repo("invoice").get_many([f"inv_{n}" for n in range(1, 6)])
        assert {i.version for i in stored.values()} == {2}
        assert {i.dunning_level for i in stored.values()} == {2}
        assert uow.repo("invoice").count(dunning_level=2) == 5


def test_a_bulk_write_with_one_bad_row_stores_nothing(sql_storage: Storage) -> None:
    from s2c_core.entities.common import replace

    with sql_storage.unit_of_work() as uow:
        added = uow.repo("invoice").add_many([make_invoice(n) for n in range(1, 4)])
        uow.commit()
    with sql_storage.unit_of_work() as uow:
        uow.repo("invoice").update(replace(added[1], dunning_level=7))
        uow.commit()
    with sql_storage.unit_of_work() as uow, pytest.raises(ConflictError) as info:
        uow.repo("invoice").update_many([replace(i, dunning_level=1) for i in added])
    assert info.value.entity_id == "inv_2"  # type: ignore[attr-defined]
    with sql_storage.unit_of_work() as uow, pytest.raises(ConflictError):
        uow.repo("invoice").add_many([make_invoice(9), make_invoice(2)])
    with sql_storage.unit_of_work() as uow:
        repo = uow.repo("invoice")
        assert repo.find("inv_9") is None
        assert [repo.get(f"inv_{n}").dunning_level for n in (1, 2, 3)] == [0, 7, 0]
