"""Units of work run pre-rendered SQL on the DBAPI cursor: what that must not change.

The statements are SQLAlchemy's own text, values are stored exactly as SQLAlchemy Core stores
them, the host's ``uow.connection`` shares the transaction, engines with cursor listeners
(logging, tracing) still see every statement, the statement hook sees everything the
database runs, and a connection lost on PostgreSQL is not handed out again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from s2c_sqlalchemy import make_engine, open_sql_storage
from s2c_sqlalchemy.mapping import EntityMapper
from sqlalchemy import Engine, event, text

from s2c_core.entities.registry import AGGREGATES
from s2c_core.errors import BackendError, ValidationError
from s2c_core.events import DomainEvent, OutboxMessage
from s2c_core.ports import Storage
from s2c_core.testing.conformance import StorageContract
from s2c_core.testing.conformance.storage import make_invoice

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _listened(url: str) -> tuple[Engine, list[str]]:
    """An engine whose cursor events record every statement (as tracing instrumentation does)."""
    engine = make_engine(url)
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    return engine, seen


class TestSqliteWithCursorListeners(StorageContract):
    """The whole contract holds when units of work go through SQLAlchemy's events."""

    @pytest.fixture
    def storage(self, sqlite_url: str) -> Iterator[Storage]:
        from s2c_sqlalchemy import migrate

        migrate(sqlite_url)
        engine, _ = _listened(sqlite_url)
        with open_sql_storage(engine) as storage:
            yield storage
        engine.dispose()


@pytest.mark.postgres
class TestPostgresWithCursorListeners(StorageContract):
    @pytest.fixture
    def storage(self, pg_url: str) -> Iterator[Storage]:
        engine, _ = _listened(pg_url)
        with open_sql_storage(engine) as storage:
            yield storage
        engine.dispose()


def _issue(storage: Any) -> None:
    with storage.unit_of_work() as uow:
        number = uow.counters.next("INV", 2026)
        uow.repo("invoice").add(attrs.evolve(make_invoice(1), number=f"INV-2026-{number:06d}"))
        uow.events.append([_event(1), _event(2)])
        uow.commit()


def test_cursor_listeners_see_every_statement_of_a_unit_of_work(sqlite_url: str) -> None:
    from s2c_sqlalchemy import migrate

    migrate(sqlite_url)
    engine, seen = _listened(sqlite_url)
    with open_sql_storage(engine) as storage:
        seen.clear()
        _issue(storage)
    engine.dispose()
    verbs = [s.split(None, 1)[0].upper() for s in seen]
    assert verbs == ["BEGIN", "INSERT", "INSERT", "INSERT"]  # counter, invoice, events


@pytest.mark.parametrize("listened", [False, True], ids=["dbapi", "cursor-events"])
def test_the_statement_hook_sees_what_the_database_runs(sqlite_url: str, listened: bool) -> None:
    from s2c_sqlalchemy import migrate

    migrate(sqlite_url)
    engine = _listened(sqlite_url)[0] if listened else make_engine(sqlite_url)
    with open_sql_storage(engine) as storage:
        hooked: list[tuple[str, str, Any]] = []
        storage.statement_hook = lambda kind, sql, params: hooked.append((kind, sql, params))
        traced: list[str] = []

        def trace(dbapi_connection: Any, record: Any, proxy: Any) -> None:
            dbapi_connection.set_trace_callback(traced.append)

        storage.engine.dispose()
        event.listen(storage.engine, "checkout", trace)
        _issue(storage)
        with storage.unit_of_work() as uow:
            uow.repo("invoice").get("inv_1")
    engine.dispose()
    kinds = [kind for kind, _, _ in hooked]
    assert kinds == ["one", "one", "one", "many", "commit", "one", "one", "rollback"]
    assert hooked[0][1] == "BEGIN IMMEDIATE"
    assert len(hooked[3][2]) == 2  # both events, one executemany
    expected = []
    for kind, sql, params in hooked:
        if kind in ("commit", "rollback"):
            expected.append(kind.upper())
        else:
            expected += [sql.split(None, 1)[0].upper()] * (len(params) if kind == "many" else 1)
    assert [sql.split(None, 1)[0].upper() for sql in traced] == expected


def test_host_statements_on_uow_connection_share_the_transaction(url: str) -> None:
    with open_sql_storage(url) as storage:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1))
            seen = uow.connection.execute(text("SELECT count(*) FROM s2c_invoice")).scalar()
            assert seen == 1  # the host sees the unit of work's own write
            uow.connection.execute(text("UPDATE s2c_invoice SET dunning_level = 7"))
            assert uow.repo("invoice").count(dunning_level=7) == 1
            # leaving without commit rolls back both
        with storage.unit_of_work() as uow:
            assert uow.connection.execute(text("SELECT count(*) FROM s2c_invoice")).scalar() == 0
            uow.repo("invoice").add(make_invoice(2))
            uow.commit()
        with storage.unit_of_work() as uow:
            uow.connection.execute(text("UPDATE s2c_invoice SET dunning_level = 3"))
            uow.repo("invoice").add(make_invoice(3))
            uow.commit()
        with storage.unit_of_work() as uow:
            assert [i.id for i in uow.repo("invoice").query(dunning_level=3)] == ["inv_2"]
            assert uow.repo("invoice").find("inv_3") is not None


def test_values_are_stored_as_sqlalchemy_core_stores_them(url: str) -> None:
    from s2c_sqlalchemy.tables import ACTIONS, AGGREGATE_TABLES, EVENTS
    from sqlalchemy import select

    invoice = make_invoice(1)
    with open_sql_storage(url) as storage:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(invoice)
            uow.events.append([_event(1)])
            uow.actions.claim("k", T0)
            uow.commit()
        table = AGGREGATE_TABLES["invoice"]
        with storage.engine.connect() as conn:
            row = conn.execute(select(table).where(table.c.id == "inv_1")).one()
            at = conn.execute(select(EVENTS.c.at)).scalar()
            claimed = conn.execute(select(ACTIONS.c.at)).scalar()
            if storage.dialect == "sqlite":
                raw = conn.exec_driver_sql("SELECT issue_date, due_date FROM s2c_invoice").one()
                assert tuple(raw) == ("2026-01-05", "2026-02-04")
                raw_at = conn.exec_driver_sql("SELECT at FROM s2c_events").scalar()
                assert raw_at == "2026-01-05 09:00:00.000000"
    assert row.issue_date == date(2026, 1, 5)
    assert row.total == 12100
    assert row.version == 1
    assert at == claimed == T0


def test_entity_documents_are_the_compact_standard_json_text() -> None:
    mapper = EntityMapper(AGGREGATES["invoice"])
    invoice = attrs.evolve(make_invoice(1), note='Crème brûlée "bio" \\ 1€ \x00\x1f\u2028 😀')
    stored = mapper.values(invoice, 3)["data"]
    document = json.loads(stored)
    assert stored == json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    assert mapper.entity(stored, 3) == attrs.evolve(invoice, version=3)


def test_documents_written_with_json_extensions_still_load() -> None:
    mapper = EntityMapper(AGGREGATES["invoice"])
    stored = mapper.values(make_invoice(1), 1)["data"]
    legacy = stored.replace('"dunning_level":0', '"dunning_level":0,"legacy":NaN')
    assert legacy != stored
    assert mapper.entity(legacy, 1) == mapper.entity(stored, 1)


def test_document_integers_beyond_64_bits_are_refused_before_writing(url: str) -> None:
    with open_sql_storage(url) as storage:
        with storage.unit_of_work() as uow:
            with pytest.raises(ValidationError):
                uow.repo("invoice").add(attrs.evolve(make_invoice(1), dunning_level=2**70))
            uow.repo("invoice").add(make_invoice(2))  # the unit of work goes on
            uow.commit()
        with storage.unit_of_work() as uow:
            assert [i.id for i in uow.repo("invoice").query()] == ["inv_2"]


def test_outbox_and_event_records_read_back_equal(url: str) -> None:
    message = OutboxMessage(
        id="m1",
        key="k1",
        topic="event",
        payload={"n": 10**30, "x": "é"},
        created_at=T0,
        next_attempt_at=T0,
    )
    with open_sql_storage(url) as storage:
        with storage.unit_of_work() as uow:
            uow.outbox.put([message])
            uow.events.append([_event(1)])
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.outbox.list() == [message]
            assert uow.outbox.claim_due(T0) == [message]
            [read] = uow.events.read(aggregate_id="inv_1", limit=5)
            assert attrs.evolve(read, sequence=0) == _event(1)


@pytest.mark.postgres
def test_a_lost_postgres_connection_is_not_handed_out_again(pg_url: str) -> None:
    with open_sql_storage(pg_url, pool_size=1, max_overflow=0) as storage:
        with storage.unit_of_work() as uow:
            uow.repo("invoice").add(make_invoice(1))
            uow.commit()
            pid = uow.connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
            uow.commit()
        killer = make_engine(pg_url)
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
        killer.dispose()
        with storage.unit_of_work() as uow, pytest.raises(BackendError) as info:
            uow.repo("invoice").get("inv_1")
        assert info.value.__cause__ is not None
        with storage.unit_of_work() as uow:
            assert uow.repo("invoice").get("inv_1").version == 1


def _event(n: int) -> DomainEvent:
    return DomainEvent(
        id=f"ev_{n}",
        name="InvoiceIssued",
        aggregate="invoice",
        aggregate_id="inv_1",
        at=T0,
        data={"n": n, "big": 10**25},
        from_state="draft",
        to_state="issued",
        actor="test",
        case_id="cus_1",
    )


def _outcome(processor: Any, value: Any) -> Any:
    try:
        return processor(value)
    except Exception as exc:
        return type(exc)


_OFFSETS = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
_TEMPORAL = st.one_of(
    st.none(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=_OFFSETS),
    st.text(max_size=3),
)


@given(value=_TEMPORAL)
def test_sqlite_date_and_timestamp_text_is_sqlalchemys_own(value: Any) -> None:
    from s2c_sqlalchemy.session import bind_processor
    from s2c_sqlalchemy.tables import UtcDateTime
    from sqlalchemy import Date, DateTime
    from sqlalchemy.dialects import sqlite

    dialect = sqlite.dialect()
    for type_ in (Date(), DateTime(), UtcDateTime()):
        sqlalchemys = type_.dialect_impl(dialect).bind_processor(dialect)
        ours = bind_processor(type_, dialect)
        assert _outcome(ours, value) == _outcome(sqlalchemys, value)
