"""``SqlStorage``: the [Storage][s2c_core.ports.Storage] port on SQLAlchemy 2 Core.

One unit of work is one database transaction on one connection: repositories, the event log,
the outbox, counters and the action log all write through it, reads see its own writes, and
nothing is stored unless ``commit()`` is called. Semantics mirror core's in-memory backend
(the conformance suite checks both the same way); the SQL specifics are:

* **Optimistic versions**: ``UPDATE ... SET version = :new WHERE id = :id AND version =
  :expected``; no row updated means ``ConflictError`` (or ``NotFoundError`` if the id is absent).
* **Adds** are ``INSERT ... ON CONFLICT DO NOTHING``: an existing id is a ``ConflictError`` and
  the transaction stays usable (no aborted PostgreSQL transaction).
* **Gapless counters**: ``INSERT ... ON CONFLICT DO UPDATE SET value = value + 1 RETURNING
  value`` inside the issuing transaction; the row lock (PostgreSQL) or the write lock taken by
  ``BEGIN IMMEDIATE`` (SQLite) makes concurrent issuers queue, and a rollback gives the number
  back. No database SEQUENCE is used.
* **Outbox claiming**: ``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent
  workers get disjoint messages; SQLite has one writer at a time, so a claim is exclusive by
  construction.
* **Errors**: a driver error becomes ``BackendError`` with the driver's exception as
  ``__cause__``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import attrs
from sqlalchemy import (
    Connection,
    CursorResult,
    Engine,
    Executable,
    Table,
    bindparam,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from s2c_core.clock import Clock, SystemClock
from s2c_core.entities.registry import AGGREGATES, AggregateSpec
from s2c_core.errors import (
    BackendError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from s2c_core.events import DomainEvent, OutboxMessage, OutboxStatus
from s2c_sqlalchemy.criteria import order_clauses, plain_value, where_clause
from s2c_sqlalchemy.engine import is_configured, is_memory_sqlite, make_engine, normalise_url
from s2c_sqlalchemy.mapping import (
    EntityMapper,
    event_from_row,
    event_to_row,
    message_from_row,
    message_to_row,
    to_utc,
)
from s2c_sqlalchemy.tables import ACTIONS, AGGREGATE_TABLES, COUNTERS, EVENTS, OUTBOX, UtcDateTime

if TYPE_CHECKING:
    from s2c_sqlalchemy.queries import SqlQueries
    from s2c_sqlalchemy.reporting import SqlReporting

__all__ = ["SqlStorage", "SqlUnitOfWork", "open_sql_storage"]

log = logging.getLogger(__name__)

_CHUNK: Final = 500  # ids per IN list (SQLite's bound-parameter limit is far above)


def backend_error(exc: BaseException, what: str) -> BackendError:
    """A ``BackendError`` describing the driver error *exc* raised while doing *what*."""
    orig = getattr(exc, "orig", None) or exc
    return BackendError(f"database error while {what}: {type(orig).__name__}: {orig}".strip())


class _Statements:
    """Statements built once per storage (SQLAlchemy then caches their compiled form)."""

    def __init__(self, dialect: str) -> None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.get: dict[str, Executable] = {}
        self.get_many: dict[str, Executable] = {}
        self.version: dict[str, Executable] = {}
        self.add: dict[str, Executable] = {}
        self.update: dict[str, Executable] = {}
        for name, table in AGGREGATE_TABLES.items():
            self.get[name] = select(table.c.data, table.c.version).where(
                table.c.id == bindparam("id")
            )
            self.get_many[name] = select(table.c.id, table.c.data, table.c.version).where(
                table.c.id.in_(bindparam("ids", expanding=True))
            )
            self.version[name] = select(table.c.version).where(table.c.id == bindparam("id"))
            self.add[name] = (
                insert(table)
                .on_conflict_do_nothing(index_elements=["id"])
                .execution_options(preserve_rowcount=True)
            )
            self.update[name] = update(table).where(
                table.c.id == bindparam("w_id"), table.c.version == bindparam("w_version")
            )
        self.append_events = insert(EVENTS)
        # INSERT rowcounts are kept only on request (SQLAlchemy 2.0.28+); they say new vs known.
        self.put_message = (
            insert(OUTBOX).on_conflict_do_nothing().execution_options(preserve_rowcount=True)
        )
        upsert = insert(OUTBOX)
        self.save_message = upsert.on_conflict_do_update(
            index_elements=["id"],
            set_={c.name: upsert.excluded[c.name] for c in OUTBOX.c if c.name != "id"},
        )
        counter = insert(COUNTERS).values(
            series=bindparam("series"), year=bindparam("year"), value=1
        )
        self.next_number = counter.on_conflict_do_update(
            index_elements=["series", "year"], set_={"value": COUNTERS.c.value + 1}
        ).returning(COUNTERS.c.value)
        self.claim_action = (
            insert(ACTIONS)
            .on_conflict_do_nothing(index_elements=["key"])
            .execution_options(preserve_rowcount=True)
        )
        self.action_exists = select(ACTIONS.c.key).where(ACTIONS.c.key == bindparam("key"))


class _Session:
    """The connection of one unit of work; every statement goes through ``run``."""

    def __init__(self, conn: Connection, statements: _Statements, dialect: str) -> None:
        self.conn = conn
        self.stmts = statements
        self.dialect = dialect

    def run(self, stmt: Executable, params: Any = None, *, what: str) -> CursorResult[Any]:
        try:
            return self.conn.execute(stmt, params)
        except SQLAlchemyError as exc:
            raise backend_error(exc, what) from exc

    def rows(self, stmt: Executable, params: Any = None, *, what: str) -> list[Any]:
        try:
            return list(self.conn.execute(stmt, params).all())
        except SQLAlchemyError as exc:
            raise backend_error(exc, what) from exc


class SqlRepository:
    """The [Repository][s2c_core.ports.Repository] of one aggregate inside a unit of work."""

    def __init__(self, session: _Session, spec: AggregateSpec, mapper: EntityMapper) -> None:
        self._s = session
        self._spec = spec
        self._name = spec.name
        self._table: Table = AGGREGATE_TABLES[spec.name]
        self._mapper = mapper

    def get(self, entity_id: str) -> Any:
        """The entity with *entity_id*; ``NotFoundError`` if absent."""
        found = self.find(entity_id)
        if found is None:
            raise NotFoundError(self._name, entity_id)
        return found

    def find(self, entity_id: str) -> Any | None:
        """The entity with *entity_id*, or None."""
        rows = self._s.rows(
            self._s.stmts.get[self._name],
            {"id": entity_id},
            what=f"reading {self._name} {entity_id!r}",
        )
        if not rows:
            return None
        data, version = rows[0]
        return self._mapper.entity(data, version)

    def get_many(self, entity_ids: Sequence[str]) -> dict[str, Any]:
        """The entities found among *entity_ids*, by id (in the order asked)."""
        ids = list(dict.fromkeys(entity_ids))
        found: dict[str, Any] = {}
        stmt = self._s.stmts.get_many[self._name]
        for start in range(0, len(ids), _CHUNK):
            for row in self._s.rows(
                stmt, {"ids": ids[start : start + _CHUNK]}, what=f"reading {self._name}s"
            ):
                found[row.id] = self._mapper.entity(row.data, row.version)
        return {eid: found[eid] for eid in ids if eid in found}

    def add(self, entity: Any) -> Any:
        """Store a new entity at version 1; ``ConflictError`` if its id exists."""
        if not isinstance(entity, self._spec.cls):
            raise ValidationError(f"expected a {self._spec.cls.__name__}", field="entity")
        values = self._mapper.values(entity, 1)
        try:
            result = self._s.conn.execute(self._s.stmts.add[self._name], values)
        except IntegrityError as exc:
            raise ConflictError(self._name, entity.id, reason="id already exists") from exc
        except SQLAlchemyError as exc:
            raise backend_error(exc, f"adding {self._name} {entity.id!r}") from exc
        if result.rowcount == 0:
            raise ConflictError(self._name, entity.id, reason="id already exists")
        return attrs.evolve(entity, version=1)

    def update(self, entity: Any) -> Any:
        """Store a changed entity if its version is still the stored one; returns version + 1."""
        expected = entity.version
        values = self._mapper.values(entity, expected + 1)
        values["w_id"] = values.pop("id")
        values["w_version"] = expected
        result = self._s.run(
            self._s.stmts.update[self._name], values, what=f"updating {self._name} {entity.id!r}"
        )
        if result.rowcount != 1:
            current = self._s.rows(
                self._s.stmts.version[self._name],
                {"id": entity.id},
                what=f"reading {self._name} {entity.id!r}",
            )
            if not current:
                raise NotFoundError(self._name, entity.id)
            raise ConflictError(self._name, entity.id, expected_version=expected)
        return attrs.evolve(entity, version=expected + 1)

    def query(
        self, *, order_by: str | None = None, limit: int | None = None, **criteria: Any
    ) -> list[Any]:
        """Entities matching *criteria* (see ``s2c_sqlalchemy.criteria``), ordered, limited."""
        table = self._table
        stmt = (
            select(table.c.data, table.c.version)
            .where(where_clause(self._spec, table, criteria))
            .order_by(*order_clauses(self._spec, table, order_by))
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        entity = self._mapper.entity
        return [
            entity(data, version)
            for data, version in self._s.rows(stmt, what=f"querying {self._name}s")
        ]

    def count(self, **criteria: Any) -> int:
        """Number of entities matching *criteria*."""
        table = self._table
        stmt = (
            select(func.count()).select_from(table).where(where_clause(self._spec, table, criteria))
        )
        return int(self._s.rows(stmt, what=f"counting {self._name}s")[0][0])


class SqlEventLog:
    """The append-only event log (``s2c_events``)."""

    def __init__(self, session: _Session) -> None:
        self._s = session

    def append(self, events: Sequence[DomainEvent]) -> None:
        """Append *events* in order (one ``executemany``); visible to others on commit."""
        if not events:
            return
        rows = [event_to_row(event) for event in events]
        self._s.run(
            self._s.stmts.append_events, rows if len(rows) > 1 else rows[0], what="appending events"
        )

    def read(
        self, *, after: int = 0, limit: int = 1000, aggregate_id: str | None = None
    ) -> list[DomainEvent]:
        """Events with ``sequence > after`` in order, at most *limit*."""
        stmt = select(EVENTS).where(EVENTS.c.sequence > after)
        if aggregate_id is not None:
            stmt = stmt.where(EVENTS.c.aggregate_id == aggregate_id)
        stmt = stmt.order_by(EVENTS.c.sequence).limit(limit)
        return [event_from_row(row) for row in self._s.rows(stmt, what="reading events")]


class SqlOutbox:
    """The transactional outbox (``s2c_outbox``)."""

    def __init__(self, session: _Session) -> None:
        self._s = session

    def put(self, messages: Sequence[OutboxMessage]) -> int:
        """Store *messages*, skipping keys (or ids) already stored; returns how many stored."""
        stored = 0
        stmt = self._s.stmts.put_message
        for message in messages:
            result = self._s.run(stmt, message_to_row(message), what="queuing outbox messages")
            stored += max(result.rowcount, 0)
        return stored

    def claim_due(self, now: datetime, *, limit: int = 100) -> list[OutboxMessage]:
        """Pending messages due at *now*, oldest due first, locked for this unit of work.

        On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``: a concurrent worker
        skips them. On SQLite the unit of work already holds the write lock.
        """
        at = to_utc(now, field="now")
        due = bindparam("now", at, type_=UtcDateTime())
        stmt = (
            select(OUTBOX)
            .where(
                OUTBOX.c.status == OutboxStatus.PENDING.value,
                or_(OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= due),
            )
            .order_by(func.coalesce(OUTBOX.c.next_attempt_at, due), OUTBOX.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [message_from_row(row) for row in self._s.rows(stmt, what="claiming messages")]

    def save(self, message: OutboxMessage) -> None:
        """Store the new delivery state of *message* (inserted if it was never put)."""
        self._s.run(
            self._s.stmts.save_message,
            message_to_row(message),
            what=f"saving outbox message {message.id!r}",
        )

    def list(self, *, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        """Messages, oldest first (by ``created_at``, then id), optionally with one status."""
        stmt = select(OUTBOX)
        if status is not None:
            stmt = stmt.where(OUTBOX.c.status == str(plain_value(status)))
        stmt = stmt.order_by(OUTBOX.c.created_at.is_(None), OUTBOX.c.created_at, OUTBOX.c.id).limit(
            limit
        )
        return [message_from_row(row) for row in self._s.rows(stmt, what="listing messages")]


class SqlCounters:
    """Gapless counters (``s2c_counters``), taken inside the issuing transaction."""

    def __init__(self, session: _Session) -> None:
        self._s = session

    def next(self, series: str, year: int) -> int:
        """The next number of *series* in *year*; given back if the unit of work rolls back."""
        rows = self._s.rows(
            self._s.stmts.next_number,
            {"series": series, "year": year},
            what=f"numbering {series} {year}",
        )
        return int(rows[0][0])


class SqlActionLog:
    """Natural keys of actions done (``s2c_actions``): insert-if-absent."""

    def __init__(self, session: _Session) -> None:
        self._s = session

    def claim(self, key: str, at: datetime) -> bool:
        """Record *key*; True if new. A concurrent claimer waits for the first to finish."""
        result = self._s.run(
            self._s.stmts.claim_action,
            {"key": key, "at": to_utc(at, field="at")},
            what=f"claiming action {key!r}",
        )
        return result.rowcount == 1

    def exists(self, key: str) -> bool:
        """True when *key* was recorded."""
        return bool(
            self._s.rows(self._s.stmts.action_exists, {"key": key}, what=f"reading action {key!r}")
        )


class SqlUnitOfWork:
    """One database transaction over the repositories, event log, outbox, counters and actions.

    The transaction begins with the first statement (``BEGIN IMMEDIATE`` on SQLite) and ends
    with ``commit()`` or ``rollback()``; statements after that begin a new one.
    """

    def __init__(self, storage: SqlStorage, conn: Connection) -> None:
        self._storage = storage
        self._session = _Session(conn, storage._statements, storage.dialect)
        self._repos: dict[str, SqlRepository] = {}
        self.events = SqlEventLog(self._session)
        self.outbox = SqlOutbox(self._session)
        self.counters = SqlCounters(self._session)
        self.actions = SqlActionLog(self._session)

    @property
    def connection(self) -> Connection:
        """The SQLAlchemy connection of this unit of work (for host-app queries in the same
        transaction)."""
        return self._session.conn

    def repo(self, aggregate: str) -> SqlRepository:
        """The repository of *aggregate*; ``ValidationError`` for an unknown name."""
        repo = self._repos.get(aggregate)
        if repo is None:
            try:
                spec = AGGREGATES[aggregate]
            except KeyError:
                raise ValidationError(
                    f"unknown aggregate {aggregate!r}", field="aggregate", value=aggregate
                ) from None
            repo = SqlRepository(self._session, spec, self._storage._mappers[aggregate])
            self._repos[aggregate] = repo
        return repo

    def commit(self) -> None:
        """Commit the transaction: every change of this unit of work becomes durable at once."""
        conn = self._session.conn
        if not conn.in_transaction():
            return
        try:
            conn.commit()
        except SQLAlchemyError as exc:
            raise backend_error(exc, "committing") from exc

    def rollback(self) -> None:
        """Discard every change since the last commit."""
        conn = self._session.conn
        if not conn.in_transaction():
            return
        try:
            conn.rollback()
        except SQLAlchemyError as exc:
            raise backend_error(exc, "rolling back") from exc


class SqlStorage:
    """A [Storage][s2c_core.ports.Storage] on a SQLite or PostgreSQL database.

    Create it with [open_sql_storage][s2c_sqlalchemy.storage.open_sql_storage] (which checks
    the schema) or directly on an engine from [make_engine][s2c_sqlalchemy.engine.make_engine].

    Attributes:
        name: ``"sqlite"`` or ``"postgresql"``.
        engine: The SQLAlchemy engine (shareable with the host application).
        clock: The application's clock.
    """

    def __init__(
        self, engine: Engine, clock: Clock | None = None, *, owns_engine: bool = False
    ) -> None:
        if not is_configured(engine):
            raise ConfigurationError(
                "SQLite engines for s2c must be created with s2c_sqlalchemy.make_engine(url) "
                "(it sets BEGIN IMMEDIATE, busy_timeout and WAL); got "
                f"{engine.url.render_as_string(hide_password=True)!r}"
            )
        self.engine = engine
        self.dialect: str = engine.dialect.name
        self.name: str = self.dialect
        self.clock: Clock = clock or SystemClock()
        self._owns_engine = owns_engine
        self._statements = _Statements(self.dialect)
        self._mappers = {name: EntityMapper(spec) for name, spec in AGGREGATES.items()}
        memory = self.dialect == "sqlite" and is_memory_sqlite(engine.url)
        # One shared in-memory connection: units of work take turns, like the memory backend.
        self._lock: AbstractContextManager[Any] = threading.RLock() if memory else nullcontext()
        self._queries: SqlQueries | None = None

    @contextmanager
    def unit_of_work(self) -> Iterator[SqlUnitOfWork]:
        """A new unit of work on its own connection; rolled back unless committed."""
        with self._lock:
            try:
                conn = self.engine.connect()
            except SQLAlchemyError as exc:
                raise backend_error(exc, "connecting") from exc
            try:
                yield SqlUnitOfWork(self, conn)
            finally:
                try:
                    if conn.in_transaction():
                        conn.rollback()
                    conn.close()
                except SQLAlchemyError:
                    log.warning("could not release a connection cleanly", exc_info=True)
                    conn.invalidate()

    @property
    def queries(self) -> SqlQueries:
        """The reporting queries, aggregated in SQL (see ``s2c_sqlalchemy.queries``)."""
        if self._queries is None:
            from s2c_sqlalchemy.queries import SqlQueries

            self._queries = SqlQueries(self)
        return self._queries

    @property
    def reporting(self) -> SqlReporting:
        """KPI inputs computed in SQL: core's ``ReportingQueries`` (see ``.reporting``)."""
        found: SqlReporting | None = self.__dict__.get("_reporting")
        if found is None:
            from s2c_sqlalchemy.reporting import SqlReporting

            found = self.__dict__["_reporting"] = SqlReporting(self)
        return found

    def close(self) -> None:
        """Release the pooled connections (the engine is disposed if this storage made it)."""
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> SqlStorage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlStorage({self.engine.url.render_as_string(hide_password=True)!r})"


def open_sql_storage(
    url: str | URL | Engine,
    clock: Clock | None = None,
    *,
    create_schema: bool = False,
    **engine_kwargs: Any,
) -> SqlStorage:
    """Open a SQL storage on *url* (or an engine), checking that its schema is current.

    Args:
        url: ``sqlite:///books.db``, ``sqlite://`` (in memory), ``postgresql://user@host/db``
            (``postgresql+psycopg://`` too), or an engine from ``make_engine``.
        clock: The application's clock.
        create_schema: Create or upgrade the schema (``migrate``) before opening. Otherwise a
            database without the current schema raises ``ConfigurationError`` saying how to
            create it.
        **engine_kwargs: Passed to ``sqlalchemy.create_engine`` when *url* is a URL.

    Returns:
        The storage; ``close()`` it (or use it as a context manager) to release connections.
    """
    from s2c_sqlalchemy.schema import migrate, require_current_schema

    if isinstance(url, Engine):
        engine, owns = url, False
    else:
        engine, owns = make_engine(normalise_url(url), **engine_kwargs), True
    try:
        if create_schema:
            migrate(engine)
        else:
            require_current_schema(engine)
        return SqlStorage(engine, clock, owns_engine=owns)
    except BaseException:
        if owns:
            engine.dispose()
        raise
