"""Concurrency: gapless numbers across processes, optimistic versions, exactly-once claims,
outbox messages that survive a crash and are claimed by one worker only."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import attrs
import pytest
from s2c_sql_workers import T0, deliver_all, issue_numbers, write_then_die
from s2c_sqlalchemy import SqlStorage, migrate, open_sql_storage

from s2c_core.errors import ConflictError
from s2c_core.events import OutboxMessage, OutboxStatus
from s2c_core.testing.conformance.storage import make_invoice

SPAWN = multiprocessing.get_context("spawn")


def _gapless(url: str, processes: int, each: int) -> None:
    with SPAWN.Pool(processes) as pool:
        results = pool.starmap(issue_numbers, [(url, w, each) for w in range(processes)])
    numbers = sorted(n for result in results for n in result)
    assert numbers == list(range(1, processes * each + 1))  # no gap, no duplicate
    for result in results:
        assert result == sorted(result)  # each worker saw its own numbers rise
    with open_sql_storage(url) as storage, storage.unit_of_work() as uow:
        stored = sorted(i.number for i in uow.repo("invoice").query(customer_id="cus_1"))
        assert stored == [f"INV-2026-{n:06d}" for n in range(1, processes * each + 1)]
        assert uow.counters.next("INV", 2026) == processes * each + 1


@pytest.mark.postgres
def test_postgres_numbers_are_gapless_across_8_processes(pg_url: str) -> None:
    _gapless(pg_url, processes=8, each=250)


def test_sqlite_numbers_are_gapless_across_4_processes(sqlite_url: str) -> None:
    migrate(sqlite_url)
    _gapless(sqlite_url, processes=4, each=250)


# -- optimistic versions -----------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_two_concurrent_updates_one_conflicts(pg_url: str) -> None:
    with open_sql_storage(pg_url) as storage:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1))
            uow.commit()
        both_read = threading.Barrier(2, timeout=10)
        outcomes: list[str] = []

        def writer(level: int) -> None:
            with storage.unit_of_work() as uow:
                invoice = uow.repo("invoice").get("inv_1")
                assert invoice.version == 1
                both_read.wait()
                try:
                    uow.repo("invoice").update(attrs.evolve(invoice, dunning_level=level))
                    time.sleep(0.2)  # hold the row lock while the other writer arrives
                    uow.commit()
                    outcomes.append("stored")
                except ConflictError:
                    outcomes.append("conflict")

        threads = [threading.Thread(target=writer, args=(level,)) for level in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=20)
        assert sorted(outcomes) == ["conflict", "stored"]
        with storage.unit_of_work() as uow:
            assert uow.repo("invoice").get("inv_1").version == 2


def test_sqlite_two_connections_updating_one_version_one_conflicts(sqlite_url: str) -> None:
    with (
        open_sql_storage(sqlite_url, create_schema=True) as first,
        open_sql_storage(sqlite_url) as second,
    ):
        with first.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1))
            uow.commit()
        with first.unit_of_work() as a:
            seen_by_a = a.repo("invoice").get("inv_1")
        with second.unit_of_work() as b:
            seen_by_b = b.repo("invoice").get("inv_1")
        assert seen_by_a.version == seen_by_b.version == 1
        with first.unit_of_work() as a:
            a.repo("invoice").update(attrs.evolve(seen_by_a, dunning_level=1))
            a.commit()
        with second.unit_of_work() as b, pytest.raises(ConflictError) as info:
            b.repo("invoice").update(attrs.evolve(seen_by_b, dunning_level=2))
        assert info.value.expected_version == 1  # type: ignore[attr-defined]


# -- exactly once ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_second_claimer_of_a_key_waits_then_sees_it_taken(pg_url: str) -> None:
    with open_sql_storage(pg_url) as storage:
        result: dict[str, object] = {}
        first_claimed = threading.Event()

        def second() -> None:
            first_claimed.wait(10)
            started = time.monotonic()
            with storage.unit_of_work() as uow:
                result["claimed"] = uow.actions.claim("dunning:inv_1:1", T0)
                uow.commit()
            result["waited"] = time.monotonic() - started

        thread = threading.Thread(target=second)
        thread.start()
        with storage.unit_of_work() as uow:
            assert uow.actions.claim("dunning:inv_1:1", T0) is True
            first_claimed.set()
            time.sleep(0.3)
            uow.commit()
        thread.join(20)
        assert result["claimed"] is False
        waited = result["waited"]
        assert isinstance(waited, float)
        assert waited >= 0.2


# -- outbox: crash safety and work claiming ----------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_url(request: pytest.FixtureRequest, sqlite_url: str) -> Iterator[str]:
    if request.param == "postgres":
        yield request.getfixturevalue("pg_url")
    else:
        migrate(sqlite_url)
        yield sqlite_url


def test_a_message_committed_before_a_crash_is_delivered_exactly_once(any_url: str) -> None:
    process = SPAWN.Process(target=write_then_die, args=(any_url, True))
    process.start()
    process.join(60)
    assert process.exitcode == -9  # killed, never delivered
    with open_sql_storage(any_url) as storage:
        with storage.unit_of_work() as uow:
            claimed = uow.outbox.claim_due(T0 + timedelta(minutes=1))
            assert [m.key for m in claimed] == ["invoice-issued:inv_1"]
            assert uow.repo("invoice").get("inv_1").version == 1  # the change is there too
            uow.outbox.save(
                attrs.evolve(claimed[0], status=OutboxStatus.DELIVERED, delivered_at=T0, attempts=1)
            )
            uow.commit()
        for _ in range(2):
            with storage.unit_of_work() as uow:
                assert uow.outbox.claim_due(T0 + timedelta(days=1)) == []
        with storage.unit_of_work() as uow:
            assert [m.id for m in uow.outbox.list(status="delivered")] == ["msg_crash"]


def test_a_crash_before_commit_leaves_neither_change_nor_message(any_url: str) -> None:
    process = SPAWN.Process(target=write_then_die, args=(any_url, False))
    process.start()
    process.join(60)
    assert process.exitcode == -9
    with open_sql_storage(any_url) as storage, storage.unit_of_work() as uow:
        assert uow.repo("invoice").find("inv_1") is None
        assert uow.outbox.list() == []
        assert uow.outbox.claim_due(T0) == []


def _queue_messages(storage: SqlStorage, count: int) -> list[str]:
    messages = [
        OutboxMessage(
            id=f"msg_{n:03d}",
            key=f"key_{n}",
            topic="event",
            payload={"n": n},
            created_at=T0,
            next_attempt_at=T0 - timedelta(seconds=n),
        )
        for n in range(count)
    ]
    with storage.unit_of_work() as uow:
        assert uow.outbox.put(messages) == count
        uow.commit()
    return [m.id for m in messages]


@pytest.mark.postgres
def test_postgres_concurrent_claims_skip_locked_messages(pg_url: str) -> None:
    with open_sql_storage(pg_url) as storage:
        ids = _queue_messages(storage, 30)
        with storage.unit_of_work() as first, storage.unit_of_work() as second:
            mine = {m.id for m in first.outbox.claim_due(T0, limit=10)}
            theirs = {m.id for m in second.outbox.claim_due(T0, limit=100)}
        assert len(mine) == 10
        assert mine.isdisjoint(theirs)
        assert mine | theirs == set(ids)


@pytest.mark.postgres
def test_postgres_two_dispatcher_processes_deliver_each_message_once(pg_url: str) -> None:
    with open_sql_storage(pg_url) as storage:
        ids = _queue_messages(storage, 60)
    with SPAWN.Pool(2) as pool:
        a, b = pool.map(deliver_all, [pg_url, pg_url])
    assert set(a).isdisjoint(b)
    assert sorted(a + b) == sorted(ids)
