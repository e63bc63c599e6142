"""Every statement a unit of work sends, built with SQLAlchemy Core and rendered once per dialect.

Static statements (read, add and update an aggregate, append events, queue and save outbox
messages, take a number, claim an action) are rendered when the storage opens. Statements
whose text depends on the call are rendered on first use and kept by their shape:
``get_many`` by the number of ids, repository queries by their
[criteria shape][s2c_sqlalchemy.criteria.Shape], ordering and whether they are limited, the
event log and outbox reads by their optional filters. Values never enter a cache key, so the
number of statements stays bounded by the code paths, not by the data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, Final

from sqlalchemy import (
    Dialect,
    Integer,
    Table,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from s2c_core.entities.registry import AggregateSpec
from s2c_core.events import OutboxStatus
from s2c_sqlalchemy.criteria import Shape, order_clauses, shape_clause
from s2c_sqlalchemy.session import Rendered, row_processors
from s2c_sqlalchemy.tables import (
    ACTIONS,
    AGGREGATE_TABLES,
    COUNTERS,
    EVENTS,
    OUTBOX,
    UtcDateTime,
)
from s2c_sqlalchemy.writers import EventWriter, event_writer

__all__ = ["Statements"]

_MAX_CACHED: Final = 1024
"""Statements kept per kind of dynamic statement; the cache starts over beyond it."""

EVENT_COLUMNS: Final = tuple(c.name for c in EVENTS.c)
"""The event log's columns in table order (``sequence`` first)."""
OUTBOX_COLUMNS: Final = tuple(c.name for c in OUTBOX.c)
"""The outbox's columns in table order."""


def insert_events() -> Any:
    """``INSERT INTO s2c_events``: inline, so no ``RETURNING sequence`` that nobody reads."""
    return insert(EVENTS).inline()


class _ByAggregate(dict[str, Rendered]):
    """Statements by aggregate name, rendered on first use."""

    def __init__(self, build: Callable[[Table], Any], statements: Statements) -> None:
        super().__init__()
        self._build = build
        self._statements = statements

    def __missing__(self, aggregate: str) -> Rendered:
        found = self[aggregate] = self._statements._render(self._build(AGGREGATE_TABLES[aggregate]))
        return found


class Statements:
    """The statements of one dialect (one instance per storage, shared by its units of work).

    Each is rendered on first use (opening a storage compiles nothing), then kept.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self._insert = postgresql.insert if dialect.name == "postgresql" else sqlite.insert
        insert = self._insert
        self.get = _ByAggregate(
            lambda t: select(t.c.data, t.c.version).where(t.c.id == bindparam("id")), self
        )
        self.version = _ByAggregate(
            lambda t: select(t.c.version).where(t.c.id == bindparam("id")), self
        )
        self.add = _ByAggregate(
            lambda t: insert(t).on_conflict_do_nothing(index_elements=["id"]), self
        )
        self.update = _ByAggregate(
            lambda t: (
                update(t)
                .where(t.c.id == bindparam("w_id"), t.c.version == bindparam("w_version"))
                .values({c.name: bindparam(c.name, type_=c.type) for c in t.c if c.name != "id"})
            ),
            self,
        )
        self.event_processors = row_processors(list(EVENTS.c), dialect)
        self.outbox_processors = row_processors(list(OUTBOX.c), dialect)
        self._get_many: dict[tuple[str, int], Rendered] = {}
        self._queries: dict[tuple[Any, ...], Rendered] = {}
        self._reads: dict[tuple[Any, ...], Rendered] = {}
        self._processors: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    @cached_property
    def append_event(self) -> Rendered:
        """Insert one event (``sequence`` is given by the database)."""
        return self._render(insert_events(), column_keys=EVENT_COLUMNS[1:])

    @cached_property
    def event_params(self) -> EventWriter:
        """The parameters of ``append_event`` for one event (see ``s2c_sqlalchemy.writers``)."""
        return event_writer(self.append_event)

    @cached_property
    def put_message(self) -> Rendered:
        """Insert an outbox message unless its id or key is known."""
        return self._render(self._insert(OUTBOX).on_conflict_do_nothing())

    @cached_property
    def save_message(self) -> Rendered:
        """Insert or overwrite an outbox message by id."""
        upsert = self._insert(OUTBOX)
        return self._render(
            upsert.on_conflict_do_update(
                index_elements=["id"],
                set_={c.name: upsert.excluded[c.name] for c in OUTBOX.c if c.name != "id"},
            )
        )

    @cached_property
    def next_number(self) -> Rendered:
        """Take the next number of a series and year (gapless, in the transaction)."""
        counter = self._insert(COUNTERS).values(
            series=bindparam("series"), year=bindparam("year"), value=1
        )
        return self._render(
            counter.on_conflict_do_update(
                index_elements=["series", "year"], set_={"value": COUNTERS.c.value + 1}
            ).returning(COUNTERS.c.value)
        )

    @cached_property
    def claim_action(self) -> Rendered:
        """Record an action key unless known."""
        return self._render(self._insert(ACTIONS).on_conflict_do_nothing(index_elements=["key"]))

    @cached_property
    def action_exists(self) -> Rendered:
        """Read an action key."""
        return self._render(select(ACTIONS.c.key).where(ACTIONS.c.key == bindparam("key")))

    @cached_property
    def known_actions(self) -> Rendered:
        """The action keys already recorded among a JSON array of keys (SQLite's json_each:
        one statement text for any number of keys)."""
        keys = "SELECT value FROM json_each(:keys)"
        return self._render(text(f"SELECT key FROM {ACTIONS.name} WHERE key IN ({keys})"))

    def _render(self, stmt: Any, *, column_keys: Sequence[str] | None = None) -> Rendered:
        return Rendered(stmt, self.dialect, column_keys=column_keys)

    def _cached(self, cache: dict[Any, Rendered], key: Any, build: Callable[[], Any]) -> Rendered:
        found = cache.get(key)
        if found is None:
            if len(cache) >= _MAX_CACHED:
                cache.clear()
            found = cache[key] = self._render(build())
        return found

    # -- aggregates -------------------------------------------------------------------------

    def get_many(self, aggregate: str, count: int) -> Rendered:
        """``SELECT id, data, version ... WHERE id IN (:id_0, ... :id_<count-1>)``."""
        found = self._get_many.get((aggregate, count))
        if found is not None:
            return found

        def build() -> Any:
            c = AGGREGATE_TABLES[aggregate].c
            ids = [bindparam(f"id_{i}", type_=c.id.type) for i in range(count)]
            return select(c.id, c.data, c.version).where(c.id.in_(ids))

        return self._cached(self._get_many, (aggregate, count), build)

    def query(
        self,
        spec: AggregateSpec,
        shape: Shape,
        *,
        order_by: str | None,
        limited: bool,
        count: bool = False,
        columns: tuple[str, ...] = ("data", "version"),
    ) -> Rendered:
        """The repository query (or count) of *shape*; values bind as ``p0``, ``p1`` ...

        Selects *columns* (the document and version unless told otherwise). ``order_by`` is
        checked by ``order_clauses`` (unknown fields raise) before anything is cached, and a
        limit binds as ``limit``.
        """
        key = (spec.name, shape, order_by, limited, count, columns)
        found = self._queries.get(key)
        if found is not None:
            return found
        table: Table = AGGREGATE_TABLES[spec.name]

        def bind(column: Any, k: int) -> Any:
            return bindparam(f"p{k}", type_=column.type)

        where = shape_clause(table, shape, bind)
        if count:
            stmt: Any = select(func.count()).select_from(table).where(where)
        else:
            stmt = (
                select(*(table.c[name] for name in columns))
                .where(where)
                .order_by(*order_clauses(spec, table, order_by))
            )
            if limited:
                stmt = stmt.limit(bindparam("limit", type_=Integer()))
        return self._cached(self._queries, key, lambda: stmt)

    def processors(self, aggregate: str, columns: tuple[str, ...]) -> tuple[Any, ...]:
        """The result processors of *columns* of *aggregate* (dates from SQLite text ...)."""
        key = ("processors", aggregate, columns)
        found = self._processors.get(key)
        if found is None:
            table = AGGREGATE_TABLES[aggregate]
            found = row_processors([table.c[name] for name in columns], self.dialect)
            self._processors[key] = found
        return found

    # -- event log and outbox ---------------------------------------------------------------

    def read_events(self, *, by_aggregate: bool) -> Rendered:
        """Events after ``after`` (and of ``aggregate_id``), in order, at most ``limit``."""

        def build() -> Any:
            stmt = select(EVENTS).where(EVENTS.c.sequence > bindparam("after"))
            if by_aggregate:
                stmt = stmt.where(EVENTS.c.aggregate_id == bindparam("aggregate_id"))
            return stmt.order_by(EVENTS.c.sequence).limit(bindparam("limit", type_=Integer()))

        return self._cached(self._reads, ("events", by_aggregate), build)

    def claim_due(self) -> Rendered:
        """Pending messages due at ``now``, oldest due first, at most ``limit``, locked."""

        def build() -> Any:
            due = bindparam("now", type_=UtcDateTime())
            return (
                select(OUTBOX)
                .where(
                    OUTBOX.c.status == OutboxStatus.PENDING.value,
                    or_(OUTBOX.c.next_attempt_at.is_(None), OUTBOX.c.next_attempt_at <= due),
                )
                .order_by(func.coalesce(OUTBOX.c.next_attempt_at, due), OUTBOX.c.id)
                .limit(bindparam("limit", type_=Integer()))
                .with_for_update(skip_locked=True)
            )

        return self._cached(self._reads, ("claim",), build)

    def list_messages(self, *, by_status: bool) -> Rendered:
        """Messages oldest first (of ``status``), at most ``limit``."""

        def build() -> Any:
            stmt = select(OUTBOX)
            if by_status:
                stmt = stmt.where(OUTBOX.c.status == bindparam("status"))
            return stmt.order_by(
                OUTBOX.c.created_at.is_(None), OUTBOX.c.created_at, OUTBOX.c.id
            ).limit(bindparam("limit", type_=Integer()))

        return self._cached(self._reads, ("messages", by_status), build)
