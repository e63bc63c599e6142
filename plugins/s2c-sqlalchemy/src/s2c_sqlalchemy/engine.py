"""Engines configured for the s2c unit of work: SQLite serialised writers, PostgreSQL via psycopg.

SQLite: the ``sqlite3`` module's own transaction handling is switched off
(``isolation_level=None``) and every transaction starts with ``BEGIN IMMEDIATE``, so a unit of
work takes the write lock up front: writers queue on ``busy_timeout`` instead of failing half
way, and counters stay gapless. File databases use WAL so readers never wait for a writer.
In-memory databases live on one shared connection (``StaticPool``).

PostgreSQL: ``postgresql://`` and ``postgres://`` URLs are served by psycopg 3.
"""

from __future__ import annotations

import weakref
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import StaticPool

from s2c_core.errors import ConfigurationError

__all__ = ["SQLITE_BUSY_TIMEOUT", "is_memory_sqlite", "make_engine", "normalise_url"]

SQLITE_BUSY_TIMEOUT: Final = 30.0
"""Seconds a SQLite writer waits for the write lock before giving up."""

READ_ONLY: Final = "s2c_read_only"
"""Execution option: begin a deferred (shared-lock) SQLite transaction instead."""

_CONFIGURED: weakref.WeakSet[Engine] = weakref.WeakSet()


def normalise_url(url: str | URL) -> URL:
    """*url* as a SQLAlchemy URL, PostgreSQL URLs pointed at psycopg 3.

    Raises:
        ConfigurationError: Not a SQLite or PostgreSQL URL.
    """
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise ConfigurationError(f"not a database URL: {url!r}") from exc
    backend = parsed.get_backend_name()
    if backend == "postgres":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "postgresql":
        driver = parsed.get_driver_name()
        if driver == "psycopg":
            return parsed
        if "+" in parsed.drivername:
            raise ConfigurationError(
                f"s2c-sqlalchemy talks to PostgreSQL through psycopg 3; got driver "
                f"{driver!r} in {parsed.render_as_string()!r}"
            )
        return parsed.set(drivername="postgresql+psycopg")
    if backend != "sqlite":
        raise ConfigurationError(
            f"s2c-sqlalchemy handles sqlite and postgresql URLs, not {backend!r}"
        )
    return parsed


def is_memory_sqlite(url: URL) -> bool:
    """True for an in-memory SQLite URL (``sqlite://`` or ``sqlite:///:memory:``)."""
    return url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")


def make_engine(url: str | URL, **engine_kwargs: Any) -> Engine:
    """An engine for *url* configured for s2c units of work.

    Args:
        url: ``sqlite:///path``, ``sqlite://`` (memory), ``postgresql://...``.
        **engine_kwargs: Passed to ``sqlalchemy.create_engine`` (pool sizes, ``echo`` ...).

    Returns:
        The engine. Use it for [SqlStorage][s2c_sqlalchemy.storage.SqlStorage] and
        [migrate][s2c_sqlalchemy.migrations.migrate]; it may be shared with the host app.
    """
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "postgresql":
        engine = create_engine(parsed, **engine_kwargs)
    else:
        engine = _sqlite_engine(parsed, engine_kwargs)
    _CONFIGURED.add(engine)
    return engine


def is_configured(engine: Engine) -> bool:
    """True for engines built by [make_engine][s2c_sqlalchemy.engine.make_engine]."""
    return engine in _CONFIGURED or engine.dialect.name == "postgresql"


def _sqlite_engine(url: URL, engine_kwargs: dict[str, Any]) -> Engine:
    memory = is_memory_sqlite(url)
    connect_args = dict(engine_kwargs.pop("connect_args", {}))
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT)
    connect_args["check_same_thread"] = False
    connect_args["isolation_level"] = None
    if memory:
        engine_kwargs.setdefault("poolclass", StaticPool)
    engine = create_engine(url, connect_args=connect_args, **engine_kwargs)
    busy_ms = int(float(connect_args["timeout"]) * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
            if not memory:
                cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.connection.driver_connection.in_transaction:
            return  # a unit of work began it on the DBAPI connection (``uow.connection``)
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine
