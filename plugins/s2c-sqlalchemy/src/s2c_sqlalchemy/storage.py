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

Statements are built with SQLAlchemy Core, rendered to SQL text once per dialect
(``s2c_sqlalchemy.statements``) and run on the unit of work's DBAPI cursor
(``s2c_sqlalchemy.session``). The parameters of entity and event rows are built by functions
compiled once per statement (``s2c_sqlalchemy.writers``).

What does not change from one unit of work to the next is built once per storage: the
statements, and per aggregate its mapper, statements, parameter builders and the texts of its
error messages (formatted with the entity id only when a statement fails). A unit of work's
repository holds its session and those.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

import orjson
from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from s2c_core.clock import Clock, SystemClock
from s2c_core.entities.common import with_version
from s2c_core.entities.registry import AGGREGATES, AggregateSpec, spec_named
from s2c_core.errors import (
    BackendError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    ValidationError,
)
from s2c_core.events import DomainEvent, OutboxMessage
from s2c_sqlalchemy.connections import Connections
from s2c_sqlalchemy.criteria import criteria_shape, indexes_by_name, plain_value
from s2c_sqlalchemy.engine import is_configured, is_memory_sqlite, make_engine, normalise_url
from s2c_sqlalchemy.mapping import (
    EntityMapper,
    event_from_row,
    message_from_row,
    message_to_row,
    to_utc,
)
from s2c_sqlalchemy.session import Rendered, Session, StatementHook, backend_error
from s2c_sqlalchemy.statements import EVENT_COLUMNS, OUTBOX_COLUMNS, Statements
from s2c_sqlalchemy.writers import entity_writer

if TYPE_CHECKING:
    from s2c_sqlalchemy.queries import SqlQueries
    from s2c_sqlalchemy.reporting import SqlReporting

__all__ = ["SqlStorage", "SqlUnitOfWork", "backend_error", "open_sql_storage"]

log = logging.getLogger(__name__)

_CHUNK: Final = 500  # ids per IN list (SQLite's bound-parameter limit is far above)
_ID_NAMES: Final = tuple(f"id_{i}" for i in range(_CHUNK))  # their bind names


def _records(
    rows: list[Any], names: Sequence[str], processors: Sequence[Any]
) -> list[dict[str, Any]]:
    """Rows as dicts by column name, each value through its result processor."""
    out = []
    for row in rows:
        out.append(
            {
                name: value if processor is None else processor(value)
                for name, value, processor in zip(names, row, processors)
            }
        )
    return out


class _Aggregate:
    """What every repository of one aggregate shares in one storage, built on its first use.

    The spec, the mapper, the rendered read, insert and update statements with their compiled
    parameter builders (``s2c_sqlalchemy.writers``) and the texts of error messages: a unit of
    work's repository is then two references (its session and this).
    """

    __slots__ = (
        "add",
        "adding",
        "cls",
        "counting",
        "entity",
        "get",
        "get_by_position",
        "mapper",
        "name",
        "querying",
        "reading",
        "reading_indexes",
        "reading_many",
        "spec",
        "update",
        "updating",
        "write_add",
        "write_update",
    )

    def __init__(self, spec: AggregateSpec, mapper: EntityMapper, statements: Statements) -> None:
        self.spec = spec
        self.cls = spec.cls
        self.name = name = spec.name
        self.mapper = mapper
        self.entity = mapper.entity
        self.get: Rendered = statements.get[name]
        # its parameters are the id alone: get.params({"id": entity_id}) == (entity_id,)
        self.get_by_position = self.get.plain and self.get.names == ("id",)
        self.add: Rendered = statements.add[name]
        self.update: Rendered = statements.update[name]
        self.write_add = entity_writer(mapper, self.add)
        self.write_update = entity_writer(mapper, self.update)
        self.reading = f"reading {name}"
        self.reading_many = f"reading {name}s"
        self.reading_indexes = f"reading {name} indexes"
        self.adding = f"adding {name}"
        self.updating = f"updating {name}"
        self.querying = f"querying {name}s"
        self.counting = f"counting {name}s"


_P_NAMES: Final = tuple(f"p{k}" for k in range(64))


def _bound(values: list[Any]) -> dict[str, Any]:
    """Criteria values by bind name: ``p0``, ``p1`` ... (see ``Statements.query``)."""
    if len(values) <= len(_P_NAMES):
        return dict(zip(_P_NAMES, values))
    return {f"p{k}": value for k, value in enumerate(values)}


class SqlRepository:
    """The [Repository][s2c_core.ports.Repository] of one aggregate inside a unit of work."""

    __slots__ = ("_a", "_s", "_stmts")

    def __init__(
        self,
        session: Session,
        statements: Statements,
        spec: AggregateSpec,
        mapper: EntityMapper,
        *,
        shared: _Aggregate | None = None,
    ) -> None:
        self._s = session
        self._stmts = statements
        self._a = shared if shared is not None else _Aggregate(spec, mapper, statements)

    @property
    def _name(self) -> str:
        return self._a.name

    @property
    def _spec(self) -> AggregateSpec:
        return self._a.spec

    def get(self, entity_id: str) -> Any:
        """The entity with *entity_id*; ``NotFoundError`` if absent."""
        found = self.find(entity_id)
        if found is None:
            raise NotFoundError(self._name, entity_id)
        return found

    def find(self, entity_id: str) -> Any | None:
        """The entity with *entity_id*, or None."""
        a = self._a
        get = a.get
        params = (entity_id,) if a.get_by_position else get.params({"id": entity_id})
        rows = self._s.rows(get.sql, params, what=a.reading, key=entity_id)
        if not rows:
            return None
        data, version = rows[0]
        return a.entity(data, version)

    def get_many(self, entity_ids: Sequence[str]) -> dict[str, Any]:
        """The entities found among *entity_ids*, by id (in the order asked)."""
        ids = list(dict.fromkeys(entity_ids))
        found: dict[str, Any] = {}
        a = self._a
        entity = a.entity
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            stmt = self._stmts.get_many(a.name, len(chunk))
            if stmt.plain and stmt.names == _ID_NAMES[: len(chunk)]:
                params: Any = tuple(chunk)  # what params() gives, without the dict
            else:
                params = stmt.params(dict(zip(_ID_NAMES, chunk)))
            for eid, data, version in self._s.rows(stmt.sql, params, what=a.reading_many):
                found[eid] = entity(data, version)
        return {eid: found[eid] for eid in ids if eid in found}

    def add(self, entity: Any) -> Any:
        """Store a new entity at version 1; ``ConflictError`` if its id exists."""
        a = self._a
        if not isinstance(entity, a.cls):
            raise ValidationError(f"expected a {a.cls.__name__}", field="entity")
        stored = entity if entity.version == 1 else with_version(entity, 1)
        params = a.write_add(stored, 1)
        try:
            cursor = self._s.execute(a.add.sql, params, what=a.adding, key=entity.id)
        except BackendError as exc:
            if self._s.is_integrity_error(exc.__cause__):
                raise ConflictError(self._name, entity.id, reason="id already exists") from exc
            raise
        if cursor.rowcount == 0:
            raise ConflictError(self._name, entity.id, reason="id already exists")
        return stored

    def update(self, entity: Any) -> Any:
        """Store a changed entity if its version is still the stored one; returns version + 1."""
        a = self._a
        expected = entity.version
        stored = with_version(entity, expected + 1)
        cursor = self._s.execute(
            a.update.sql,
            a.write_update(stored, expected + 1),
            what=a.updating,
            key=entity.id,
        )
        if cursor.rowcount != 1:
            stmt = self._stmts.version[self._name]
            current = self._s.rows(
                stmt.sql, stmt.params({"id": entity.id}), what=a.reading, key=entity.id
            )
            if not current:
                raise NotFoundError(self._name, entity.id)
            raise ConflictError(self._name, entity.id, expected_version=expected)
        return stored

    def add_many(self, entities: Sequence[Any]) -> list[Any]:
        """``add`` of every entity, as one ``executemany`` where the driver counts it exactly.

        Same rules as ``add``: an id that exists is a ``ConflictError`` (the unit of work then
        commits nothing). Returns the entities at version 1.
        """
        if not self._s.counts_many or len(entities) < 2:
            return [self.add(entity) for entity in entities]
        a = self._a
        for entity in entities:
            if not isinstance(entity, a.cls):
                raise ValidationError(f"expected a {a.cls.__name__}", field="entity")
        write = a.write_add
        stored = [entity if entity.version == 1 else with_version(entity, 1) for entity in entities]
        params = [write(entity, 1) for entity in stored]
        try:
            cursor = self._s.execute_many(
                a.add.sql, params, what=f"adding {len(entities)} {self._name}s"
            )
        except BackendError as exc:
            if self._s.is_integrity_error(exc.__cause__):
                raise ConflictError(
                    self._name, entities[0].id, reason="an id of the batch already exists"
                ) from exc
            raise
        if cursor.rowcount != len(entities):
            raise ConflictError(
                self._name, entities[0].id, reason="an id of the batch already exists"
            )
        return stored

    def update_many(self, entities: Sequence[Any]) -> list[Any]:
        """``update`` of every entity, as one ``executemany`` where the driver counts it exactly.

        Same rules as ``update``; on a stale or missing entity the error names the first one.
        """
        if not self._s.counts_many or len(entities) < 2:
            return [self.update(entity) for entity in entities]
        a = self._a
        write = a.write_update
        stored = [with_version(entity, entity.version + 1) for entity in entities]
        cursor = self._s.execute_many(
            a.update.sql,
            [write(new, new.version) for new in stored],
            what=f"updating {len(entities)} {self._name}s",
        )
        if cursor.rowcount != len(entities):
            # name the first entity whose new state is not what is stored now
            for entity, new in zip(entities, stored, strict=True):
                current = self._s.rows(
                    a.get.sql, a.get.params({"id": entity.id}), what=a.reading, key=entity.id
                )
                if not current:
                    raise NotFoundError(self._name, entity.id)
                data, version = current[0]
                if version != new.version or data != a.mapper.values(new, new.version)["data"]:
                    raise ConflictError(self._name, entity.id, expected_version=entity.version)
            raise ConflictError(self._name, entities[0].id, expected_version=entities[0].version)
        return stored

    def query(
        self, *, order_by: str | None = None, limit: int | None = None, **criteria: Any
    ) -> list[Any]:
        """Entities matching *criteria* (see ``s2c_sqlalchemy.criteria``), ordered, limited."""
        a = self._a
        shape, values = criteria_shape(a.spec, criteria)
        stmt = self._stmts.query(a.spec, shape, order_by=order_by, limited=limit is not None)
        bound = _bound(values)
        if limit is not None:
            bound["limit"] = limit
        entity = a.entity
        return [
            entity(data, version)
            for data, version in self._s.rows(stmt.sql, stmt.params(bound), what=a.querying)
        ]

    def index_values(
        self,
        fields: Sequence[str],
        *,
        order_by: str | None = None,
        limit: int | None = None,
        **criteria: Any,
    ) -> list[tuple[Any, ...]]:
        """The indexed *fields* (``"id"`` allowed) of the entities matching *criteria*.

        Read from the index columns alone: no document is decoded, no entity rebuilt.
        """
        a = self._a
        spec = a.spec
        columns = tuple(fields)  # an index's column is named as the index
        known = indexes_by_name(spec)
        for name in columns:
            if name != "id" and name not in known:
                spec.index(name)  # raises ConfigurationError naming the indexed fields
        shape, values = criteria_shape(spec, criteria)
        stmt = self._stmts.query(
            spec, shape, order_by=order_by, limited=limit is not None, columns=columns
        )
        bound = _bound(values)
        if limit is not None:
            bound["limit"] = limit
        rows = self._s.rows(stmt.sql, stmt.params(bound), what=a.reading_indexes)
        processors = self._stmts.processors(a.name, columns)
        if not any(processors):
            return [tuple(row) for row in rows]
        return [
            tuple(
                value if processor is None or value is None else processor(value)
                for value, processor in zip(row, processors)
            )
            for row in rows
        ]

    def count(self, **criteria: Any) -> int:
        """Number of entities matching *criteria*."""
        a = self._a
        shape, values = criteria_shape(a.spec, criteria)
        stmt = self._stmts.query(a.spec, shape, order_by=None, limited=False, count=True)
        rows = self._s.rows(stmt.sql, stmt.params(_bound(values)), what=a.counting)
        return int(rows[0][0])


class SqlEventLog:
    """The append-only event log (``s2c_events``)."""

    __slots__ = ("_s", "_stmts")

    def __init__(self, session: Session, statements: Statements) -> None:
        self._s = session
        self._stmts = statements

    def append(self, events: Sequence[DomainEvent]) -> None:
        """Append *events* in order (one ``executemany``); visible to others on commit."""
        if not events:
            return
        stmts = self._stmts
        write = stmts.event_params
        if len(events) == 1:
            self._s.execute(stmts.append_event.sql, write(events[0]), what="appending events")
        else:
            rows = [write(event) for event in events]
            self._s.execute_many(stmts.append_event.sql, rows, what="appending events")

    def read(
        self, *, after: int = 0, limit: int = 1000, aggregate_id: str | None = None
    ) -> list[DomainEvent]:
        """Events with ``sequence > after`` in order, at most *limit*."""
        stmt = self._stmts.read_events(by_aggregate=aggregate_id is not None)
        values: dict[str, Any] = {"after": after, "limit": limit}
        if aggregate_id is not None:
            values["aggregate_id"] = aggregate_id
        rows = self._s.rows(stmt.sql, stmt.params(values), what="reading events")
        return [
            event_from_row(row)
            for row in _records(rows, EVENT_COLUMNS, self._stmts.event_processors)
        ]


class SqlOutbox:
    """The transactional outbox (``s2c_outbox``)."""

    __slots__ = ("_s", "_stmts")

    def __init__(self, session: Session, statements: Statements) -> None:
        self._s = session
        self._stmts = statements

    def put(self, messages: Sequence[OutboxMessage]) -> int:
        """Store *messages*, skipping keys (or ids) already stored; returns how many stored."""
        stored = 0
        stmt = self._stmts.put_message
        for message in messages:
            cursor = self._s.execute(
                stmt.sql, stmt.params(message_to_row(message)), what="queuing outbox messages"
            )
            stored += max(cursor.rowcount, 0)
        return stored

    def claim_due(self, now: datetime, *, limit: int = 100) -> list[OutboxMessage]:
        """Pending messages due at *now*, oldest due first, locked for this unit of work.

        On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED``: a concurrent worker
        skips them. On SQLite the unit of work already holds the write lock.
        """
        stmt = self._stmts.claim_due()
        values = {"now": to_utc(now, field="now"), "limit": limit}
        rows = self._s.rows(stmt.sql, stmt.params(values), what="claiming messages")
        return [
            message_from_row(row)
            for row in _records(rows, OUTBOX_COLUMNS, self._stmts.outbox_processors)
        ]

    def save(self, message: OutboxMessage) -> None:
        """Store the new delivery state of *message* (inserted if it was never put)."""
        stmt = self._stmts.save_message
        self._s.execute(
            stmt.sql,
            stmt.params(message_to_row(message)),
            what=f"saving outbox message {message.id!r}",
        )

    def list(self, *, status: str | None = None, limit: int = 1000) -> list[OutboxMessage]:
        """Messages, oldest first (by ``created_at``, then id), optionally with one status."""
        stmt = self._stmts.list_messages(by_status=status is not None)
        values: dict[str, Any] = {"limit": limit}
        if status is not None:
            values["status"] = str(plain_value(status))
        rows = self._s.rows(stmt.sql, stmt.params(values), what="listing messages")
        return [
            message_from_row(row)
            for row in _records(rows, OUTBOX_COLUMNS, self._stmts.outbox_processors)
        ]


class SqlCounters:
    """Gapless counters (``s2c_counters``), taken inside the issuing transaction."""

    __slots__ = ("_s", "_stmt")

    def __init__(self, session: Session, statements: Statements) -> None:
        self._s = session
        self._stmt = statements.next_number

    def next(self, series: str, year: int) -> int:
        """The next number of *series* in *year*; given back if the unit of work rolls back."""
        rows = self._s.rows(
            self._stmt.sql,
            self._stmt.params({"series": series, "year": year}),
            what=f"numbering {series} {year}",
        )
        return int(rows[0][0])


class SqlActionLog:
    """Natural keys of actions done (``s2c_actions``): insert-if-absent."""

    __slots__ = ("_s", "_stmts")

    def __init__(self, session: Session, statements: Statements) -> None:
        self._s = session
        self._stmts = statements

    def claim(self, key: str, at: datetime) -> bool:
        """Record *key*; True if new. A concurrent claimer waits for the first to finish."""
        stmt = self._stmts.claim_action
        cursor = self._s.execute(
            stmt.sql,
            stmt.params({"key": key, "at": to_utc(at, field="at")}),
            what=f"claiming action {key!r}",
        )
        return bool(cursor.rowcount == 1)

    def claim_many(self, keys: Sequence[str], at: datetime) -> set[str]:
        """Record every key of *keys*; returns those that were new (a repeated key once).

        On SQLite the transaction holds the database's write lock from its first statement
        (``BEGIN IMMEDIATE``), so nobody can claim between reading and writing: the known keys
        are read with one statement, the new ones written with one ``executemany``, and the
        written count is checked (``ConflictError`` if it differs, so the caller retries).
        Elsewhere each key is claimed with ``claim``, which waits for a concurrent claimer.
        """
        unique = list(dict.fromkeys(keys))
        if not self._s.counts_many or len(unique) < 2:
            return {key for key in unique if self.claim(key, at)}
        stmt = self._stmts.known_actions
        rows = self._s.rows(
            stmt.sql,
            stmt.params({"keys": orjson.dumps(unique).decode()}),
            what=f"reading {len(unique)} action keys",
        )
        known = {row[0] for row in rows}
        new = [key for key in unique if key not in known]
        if new:
            claim = self._stmts.claim_action
            stamp = to_utc(at, field="at")
            cursor = self._s.execute_many(
                claim.sql,
                [claim.params({"key": key, "at": stamp}) for key in new],
                what=f"claiming {len(new)} actions",
            )
            if cursor.rowcount != len(new):
                raise ConflictError("action", new[0], reason="claimed by another unit of work")
        return set(new)

    def exists(self, key: str) -> bool:
        """True when *key* was recorded."""
        stmt = self._stmts.action_exists
        return bool(
            self._s.rows(stmt.sql, stmt.params({"key": key}), what=f"reading action {key!r}")
        )


class SqlUnitOfWork:
    """One database transaction over the repositories, event log, outbox, counters and actions.

    The transaction begins with the first statement (``BEGIN IMMEDIATE`` on SQLite) and ends
    with ``commit()`` or ``rollback()``; statements after that begin a new one.
    """

    __slots__ = (
        "_repos",
        "_session",
        "_stmts",
        "_storage",
        "actions",
        "counters",
        "events",
        "outbox",
    )

    def __init__(self, storage: SqlStorage, session: Session) -> None:
        self._storage = storage
        self._session = session
        stmts = storage._statements
        self._stmts = stmts
        self._repos: dict[str, SqlRepository] = {}
        self.events = SqlEventLog(session, stmts)
        self.outbox = SqlOutbox(session, stmts)
        self.counters = SqlCounters(session, stmts)
        self.actions = SqlActionLog(session, stmts)

    @property
    def connection(self) -> Connection:
        """A SQLAlchemy connection in this unit of work's transaction (for host-app queries
        that must commit or roll back with it)."""
        return self._session.connection

    def repo(self, aggregate: str) -> SqlRepository:
        """The repository of *aggregate*; ``ValidationError`` for an unknown name."""
        repo = self._repos.get(aggregate)
        if repo is None:
            shared = self._storage._aggregate(aggregate)
            repo = object.__new__(SqlRepository)  # SqlRepository(...) of the shared parts
            repo._s = self._session
            repo._stmts = self._stmts
            repo._a = shared
            self._repos[aggregate] = repo
        return repo

    def commit(self) -> None:
        """Commit the transaction: every change of this unit of work becomes durable at once."""
        self._session.commit()

    def rollback(self) -> None:
        """Discard every change since the last commit."""
        self._session.rollback()


class SqlStorage:
    """A [Storage][s2c_core.ports.Storage] on a SQLite or PostgreSQL database.

    Create it with [open_sql_storage][s2c_sqlalchemy.storage.open_sql_storage] (which checks
    the schema) or directly on an engine from [make_engine][s2c_sqlalchemy.engine.make_engine].

    Attributes:
        name: ``"sqlite"`` or ``"postgresql"``.
        engine: The SQLAlchemy engine (shareable with the host application).
        clock: The application's clock.
        statement_hook: None, or a [StatementHook][s2c_sqlalchemy.session.StatementHook]
            called with every statement a unit of work sends (SQL text and DBAPI parameters,
            ``BEGIN IMMEDIATE`` included) and every commit and rollback, before it runs: for
            diagnostics and benchmarks. Units of work run their SQL on the DBAPI cursor, so
            SQLAlchemy's cursor events see it only when the engine has such listeners (see
            ``s2c_sqlalchemy.session``); the hook sees it either way.
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
        self._statements = Statements(engine.dialect)
        self._connections = Connections(engine)
        self.statement_hook: StatementHook | None = None
        self._mappers = {name: EntityMapper(spec) for name, spec in AGGREGATES.items()}
        self._aggregates: dict[str, _Aggregate] = {}
        memory = self.dialect == "sqlite" and is_memory_sqlite(engine.url)
        # One shared in-memory connection: units of work take turns, like the memory backend.
        self._lock: threading.RLock | None = threading.RLock() if memory else None
        self._queries: SqlQueries | None = None

    def _aggregate(self, name: str) -> _Aggregate:
        """What every repository of aggregate *name* shares (built on first use, then kept);
        ``ValidationError`` for an unknown name."""
        found = self._aggregates.get(name)
        if found is None:
            found = _Aggregate(spec_named(name), self._mappers[name], self._statements)
            found = self._aggregates.setdefault(name, found)
        return found

    def unit_of_work(self) -> _UnitOfWorkScope:
        """A new unit of work on its own connection; rolled back unless committed.

        The connection is one a finished unit of work left clean, or one checked out of the
        engine's pool (see ``s2c_sqlalchemy.connections``); it is taken on entering the
        ``with`` block and given back on leaving it.
        """
        return _UnitOfWorkScope(self)

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
        """Give back the connections kept for units of work (the engine is disposed if this
        storage made it). Units of work still work afterwards, each on a pooled connection."""
        self._connections.close()
        if self._owns_engine:
            self.engine.dispose()

    def __enter__(self) -> SqlStorage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SqlStorage({self.engine.url.render_as_string(hide_password=True)!r})"


class _UnitOfWorkScope:
    """The ``with`` block of one unit of work (what ``SqlStorage.unit_of_work`` returns).

    A plain class rather than ``@contextmanager``: a generator-based context manager costs
    a few microseconds per unit of work, for nothing it needs.
    """

    __slots__ = ("_locked", "_session", "_storage")

    def __init__(self, storage: SqlStorage) -> None:
        self._storage = storage
        self._session: Session | None = None
        self._locked = False

    def __enter__(self) -> SqlUnitOfWork:
        storage = self._storage
        lock = storage._lock  # one shared in-memory connection: units of work take turns
        if lock is not None:
            lock.acquire()
            self._locked = True
        try:
            session = self._session = Session(storage._connections, storage.statement_hook)
            return SqlUnitOfWork(storage, session)
        except BaseException:
            self._release()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release()

    def _release(self) -> None:
        session, self._session = self._session, None
        try:
            if session is not None:
                session.close()
        finally:
            if self._locked:
                self._locked = False
                assert self._storage._lock is not None
                self._storage._lock.release()


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
