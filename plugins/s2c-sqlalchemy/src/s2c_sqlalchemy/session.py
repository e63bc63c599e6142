"""The DBAPI connection of one unit of work: SQL rendered once per dialect, run on its cursor.

SQLAlchemy Core describes every table and builds every statement; a
[Rendered][s2c_sqlalchemy.session.Rendered] statement is compiled **once** per dialect to its
SQL text (SQLAlchemy's own quoting, type casts and bind processors), and a
[Session][s2c_sqlalchemy.session.Session] runs it straight on the DBAPI cursor of the unit of
work's pooled connection. For the small single-row statements a unit of work sends, that skips
SQLAlchemy's per-execution machinery (cache keys, execution context, result metadata, event
dispatch), which costs several times the database's own work.

SQLAlchemy keeps the engine and its pool, migrations, the reporting queries, and the host
application's use of ``uow.connection`` (same transaction). When the engine has
``before_cursor_execute``/``after_cursor_execute`` listeners or logs its SQL (``echo``,
tracing instrumentation), a unit of work sends the same SQL text through
``Connection.exec_driver_sql`` instead, so those listeners still see every statement.

Transactions: on SQLite the first statement of a transaction is preceded by ``BEGIN
IMMEDIATE`` (the write lock up front, see ``s2c_sqlalchemy.engine``); psycopg begins one
implicitly. ``commit`` and ``rollback`` end it on the DBAPI connection.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import Connection, Dialect, Engine, TypeDecorator
from sqlalchemy.dialects import sqlite
from sqlalchemy.sql import ClauseElement, ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import TypeEngine

from s2c_core.errors import BackendError
from s2c_sqlalchemy.connections import Connections, backend_error

__all__ = [
    "NO_KEY",
    "Rendered",
    "Session",
    "StatementHook",
    "backend_error",
    "bind_processor",
    "describe",
    "row_processors",
]

log = logging.getLogger(__name__)

StatementHook = Callable[[str, str, Any], None]
"""``hook(kind, sql, parameters)``: *kind* is ``"one"`` or ``"many"`` (an ``executemany``) for
a statement, ``"commit"`` or ``"rollback"`` (with ``sql == ""``) for the end of a transaction."""

BEGIN_IMMEDIATE: Final = "BEGIN IMMEDIATE"

_Processor = Callable[[Any], Any]


_SQLITE_DATE: Final = "%(year)04d-%(month)02d-%(day)02d"
_SQLITE_DATETIME: Final = (
    "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d"
)


def _iso_date(sa_processor: _Processor) -> _Processor:
    def process(value: Any) -> Any:
        if value.__class__ is date:
            return value.isoformat()
        return sa_processor(value)  # a datetime (its date part), None, or an error

    return process


def _iso_datetime(sa_processor: _Processor) -> _Processor:
    def process(value: Any) -> Any:
        if value.__class__ is datetime and value.tzinfo is None:
            return value.isoformat(" ", "microseconds")
        return sa_processor(value)  # aware (fields as given), a date, None, or an error

    return process


def _sqlite_text(impl: TypeEngine[Any], sa_processor: _Processor) -> _Processor | None:
    """The fast equivalent of *sa_processor* for SQLite's date and datetime text, if any."""
    # isinstance: pysqlite's own subclasses only choose whether to convert at all
    if isinstance(impl, sqlite.DATE) and impl._storage_format == _SQLITE_DATE:
        return _iso_date(sa_processor)
    if isinstance(impl, sqlite.DATETIME) and impl._storage_format == _SQLITE_DATETIME:
        return _iso_datetime(sa_processor)
    return None


def bind_processor(type_: TypeEngine[Any], dialect: Dialect) -> _Processor | None:
    """SQLAlchemy's bind processor of *type_* on *dialect*, or an exact faster equivalent.

    SQLite stores dates and datetimes as text, which SQLAlchemy builds by %-formatting every
    field (about 1 µs a value). For its default formats, ``date.isoformat()`` and, for naive
    datetimes, ``datetime.isoformat(" ", "microseconds")`` give the same text several times
    faster; any other value (a datetime given for a date, an aware datetime, a wrong type)
    still goes through SQLAlchemy's processor. A type decorator over such a type (``UtcDateTime``)
    keeps its ``process_bind_param`` in front. A property test checks the texts are equal.
    """
    impl = type_.dialect_impl(dialect)
    processor = impl.bind_processor(dialect)
    if processor is None or dialect.name != "sqlite":
        return processor
    if isinstance(impl, TypeDecorator):
        inner = impl.impl_instance
        if type(impl).process_bind_param is TypeDecorator.process_bind_param:
            return processor
        inner_processor = inner.bind_processor(dialect)
        fast_inner = None if inner_processor is None else _sqlite_text(inner, inner_processor)
        if fast_inner is None:
            return processor
        param = impl.process_bind_param

        def decorated(value: Any) -> Any:
            return fast_inner(param(value, dialect))

        return decorated
    return _sqlite_text(impl, processor) or processor


class Rendered:
    """One statement compiled once for one dialect: its SQL text and how to bind parameters.

    ``params(values)`` turns a mapping of bind names to Python values into what the DBAPI
    takes (a tuple in placeholder order for ``qmark`` SQLite, a dict for psycopg), applying
    the bind processors SQLAlchemy would (dates as text on SQLite, UTC timestamps; see
    ``bind_processor``) and the values fixed in the statement (literals such as
    ``value + 1``). It is a function chosen once per statement: a bare ``itemgetter`` when
    nothing needs converting, as most statements.
    """

    __slots__ = ("_defaults", "_names", "_processors", "params", "plain", "positional", "sql")

    params: Callable[[Mapping[str, Any]], Any]
    """``params(values)``: the DBAPI parameters for *values* (bind name -> Python value)."""

    positional: bool
    """True for placeholders by position (``params`` gives a tuple), False by name (a dict)."""

    plain: bool
    """True when the parameters are the values in placeholder order, as they are: positional
    placeholders, nothing to convert, no value fixed in the statement."""

    def __init__(
        self, stmt: ClauseElement, dialect: Dialect, *, column_keys: Sequence[str] | None = None
    ) -> None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(column_keys or ()) or None)
        assert isinstance(compiled, SQLCompiler)
        self.sql: str = compiled.string
        required = {name: None for name, bind in compiled.binds.items() if bind.required}
        every = compiled.construct_params(required)
        positional = self.positional = bool(compiled.positional)
        names: tuple[str, ...] = tuple(compiled.positiontup or ()) if positional else tuple(every)
        self._names = names
        self._defaults: dict[str, Any] = {
            name: value for name, value in every.items() if name not in required
        }
        processors: list[tuple[str, _Processor]] = []
        for name in dict.fromkeys(names):
            processor = bind_processor(compiled.binds[name].type, dialect)
            if processor is not None:
                processors.append((name, processor))
        self._processors = tuple(processors)
        self.plain = positional and not self._defaults and not self._processors
        if positional:
            self.params = _positional(names, self._defaults, self._processors)
        else:
            self.params = _named(self._defaults, self._processors)

    @property
    def names(self) -> tuple[str, ...]:
        """The bind names, in placeholder order for positional dialects."""
        return self._names

    @property
    def defaults(self) -> dict[str, Any]:
        """The values fixed in the statement, by bind name (a copy)."""
        return dict(self._defaults)

    @property
    def processors(self) -> dict[str, _Processor]:
        """The bind processors ``params`` applies to values that are not None, by bind name."""
        return dict(self._processors)


def _getter(names: tuple[str, ...]) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function picking *names* out of a mapping, as a tuple."""
    if len(names) == 1:
        only = names[0]
        return lambda values: (values[only],)
    if names:
        return operator.itemgetter(*names)
    return lambda values: ()


def _positional(
    names: tuple[str, ...], defaults: dict[str, Any], processors: tuple[tuple[str, _Processor], ...]
) -> Callable[[Mapping[str, Any]], Any]:
    """``params`` for a ``qmark`` statement: a tuple in placeholder order."""
    getter = _getter(names)
    if not processors:
        if not defaults:
            return getter
        return lambda values: getter({**defaults, **values})
    # processors by placeholder position (a name may fill several placeholders)
    by_name = dict(processors)
    at = tuple((i, by_name[name]) for i, name in enumerate(names) if name in by_name)

    def params(values: Mapping[str, Any]) -> Any:
        if defaults:
            values = {**defaults, **values}
        row = list(getter(values))
        for i, processor in at:
            value = row[i]
            if value is not None:
                row[i] = processor(value)
        return tuple(row)

    return params


def _named(
    defaults: dict[str, Any], processors: tuple[tuple[str, _Processor], ...]
) -> Callable[[Mapping[str, Any]], Any]:
    """``params`` for a statement with named placeholders (psycopg): a dict."""

    def params(values: Mapping[str, Any]) -> Any:
        if defaults or processors:
            bound = {**defaults, **values}
            for name, processor in processors:
                value = bound[name]
                if value is not None:
                    bound[name] = processor(value)
            return bound
        return values

    return params


def row_processors(
    columns: Sequence[ColumnElement[Any]], dialect: Dialect
) -> tuple[_Processor | None, ...]:
    """The result processors of *columns* on *dialect* (None where the value is used as is)."""
    return tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )


NO_KEY: Final[Any] = object()
"""The default *key* of ``Session.execute``: the statement concerns no one key."""


def describe(what: str, key: Any) -> str:
    """What a statement does, for an error message: *what*, then ``repr(key)`` if given.

    ``describe("reading invoice", "inv_1")`` is ``"reading invoice 'inv_1'"``.
    """
    return what if key is NO_KEY else f"{what} {key!r}"


def _observed(engine: Engine) -> bool:
    """True when something listens to the engine's statements (events, echo, SQL logging)."""
    dispatch: Any = engine.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        return True
    return bool(engine.echo) or engine.logger.isEnabledFor(logging.INFO)


class Session:
    """The connection of one unit of work; every statement goes through ``execute``.

    Args:
        connections: The storage's [Connections][s2c_sqlalchemy.connections.Connections]:
            the connection comes from there (kept from an earlier unit of work, or checked out
            of the engine's pool) and goes back there on ``close``.
        hook: Called for every statement and transaction end (see ``StatementHook``).
    """

    __slots__ = (
        "_connections",
        "_cursor",
        "_errors",
        "_fairy",
        "_pool",
        "_raw",
        "_sa",
        "_since",
        "_sqlite",
        "_via_sqlalchemy",
        "engine",
        "hook",
    )

    def __init__(self, connections: Connections, hook: StatementHook | None = None) -> None:
        self._connections = connections
        self.engine = connections.engine
        self._errors = connections.errors
        self._sqlite = connections.sqlite
        self.hook = hook
        self._via_sqlalchemy = _observed(self.engine)
        self._sa: Connection | None = None
        self._fairy, self._pool, self._since, self._raw = connections.checkout()
        self._cursor: Any = None

    # -- statements -------------------------------------------------------------------------

    def execute(self, sql: str, params: Any, *, what: str, key: Any = NO_KEY) -> Any:
        """Run *sql* once; returns the cursor (``rowcount``, ``fetchall()``).

        *what* (and *key*, see ``describe``) say what the statement does, for the message of
        a ``BackendError``; the message is only formatted when there is an error.

        The hot path of every statement: ``_ready`` is inlined for the common case (cursor
        open, transaction begun, no hook).
        """
        if self._via_sqlalchemy:
            return self._sqlalchemy(sql, params, what=describe(what, key), many=False)
        cursor = self._cursor
        if (
            cursor is None
            or self.hook is not None
            or (self._sqlite and not self._raw.in_transaction)
        ):
            cursor = self._ready("one", sql, params, what, key)
        try:
            cursor.execute(sql, params)
        except self._errors as exc:
            raise self._failure(exc, describe(what, key)) from exc
        return cursor

    def execute_many(self, sql: str, params: Sequence[Any], *, what: str, key: Any = NO_KEY) -> Any:
        """Run *sql* once per parameter set (one ``executemany``); returns the cursor."""
        if self._via_sqlalchemy:
            return self._sqlalchemy(sql, list(params), what=describe(what, key), many=True)
        cursor = self._ready("many", sql, params, what, key)
        try:
            cursor.executemany(sql, params)
        except self._errors as exc:
            raise self._failure(exc, describe(what, key)) from exc
        return cursor

    def _ready(self, kind: str, sql: str, params: Any, what: str, key: Any = NO_KEY) -> Any:
        """The unit of work's cursor, its transaction begun, the statement reported."""
        cursor = self._cursor
        if cursor is None:
            cursor = self._cursor = self._open_cursor(describe(what, key))
        if self._sqlite and not self._raw.in_transaction:
            self._begin(cursor)
        if self.hook is not None:
            self.hook(kind, sql, params)
        return cursor

    @property
    def counts_many(self) -> bool:
        """True when ``rowcount`` after ``execute_many`` is the sum over every parameter set
        (sqlite3 does so; bulk writes elsewhere go row by row so each row is checked)."""
        return self._sqlite

    def rows(self, sql: str, params: Any, *, what: str, key: Any = NO_KEY) -> list[Any]:
        """Run *sql* and fetch every row (tuples); *what* and *key* as for ``execute``.

        ``execute`` inlined, as the other hot path.
        """
        if self._via_sqlalchemy:
            cursor = self._sqlalchemy(sql, params, what=describe(what, key), many=False)
        else:
            cursor = self._cursor
            if (
                cursor is None
                or self.hook is not None
                or (self._sqlite and not self._raw.in_transaction)
            ):
                cursor = self._ready("one", sql, params, what, key)
            try:
                cursor.execute(sql, params)
            except self._errors as exc:
                raise self._failure(exc, describe(what, key)) from exc
        try:
            rows: list[Any] = cursor.fetchall()
        except self._errors as exc:
            raise self._failure(exc, describe(what, key)) from exc
        return rows

    def is_integrity_error(self, exc: BaseException | None) -> bool:
        """True when *exc* is the driver's (or SQLAlchemy's) integrity error."""
        return isinstance(exc, self._connections.integrity)

    def _open_cursor(self, what: str) -> Any:
        try:
            return self._fairy.cursor()
        except self._errors as exc:
            raise self._failure(exc, what) from exc

    def _begin(self, cursor: Any) -> None:
        if self.hook is not None:
            self.hook("one", BEGIN_IMMEDIATE, ())
        try:
            cursor.execute(BEGIN_IMMEDIATE)
        except self._errors as exc:
            raise self._failure(exc, "beginning a transaction") from exc

    def _sqlalchemy(self, sql: str, params: Any, *, what: str, many: bool) -> Any:
        conn = self.connection
        if self.hook is not None:
            if self._sqlite and not self._raw.in_transaction:
                self.hook("one", BEGIN_IMMEDIATE, ())  # sent by the engine's "begin" listener
            self.hook("many" if many else "one", sql, params)
        try:
            return conn.exec_driver_sql(sql, params)
        except self._errors as exc:
            raise backend_error(exc, what) from exc

    def _failure(self, exc: BaseException, what: str) -> BackendError:
        """The ``BackendError`` for *exc*; a lost connection is not given back to the pool."""
        try:
            if self._connections.is_disconnect(exc, self._fairy, self._cursor):  # type: ignore[arg-type]
                self._fairy.invalidate(exc)
        except Exception:  # pragma: no cover - best effort
            log.debug("could not check the connection after an error", exc_info=True)
        return backend_error(exc, what)

    # -- transaction ------------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        """A SQLAlchemy connection on the same DBAPI connection (and so the same transaction).

        A unit of work that used it gives its connection back to the pool at the end (the
        host may have changed the connection's state through it); others keep theirs for the
        next unit of work (see ``s2c_sqlalchemy.connections``).
        """
        if self._sa is None:
            self._sa = Connection(self.engine, connection=self._fairy)
        return self._sa

    def in_transaction(self) -> bool:
        """True while a transaction is open on the DBAPI connection."""
        if self._fairy.dbapi_connection is None:  # invalidated
            return False
        if self._sqlite:
            return bool(self._raw.in_transaction)
        return bool(self._raw.info.transaction_status != _PG_IDLE)

    def commit(self) -> None:
        """Commit the open transaction, if any."""
        self._end("commit")

    def rollback(self) -> None:
        """Roll the open transaction back, if any."""
        self._end("rollback")

    def _end(self, how: str) -> None:
        what = "committing" if how == "commit" else "rolling back"
        sa = self._sa
        if sa is not None and sa.in_transaction():
            if self.hook is not None:
                self.hook(how, "", None)
            try:
                sa.commit() if how == "commit" else sa.rollback()
            except self._errors as exc:
                raise backend_error(exc, what) from exc
            return
        if not self.in_transaction():
            return
        if self.hook is not None:
            self.hook(how, "", None)
        try:
            self._raw.commit() if how == "commit" else self._raw.rollback()
        except self._errors as exc:
            raise self._failure(exc, what) from exc

    def close(self) -> None:
        """Roll back what was not committed and give the connection back.

        A connection whose transaction ended cleanly (and that the host did not use through
        ``connection``) goes back to the storage's ``Connections``, which may keep it for the
        next unit of work; any other goes back to the pool, which resets or discards it.
        """
        fairy = self._fairy
        try:
            self.rollback()
        except Exception:
            log.warning("could not roll back a unit of work cleanly", exc_info=True)
            fairy.invalidate()
        try:
            if self._cursor is not None and fairy.dbapi_connection is not None:
                self._cursor.close()
            if self._sa is not None:
                self._sa.close()
            else:
                self._connections.checkin(fairy, self._pool, self._since, self._raw)
        except Exception:
            log.warning("could not release a connection cleanly", exc_info=True)
            fairy.invalidate()


def _pg_idle() -> Any:
    try:
        from psycopg.pq import TransactionStatus
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return None
    return TransactionStatus.IDLE


_PG_IDLE: Final = _pg_idle()
