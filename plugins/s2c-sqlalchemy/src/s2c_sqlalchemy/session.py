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
from typing import Any, Final

from sqlalchemy import Connection, Dialect, Engine
from sqlalchemy.exc import IntegrityError as SAIntegrityError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql import ClauseElement, ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler

from s2c_core.errors import BackendError

__all__ = ["Rendered", "Session", "StatementHook", "backend_error", "row_processors"]

log = logging.getLogger(__name__)

StatementHook = Callable[[str, str, Any], None]
"""``hook(kind, sql, parameters)``: *kind* is ``"one"`` or ``"many"`` (an ``executemany``) for
a statement, ``"commit"`` or ``"rollback"`` (with ``sql == ""``) for the end of a transaction."""

BEGIN_IMMEDIATE: Final = "BEGIN IMMEDIATE"

_Processor = Callable[[Any], Any]


def backend_error(exc: BaseException, what: str) -> BackendError:
    """A ``BackendError`` describing the driver error *exc* raised while doing *what*."""
    orig = getattr(exc, "orig", None) or exc
    return BackendError(f"database error while {what}: {type(orig).__name__}: {orig}".strip())


class Rendered:
    """One statement compiled once for one dialect: its SQL text and how to bind parameters.

    ``params(values)`` turns a mapping of bind names to Python values into what the DBAPI
    takes (a tuple in placeholder order for ``qmark`` SQLite, a dict for psycopg), applying
    the bind processors SQLAlchemy would (dates as text on SQLite, UTC timestamps) and the
    values fixed in the statement (literals such as ``value + 1``).
    """

    __slots__ = ("_defaults", "_getter", "_names", "_positional", "_processors", "sql")

    def __init__(
        self, stmt: ClauseElement, dialect: Dialect, *, column_keys: Sequence[str] | None = None
    ) -> None:
        compiled = stmt.compile(dialect=dialect, column_keys=list(column_keys or ()) or None)
        assert isinstance(compiled, SQLCompiler)
        self.sql: str = compiled.string
        required = {name: None for name, bind in compiled.binds.items() if bind.required}
        every = compiled.construct_params(required)
        positional = bool(compiled.positional)
        names: tuple[str, ...] = tuple(compiled.positiontup or ()) if positional else tuple(every)
        self._names = names
        self._positional = positional
        self._defaults: dict[str, Any] = {
            name: value for name, value in every.items() if name not in required
        }
        processors: list[tuple[str, _Processor]] = []
        for name in dict.fromkeys(names):
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors.append((name, processor))
        self._processors = tuple(processors)
        self._getter: Callable[[Mapping[str, Any]], tuple[Any, ...]]
        if len(names) == 1:
            only = names[0]
            self._getter = lambda values: (values[only],)
        elif names:
            self._getter = operator.itemgetter(*names)
        else:
            self._getter = lambda values: ()

    @property
    def names(self) -> tuple[str, ...]:
        """The bind names, in placeholder order for positional dialects."""
        return self._names

    def params(self, values: Mapping[str, Any]) -> Any:
        """The DBAPI parameters for *values* (bind name -> Python value)."""
        if self._defaults or self._processors:
            bound = {**self._defaults, **values}
            for name, processor in self._processors:
                value = bound[name]
                if value is not None:
                    bound[name] = processor(value)
            values = bound
        return self._getter(values) if self._positional else values


def row_processors(
    columns: Sequence[ColumnElement[Any]], dialect: Dialect
) -> tuple[_Processor | None, ...]:
    """The result processors of *columns* on *dialect* (None where the value is used as is)."""
    return tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
    )


def _observed(engine: Engine) -> bool:
    """True when something listens to the engine's statements (events, echo, SQL logging)."""
    dispatch: Any = engine.dispatch
    if dispatch.before_cursor_execute or dispatch.after_cursor_execute:
        return True
    return bool(engine.echo) or engine.logger.isEnabledFor(logging.INFO)


class Session:
    """The connection of one unit of work; every statement goes through ``execute``.

    Args:
        engine: The storage's engine; the connection is checked out of its pool.
        hook: Called for every statement and transaction end (see ``StatementHook``).
    """

    def __init__(self, engine: Engine, hook: StatementHook | None = None) -> None:
        self.engine = engine
        dialect = engine.dialect
        dbapi = dialect.loaded_dbapi
        self._errors: tuple[type[BaseException], ...] = (dbapi.Error, SQLAlchemyError)
        self._integrity: tuple[type[BaseException], ...] = (
            dbapi.IntegrityError,
            SAIntegrityError,
        )
        self._sqlite = dialect.name == "sqlite"
        self.hook = hook
        self._via_sqlalchemy = _observed(engine)
        self._sa: Connection | None = None
        try:
            self._fairy = engine.raw_connection()
        except self._errors as exc:
            raise backend_error(exc, "connecting") from exc
        self._raw: Any = self._fairy.driver_connection
        self._cursor: Any = None

    # -- statements -------------------------------------------------------------------------

    def execute(self, sql: str, params: Any, *, what: str) -> Any:
        """Run *sql* once; returns the cursor (``rowcount``, ``fetchall()``)."""
        if self._via_sqlalchemy:
            return self._sqlalchemy(sql, params, what=what, many=False)
        cursor = self._ready("one", sql, params, what)
        try:
            cursor.execute(sql, params)
        except self._errors as exc:
            raise self._failure(exc, what) from exc
        return cursor

    def execute_many(self, sql: str, params: Sequence[Any], *, what: str) -> Any:
        """Run *sql* once per parameter set (one ``executemany``); returns the cursor."""
        if self._via_sqlalchemy:
            return self._sqlalchemy(sql, list(params), what=what, many=True)
        cursor = self._ready("many", sql, params, what)
        try:
            cursor.executemany(sql, params)
        except self._errors as exc:
            raise self._failure(exc, what) from exc
        return cursor

    def _ready(self, kind: str, sql: str, params: Any, what: str) -> Any:
        """The unit of work's cursor, its transaction begun, the statement reported."""
        cursor = self._cursor
        if cursor is None:
            cursor = self._cursor = self._open_cursor(what)
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

    def rows(self, sql: str, params: Any, *, what: str) -> list[Any]:
        """Run *sql* and fetch every row (tuples)."""
        cursor = self.execute(sql, params, what=what)
        try:
            return list(cursor.fetchall())
        except self._errors as exc:
            raise self._failure(exc, what) from exc

    def is_integrity_error(self, exc: BaseException | None) -> bool:
        """True when *exc* is the driver's (or SQLAlchemy's) integrity error."""
        return isinstance(exc, self._integrity)

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
            if self.engine.dialect.is_disconnect(exc, self._fairy, self._cursor):  # type: ignore[arg-type]
                self._fairy.invalidate(exc)
        except Exception:  # pragma: no cover - best effort
            log.debug("could not check the connection after an error", exc_info=True)
        return backend_error(exc, what)

    # -- transaction ------------------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        """A SQLAlchemy connection on the same DBAPI connection (and so the same transaction)."""
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
        """Roll back what was not committed and give the connection back to the pool."""
        try:
            self.rollback()
        except Exception:
            log.warning("could not roll back a unit of work cleanly", exc_info=True)
            self._fairy.invalidate()
        try:
            if self._cursor is not None and self._fairy.dbapi_connection is not None:
                self._cursor.close()
            if self._sa is not None:
                self._sa.close()
            else:
                self._fairy.close()
        except Exception:
            log.warning("could not release a connection cleanly", exc_info=True)
            self._fairy.invalidate()


def _pg_idle() -> Any:
    try:
        from psycopg.pq import TransactionStatus
    except ImportError:  # pragma: no cover - psycopg is a dependency
        return None
    return TransactionStatus.IDLE


_PG_IDLE: Final = _pg_idle()
