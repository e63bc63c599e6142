"""Units of work keep their connection for the next one: what that must not change.

A clean connection is kept checked out between units of work (``s2c_sqlalchemy.connections``);
nothing of one unit of work may leak into the next, a broken connection is never handed out
again, a host sharing the engine still gets connections and sees every pool event, and
``close()`` or ``engine.dispose()`` release what is kept.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from s2c_sqlalchemy import make_engine, migrate, open_sql_storage
from s2c_sqlalchemy.connections import KEEP
from sqlalchemy import Engine, event, text

from s2c_core.errors import BackendError
from s2c_core.testing.conformance.storage import make_invoice


def _connects(engine: Engine) -> list[Any]:
    """The DBAPI connections *engine*'s pool opens, in order."""
    opened: list[Any] = []
    event.listen(
        engine, "connect", lambda dbapi_connection, record: opened.append(dbapi_connection)
    )
    return opened


def _fail(storage: Any, n: int, *, number: bool = False) -> None:
    """A unit of work that adds an invoice (and takes a number), then raises."""
    with storage.unit_of_work() as uow:
        uow.repo("invoice").add(make_invoice(n))
        if number:
            uow.counters.next("INV", 2026)
        raise RuntimeError("boom")


def _add(storage: Any, n: int) -> None:
    with storage.unit_of_work() as uow:
        uow.repo("invoice").add(make_invoice(n))
        uow.commit()


def _count(storage: Any) -> int:
    with storage.unit_of_work() as uow:
        return int(uow.repo("invoice").count())


def test_units_of_work_one_after_another_share_one_connection(url: str) -> None:
    engine = make_engine(url)
    opened = _connects(engine)
    with open_sql_storage(engine) as storage:
        for n in range(5):
            _add(storage, n)
            assert engine.pool.checkedout() == 1  # type: ignore[attr-defined]
        assert _count(storage) == 5
        assert len(opened) == 1
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    engine.dispose()


def test_close_gives_every_kept_connection_back_and_keeps_none_after(url: str) -> None:
    engine = make_engine(url)
    storage = open_sql_storage(engine)
    _add(storage, 1)
    storage.close()
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert _count(storage) == 1  # still usable, on pooled connections
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    engine.dispose()


def test_a_failed_unit_of_work_leaves_no_transaction_to_the_next(url: str) -> None:
    engine = make_engine(url)
    opened = _connects(engine)
    with open_sql_storage(engine) as storage:
        with pytest.raises(RuntimeError):
            _fail(storage, 1, number=True)
        with storage.unit_of_work() as uow:
            assert uow.repo("invoice").find("inv_1") is None
            assert uow.counters.next("INV", 2026) == 1  # the number was given back
            uow.commit()
        assert len(opened) == 1  # same connection, clean
    engine.dispose()


@pytest.mark.postgres
def test_a_postgres_error_does_not_leave_an_aborted_transaction_behind(pg_url: str) -> None:
    engine = make_engine(pg_url)
    opened = _connects(engine)
    with open_sql_storage(engine) as storage:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1))
            with pytest.raises(BackendError):
                uow.events.read(limit=-1)  # PostgreSQL refuses: the transaction is aborted
        _add(storage, 2)
        with storage.unit_of_work() as uow:
            assert [i.id for i in uow.repo("invoice").query()] == ["inv_2"]
        assert len(opened) == 1
    engine.dispose()


def test_a_kept_sqlite_connection_holds_no_lock_and_sees_other_writers(tmp_path: Path) -> None:
    path = tmp_path / "books.db"
    with open_sql_storage(f"sqlite:///{path}", create_schema=True) as storage:
        with pytest.raises(RuntimeError):
            _fail(storage, 1)
        _count(storage)  # a read-only unit of work, rolled back
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the write lock is free at once
        other.execute("INSERT INTO s2c_actions (key, at) VALUES ('k', '2026-01-05 09:00:00')")
        other.execute("COMMIT")
        other.close()
        with storage.unit_of_work() as uow:  # no old snapshot kept
            assert uow.actions.exists("k")


def test_a_broken_connection_is_not_handed_out_again(sqlite_url: str) -> None:
    migrate(sqlite_url)
    engine = make_engine(sqlite_url)
    opened = _connects(engine)
    with open_sql_storage(engine) as storage:
        _add(storage, 1)
        opened[0].close()  # the kept connection breaks while idle
        with pytest.raises(BackendError), storage.unit_of_work() as uow:
            uow.repo("invoice").get("inv_1")
        with storage.unit_of_work() as uow:
            assert uow.repo("invoice").get("inv_1").version == 1
        assert len(opened) == 2
    engine.dispose()


def test_dispose_closes_kept_connections_and_units_of_work_go_on(sqlite_url: str) -> None:
    migrate(sqlite_url)
    engine = make_engine(sqlite_url)
    opened = _connects(engine)
    with open_sql_storage(engine) as storage:
        _add(storage, 1)
        engine.dispose()
        _add(storage, 2)
        assert len(opened) == 2
        with pytest.raises(sqlite3.ProgrammingError):
            opened[0].execute("SELECT 1")  # closed, as dispose closes idle connections
        assert _count(storage) == 2
    engine.dispose()


def test_a_pool_listener_added_later_sees_every_checkout(url: str) -> None:
    engine = make_engine(url)
    with open_sql_storage(engine) as storage:
        _add(storage, 1)
        checkouts: list[Any] = []
        event.listen(engine, "checkout", lambda *args: checkouts.append(args[0]))
        _add(storage, 2)
        _count(storage)
        assert len(checkouts) == 2
    engine.dispose()


def test_a_host_sharing_a_one_connection_pool_is_not_starved(url: str) -> None:
    engine = make_engine(url, pool_size=1, max_overflow=0, pool_timeout=5)
    with open_sql_storage(engine) as storage:
        _add(storage, 1)
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM s2c_invoice")).scalar() == 1
    engine.dispose()


def test_a_unit_of_work_that_used_uow_connection_gives_it_back_to_the_pool(url: str) -> None:
    engine = make_engine(url)
    with open_sql_storage(engine) as storage:
        with storage.unit_of_work() as uow:
            uow.connection.execute(text("SELECT 1"))
            uow.repo("invoice").add(make_invoice(1))
            uow.commit()
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert _count(storage) == 1
    engine.dispose()


def test_units_of_work_on_several_threads_keep_at_most_a_few(url: str) -> None:
    engine = make_engine(url, pool_size=8)
    with open_sql_storage(engine) as storage:
        numbers: list[int] = []
        start = threading.Barrier(6)

        def work() -> None:
            start.wait()
            for _ in range(20):
                with storage.unit_of_work() as uow:
                    numbers.append(uow.counters.next("INV", 2026))
                    uow.commit()

        threads = [threading.Thread(target=work) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(numbers) == list(range(1, 121))  # gapless, none taken twice
        assert engine.pool.checkedout() <= KEEP  # type: ignore[attr-defined]
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    engine.dispose()


def test_memory_units_of_work_share_one_database() -> None:
    with open_sql_storage("sqlite://", create_schema=True) as storage:
        _add(storage, 1)
        with pytest.raises(RuntimeError):
            _fail(storage, 2)
        _add(storage, 3)
        assert _count(storage) == 2
