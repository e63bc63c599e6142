"""Fixtures of the SQL backend tests: SQLite files and memory, fresh PostgreSQL databases.

PostgreSQL isolation: the schema is migrated once per session into a template database;
each test gets its own ``CREATE DATABASE ... TEMPLATE`` copy, dropped afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from s2c_sqlalchemy import migrate
from s2c_sqlalchemy.testing import fresh_database
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from s2c_core.clock import FixedClock

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A SQLite file URL in the test's own directory (the file does not exist yet)."""
    return f"sqlite:///{tmp_path / 'books.db'}"


@pytest.fixture(scope="session")
def pg_template(postgres_url: str) -> Iterator[str]:
    """Name of a database with the current s2c schema, to copy per test."""
    with fresh_database(postgres_url, prefix="s2c_template") as url:
        migrate(url)
        yield str(make_url(url).database)


@pytest.fixture
def pg_url(postgres_url: str, pg_template: str) -> Iterator[str]:
    """A fresh database with the current s2c schema, dropped after the test."""
    with fresh_database(postgres_url, template=pg_template) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, sqlite_url: str) -> str:
    """A migrated database of each backend: a SQLite file, and PostgreSQL when available."""
    if request.param == "postgres":
        return str(request.getfixturevalue("pg_url"))
    migrate(sqlite_url)
    return sqlite_url


@pytest.fixture
def pg_empty_url(postgres_url: str) -> Iterator[str]:
    """A fresh empty database (no s2c schema), dropped after the test."""
    with fresh_database(postgres_url) as url:
        yield url


def table_names(url: str) -> set[str]:
    """The tables of the database at *url*."""
    from sqlalchemy import inspect

    engine = create_engine(make_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


def scalar(url: str, sql: str) -> object:
    """The first column of the first row of *sql*."""
    engine = create_engine(make_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


@pytest.fixture(autouse=True)
def _one_hypothesis_executor_per_backend() -> Iterator[None]:
    """Let the conformance suite's ``@given`` test run once per backend class.

    Hypothesis' ``differing_executors`` health check fails a ``@given`` method that runs on
    instances of several classes in one session, which is what a conformance suite does by
    design (each ``Test<Backend>`` subclass brings its own storage). The suite only suppresses
    ``function_scoped_fixture``, so, without changing it, this resets hypothesis' record of
    the previous executor before and after each test (after, so that a suite run later in
    the same session, such as core's in-memory one, starts clean too). It is a no-op once the
    suite suppresses the check itself (or if hypothesis stores the record differently).
    """
    _forget_hypothesis_executor()
    yield
    _forget_hypothesis_executor()


def _forget_hypothesis_executor() -> None:
    from hypothesis.utils.conventions import not_set

    from s2c_core.testing.conformance import StorageContract

    pending = [StorageContract.test_large_amounts_round_trip_exactly]
    seen: set[int] = set()
    while pending:  # the @given wrapper sits under hypothesis' signature-preserving wrapper
        func = pending.pop()
        if id(func) in seen:
            continue
        seen.add(id(func))
        for cell in getattr(func, "__closure__", None) or ():
            try:
                holder = cell.cell_contents
            except ValueError:
                continue
            if callable(holder) and hasattr(holder, "__closure__"):
                pending.append(holder)
            elif hasattr(holder, "prev_self"):
                holder.prev_self = not_set
